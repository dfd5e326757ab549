"""The app's own commands in Textual's command palette (ctrl+p), beside Textual's (Theme, Keys,
Quit, Screenshot...).

Which commands are offered depends on the screen the palette was opened from: exports on the
Report screen, the sample answer on a Feedback screen, resuming where an unfinished session is
selected. Each command runs the same action its key runs, so the palette and the keys cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

if TYPE_CHECKING:
    from interviewer.tui.app import InterviewerApp

Command = tuple[str, str, Callable[[], object]]


def app_commands(app: InterviewerApp, screen: Screen[object]) -> Iterator[Command]:
    """(name, help, callback) of every app command that makes sense on `screen`."""
    # Here, not at the top: the app imports this module at launch, the screens come later.
    from interviewer.tui.screens.feedback import FeedbackScreen
    from interviewer.tui.screens.history import HistoryScreen
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.screens.report import ReportScreen
    from interviewer.tui.screens.start import StartScreen

    if not app.interview_in_progress():
        yield "Start an interview", "Start with the choices on the Start screen", app.start_new
    if isinstance(screen, StartScreen) and screen.has_unfinished:
        yield "Resume", "Resume the selected unfinished session", screen.action_resume
    if isinstance(screen, HistoryScreen) and (row := screen.selected()) and not row.finished:
        yield "Resume", "Resume the selected unfinished session (Enter)", screen.action_open
        yield "Discard", "Discard the selected unfinished session (d)", screen.action_discard
    if isinstance(screen, InterviewScreen):
        yield (
            "Edit in $EDITOR",
            "Write the answer in your own editor (ctrl+e)",
            (screen.action_edit_externally),
        )
    if not isinstance(screen, HistoryScreen):
        yield "History", "Past sessions and progress per question (F2)", app.action_history
    if isinstance(screen, ReportScreen):
        report = screen
        yield (
            "Export Markdown",
            "Write the report as Markdown (m)",
            lambda: report.action_export("md"),
        )
        yield "Export JSON", "Write the report as JSON (j)", lambda: report.action_export("json")
    if isinstance(screen, FeedbackScreen):
        yield "Show sample answer", "Reveal the sample answer (s)", screen.action_sample
    yield "Help", "Every key on every screen (F1)", app.action_help


class InterviewerCommands(Provider):
    """The app's commands for the palette (Textual's system commands come from its own provider)."""

    def _commands(self) -> list[Command]:
        from interviewer.tui.app import InterviewerApp

        app = self.app
        if not isinstance(app, InterviewerApp):
            return []
        return list(app_commands(app, self.screen))

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
