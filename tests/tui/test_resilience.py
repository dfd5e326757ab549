"""The app survives whatever the engine, the disk or the candidate's timing throws at it."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from textual.widgets import Input

from interviewer.domain import Question
from interviewer.engine.events import Event
from interviewer.engine.session import Interview
from interviewer.errors import JournalError
from interviewer.report import Report
from interviewer.tui.app import InterviewerApp
from interviewer.tui.ports import BankChoice, SessionRow
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.help import HelpScreen
from interviewer.tui.screens.history import HistoryScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.conversation import Conversation
from interviewer.tui.widgets.editor import AnswerEditor
from tests.tui.harness import (
    ANSWER,
    EngineHarness,
    MemoryCatalog,
    grade_for,
    make_app,
    notifications,
    send,
    start_interview,
    started_at,
    wait_until,
)
from tests.tui.test_drafts import draft_file, gated_app
from tests.tui.test_flow import SIZE


def failing_with(error: Exception) -> type[Interview]:
    class BrokenSubmit(Interview):
        """The real engine, whose every submit fails with `error` before the engine sees it."""

        async def submit(self, answer: str) -> AsyncIterator[Event]:
            raise error
            yield  # pragma: no cover

    return BrokenSubmit


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(28, "No space left on device"), "Could not write the session to disk"),
        (RuntimeError("bug [red]in[/] the engine"), "RuntimeError: bug [red]in[/] the engine"),
    ],
)
async def test_an_engine_error_keeps_the_app_and_the_answer(
    harness: EngineHarness, home: Path, error: Exception, expected: str
) -> None:
    harness.interview_type = failing_with(error)
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        assert app.is_running
        assert app.screen is screen
        assert screen.query_one(AnswerEditor).text == ANSWER
        message = next(n for n in notifications(app) if expected in n)  # shown as written
        assert "The answer in the editor is kept" in message
        draft = draft_file(home, harness.built[0])
        await wait_until(pilot, lambda: draft.exists() and draft.read_text() == ANSWER)


async def test_an_engine_error_after_the_answer_was_saved_moves_it_out_of_the_editor(
    harness: EngineHarness, home: Path
) -> None:
    harness.provider.probes.append(OSError(5, "Input/output error"))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        assert app.is_running
        assert screen.query_one(AnswerEditor).text == ""
        answers = [c for c in screen.query_one(Conversation).children if c.has_class("answer")]
        assert len(answers) == 1
        message = next(n for n in notifications(app) if "Input/output error" in n)
        assert "kept" not in message  # it was sent: nothing to send again
        assert not draft_file(home, harness.built[0]).exists()


@pytest.mark.parametrize(("key", "on_top"), [("f1", HelpScreen), ("ctrl+q", ConfirmScreen)])
async def test_the_session_ending_under_another_screen_shows_the_report(
    harness: EngineHarness, key: str, on_top: type
) -> None:
    harness.max_probes = 0
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app, gated = gated_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#count", Input).value = "1"
        screen = await start_interview(pilot, app)
        screen.query_one(AnswerEditor).load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.busy, what="sending")
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(app.screen, on_top), what="screen on top")

        gated[0].gate.set()
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        await pilot.pause()
        assert [type(s) for s in app.screen_stack[1:]] == [StartScreen, ReportScreen]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        assert app.is_running


@dataclass
class ThreadCheckingCatalog(MemoryCatalog):
    """Records which thread each read of the disk-backed catalog ran on."""

    threads: list[tuple[str, int]] = field(default_factory=list)

    def banks(self) -> Sequence[BankChoice]:
        self.threads.append(("banks", threading.get_ident()))
        return super().banks()

    def sessions(self) -> Sequence[SessionRow]:
        self.threads.append(("sessions", threading.get_ident()))
        return super().sessions()

    def load_report(self, ref: str) -> tuple[Report, tuple[Question, ...]]:
        self.threads.append(("report", threading.get_ident()))
        raise JournalError(f"{ref}: no such journal")


async def test_the_catalog_is_read_off_the_event_loop(harness: EngineHarness) -> None:
    harness.max_probes = 0
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    catalog = ThreadCheckingCatalog()
    catalog.rows.append(
        SessionRow("s1", started_at(), "test-bank", "fake", finished=True, overall_score=5.0)
    )
    app = make_app(harness, catalog=catalog)
    loop_thread = threading.get_ident()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        assert "test-bank" in str(app.screen.query_one("#sessions").get_row_at(0)[1])  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")

        app.screen.query_one("#count", Input).value = "1"
        await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        banks_reads = sum(1 for what, _ in catalog.threads if what == "banks")
        await pilot.press("escape")
        await wait_until(
            pilot,
            lambda: sum(1 for what, _ in catalog.threads if what == "banks") > banks_reads,
            what="start screen refreshed",
        )
    assert {what for what, _ in catalog.threads} == {"banks", "sessions", "report"}
    assert all(thread != loop_thread for _, thread in catalog.threads), catalog.threads


async def test_shutting_down_while_the_feedback_screen_waits_is_clean(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        app.screen.query_one("#mode").value = "practice"  # type: ignore[attr-defined]
        await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        assert engine_running(app)  # waiting for the feedback screen to close
        # Leaving the block tears the app down without the quit action: the screens' widgets
        # go before the waiting engine worker ends, and it must not fail on the missing ones.


def engine_running(app: InterviewerApp) -> bool:
    return any(w.group == "engine" and not w.is_finished for w in app.workers)
