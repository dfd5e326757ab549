"""The Textual app: screens wired to the engine's `Interview`, made by the interview factory,
and to the catalog, both from `interviewer.tui.ports`.

`build_app` is the factory tests and `interviewer run` use; tests pass an interview factory (the
real engine over a scripted provider), a catalog and a fixed clock so every run (and every
snapshot) is the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.driver import Driver

from interviewer.config import Settings
from interviewer.errors import InterviewerError
from interviewer.text.sanitize import clean_line
from interviewer.tui.drafts import DraftStore
from interviewer.tui.palette import InterviewerCommands
from interviewer.tui.ports import (
    BankChoice,
    Catalog,
    InterviewFactory,
    ProviderProbes,
    SessionProvider,
    StartChoice,
)
from interviewer.tui.prefs import remember_theme
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.help import HelpScreen, every_screens_keys
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.typing_on import keep_in_the_editor, typing_target
from interviewer.tui.warm_up import WARM_UP_DELAY_S, WarmUp

if TYPE_CHECKING:
    # The screens after the Start screen, and the engine, are imported when first used (or by
    # `warm_up` while the Start screen shows): the launch pays only for what it draws.
    from interviewer.engine.session import Interview
    from interviewer.tui.screens.history import HistoryScreen
    from interviewer.tui.screens.interview import InterviewScreen

Clock = Callable[[], float]


class InterviewerApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "interviewer"
    COMMANDS = App.COMMANDS | {InterviewerCommands}
    # ctrl+c is Textual's: it copies the selection (editor or conversation), and says how to
    # quit when nothing is selected. Quitting is ctrl+q alone, as in every Textual app.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help"),
        Binding("f2", "history", "History"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        interview_factory: InterviewFactory,
        catalog: Catalog,
        clock: Clock = time.monotonic,
        resume: str | None = None,
        probes: ProviderProbes | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._probes = probes
        self._session_provider: SessionProvider | None = None  # for this run only
        self.catalog = catalog
        self.clock = clock
        self._factory = interview_factory
        self._resume = resume
        self.interview: Interview | None = None
        self._interview_closed = False
        self.drafts = DraftStore()
        self._typed_ahead: list[events.Key | events.Paste] | None = None
        self.warm_up = WarmUp(self, getattr(interview_factory, "warm_up", None))

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and driver.__module__ == "textual.drivers.linux_driver":
            # Pasted escape sequences must stay text (see `paste_guard`); POSIX only.
            from interviewer.tui.paste_guard import GuardedLinuxDriver

            return GuardedLinuxDriver
        return driver

    # -- typing always lands somewhere ----------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            typed = isinstance(event, events.Paste) or event.is_printable
            if typed and self._typed_ahead is not None:
                self._typed_ahead.append(event)  # an interview is opening: for its editor
                return
            keep_in_the_editor(self.screen, event, interview_open=self.interview is not None)
        await super().on_event(event)

    # -- screens -------------------------------------------------------------------------

    async def on_mount(self) -> None:
        remember_theme(self)
        # The catalog reads files: off the event loop, before the first screen needs them.
        start = self._start_screen(await self._banks())
        await self.push_screen(start)
        # Once the Start screen is drawn: a thread loading meanwhile would slow drawing it.
        start.set_timer(WARM_UP_DELAY_S, self.warm_up.start)
        if self._resume is not None:
            self.begin(StartChoice(bank="", resume=self._resume))

    async def _banks(self) -> Sequence[BankChoice]:
        try:
            return await asyncio.to_thread(self.catalog.banks)
        except (InterviewerError, OSError) as exc:
            self.notify(clean_line(str(exc)), severity="error", markup=False)
            return []

    def _start_screen(self, banks: Sequence[BankChoice]) -> StartScreen:
        catalog = self.catalog
        return StartScreen(
            self.settings,
            banks,
            lambda: [s for s in catalog.sessions() if not s.finished],
            self._probes,
        )

    def on_start_screen_chosen(self, message: StartScreen.Chosen) -> None:
        self.begin(message.choice)

    def on_start_screen_provider_chosen(self, message: StartScreen.ProviderChosen) -> None:
        self._session_provider = message.choice
        self.settings = message.choice.applied(self.settings)

    @work(exclusive=True, group="open")
    async def begin(self, choice: StartChoice) -> None:
        # Typing starts before the question shows (loading a model takes a moment): keep it,
        # and hand it to the editor once the interview screen is there.
        self._typed_ahead = []
        screen = None
        try:
            screen = await self._open(choice)
        finally:
            typed, self._typed_ahead = self._typed_ahead or [], None
            if screen is not None and screen.is_attached:
                from interviewer.tui.widgets.editor import AnswerEditor

                screen.query_one(AnswerEditor).type_on(typed)

    async def _open(self, choice: StartChoice) -> InterviewScreen | None:
        if choice.provider is None and self._session_provider is not None:
            choice = dataclasses.replace(choice, provider=self._session_provider)
        start = self.screen if isinstance(self.screen, StartScreen) else None
        if start is not None:
            start.preparing(True)
        try:
            await self.warm_up.wait()
            interview = await self._factory(choice)
        except (InterviewerError, OSError) as exc:
            self.notify(clean_line(str(exc)), title="Cannot start", severity="error", markup=False)
            return None
        finally:
            if start is not None:
                start.preparing(False)
        self.interview = interview
        self._interview_closed = False
        if choice.resume is None and interview.total < choice.count:
            self._say_clamped(choice, interview.total)
        last_t = None
        if choice.resume is not None:
            last_t = await asyncio.to_thread(last_record_time, interview.journal_path)
        from interviewer.tui.screens.interview import InterviewScreen

        screen = InterviewScreen(
            interview,
            self.clock,
            self.settings.interview.question_time_limit_s,
            self.drafts,
            resumed_last_t=last_t,
        )
        await self.push_screen(screen)
        # The draft stays on disk until the engine takes the answer: a crash right after
        # resuming must not lose it.
        draft = await asyncio.to_thread(self.drafts.load, interview.session_id)
        if draft.strip():
            screen.restore_draft(draft)
        return screen

    def _say_clamped(self, choice: StartChoice, available: int) -> None:
        levels = "/".join(d.value for d in choice.difficulty)
        which = f"{available} {levels} question(s)" if levels else f"{available} question(s)"
        self.notify(
            f"You asked for {choice.count} questions; the bank has {which}, so this session "
            f"asks {available}.",
            title="Fewer questions",
            severity="warning",
            markup=False,
        )

    def on_interview_screen_finished(self, message: InterviewScreen.Finished) -> None:
        # Not awaited: a message handler that awaits a screen change holds the app's queue.
        from interviewer.tui.screens.interview import InterviewScreen
        from interviewer.tui.screens.report import ReportScreen

        interview = message.interview
        report = interview.report()
        self.run_worker(self._close_interview(), group="close")
        # Help or a question may be open over the interview: remove those and the interview.
        stack = self.screen_stack
        above = [
            i
            for i, screen in enumerate(stack)
            if isinstance(screen, InterviewScreen) and screen.interview is interview
        ]
        if above:
            for _ in range(len(stack) - above[0]):
                self.pop_screen()
        self.push_screen(
            ReportScreen(report, interview.questions), callback=lambda _: self._refresh_start()
        )

    def on_history_screen_resume(self, message: HistoryScreen.Resume) -> None:
        from interviewer.tui.screens.interview import InterviewScreen

        row = message.row
        interview = self.interview
        if interview is not None and self.interview_in_progress():
            if interview.session_id != row.id:
                self.notify(
                    "An interview is open: finish it, or quit with ctrl+q (it is kept for "
                    "later), before resuming another.",
                    severity="warning",
                    markup=False,
                )
                return
            while not isinstance(self.screen, InterviewScreen):  # it is this one: back to it
                self.pop_screen()
            return
        while len(self.screen_stack) > 2 and not isinstance(self.screen, StartScreen):
            self.pop_screen()
        self.begin(StartChoice(bank=row.bank_id, resume=row.ref))

    def _refresh_start(self) -> None:
        if isinstance(self.screen, StartScreen):
            self._new_start_screen()

    @work(exclusive=True, group="start")
    async def _new_start_screen(self) -> None:
        banks = await self._banks()
        if isinstance(self.screen, StartScreen):
            await self.switch_screen(self._start_screen(banks))

    def interview_in_progress(self) -> bool:
        interview = self.interview
        return not (interview is None or interview.finished or self._interview_closed)

    def _open_session_id(self) -> str | None:
        return (
            self.interview.session_id if self.interview_in_progress() and self.interview else None
        )

    def start_new(self) -> None:
        """Back to the Start screen and start with its choices (the palette's Start)."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, StartScreen):
            self.pop_screen()
        if isinstance(self.screen, StartScreen):
            self.screen.action_start()

    @work(exclusive=True, group="history")
    async def action_history(self) -> None:
        from interviewer.tui.screens.history import HistoryScreen

        if isinstance(self.screen, HistoryScreen):
            return
        try:
            rows = await asyncio.to_thread(self.catalog.sessions)
        except (InterviewerError, OSError) as exc:
            self.notify(clean_line(str(exc)), severity="error", markup=False)
            return
        if not isinstance(self.screen, HistoryScreen):
            await self.push_screen(HistoryScreen(self.catalog, rows, self._open_session_id))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        target = typing_target(self.screen, interview_open=self.interview is not None)
        self.push_screen(HelpScreen(every_screens_keys(self.BINDINGS), typing_target=target))

    # -- quitting keeps everything --------------------------------------------------------

    async def action_quit(self) -> None:
        """ctrl+q and the palette's Quit: ask first while an interview is open."""
        if isinstance(self.screen, ConfirmScreen):
            return
        interview = self.interview
        if interview is None or not self.interview_in_progress():
            self.run_worker(self._quit_keeping_everything(), exclusive=True, group="quit")
            return
        self.push_screen(
            ConfirmScreen(
                "Quit now? Every answer you sent is saved, and unsent text in the editor is kept "
                f"as a draft. Continue later with: interviewer resume {interview.session_id}",
                yes="Quit",
                no="Stay",
                typing_target=typing_target(self.screen, interview_open=True),
            ),
            self._quit_confirmed,
        )

    def exit_note(self) -> str | None:
        """What to print to the shell after the app closes: how to continue an unfinished
        session (the dialog that said so is gone with the screen)."""
        interview = self.interview
        if interview is None or interview.finished:
            return None
        session = clean_line(interview.session_id)
        return (
            f"Session {session} is unfinished; every answer you sent is saved. "
            f"Continue with: interviewer resume {session}"
        )

    def _quit_confirmed(self, yes: bool | None) -> None:
        if yes:
            self.run_worker(self._quit_keeping_everything(), group="quit")

    async def _quit_keeping_everything(self) -> None:
        if self.interview is not None and not self._interview_closed:
            # Let the engine end its stream itself: the partial probe is then journaled as
            # interrupted, exactly as after Esc, instead of being torn down mid-write.
            self.interview.cancel()
            from interviewer.tui.screens.feedback import FeedbackScreen

            waiting_on_feedback = any(isinstance(s, FeedbackScreen) for s in self.screen_stack)
            if not waiting_on_feedback:
                await self._wait_for_engine(3)
        self.workers.cancel_group(self, "open")
        for screen in self._interview_screens():
            self.workers.cancel_group(screen, "engine")
        await self._wait_for_engine(1)
        # Only now: the engine worker has taken a journaled answer out of the editor.
        await self._save_draft()
        await self._close_interview()
        self.exit(0)

    async def _wait_for_engine(self, limit_s: float) -> None:
        running = [w for w in self.workers if w.group == "engine" and not w.is_finished]
        with contextlib.suppress(Exception):
            async with asyncio.timeout(limit_s):
                for worker in running:
                    with contextlib.suppress(Exception):
                        await worker.wait()

    async def _close_interview(self) -> None:
        if self.interview is not None and not self._interview_closed:
            self._interview_closed = True
            await self.interview.aclose()

    async def _save_draft(self) -> None:
        for screen in self._interview_screens():
            await screen.flush_draft()

    def _interview_screens(self) -> list[InterviewScreen]:
        if self.interview is None:
            return []  # none was ever opened
        from interviewer.tui.screens.interview import InterviewScreen

        return [s for s in self.screen_stack if isinstance(s, InterviewScreen)]

    async def on_unmount(self) -> None:
        await self._close_interview()
        await asyncio.to_thread(self.drafts.close)


def last_record_time(journal: Path) -> float:
    """The time of a journal's last record (read before a resumed session's screen opens)."""
    from interviewer.engine.state import load_state

    return load_state(journal).last_t


def build_app(
    settings: Settings,
    *,
    interview_factory: InterviewFactory | None = None,
    catalog: Catalog | None = None,
    clock: Clock = time.monotonic,
    resume: str | None = None,
    probes: ProviderProbes | None = None,
) -> InterviewerApp:
    """The app with real engine and journal unless tests pass their own (and `probes`)."""
    from interviewer.tui.backend import EngineFactory, JournalCatalog

    return InterviewerApp(
        settings,
        interview_factory=interview_factory or EngineFactory(settings),
        catalog=catalog or JournalCatalog(),
        clock=clock,
        resume=resume,
        probes=probes,
    )
