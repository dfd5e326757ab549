"""The Textual app: screens wired to the engine through the ports in `interviewer.tui.ports`.

`build_app` is the factory tests and `interviewer run` use; tests pass a scripted interview
factory, a catalog and a fixed clock so every run (and every snapshot) is the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from interviewer import paths
from interviewer.config import Settings
from interviewer.errors import InterviewerError
from interviewer.sanitize import clean_line
from interviewer.tui.ports import Catalog, InterviewFactory, InterviewLike, StartChoice
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.help import HelpScreen, editor_keys
from interviewer.tui.screens.history import HistoryScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.screens.start import StartScreen

Clock = Callable[[], float]


def drafts_dir() -> Path:
    return paths.data_dir() / "drafts"


class InterviewerApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "interviewer"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
        Binding("ctrl+c", "request_quit", "Quit", show=False, priority=True),
        Binding("f1", "help", "Help"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        interview_factory: InterviewFactory,
        catalog: Catalog,
        clock: Clock = time.monotonic,
        resume: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.catalog = catalog
        self.clock = clock
        self._factory = interview_factory
        self._resume = resume
        self.interview: InterviewLike | None = None
        self._interview_closed = False

    # -- screens -------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(self._start_screen())
        warm_up = getattr(self._factory, "warm_up", None)
        if callable(warm_up):
            self.run_worker(warm_up, thread=True, group="warm-up", exit_on_error=False)
        if self._resume is not None:
            self.begin(StartChoice(bank="", resume=self._resume))

    def _start_screen(self) -> StartScreen:
        try:
            banks = self.catalog.banks()
        except (InterviewerError, OSError) as exc:
            self.notify(clean_line(str(exc)), severity="error", markup=False)
            banks = []
        catalog = self.catalog
        return StartScreen(
            self.settings, banks, lambda: [s for s in catalog.sessions() if not s.finished]
        )

    def on_start_screen_chosen(self, message: StartScreen.Chosen) -> None:
        self.begin(message.choice)

    @work(exclusive=True, group="open")
    async def begin(self, choice: StartChoice) -> None:
        start = self.screen if isinstance(self.screen, StartScreen) else None
        if start is not None:
            start.preparing(True)
        try:
            interview = await self._factory(choice)
        except (InterviewerError, OSError) as exc:
            self.notify(clean_line(str(exc)), title="Cannot start", severity="error", markup=False)
            return
        finally:
            if start is not None:
                start.preparing(False)
        self.interview = interview
        self._interview_closed = False
        screen = InterviewScreen(
            interview, self.clock, self.settings.interview.question_time_limit_s
        )
        await self.push_screen(screen)
        draft = self._take_draft(interview.session_id)
        if draft:
            screen.restore_draft(draft)

    def on_interview_screen_finished(self, message: InterviewScreen.Finished) -> None:
        # Not awaited: a message handler that awaits a screen change holds the app's queue.
        interview = message.interview
        report = interview.report()
        self.run_worker(self._close_interview(), group="close")
        self.pop_screen()
        self.push_screen(
            ReportScreen(report, interview.questions), callback=lambda _: self._refresh_start()
        )

    def _refresh_start(self) -> None:
        if isinstance(self.screen, StartScreen):
            self.switch_screen(self._start_screen())

    def action_history(self) -> None:
        self.push_screen(HistoryScreen(self.catalog))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(
                [
                    ("Everywhere", self.BINDINGS),
                    ("Start", StartScreen.BINDINGS),
                    ("Interview", InterviewScreen.BINDINGS),
                    ("Answer editor", editor_keys()),
                    ("Feedback", FeedbackScreen.BINDINGS),
                    ("Report", ReportScreen.BINDINGS),
                    ("History", HistoryScreen.BINDINGS),
                    ("Questions asked by the app", ConfirmScreen.BINDINGS),
                ]
            )
        )

    # -- quitting keeps everything --------------------------------------------------------

    def action_request_quit(self) -> None:
        if isinstance(self.screen, ConfirmScreen):
            return
        interview = self.interview
        if interview is None or interview.finished or self._interview_closed:
            self.run_worker(self._quit_keeping_everything(), exclusive=True, group="quit")
            return
        self.push_screen(
            ConfirmScreen(
                "Quit now? Every answer you sent is saved, and unsent text in the editor is kept "
                f"as a draft. Continue later with: interviewer resume {interview.session_id}",
                yes="Quit",
                no="Stay",
            ),
            self._quit_confirmed,
        )

    def _quit_confirmed(self, yes: bool | None) -> None:
        if yes:
            self.run_worker(self._quit_keeping_everything(), group="quit")

    async def _quit_keeping_everything(self) -> None:
        self._save_draft()
        if self.interview is not None and not self._interview_closed:
            # Let the engine end its stream itself: the partial probe is then journaled as
            # interrupted, exactly as after Esc, instead of being torn down mid-write.
            self.interview.cancel()
            waiting_on_feedback = any(isinstance(s, FeedbackScreen) for s in self.screen_stack)
            running = [w for w in self.workers if w.group == "engine" and not w.is_finished]
            if running and not waiting_on_feedback:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(3):
                        for worker in running:
                            await worker.wait()
        self.workers.cancel_group(self, "open")
        for screen in self.screen_stack:
            if isinstance(screen, InterviewScreen):
                self.workers.cancel_group(screen, "engine")
        await self._close_interview()
        self.exit(0)

    async def _close_interview(self) -> None:
        if self.interview is not None and not self._interview_closed:
            self._interview_closed = True
            await self.interview.aclose()

    def _save_draft(self) -> None:
        interview = self.interview
        if interview is None or interview.finished:
            return
        for screen in self.screen_stack:
            if isinstance(screen, InterviewScreen) and screen.draft().strip():
                name = clean_line(interview.session_id).replace("/", "_")
                paths.write_private_text(drafts_dir() / f"{name}.txt", screen.draft())

    def _take_draft(self, session_id: str) -> str:
        path = drafts_dir() / f"{clean_line(session_id).replace('/', '_')}.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return ""
        path.unlink(missing_ok=True)
        return text

    async def on_unmount(self) -> None:
        await self._close_interview()


def build_app(
    settings: Settings,
    *,
    interview_factory: InterviewFactory | None = None,
    catalog: Catalog | None = None,
    clock: Clock = time.monotonic,
    resume: str | None = None,
) -> InterviewerApp:
    """The app with real engine and journal unless tests pass their own."""
    from interviewer.tui.backend import EngineFactory, JournalCatalog

    return InterviewerApp(
        settings,
        interview_factory=interview_factory or EngineFactory(settings),
        catalog=catalog or JournalCatalog(),
        clock=clock,
        resume=resume,
    )
