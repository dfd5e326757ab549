"""The line above the answer editor: what the app is doing, and how long a provider call has
taken while it has produced nothing yet."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.timer import Timer

from interviewer.engine.events import Event, WaitClock, Waiting
from interviewer.tui.widgets.safe import SafeStatic

CANCEL_KEY = "escape"
"""The key that stops a provider call (the interview screen's binding)."""


class ActivityLine(SafeStatic):
    """ "Sending your answer…" and the like (`set_text`), and, while the engine waits on a
    provider (`see()` every event it yields), "waiting for <provider> (12 s)… esc cancels",
    counted once a second by `clock`; `cancel_key` is the key the screen binds to cancel. A wait
    shows from its first whole second, so a quick call leaves no flicker; text set meanwhile
    (the cancel's "Stopping…") replaces it."""

    def __init__(self, clock: Callable[[], float], cancel_key: str, *, id: str | None = None):
        super().__init__("", id=id)
        self._wait = WaitClock(clock)
        self._cancel_key = cancel_key
        self._cancel_hint = ""
        self._timer: Timer | None = None
        self._shown = False
        self._text = ""

    def on_mount(self) -> None:
        # As the footer shows the key ("esc"), so the two agree.
        key = self.app.get_key_display(Binding(self._cancel_key, "cancel"))
        self._cancel_hint = f"{key} cancels"
        self._timer = self.set_interval(1.0, self._tick, pause=True)

    def see(self, event: Event) -> bool:
        """Follow the wait; True for a `Waiting`, which needs no other drawing."""
        self._follow(event)
        return isinstance(event, Waiting)

    def _follow(self, event: Event) -> None:
        was = self._wait.waiting
        self._wait.see(event)
        if self._wait.waiting is was:
            return
        self._end()
        if self._wait.waiting is not None and self._timer is not None:
            self._timer.resume()

    def set_text(self, text: str) -> None:
        if text == self._text and self._wait.waiting is None and not self._shown:
            return  # said once, not redrawn for every streamed chunk
        self._wait.stop()
        self._end()
        self._text = text
        super().set_text(text)

    @property
    def waiting_line(self) -> str:
        """The waiting line on show, "" when there is none."""
        return self._wait.line(self._cancel_hint) if self._shown else ""

    def _end(self) -> None:
        if self._timer is not None:
            self._timer.pause()
        if self._shown:
            self._shown = False
            self._text = ""
            super().set_text("")

    def _tick(self) -> None:
        if self._wait.waiting is None or self._wait.seconds() < 1:
            return
        self._shown = True
        super().set_text(self._wait.line(self._cancel_hint))
