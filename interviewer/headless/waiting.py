"""The "waiting for <provider> (12 s)… ctrl+c stops" line on stderr while a provider call has
produced nothing yet.

On a terminal it is one line, rewritten in place every `TTY_EVERY_S` and erased when the wait
ends. Anywhere else (a log file, a pipe, CI) nothing can be rewritten, so it is a line at
`FIRST_S` and then one every `EVERY_S`: a slow call leaves a trace without flooding the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TextIO

from interviewer.domain import Sleep
from interviewer.engine.events import Event, WaitClock
from interviewer.text.sanitize import clean_line

TTY_EVERY_S = 3.0
FIRST_S = 10.0
EVERY_S = 30.0
CANCEL = "ctrl+c stops (your answers are saved)"
"""How to cancel during an interview; `interviewer grade` has no session to keep."""


class WaitLine:
    """`see()` every event the engine yields; `stop()` when its stream ends."""

    def __init__(
        self,
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        tty: bool | None = None,
        cancel: str = CANCEL,
    ) -> None:
        self._stream = stream
        self._cancel_hint = cancel
        self._wait = WaitClock(clock)
        self._sleep = sleep
        self._tty = stream.isatty() if tty is None else tty
        self._task: asyncio.Task[None] | None = None
        self._drawn = False

    def see(self, event: Event) -> None:
        was = self._wait.waiting
        self._wait.see(event)
        if self._wait.waiting is not was:
            self._cancel()
            if self._wait.waiting is not None:
                self._task = asyncio.get_running_loop().create_task(self._tick())

    def stop(self) -> None:
        self._wait.stop()
        self._cancel()

    def _cancel(self) -> None:
        if self._task is not None:
            # Cancelled at its sleep: it writes nothing more.
            self._task.cancel()
            self._task = None
        if self._drawn:
            self._write("\r\x1b[K")
            self._drawn = False

    async def _tick(self) -> None:
        first = True
        while True:
            await self._sleep(TTY_EVERY_S if self._tty else FIRST_S if first else EVERY_S)
            first = False
            line = clean_line(self._wait.line(self._cancel_hint))
            if self._tty:
                self._write(f"\r\x1b[K{line}")
                self._drawn = True
            else:
                self._write(line + "\n")

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # a closed stderr is no reason to stop
            self._stream.write(text)
            self._stream.flush()
