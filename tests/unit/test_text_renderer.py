"""One plain-text renderer: a live headless session and its journal played back read the same."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from interviewer.commands.playback import play
from interviewer.config import InterviewSettings
from interviewer.domain import GraderOutput, Question
from interviewer.engine.session import Interview
from interviewer.headless import HeadlessRunner, TextRenderer
from interviewer.journal import read_records
from tests.fakes import ScriptedProvider, make_question, verdicts_covering

ANSWER = (
    "I would keep system instructions apart from retrieved content and treat every document "
    "as untrusted data.\nEvery tool call gets its own authorisation check."
)
EVIDENCE = "Every tool call gets its own authorisation check."


def first_missing(question: Question, text: str) -> tuple[str, ...]:
    return ("kp3",)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def practice_interview(tmp_path: Path, provider: ScriptedProvider) -> Interview:
    return Interview.new(
        InterviewSettings(max_probes=1, min_answer_words=5, mode="practice"),
        "test-bank",
        [make_question("q1"), make_question("q2")],
        interviewer=provider,
        grader=provider,
        journal_dir=tmp_path,
        missing=first_missing,
    )


def body(replayed: str) -> str:
    """The playback without its two header lines and its overall-score footer."""
    lines = replayed.split("\n")
    return "\n".join(lines[2:]).rsplit("\nOverall score:", 1)[0]


async def test_a_live_session_prints_what_its_playback_prints(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = practice_interview(tmp_path, provider)
    q1 = interview.questions[0]
    provider.enqueue_probe("How would ", "you *monitor* it?")
    provider.enqueue_grade(
        GraderOutput(
            verdicts=verdicts_covering(q1, EVIDENCE, covered=2),
            strengths=("clear separation",),
            gaps=("no monitoring",),
            feedback="Good start.\n",
        )
    )
    live = io.StringIO()
    finished = await HeadlessRunner(interview, live, interactive=False).run(
        iter([ANSWER, "I would alert on unusual tool usage and log every call.", ""])
    )
    assert finished
    await interview.aclose()

    replayed = io.StringIO()
    await play(read_records(interview.journal_path), replayed)
    assert live.getvalue() == body(replayed.getvalue())
    text = live.getvalue()
    assert "Follow-up 1: How would you *monitor* it?\n" in text
    assert "\n> I would keep system" in text and "\n> Every tool call" in text  # each line quoted
    assert "--- Feedback ---\nGood start.\n\nScore: " in text
    assert "  + clear separation\n  - no monitoring\n" in text
    assert "(no answer: skipped)" in text  # the skipped second question
    assert text.rstrip().endswith(f"Session {interview.session_id} finished.")


async def test_resume_prints_the_question_in_progress_as_playback_does(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = practice_interview(tmp_path, provider)
    provider.enqueue_probe("Say ", "more?")
    async for _event in interview.start():
        pass
    async for _event in interview.submit(ANSWER):
        pass
    await interview.aclose()
    records = read_records(interview.journal_path)

    resumed = Interview.resume(
        interview.journal_path, interviewer=provider, grader=provider, missing=first_missing
    )
    live = io.StringIO()
    renderer = TextRenderer(live, resumed.header)
    async for event in resumed.start():
        renderer.show(event)
    await resumed.aclose()

    replayed = io.StringIO()
    await play(records, replayed)
    assert live.getvalue() == body(replayed.getvalue())
    assert "Follow-up 1: Say more?" in live.getvalue()


async def test_an_escape_sequence_split_across_streamed_chunks_shows_nothing(
    tmp_path: Path,
) -> None:
    provider = ScriptedProvider()
    interview = practice_interview(tmp_path, provider)
    # An OSC title-setting sequence cut in two by the stream: cleaning chunk by chunk would
    # print its payload as text.
    provider.enqueue_probe("How would you ", "\x1b]0;pwned", "-title\x07 monitor it?")
    out = io.StringIO()
    renderer = TextRenderer(out, interview.header)
    async for event in interview.start():
        renderer.show(event)
    async for event in interview.submit(ANSWER):
        renderer.show(event)
    text = out.getvalue()
    assert "pwned" not in text and "title" not in text and "\x1b" not in text
    assert "How would you  monitor it?" in text
    await interview.aclose()
