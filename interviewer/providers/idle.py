"""The timeouts of a stream: TimeoutError when its first chunk takes longer than `first_s`
seconds, or a later one longer than `idle_s` after the one before (`IdleTimer`), and a reply
stream read under them (`TimedStream`).

`asyncio.timeout` around every chunk schedules and cancels a timer per chunk, which was most of
the time the provider added to a stream (bench/bench_provider.py). This keeps one timer per
stream and re-arms it only when it fires early, so a chunk costs a clock read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

from interviewer.providers.pricing import Tokens

T = TypeVar("T")


class IdleTimer:
    """Use `await timer.next(stream)` in place of `await anext(stream)`; `close()` when done.
    `started` says whether a chunk has arrived, i.e. which of the two timeouts a TimeoutError
    was."""

    def __init__(self, idle_s: float, first_s: float | None = None) -> None:
        self._idle = idle_s
        self._first = idle_s if first_s is None else first_s
        self.started = False
        self._loop = asyncio.get_running_loop()
        self._deadline = 0.0
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[object] | None = None
        self._waiting = False
        self._fired = False

    async def next(self, stream: AsyncIterator[T]) -> T:
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - always inside a task under asyncio
            raise RuntimeError("IdleTimer needs a running task")
        self._task = task
        self._deadline = self._loop.time() + (self._idle if self.started else self._first)
        if self._handle is not None and self._handle.when() > self._deadline:
            # The first chunk's longer wait is over: only a shorter deadline needs a new timer.
            self._handle.cancel()
            self._handle = None
        if self._handle is None:
            self._handle = self._loop.call_at(self._deadline, self._expire)
        cancelling = task.cancelling()
        self._waiting = True
        try:
            item = await anext(stream)
            self.started = True
            return item
        except asyncio.CancelledError:
            # Our own cancel becomes TimeoutError; anyone else's stays a cancel.
            if self._fired:
                self._fired = False
                if task.uncancel() <= cancelling:
                    raise TimeoutError from None
            raise
        finally:
            self._waiting = False

    def _expire(self) -> None:
        self._handle = None
        if not self._waiting or self._task is None:
            return  # the caller is busy with the last chunk; `next` re-arms
        if self._loop.time() < self._deadline:
            self._handle = self._loop.call_at(self._deadline, self._expire)
            return
        self._fired = True
        self._task.cancel()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


@dataclass
class TimedStream:
    """An open reply stream with its idle timer."""

    chunks: AsyncIterator[str | Tokens]
    timer: IdleTimer

    async def next(self) -> str | Tokens:
        """The next chunk; TimeoutError when the stream stays silent past the idle timeout."""
        return await self.timer.next(self.chunks)

    async def close(self) -> None:
        self.timer.close()
        closer = getattr(self.chunks, "aclose", None)
        if closer is not None:
            # Closing a broken stream must not mask the real error.
            with contextlib.suppress(Exception):
                await closer()
