"""The TUI on the real stack: shipped bank, real engine, journal, and the replay demo fixtures or
the embedded offline grader. The TUI must reach the same scores as driving the engine directly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Select

from interviewer.bank.loader import find_bank, select_questions
from interviewer.config import InterviewSettings, Settings
from interviewer.engine.session import Interview
from interviewer.journal import Evaluated
from interviewer.providers.registry import build_pair
from interviewer.providers.replay import demo_fixtures
from interviewer.report import Report
from interviewer.tui.app import InterviewerApp, build_app
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.history import HistoryScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.widgets.editor import AnswerEditor
from tests.tui.harness import engine_idle, fixed_clock, screen_text, wait_until

SIZE = (110, 40)
pytestmark = pytest.mark.slow


def demo_answers() -> list[str]:
    lines = (demo_fixtures() / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def settings_for(provider: str, mode: str, seed: int) -> Settings:
    return Settings(
        provider=provider,
        interview=InterviewSettings(bank="ai-security", count=2, seed=seed, mode=mode),
    )


async def headless_scores(settings: Settings, answers: list[str], home: Path) -> list[float]:
    """The same session through the engine alone, journaled elsewhere."""
    interviewer, grader = build_pair(settings)
    options = settings.interview
    questions = select_questions(
        find_bank(options.bank), difficulties=(), count=options.count, seed=options.seed
    )
    interview = Interview.new(
        options, "ai-security", questions, interviewer=interviewer, grader=grader,
        journal_dir=home / "headless",
    )  # fmt: skip
    scores = []
    pending = list(answers)
    async for _event in interview.start():
        pass
    while not interview.finished and pending:
        async for event in interview.submit(pending.pop(0)):
            if isinstance(event, Evaluated):
                scores.append(event.evaluation.score)
    await interview.aclose()
    return scores


async def drive(app: InterviewerApp, answers: list[str]) -> Report:
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#start")), what="start screen")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
        await wait_until(pilot, lambda: engine_idle(app), what="first question")
        for text in answers:
            if isinstance(app.screen, FeedbackScreen):
                await pilot.press("escape")
                await wait_until(pilot, lambda: not isinstance(app.screen, FeedbackScreen))
                await wait_until(pilot, lambda: engine_idle(app), what="next question")
            if isinstance(app.screen, ReportScreen):
                break
            app.screen.query_one(AnswerEditor).load_text(text)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: engine_idle(app), what="reply")
        if isinstance(app.screen, FeedbackScreen):
            await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        return screen.report


async def test_replay_demo_in_interview_mode_matches_the_engine(home: Path) -> None:
    settings = settings_for("replay", "interview", seed=7)
    answers = demo_answers()
    app = build_app(settings, clock=fixed_clock)
    report = await drive(app, answers)
    assert report.finished
    assert report.interviewer == "replay:scripted-demo"
    assert [len(q.probes) for q in report.questions] == [2, 2]
    scores = [q.evaluation.score for q in report.questions if q.evaluation]
    assert scores == await headless_scores(settings, answers, home)


async def test_offline_grader_in_practice_mode_matches_the_engine(home: Path) -> None:
    settings = settings_for("offline", "practice", seed=3)
    questions = select_questions(find_bank("ai-security"), difficulties=(), count=2, seed=3)
    # Strong answers (the sample answers) followed by short elaborations for any probes.
    answers = []
    for question in questions:
        answers.append(question.sample_answer)
        answers += [f"In short: {question.sample_answer}"] * settings.interview.max_probes
    app = build_app(settings, clock=fixed_clock)
    report = await drive(app, answers)
    assert report.finished
    assert report.grader == "offline"
    scores = [q.evaluation.score for q in report.questions if q.evaluation]
    assert len(scores) == 2
    assert scores == await headless_scores(settings, answers, home)


async def test_history_reads_the_real_journal_and_reopens_a_report(home: Path) -> None:
    settings = settings_for("replay", "interview", seed=7)
    await drive(build_app(settings, clock=fixed_clock), demo_answers())
    app = build_app(settings, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        await wait_until(
            pilot,
            lambda: app.screen.query_one("#progress").row_count == 2,  # type: ignore[attr-defined]
            what="progress",
        )
        text = screen_text(app)
        assert "ai-security" in text and "replay:scripted-demo" in text and "finished" in text
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        assert app.screen.report.finished  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        # The journal kept the bank question, so key point texts show, not just ids.
        feedback = app.screen
        assert isinstance(feedback, FeedbackScreen)
        first = feedback.evaluation.verdicts[0].key_point_id
        point = feedback.question.key_point(first).text
        assert " ".join(point.split()[:6]) in " ".join(screen_text(app).split())


async def test_start_screen_offers_the_shipped_bank_and_the_provider(home: Path) -> None:
    app = build_app(settings_for("replay", "interview", seed=7), clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#bank")), what="start screen")
        assert app.screen.query_one("#bank", Select).value == "ai-security"
        assert (
            "replay (a scripted demo interview: hand-written replies played back, no network)"
            in (screen_text(app))
        )
