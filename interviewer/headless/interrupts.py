"""Ctrl+C while an answer is typed, taken where no typed character can be lost.

Python runs a signal's handler between bytecodes, so a KeyboardInterrupt raised at once can land
just after a read returned its text and before the caller stored it. `Interrupts` raises only
inside a read's blocking wait, where nothing has been consumed; a press anywhere else is
recorded, and the next read raises it before it waits.

A press that lands just before a wait begins is a second trap: the C-level handler has already
run, so the wait is never interrupted and the press seems to do nothing until the next key. The
descriptor path therefore waits on the signal wakeup pipe too. GNU readline's wait cannot watch
that pipe, so while `input()` runs a helper thread watches it and sends SIGINT to the main thread
again until the handler has run.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from collections.abc import Iterator
from types import FrameType

NUDGE_DELAY_S = 0.1
"""How long the helper lets a press reach the handler by itself before it sends one more."""


class Interrupts:
    """SIGINT for the duration of one answer (`installed`); a no-op off the main thread, where
    no signal handler can be set and Python never delivers signals."""

    def __init__(self) -> None:
        self.pressed = False
        self._armed = False
        self._active = False
        self._wakeup = (-1, -1)
        self._forward = -1
        """The wakeup fd set before ours (an event loop's): other signals' bytes go on to it."""

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = True
        if self._armed:
            self._armed = False
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)  # the wakeup pipe must never block the handler
        os.set_blocking(read_end, False)
        previous = signal.signal(signal.SIGINT, self._handler)
        # asyncio.run's own handler turns a first Ctrl+C into a task cancellation that a
        # blocking read never sees; ours stands in for it while the candidate types.
        previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        self._wakeup, self._forward, self._active = (read_end, write_end), previous_fd, True
        try:
            yield
        finally:
            self._active = False
            signal.set_wakeup_fd(previous_fd)
            self._drain()  # what came since the last wait, for the loop's wakeup fd
            signal.signal(signal.SIGINT, previous)
            os.close(read_end)
            os.close(write_end)

    def check(self) -> None:
        """Raise KeyboardInterrupt for a press recorded outside a wait."""
        if self.pressed:
            raise KeyboardInterrupt

    def wait_readable(self, fd: int) -> None:
        """Return once `fd` has input (or its end); raise KeyboardInterrupt on a press."""
        if not self._active:
            return
        wakeup = self._wakeup[0]
        while True:
            self.check()
            ready, _, _ = select.select([fd, wakeup], [], [])
            if wakeup not in ready:
                return
            # A signal's byte: its handler has run by the next check, which says if it was SIGINT.
            self._drain()

    @contextlib.contextmanager
    def raising(self) -> Iterator[None]:
        """Around a blocking call that only a raising handler can end (`input()`)."""
        self.check()
        if not self._active:
            yield
            return
        stop_read, stop_write = os.pipe()  # wakes the helper at once when input() returns
        helper = threading.Thread(target=self._nudge, args=(stop_read,), daemon=True)
        self._armed = True
        helper.start()
        try:
            yield
        finally:
            self._armed = False
            os.write(stop_write, b"x")
            helper.join()
            os.close(stop_read)
            os.close(stop_write)

    def _drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while data := os.read(self._wakeup[0], 512):
                # SIGINT was ours to handle; any other signal is the loop's to hear about.
                others = data.replace(bytes([signal.SIGINT]), b"")
                if others and self._forward >= 0:
                    with contextlib.suppress(OSError):  # full or closed: as the C handler does
                        os.write(self._forward, others)

    def _nudge(self, stop: int) -> None:
        main = threading.main_thread().ident
        assert main is not None
        wakeup = self._wakeup[0]
        while True:
            ready, _, _ = select.select([wakeup, stop], [], [])
            if stop in ready:
                return
            self._drain()
            # A press the handler has taken disarms it; one still armed after the delay was
            # caught by the C handler outside the wait, so the wait must be woken once more.
            if select.select([stop], [], [], NUDGE_DELAY_S)[0]:
                return
            if self._armed:
                signal.pthread_kill(main, signal.SIGINT)
