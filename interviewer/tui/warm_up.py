"""What the app loads in a background thread while the Start screen is shown, so that pressing
Start does not wait for it: the screens after the Start screen, the engine, and whatever the
interview factory warms (the offline grader's embedding model, the provider modules).

The launch imports only what the Start screen draws; this thread loads the rest once that
screen is on view. `InterviewerApp` waits for it before opening an interview (Start pressed
before it ended), so the two never load the same thing side by side.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

SCREENS = (
    "interviewer.tui.screens.interview",
    "interviewer.tui.screens.feedback",
    "interviewer.tui.screens.report",
    "interviewer.tui.screens.history",
)
"""Imported first: the interview screen is the next thing drawn."""


def warm_up(factory_warm_up: object) -> Callable[[], None]:
    """The thread's work: import `SCREENS`, then run the factory's own `warm_up()` if it has
    one (`factory_warm_up` is that attribute, or None)."""

    def work() -> None:
        for name in SCREENS:
            importlib.import_module(name)
        if callable(factory_warm_up):
            factory_warm_up()

    return work
