"""`Waiting` and `WaitClock`: the engine says before each provider call whom the candidate waits
on, and only before a real call; a wait lasts until the next event that is not a Notice."""

from __future__ import annotations

from pathlib import Path

from interviewer.config import InterviewSettings
from interviewer.domain import GraderOutput
from interviewer.engine.events import FeedbackDelta, Notice, ProbeDelta, WaitClock, Waiting
from interviewer.engine.session import Interview
from interviewer.journal import Evaluated
from tests.fakes import ScriptedProvider, make_question, verdicts_covering

ANSWER = "I keep instructions apart from data and check every tool call for permission."


def test_a_wait_counts_whole_seconds_through_notices_and_ends_at_the_next_event() -> None:
    now = [100.0]
    wait = WaitClock(lambda: now[0])
    assert wait.line("esc cancels") == "" and wait.seconds() == 0
    wait.see(Waiting("openai:gpt-4o-mini", "probe"))
    now[0] += 12.7
    assert wait.seconds() == 12
    assert wait.line("esc cancels") == "waiting for openai:gpt-4o-mini (12 s)… esc cancels"
    wait.see(Notice("The interviewer model's probe was not usable; asking it again."))
    assert wait.waiting is not None  # still waiting for the second draft
    wait.see(ProbeDelta("Which tools?"))
    assert wait.waiting is None and wait.line("x") == ""
    wait.see(Waiting("g", "grading"))
    wait.stop()
    assert wait.waiting is None


async def test_the_grader_is_waited_for_only_when_it_is_called(tmp_path: Path) -> None:
    grader = ScriptedProvider(label="grader-1")
    question = make_question()
    grader.enqueue_grade(
        GraderOutput(verdicts=verdicts_covering(question, ANSWER, 2), feedback="Good.")
    )
    settings = InterviewSettings(max_probes=0, min_answer_words=5)
    interview = Interview.new(
        settings, "test-bank", [question, make_question("q2")], interviewer=grader,
        grader=grader, journal_dir=tmp_path,
    )  # fmt: skip
    try:
        [_ async for _ in interview.start()]
        events = [e async for e in interview.submit(ANSWER)]
        waits = [e for e in events if isinstance(e, Waiting)]
        assert waits == [Waiting("grader-1", "grading")]
        # the wait comes right before the reply's first text
        assert isinstance(events[events.index(waits[0]) + 1], FeedbackDelta)
        # too short to grade: the pre-check decides at once, no call, nothing to wait for
        events = [e async for e in interview.submit("no idea")]
        assert any(isinstance(e, Evaluated) for e in events)
        assert not any(isinstance(e, Waiting) for e in events)
    finally:
        await interview.aclose()
