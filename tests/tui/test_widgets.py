"""Widgets in small harness apps, and the pure helpers behind the screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult

from interviewer.config import InterviewSettings, Settings
from interviewer.domain import Evaluation, KeyPointVerdict, Question, SamplePointer, Verdict
from interviewer.tui.screens.feedback import feedback_markdown
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.conversation import Conversation, StreamingReply
from interviewer.tui.widgets.editor import AnswerEditor
from interviewer.tui.widgets.safe import escape_markdown
from interviewer.tui.widgets.safe_markdown import SafeMarkdown
from interviewer.tui.widgets.sparkline import spark
from interviewer.tui.widgets.status import StatusBar, format_duration
from tests.fakes import make_question
from tests.tui.harness import EngineHarness, engine_idle, make_app, wait_until


class Harness(App[None]):
    def compose(self) -> ComposeResult:
        yield Conversation()
        yield AnswerEditor(id="answer")


async def test_streaming_reply_shows_cleaned_chunks_then_the_record() -> None:
    app = Harness()
    async with app.run_test() as pilot:
        conversation = app.query_one(Conversation)
        await conversation.reset()
        reply = StreamingReply(conversation, "probe")
        for chunk in ("Why ", "\x1b]0;t", "itle\x07does ", "it **matter**?"):
            await reply.write(chunk)
        await reply.finish(None)
        markdown = conversation.query_one(SafeMarkdown)
        assert markdown.source == "Why does it **matter**?"
        await reply.finish("Why does it matter? (final)")
        await pilot.pause()
        assert markdown.source == "Why does it matter? (final)"
        assert reply.chunks == 4


async def test_markdown_links_notify_instead_of_opening() -> None:
    opened: list[str] = []

    class LinkApp(App[None]):
        def compose(self) -> ComposeResult:
            yield SafeMarkdown("See [docs](https://evil.example/\x1b[2Jx).")

        def open_url(self, url: str, *, new_tab: bool = True) -> None:
            opened.append(url)

    app = LinkApp()
    async with app.run_test() as pilot:
        markdown = app.query_one(SafeMarkdown)
        markdown.post_message(SafeMarkdown.LinkClicked(markdown, "https://evil.example/x"))
        await wait_until(pilot, lambda: len(app._notifications) > 0, what="notification")
        message = next(iter(app._notifications)).message
        assert "https://evil.example/x" in message
        assert opened == []


async def test_paste_is_sanitised_before_the_editor_shows_it() -> None:
    app = Harness()
    async with app.run_test() as pilot:
        editor = app.query_one(AnswerEditor)
        editor.focus()
        editor.post_message(events.Paste("line one\r\nline\x1b[2J two\x9b2J \u202e"))
        await wait_until(pilot, lambda: "two" in editor.text, what="paste")
        assert editor.text == "line one\nline two <U+202E>"


def test_feedback_markdown_escapes_the_candidates_words() -> None:
    question = make_question("q1", points=2)
    evaluation = Evaluation(
        question_id="q1",
        score=5.0,
        verdicts=(
            KeyPointVerdict(
                key_point_id="kp1",
                verdict=Verdict.COVERED,
                evidence="I said [click](https://evil.example) and **bold** # heading",
            ),
            KeyPointVerdict(key_point_id="kp2", verdict=Verdict.MISSED),
        ),
        strengths=("Concrete",),
        gaps=("Monitoring",),
        feedback="Good *overall*.",
        grader="fake",
    )
    text = feedback_markdown(question, evaluation, sample=False)
    assert r"\[click\](https\://evil.example)" in text  # no link, no autolink
    assert r"\*\*bold\*\* \# heading" in text
    assert "Good *overall*." in text  # the grader's prose stays Markdown
    assert question.sample_answer not in text
    assert question.sample_answer in feedback_markdown(question, evaluation, sample=True)
    assert "✘ Missed**: key idea number 2" in text


def test_escape_markdown_is_sanitised_too() -> None:
    # The visible marker stays as it reads everywhere: Markdown shows "<U+202E>" literally (no
    # HTML tag name holds "+"); a "<" of the text itself is escaped.
    assert escape_markdown("a\x1b[2J_b\u202e<i>\n") == "a\\_b<U+202E>\\<i\\> "


def test_spark_and_durations() -> None:
    assert spark([0, 5, 10]) == "▁▅█"
    assert spark([-3, 42]) == "▁█"
    assert format_duration(59) == "0:59"
    assert format_duration(3725) == "1:02:05"


async def test_status_bar_counts_down_the_question_timer(home: Path) -> None:
    now = [1000.0]
    harness = EngineHarness(home, questions=1)
    app = make_app(
        harness, settings=Settings(interview=InterviewSettings(question_time_limit_s=90))
    )
    app.clock = lambda: now[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
        await wait_until(pilot, lambda: engine_idle(app), what="question")
        status = app.screen.query_one(StatusBar)
        now[0] += 30
        status.refresh_status()
        assert "question 1:00 left" in str(status.render())
        assert "elapsed 0:30" in str(status.render())
        now[0] += 75
        status.refresh_status()
        assert "question over time by 0:15" in str(status.render())
        assert status.has_class("-overtime")


def pointed_evaluation() -> tuple[Question, Evaluation]:
    question = make_question("q1", points=2)
    evaluation = Evaluation(
        question_id="q1",
        score=5.0,
        verdicts=(
            KeyPointVerdict(key_point_id="kp1", verdict=Verdict.COVERED, evidence="I said so."),
            KeyPointVerdict(key_point_id="kp2", verdict=Verdict.MISSED),
        ),
        gaps=("Not shown in your answer: key idea number 2.",),
        grader="fake",
        pointers=(SamplePointer(key_point_id="kp2", sentence="Authorise every *tool* call."),),
    )
    return question, evaluation


def test_feedback_markdown_points_a_missed_point_to_the_sample_in_practice_mode() -> None:
    question, evaluation = pointed_evaluation()
    pointer = f"  - the sample answer: “{escape_markdown('Authorise every *tool* call.')}”"
    practice = feedback_markdown(question, evaluation, sample=False, practice=True)
    assert f"✘ Missed**: key idea number 2\n{pointer}\n" in practice
    assert "### Sample answer" not in practice  # the pointer, not the whole answer
    # From the report after an interview: only once the sample answer is asked for.
    assert pointer not in feedback_markdown(question, evaluation, sample=False)
    assert pointer in feedback_markdown(question, evaluation, sample=True)


@pytest.mark.parametrize("practice", [True, False])
async def test_feedback_screen_shows_pointers_after_a_practice_question(practice: bool) -> None:
    from interviewer.tui.screens.feedback import FeedbackScreen

    question, evaluation = pointed_evaluation()

    class FeedbackApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(FeedbackScreen(1, question, evaluation, practice=practice))

    app = FeedbackApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="open")
        markdown = app.screen.query_one("#feedback", SafeMarkdown)
        assert ("the sample answer: “Authorise" in markdown.source) is practice
        await pilot.press("s")
        await wait_until(
            pilot,
            lambda: "### Sample answer" in markdown.source,
            what="sample shown",
        )
        assert "the sample answer: “Authorise" in markdown.source
