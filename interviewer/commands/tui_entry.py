"""Run the Textual app (called by `interviewer run` and `interviewer resume` without --headless).

Textual is imported here, inside the function, so the CLI's --help stays fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interviewer.config import Settings


def run_tui(settings: Settings, *, resume: str | None = None) -> int:
    """Open the TUI; `resume` is a session id, id prefix or journal path. Returns the exit code."""
    from interviewer.tui.app import build_app

    app = build_app(settings, resume=resume)
    result = app.run()
    note = app.exit_note()
    if note is not None:
        print(note)
    return 0 if result is None else result
