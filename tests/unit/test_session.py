"""The interview engine, driven with a scripted fake provider."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from interviewer.config import InterviewSettings
from interviewer.domain import GraderOutput, Question
from interviewer.engine.events import (
    AnswerRejected,
    Event,
    FeedbackDelta,
    Notice,
    ProbeDelta,
    Waiting,
)
from interviewer.engine.session import Interview
from interviewer.engine.state import load_state
from interviewer.errors import GradingFailed, ProviderError
from interviewer.journal import (
    AnswerGiven,
    Assessed,
    Evaluated,
    GradingFailedRecord,
    ProbeGiven,
    QuestionOpened,
    SessionEnded,
    read_records,
)
from interviewer.providers.base import GradeRequest, ProbeRequest
from tests.fakes import ScriptedProvider, make_question, verdicts_covering

ANSWER = (
    "I would keep system instructions apart from retrieved content and treat every document "
    "as untrusted data. Every tool call gets its own authorisation check."
)
EVIDENCE = "Every tool call gets its own authorisation check."


async def drain(events: AsyncIterator[Event]) -> list[Event]:
    return [event async for event in events]


def first_missing(question: Question, text: str) -> tuple[str, ...]:
    return tuple(p.id for p in question.key_points[2:])


def nothing_missing(question: Question, text: str) -> tuple[str, ...]:
    return ()


def new_interview(
    tmp_path: Path,
    provider: ScriptedProvider,
    *,
    questions: int = 2,
    max_probes: int = 1,
    missing: object = first_missing,
    grader: ScriptedProvider | None = None,
    offline: ScriptedProvider | None = None,
) -> Interview:
    settings = InterviewSettings(max_probes=max_probes, min_answer_words=5)
    qs = [make_question(f"q{i}") for i in range(1, questions + 1)]
    return Interview.new(
        settings,
        "test-bank",
        qs,
        interviewer=provider,
        grader=grader or provider,
        offline=offline,
        journal_dir=tmp_path,
        missing=missing,  # type: ignore[arg-type]
    )


async def test_full_session_probes_grades_and_finishes(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider)
    q1 = interview.questions[0]

    yielded: list[Event] = []
    events = await drain(interview.start())
    yielded += events
    assert [type(e) for e in events] == [QuestionOpened]
    opened = events[0]
    assert isinstance(opened, QuestionOpened)
    assert (opened.question_id, opened.number, interview.total) == (q1.id, 1, 2)
    assert interview.current_prompt == q1.text

    provider.enqueue_probe("How would ", "you monitor it?")
    events = await drain(interview.submit(ANSWER))
    yielded += events
    # The fake cannot assess: the (injected) offline estimate decides, and the decision is
    # journaled before the probe, which arrives whole once it passed the output check. Before
    # each provider call the engine says who the candidate waits on.
    assert [type(e) for e in events] == [
        AnswerGiven, Waiting, Assessed, Waiting, ProbeDelta, ProbeGiven,
    ]  # fmt: skip
    assert events[1] == Waiting("fake", "assessment") and events[3] == Waiting("fake", "probe")
    assessed = events[2]
    assert isinstance(assessed, Assessed)
    assert assessed.targets == ("kp3", "kp4", "kp5") and assessed.verdicts is None
    assert assessed.fallback == "fake cannot assess"
    answer = events[0]
    assert isinstance(answer, AnswerGiven) and answer.text == ANSWER
    probe = events[-1]
    assert isinstance(probe, ProbeGiven)
    assert probe.text == "How would you monitor it?"
    assert probe.key_point_id == "kp3"
    assert probe.number == 1 and not probe.interrupted
    sent = provider.history[-1]
    assert isinstance(sent, ProbeRequest)
    assert sent.target_key_point_ids == ("kp3", "kp4", "kp5")
    assert sent.exchanges[0].answer == ANSWER
    assert interview.current_prompt == "How would you monitor it?"

    provider.enqueue_grade(
        GraderOutput(
            verdicts=verdicts_covering(q1, EVIDENCE, covered=2),
            strengths=("clear separation",),
            feedback="Good start.",
        )
    )
    events = await drain(interview.submit("I would alert on unusual tool usage and log calls."))
    yielded += events
    assert isinstance(events[0], AnswerGiven) and events[1] == Waiting("fake", "grading")
    assert isinstance(events[2], FeedbackDelta)
    evaluated = next(e for e in events if isinstance(e, Evaluated))
    # Two most important of five covered: weights come from grading.score, not the provider.
    assert 0 < evaluated.evaluation.score < 10
    assert evaluated.evaluation.grader == "fake"
    graded = provider.history[-1]
    assert isinstance(graded, GradeRequest)
    assert [x.kind for x in graded.exchanges] == ["question", "probe"]
    assert isinstance(events[-1], QuestionOpened) and events[-1].number == 2

    provider.enqueue_probe("And then?")
    yielded += await drain(interview.submit(ANSWER))
    provider.enqueue_grade(GraderOutput(verdicts=verdicts_covering(q1, EVIDENCE, covered=5)))
    events = await drain(interview.submit(ANSWER))
    yielded += events
    assert isinstance(events[-1], SessionEnded)
    assert interview.finished
    # The engine yields exactly the records it journaled, in order, and only those records.
    records = [e for e in yielded if not isinstance(e, ProbeDelta | FeedbackDelta | Waiting)]
    assert records == read_records(interview.journal_path)[1:]

    report = interview.report()
    assert report.finished
    assert [q.question_id for q in report.questions] == ["q1", "q2"]
    assert report.questions[1].evaluation is not None
    assert report.questions[1].evaluation.score == 10.0
    assert report.overall_score == pytest.approx((evaluated.evaluation.score + 10.0) / 2, abs=0.06)
    assert stat.S_IMODE(interview.journal_path.stat().st_mode) == 0o600


async def test_evidence_not_in_answer_counts_as_missed(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider, questions=1, missing=nothing_missing)
    await drain(interview.start())
    q1 = interview.questions[0]
    fake = verdicts_covering(q1, "I mentioned everything on the rubric perfectly.", covered=5)
    provider.enqueue_grade(GraderOutput(verdicts=fake))
    events = await drain(interview.submit(ANSWER))
    evaluation = next(e for e in events if isinstance(e, Evaluated)).evaluation
    assert evaluation.score == 0.0
    assert all(v.verdict.value == "missed" for v in evaluation.verdicts)
    assert any(flag.startswith("evidence_rejected:") for flag in evaluation.flags)


async def test_empty_answer_is_rejected_and_not_recorded(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider, questions=1)
    await drain(interview.start())
    before = len(read_records(interview.journal_path))
    events = await drain(interview.submit("   \n"))
    assert len(events) == 1 and isinstance(events[0], AnswerRejected)
    assert len(read_records(interview.journal_path)) == before
    assert provider.history == []


async def test_too_short_and_skipped_answers_never_reach_the_provider(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider, questions=2)
    await drain(interview.start())
    events = await drain(interview.submit("use firewalls"))
    evaluation = next(e for e in events if isinstance(e, Evaluated)).evaluation
    assert evaluation.score == 0.0
    assert evaluation.flags == ("too_short",)
    events = await drain(interview.skip())
    evaluation = next(e for e in events if isinstance(e, Evaluated)).evaluation
    assert evaluation.flags == ("empty",)
    assert provider.history == []
    assert interview.finished


async def _probe_requested(provider: ScriptedProvider, limit: float = 60.0) -> None:
    # A deadline, not a pace (generous: CI is a loaded 2-core machine); polled, it costs a
    # passing test nothing.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not any(isinstance(request, ProbeRequest) for request in provider.history):
        if loop.time() > deadline:
            raise AssertionError("the provider was never asked for a probe")
        await asyncio.sleep(0.01)


async def test_cancel_while_the_probe_is_held_asks_the_bank_probe(tmp_path: Path) -> None:
    # Behaviour change (issue 11, item 3): a probe is held until it passes the output check, so
    # a cancel finds nothing on screen and the bank's probe is asked, whole, in its place.
    provider = ScriptedProvider(hang_after_chunks=1)
    interview = new_interview(tmp_path, provider, questions=1)
    await drain(interview.start())
    provider.enqueue_probe("What would ", "never arrive")
    seen: list[Event] = []

    async def cancel_once_asked() -> None:
        await _probe_requested(provider)
        interview.cancel()

    async def consume() -> None:
        async for event in interview.submit(ANSWER):
            seen.append(event)

    await asyncio.wait_for(asyncio.gather(consume(), cancel_once_asked()), timeout=120)
    assert not any(isinstance(event, ProbeDelta) and "What would" in event.text for event in seen)
    probe = seen[-1]
    assert isinstance(probe, ProbeGiven)
    assert not probe.interrupted and "What would" not in probe.text
    assert probe.text == interview.questions[0].key_point(probe.key_point_id or "").probes[0]
    state = load_state(interview.journal_path)
    assert state.opened[0].prompts[-1].text == probe.text


async def test_probe_failure_before_text_falls_back_to_bank_probe(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    provider.probes.append(ProviderError("401 from the server"))
    interview = new_interview(tmp_path, provider, questions=1)
    await drain(interview.start())
    events = await drain(interview.submit(ANSWER))
    assert any(isinstance(e, Notice) and "401" in e.text for e in events)
    probe = events[-1]
    assert isinstance(probe, ProbeGiven)
    assert probe.text == interview.questions[0].key_point("kp3").probes[0]


async def test_grading_failure_offers_retry_and_offline(tmp_path: Path) -> None:
    provider = ScriptedProvider(label="llm")
    offline = ScriptedProvider(label="offline")
    interview = new_interview(
        tmp_path, provider, questions=1, missing=nothing_missing, offline=offline
    )
    q1 = interview.questions[0]
    await drain(interview.start())
    provider.enqueue_grade(GradingFailed("the model returned invalid JSON twice"))
    events = await drain(interview.submit(ANSWER))
    failed = events[-1]
    assert isinstance(failed, GradingFailedRecord)
    assert failed.question_id == "q1" and "invalid JSON twice" in failed.message
    assert interview.grading_failed_for == "q1"
    assert not any(isinstance(e, Evaluated) for e in events)

    provider.enqueue_grade(GradingFailed("still broken"))
    events = await drain(interview.retry_grading())
    assert isinstance(events[-1], GradingFailedRecord) and "still broken" in events[-1].message

    offline.enqueue_grade(GraderOutput(verdicts=verdicts_covering(q1, EVIDENCE, covered=5)))
    events = await drain(interview.grade_offline())
    evaluation = next(e for e in events if isinstance(e, Evaluated)).evaluation
    assert evaluation.grader == "offline" and evaluation.score == 10.0
    assert interview.finished
    # The answer was saved once and graded from the journal each time.
    answers = [r for r in read_records(interview.journal_path) if r.type == "answer"]  # type: ignore[attr-defined]
    assert len(answers) == 1


async def test_resume_reopens_the_pending_probe(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider, questions=2)
    await drain(interview.start())
    provider.enqueue_probe("Say more?")
    await drain(interview.submit(ANSWER))
    path = interview.journal_path
    await interview.aclose()

    second = ScriptedProvider()
    resumed = Interview.resume(path, interviewer=second, grader=second, missing=nothing_missing)
    events = await drain(resumed.start())
    # The question in progress, as journaled: opened, answered, assessed, probed (the probe is
    # open).
    assert [type(e) for e in events] == [QuestionOpened, AnswerGiven, Assessed, ProbeGiven]
    assert events == read_records(path)[1:]
    assert isinstance(events[0], QuestionOpened) and events[0].number == 1
    assert isinstance(events[1], AnswerGiven) and events[1].text == ANSWER
    assert isinstance(events[3], ProbeGiven) and events[3].text == "Say more?"
    assert resumed.current_prompt == "Say more?"
    assert await drain(resumed.start()) == []  # the earlier turns are yielded once
    second.enqueue_grade(
        GraderOutput(verdicts=verdicts_covering(resumed.questions[0], EVIDENCE, 5))
    )
    events = await drain(resumed.submit("More detail on monitoring and alerting here."))
    assert isinstance(events[-1], QuestionOpened) and events[-1].number == 2
    grade_request = second.history[-1]
    assert isinstance(grade_request, GradeRequest)
    assert grade_request.exchanges[0].answer == ANSWER


async def test_resume_after_answer_saved_but_not_processed(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider, questions=1, missing=nothing_missing)
    await drain(interview.start())
    provider.enqueue_grade(GradingFailed("x"))
    # Simulate a crash right after the answer was journaled: drop the records after it.
    await drain(interview.submit(ANSWER))
    await interview.aclose()
    path = interview.journal_path
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]) + lines[-1][:17])  # torn final line

    second = ScriptedProvider()
    second.enqueue_grade(
        GraderOutput(verdicts=verdicts_covering(interview.questions[0], EVIDENCE, 5))
    )
    resumed = Interview.resume(path, interviewer=second, grader=second, missing=nothing_missing)
    events = await drain(resumed.start())
    # First the journaled question and answer, then the grading the crash interrupted.
    assert isinstance(events[0], QuestionOpened) and isinstance(events[1], AnswerGiven)
    assert any(isinstance(e, Evaluated) for e in events)
    assert isinstance(events[-1], SessionEnded)


async def test_cancelling_the_callers_task_mid_stream_closes_cleanly(tmp_path: Path) -> None:
    provider = ScriptedProvider(hang_after_chunks=1)
    interview = new_interview(tmp_path, provider, questions=1)
    await drain(interview.start())
    provider.enqueue_probe("Half a ", "probe")

    async def consume() -> None:
        async for _ in interview.submit(ANSWER):
            pass

    task = asyncio.create_task(consume())
    await _probe_requested(provider)
    task.cancel()
    results = await asyncio.gather(task, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    # The answer was journaled before the provider was called.
    assert load_state(interview.journal_path).opened[0].answers == [ANSWER]


async def test_resume_after_grading_opens_the_next_question_without_regrading(
    tmp_path: Path,
) -> None:
    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider, questions=2, missing=nothing_missing)
    await drain(interview.start())
    q1 = interview.questions[0]
    provider.enqueue_grade(GraderOutput(verdicts=verdicts_covering(q1, EVIDENCE, covered=3)))
    await drain(interview.submit(ANSWER))
    await interview.aclose()
    path = interview.journal_path
    # Drop the "question 2 opened" record: the stop came right after grading.
    lines = path.read_text().splitlines(keepends=True)
    assert '"type":"question"' in lines[-1].replace(" ", "")
    path.write_text("".join(lines[:-1]))

    second = ScriptedProvider()
    resumed = Interview.resume(path, interviewer=second, grader=second, missing=nothing_missing)
    events = await drain(resumed.start())
    # The graded question is done: the next one opens, and nothing is graded again.
    assert [type(e) for e in events] == [QuestionOpened]
    assert isinstance(events[-1], QuestionOpened) and events[-1].number == 2
    assert second.history == []
    evaluations = [r for r in read_records(path) if getattr(r, "type", "") == "evaluation"]
    assert len(evaluations) == 1


async def test_cancel_before_the_stream_starts_still_stops_it(tmp_path: Path) -> None:
    provider = ScriptedProvider(hang_after_chunks=0)
    interview = new_interview(tmp_path, provider, questions=1)
    await drain(interview.start())
    provider.enqueue_probe("never ", "arrives")
    seen: list[Event] = []

    def slow_missing(question: Question, text: str) -> tuple[str, ...]:
        interview.cancel()  # pressed while coverage is being estimated
        return ("kp3",)

    interview._missing_fn = slow_missing
    async for event in interview.submit(ANSWER):
        seen.append(event)
    probe = seen[-1]
    assert isinstance(probe, ProbeGiven)
    # Nothing streamed: the bank's probe is asked instead of an empty one.
    assert probe.text == interview.questions[0].key_point("kp3").probes[0]


async def test_resume_keeps_the_injected_coverage_estimate(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider, questions=1)
    await drain(interview.start())
    await interview.aclose()
    resumed = Interview.resume(
        interview.journal_path, interviewer=provider, grader=provider, missing=nothing_missing
    )
    assert resumed._missing_fn is nothing_missing


async def test_cost_of_failed_grading_is_still_counted(tmp_path: Path) -> None:
    from interviewer.domain import Usage

    provider = ScriptedProvider()
    interview = new_interview(tmp_path, provider, questions=1, missing=nothing_missing)
    await drain(interview.start())
    spent = Usage(input_tokens=900, output_tokens=300, cost_usd=0.01, calls=2)
    provider.enqueue_grade(GradingFailed("unusable output twice", usage=spent))
    await drain(interview.submit(ANSWER))
    assert interview.usage.calls == 2
    assert interview.report().usage.cost_usd == 0.01
