"""Stopping a provider stream on request, without waiting for its next chunk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Literal, TypeVar

_T = TypeVar("_T")


class StreamCancelled(Exception):
    """The caller asked to stop the current stream."""


class CancelScope:
    """Wraps the streams of one operation (an answer's probe or grading); `cancel()` ends the
    current stream at once, even one stalled waiting for a token that may never come. A cancel
    that arrives before the stream starts (while coverage is estimated, or while the request is
    being sent) stops it as soon as it starts. `reset()` begins the next operation."""

    def __init__(self) -> None:
        self._cancel = asyncio.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def reset(self) -> None:
        self._cancel.clear()

    async def wait_for(self, call: Awaitable[_T]) -> _T:
        """Await `call` (a reply that is not streamed, e.g. an assessment); raise
        StreamCancelled as soon as cancel() is called."""
        task = asyncio.ensure_future(call)
        stop = asyncio.ensure_future(self._cancel.wait())
        try:
            done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
            if task not in done:
                raise StreamCancelled
            return task.result()
        finally:
            for pending in (task, stop):
                if not pending.done():
                    pending.cancel()
                    await asyncio.gather(pending, return_exceptions=True)

    async def guard(self, stream: AsyncIterator[_T]) -> AsyncIterator[_T]:
        """Iterate `stream`; raise StreamCancelled as soon as cancel() is called."""
        iterator = aiter(stream)
        step: asyncio.Future[_T] | None = None
        stop: asyncio.Future[Literal[True]] | None = None
        try:
            while True:
                step = asyncio.ensure_future(anext(iterator))
                stop = asyncio.ensure_future(self._cancel.wait())
                done, _ = await asyncio.wait({step, stop}, return_when=asyncio.FIRST_COMPLETED)
                if step not in done:
                    raise StreamCancelled
                stop.cancel()
                try:
                    yield step.result()
                except StopAsyncIteration:
                    return
        finally:
            # The pending step may still be inside the generator (we were cancelled, or the
            # caller's task was): it has to finish before the generator can be closed.
            for task in (step, stop):
                if task is not None and not task.done():
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()
