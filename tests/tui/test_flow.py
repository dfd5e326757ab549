"""Whole interviews driven through the TUI with Pilot, on the real engine over a scripted provider."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import DataTable, Select

from interviewer.config import Settings
from interviewer.engine.state import load_state
from interviewer.errors import ProviderError
from interviewer.providers.base import ProbeRequest
from interviewer.tui.app import InterviewerApp, build_app
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.conversation import Conversation
from interviewer.tui.widgets.editor import AnswerEditor
from interviewer.tui.widgets.safe import SafeStatic
from tests.fakes import ScriptedProvider
from tests.tui.harness import (
    ANSWER,
    EngineHarness,
    FailingOnce,
    engine_idle,
    grade_for,
    make_app,
    notifications,
    screen_text,
    send,
    start_interview,
    wait_until,
)

SIZE = (100, 36)


def progress(app: InterviewerApp) -> str:
    return str(app.screen.query_one("#progress", SafeStatic).render())


async def test_interview_mode_runs_to_the_report_without_feedback_in_between(
    harness: EngineHarness, home: Path
) -> None:
    questions = harness.question_list()
    provider = harness.provider
    provider.enqueue_probe("Tell me ", "more about ", "**monitoring**.")
    provider.enqueue_grade(grade_for(questions[0]))
    provider.enqueue_probe("How would you ", "test it?")
    provider.enqueue_grade(grade_for(questions[1], covered=5))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        assert "Question 1 / 2" in progress(app)
        assert "medium" in progress(app)
        assert "how do you defend an LLM application" in screen_text(app)

        await send(pilot, app, ANSWER)
        # The probe was held until it passed the output check (issue 11, item 3), then shown
        # whole, and the answer moved into the conversation.
        assert screen.chunks_shown == 1
        text = screen_text(app)
        assert "Tell me more about monitoring." in text
        assert "Every tool call gets its own authorisation check." in text
        assert app.screen.query_one(AnswerEditor).text == ""

        await send(pilot, app, ANSWER)
        # Interview mode: no feedback screen, no score yet, straight to the next question.
        assert isinstance(app.screen, InterviewScreen)
        assert "Question 2 / 2" in progress(app)
        assert "Score" not in screen_text(app)

        await send(pilot, app, ANSWER)
        await send(pilot, app, ANSWER)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        report_screen = app.screen
        assert isinstance(report_screen, ReportScreen)
        assert report_screen.query_one(DataTable).row_count == 2
        assert report_screen.report.finished
        assert "Overall" in screen_text(app)

        await pilot.press("m", "j")
        exported = report_screen.exported
        assert [p.suffix for p in exported] == [".md", ".json"]
        for path in exported:
            assert path.parent == home / "data" / "reports"
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert any(str(path) in message for message in notifications(app))
        assert "# Interview report: test-bank" in exported[0].read_text()
        assert '"overall_score"' in exported[1].read_text()

        # Enter opens a question's feedback from the report.
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        assert "Score: " in screen_text(app)

        # Back out to a fresh Start screen, ready for the next session.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        assert len(app.screen_stack) == 2
    assert provider.closed >= 1


async def test_practice_mode_shows_feedback_after_each_question_and_sample_on_request(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    questions = harness.question_list()
    harness.provider.enqueue_grade(grade_for(questions[0], feedback="Solid *start*."))
    harness.provider.enqueue_grade(grade_for(questions[1]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        app.screen.query_one("#mode", Select).value = "practice"
        await start_interview(pilot, app)
        assert "Practice" in progress(app)

        await send(pilot, app, ANSWER)
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        feedback = app.screen
        assert isinstance(feedback, FeedbackScreen)
        text = screen_text(app)
        assert "Score: 3.0 / 10" in text or "Score: " in text
        assert "you said: “Every tool call gets its own authorisation check.”" in text
        assert "Solid start." in text
        # Practice mode points a missed key point at its sentence of the sample answer at once;
        # the whole sample answer waits until asked for.
        assert "the sample answer: “Separate instructions from data.”" in text
        assert "Press s to reveal the sample answer" in text
        assert not feedback.sample_shown

        await pilot.press("s")
        await wait_until(
            pilot, lambda: "reveal the sample answer" not in screen_text(app), what="sample"
        )
        assert feedback.sample_shown

        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="back")
        await wait_until(pilot, lambda: "Question 2 / 2" in progress(app), what="question 2")

        await send(pilot, app, ANSWER)
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback 2")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
    assert harness.choices[0].mode == "practice"


def probe_asked(harness: EngineHarness) -> bool:
    return any(isinstance(request, ProbeRequest) for request in harness.provider.history)


async def test_typing_stays_live_while_a_probe_streams_and_cancel_stops_it(
    harness: EngineHarness,
) -> None:
    harness.provider.hang_after_chunks = 1
    harness.provider.enqueue_probe("What about ", "the part that never arrives?")
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        editor.load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: probe_asked(harness), what="probe requested")
        assert screen.busy and screen.chunks_shown == 0  # held until it passes the check

        # The provider is stalled, yet the editor takes keys.
        editor.focus()
        await pilot.press("h", "i")
        assert editor.text == "hi"

        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen.busy, what="cancelled")
        interview = harness.built[0]
        state = load_state(interview.journal_path)
        current = state.current
        # Nothing of the held probe was shown: the bank's probe is asked whole in its place.
        assert current is not None and not current.prompts[-1].interrupted
        assert current.prompts[-1].text in screen_text(app)
        assert "What about" not in screen_text(app)
        assert editor.text == "hi"  # the new draft was not touched


async def test_grading_failure_offers_retry_then_offline(home: Path) -> None:
    offline = ScriptedProvider(label="offline")
    harness = EngineHarness(home, questions=1, max_probes=0, offline=offline)
    question = harness.question_list()[0]
    harness.provider.enqueue_grade(ProviderError("the model returned nothing useful"))
    harness.provider.enqueue_grade(ProviderError("still broken"))
    offline.enqueue_grade(grade_for(question))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        assert harness.built[0].grading_failed_for == question.id
        assert any("ctrl+r" in n and "ctrl+o" in n for n in notifications(app))
        # Sending again is refused while grading is pending; the keys are shown.
        assert screen.check_action("retry_grading", ()) is True

        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: engine_idle(app), what="retry")
        assert harness.built[0].grading_failed_for == question.id
        assert len(harness.provider.history) == 2

        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        report = app.screen.report  # type: ignore[attr-defined]
        evaluation = report.questions[0].evaluation
        assert evaluation is not None and evaluation.grader == "offline"


async def test_provider_error_keeps_the_answer_in_the_editor(harness: EngineHarness) -> None:
    harness.max_probes = 0
    harness.questions = 1
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    harness.interview_type = FailingOnce
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        interview = harness.built[0]
        assert isinstance(interview, FailingOnce) and interview.failed
        assert screen.query_one(AnswerEditor).text == ANSWER
        assert any("connection refused" in n and "ctrl+s" in n for n in notifications(app))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")


async def test_empty_answer_asks_before_skipping(harness: EngineHarness) -> None:
    harness.max_probes = 0
    harness.questions = 1
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back to editor")
        assert harness.built[0].current_prompt is not None  # nothing recorded

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        report = app.screen.report  # type: ignore[attr-defined]
        assert report.questions[0].exchanges[0].answer == ""
        assert report.questions[0].evaluation.score == 0  # skipped, graded without a provider
    assert harness.provider.history == []


async def test_quit_asks_then_keeps_everything_and_resume_continues(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    questions = harness.question_list()
    harness.provider.enqueue_grade(grade_for(questions[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        await wait_until(pilot, lambda: "Question 2 / 2" in progress(app), what="question 2")
        app.screen.query_one(AnswerEditor).load_text("half-written thought")

        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert "interviewer resume" in screen_text(app)
        await pilot.press("n")
        assert app.is_running

        await pilot.press("ctrl+c")  # copies (here: nothing selected), never quits
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, what="exit")
    assert app.return_code == 0
    journal = harness.built[0].journal_path
    state = load_state(journal)
    assert not state.finished
    assert state.opened[0].evaluation is not None

    harness.provider.enqueue_grade(grade_for(questions[1]))
    resumed = make_app(harness, resume=str(journal))
    async with resumed.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(resumed.screen, InterviewScreen), what="resume")
        await wait_until(pilot, lambda: engine_idle(resumed), what="resumed question")
        assert harness.choices[-1].resume == str(journal)
        assert "Question 2 / 2" in progress(resumed)
        editor = resumed.screen.query_one(AnswerEditor)
        assert editor.text == "half-written thought"  # the unsent draft came back
        await send(pilot, resumed, ANSWER)
        await wait_until(pilot, lambda: isinstance(resumed.screen, ReportScreen), what="report")
        assert resumed.screen.report.finished  # type: ignore[attr-defined]


async def test_quit_without_an_interview_does_not_ask(harness: EngineHarness) -> None:
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running, what="exit")
    assert app.return_code == 0


async def test_help_lists_every_key(harness: EngineHarness) -> None:
    app = make_app(harness)
    async with app.run_test(size=(100, 80)) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: "Keys" in screen_text(app), what="help")
        tables = app.screen.query(DataTable)
        listed = {str(t.get_row_at(i)[0]) for t in tables for i in range(t.row_count)}
        for key in ("ctrl+s", "escape", "ctrl+r", "ctrl+o", "ctrl+q", "ctrl+c", "f1", "s", "m"):
            assert any(key in entry.split(", ") for entry in listed), key
        await pilot.press("escape")
        assert not isinstance(app.screen, type(None))


async def test_conversation_keeps_question_probe_and_answers_in_order(
    harness: EngineHarness,
) -> None:
    harness.questions = 1
    harness.provider.enqueue_probe("Which ", "controls?")
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        await send(pilot, app, "First answer with enough words to count as real.")
        classes = [
            sorted(child.classes - {"bubble"})
            for child in app.screen.query_one(Conversation).children
        ]
        # The question is pinned above the conversation (it never scrolls away).
        assert classes == [["answer"], ["probe"]]
        pinned = app.screen.query_one("#question", SafeStatic)
        assert "how do you defend an LLM application" in str(pinned.render())


async def test_start_screen_resumes_an_unfinished_session(harness: EngineHarness) -> None:
    from interviewer.tui.backend import JournalCatalog
    from interviewer.tui.ports import StartChoice

    harness.max_probes = 0
    questions = harness.question_list()
    earlier = await harness(StartChoice(bank="test-bank", count=2))
    async for _event in earlier.start():
        pass
    harness.provider.enqueue_grade(grade_for(questions[0]))
    async for _event in earlier.submit(ANSWER):
        pass
    await earlier.aclose()

    catalog = JournalCatalog(harness.tmp / "sessions")
    app = build_app(Settings(), interview_factory=harness, catalog=catalog, clock=lambda: 0.0)
    async with app.run_test(size=SIZE) as pilot:
        # The catalog is read off the event loop: the list appears before its rows do.
        await wait_until(pilot, lambda: "1 / 2" in screen_text(app), what="the unfinished row")
        assert app.screen.query("#unfinished")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="resumed")
        await wait_until(pilot, lambda: engine_idle(app), what="question 2")
        assert harness.choices[-1].resume == str(earlier.journal_path)
        assert "Question 2 / 2" in progress(app)


async def test_quit_while_a_probe_streams_keeps_the_answer(harness: EngineHarness) -> None:
    harness.provider.hang_after_chunks = 1
    harness.provider.enqueue_probe("Half a ", "probe")
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        screen.query_one(AnswerEditor).load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: probe_asked(harness), what="probe requested")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, what="exit")
    state = load_state(harness.built[0].journal_path)
    current = state.current
    assert current is not None and current.answers == [ANSWER]
    # The engine ended the stream itself; nothing of the held draft was shown, so the bank's
    # probe is on record in its place (issue 11, item 3), never the unchecked "Half a ".
    assert current.prompts[-1].text != "Half a " and not current.prompts[-1].interrupted
    assert current.prompts[-1].text.endswith("?")
    assert harness.provider.closed >= 1


async def test_resume_shows_the_answers_already_given_to_the_open_question(
    harness: EngineHarness,
) -> None:
    harness.questions = 1
    harness.provider.enqueue_probe("Which ", "controls?")
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        await send(pilot, app, "First answer with enough words to count as real.")
        await wait_until(pilot, lambda: engine_idle(app), what="probe")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, what="exit")
    journal = harness.built[0].journal_path

    resumed = make_app(harness, resume=str(journal))
    async with resumed.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(resumed.screen, InterviewScreen), what="resume")
        await wait_until(pilot, lambda: engine_idle(resumed), what="resumed probe")
        conversation = resumed.screen.query_one(Conversation)

        def bubbles() -> list[list[str]]:
            return [sorted(child.classes - {"bubble"}) for child in conversation.children]

        # Streamed text is drawn in batches: the probe's bubble may come a frame after.
        await wait_until(pilot, lambda: len(bubbles()) >= 2, what="the probe drawn")
        assert bubbles() == [["answer"], ["probe"]]  # the question is pinned above them
        pinned = resumed.screen.query_one("#question", SafeStatic)
        assert "how do you defend an LLM application" in str(pinned.render())
        assert "First answer with enough words" in screen_text(resumed)
