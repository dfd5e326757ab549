"""The Feedback screen for a question with a single key point (an imported course quiz)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.widgets import Select

from interviewer.bank.loader import parse_seed_text
from interviewer.domain import GraderOutput, KeyPointVerdict, Question, Verdict
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.editor import AnswerEditor
from tests.tui.harness import EngineHarness, engine_idle, make_app, screen_text, wait_until

QUIZ = Path(__file__).parents[1] / "data" / "banks" / "course-quiz.txt"
ANSWER = "A function calling itself on a smaller input until a base case stops it."


@dataclass
class QuizHarness(EngineHarness):
    def question_list(self) -> list[Question]:
        return list(parse_seed_text(QUIZ.read_text(encoding="utf-8"), str(QUIZ)).questions)


async def test_feedback_for_a_one_point_question(home: Path) -> None:
    harness = QuizHarness(home, max_probes=0)
    question = harness.question_list()[0]
    assert [point.id for point in question.key_points] == ["kp1"]
    harness.provider.enqueue_grade(
        GraderOutput(
            verdicts=(
                KeyPointVerdict(key_point_id="kp1", verdict=Verdict.COVERED, evidence=ANSWER),
            ),
            feedback="Right: a base case ends it.",
        )
    )
    app = make_app(harness)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        app.screen.query_one("#mode", Select).value = "practice"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
        await wait_until(pilot, lambda: engine_idle(app), what="first question")
        assert "What is recursion?" in screen_text(app)
        app.screen.query_one(AnswerEditor).load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        # Drawn a frame after it is pushed: wait for the frame, not a fixed pause.
        await wait_until(pilot, lambda: "Score:" in screen_text(app), what="feedback drawn")
        text = screen_text(app)
        assert "Score: 10.0 / 10" in text
        assert "Right: a base case ends it." in text
        await pilot.press("s")
        await wait_until(
            pilot, lambda: "until it reaches a base case" in screen_text(app), what="sample"
        )
