"""The stream idle timer: one timer per stream, re-armed lazily."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from interviewer.providers.idle import IdleTimer


async def ticking(count: int, every: float) -> AsyncIterator[int]:
    for index in range(count):
        await asyncio.sleep(every)
        yield index


async def silent() -> AsyncIterator[int]:
    yield 0
    await asyncio.Event().wait()
    yield 1  # pragma: no cover


async def test_a_silent_stream_times_out() -> None:
    timer = IdleTimer(0.05)
    stream = silent()
    assert await timer.next(stream) == 0
    with pytest.raises(TimeoutError):
        await timer.next(stream)
    timer.close()
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0


async def test_a_stream_that_keeps_talking_outlives_the_idle_time() -> None:
    timer = IdleTimer(0.3)
    stream = ticking(40, 0.02)  # 0.8 s in all, never 0.3 s silent
    got = [await timer.next(stream) for _ in range(40)]
    timer.close()
    assert got == list(range(40))


async def test_a_slow_consumer_is_never_cancelled_between_chunks() -> None:
    timer = IdleTimer(0.05)
    stream = ticking(3, 0)
    for expected in range(3):
        assert await timer.next(stream) == expected
        await asyncio.sleep(0.1)  # longer than the idle time, outside `next`
    timer.close()


async def test_someone_elses_cancel_stays_a_cancel() -> None:
    async def consume() -> None:
        timer = IdleTimer(10)
        stream = silent()
        await timer.next(stream)
        await timer.next(stream)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
