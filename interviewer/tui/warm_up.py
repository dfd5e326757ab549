"""What the app loads in a background thread while the Start screen is shown, so that pressing
Start does not wait for it: the screens after the Start screen, the engine, and whatever the
interview factory warms (the offline grader's embedding model, the provider modules).

The launch imports only what the Start screen draws; this thread loads the rest once that
screen is on view. `InterviewerApp` waits for it before opening an interview (Start pressed
before it ended), so the two never load the same thing side by side. What it loaded lives as
long as the process, and is then set aside from the garbage collector (`set_aside_from_gc`).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.worker import Worker

WARM_UP_DELAY_S = 0.3
"""From the Start screen's mount to the warm-up's start. The thread holds the interpreter for
much of its work, so started at once it slows drawing the screen itself (measured: a few
hundred ms of CPU); nobody reads the screen and presses Start within this time, and Start
pressed earlier starts it at once (`WarmUp.wait`)."""

SCREENS = (
    "interviewer.tui.screens.interview",
    "interviewer.tui.screens.feedback",
    "interviewer.tui.screens.report",
    "interviewer.tui.screens.history",
)
"""Imported first: the interview screen is the next thing drawn."""


def warm_up(factory_warm_up: object) -> Callable[[], None]:
    """The thread's work: import `SCREENS`, then run the factory's own `warm_up()` if it has
    one (`factory_warm_up` is that attribute, or None), then `set_aside_from_gc`."""

    def work() -> None:
        try:
            for name in SCREENS:
                importlib.import_module(name)
            if callable(factory_warm_up):
                factory_warm_up()
        finally:
            set_aside_from_gc()

    return work


def set_aside_from_gc() -> None:
    """Move every object alive now (modules, Textual, pydantic, the embedding model: ~90,000
    objects) out of the garbage collector's reach, once per process. Python's full collection
    walks every tracked object: measured 100-270 ms with the event loop held, in the middle of
    a streamed reply. Frozen objects are never walked (nor freed) again: what is garbage at this
    moment (about a thousand objects) is kept, which costs less than collecting it first (a
    full collection, the very pause this avoids), and so is the first Start screen once a
    report replaces it (a few thousand objects, once)."""
    if gc.get_freeze_count() == 0:  # once: a later app in the process (tests) has its own
        gc.freeze()


class WarmUp:
    """One app's warm-up worker: started once the Start screen is drawn, awaited before an
    interview opens."""

    def __init__(self, app: App[Any], factory_warm_up: object) -> None:
        self._app = app
        self._work = warm_up(factory_warm_up)
        self._worker: Worker[None] | None = None

    @property
    def finished(self) -> bool:
        """Started and ended (the bench waits for it, as a candidate reading the screen)."""
        return self._worker is not None and self._worker.is_finished

    def start(self) -> None:
        if self._worker is None:
            self._worker = self._app.run_worker(
                self._work, thread=True, group="warm-up", exit_on_error=False
            )

    async def wait(self) -> None:
        """Until the warm-up has ended (starting it if it has not): Start pressed before it
        ended waits, since it is loading what the interview needs, and loading it a second
        time alongside would only be slower. A failed warm-up is not reported here: opening
        the interview meets the same problem and reports it."""
        self.start()
        if self._worker is not None:
            with contextlib.suppress(Exception):
                await self._worker.wait()
