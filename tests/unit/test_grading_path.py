"""The one grading path (`engine.grading`), the answer cut at the source and the bank-probe rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.bank.probes import FALLBACK_PROBE, bank_probe
from interviewer.config import InterviewSettings
from interviewer.domain import Evaluation, Exchange, GraderOutput, Usage
from interviewer.engine.events import FeedbackDelta, Notice
from interviewer.engine.grading import (
    AnswerLimits,
    Graded,
    GradingCutOff,
    cut_answers,
    grade,
    grading_request,
)
from interviewer.engine.session import Interview
from interviewer.journal import AnswerGiven, read_records
from interviewer.providers.base import GradeDone, GradeEvent, GradeRequest, ProbeRequest
from tests.fakes import ScriptedProvider, make_question, verdicts_covering

LIMITS = AnswerLimits(min_words=5, max_chars=300)
QUESTION = make_question()
EVIDENCE = "Every tool call gets its own authorisation check."


def exchange(answer: str) -> Exchange:
    return Exchange(kind="question", prompt=QUESTION.text, answer=answer)


async def run(events: object) -> list[FeedbackDelta | Graded]:
    return [event async for event in events]  # type: ignore[attr-defined]


def test_cut_answers_cuts_only_long_answers_and_marks_them() -> None:
    short, long = exchange("short answer"), exchange("x" * 301)
    cut = cut_answers((short, long), 300)
    assert cut[0] is short
    assert cut[1].answer == "x" * 300 and cut[1].truncated
    assert not long.truncated  # the original (what the journal holds) is untouched


async def test_the_pre_check_decides_without_calling_the_grader() -> None:
    grader = ScriptedProvider()
    events = await run(grade(QUESTION, (exchange("too short"),), grader, LIMITS))
    assert grader.history == []
    assert isinstance(events[0], FeedbackDelta)
    final = events[-1]
    assert isinstance(final, Graded) and final.claimed is None
    assert final.evaluation.score == 0.0 and final.evaluation.flags == ("too_short",)
    assert final.evaluation.grader == "pre-check"
    assert isinstance(grading_request(QUESTION, (exchange("too short"),), LIMITS), Evaluation)


async def test_the_grader_reads_the_cut_answer_and_evidence_past_the_cut_earns_nothing() -> None:
    answer = (
        "I would separate instructions from retrieved data in every prompt, and mark the "
        "documents as untrusted. Tools run with the least privilege the task needs, behind an "
        "allow-list. Outputs are validated before anything acts on them, and unusual patterns "
        "raise an alert for the on-call engineer. " + EVIDENCE
    )
    assert len(answer) > LIMITS.max_chars
    grader = ScriptedProvider()
    grader.enqueue_grade(GraderOutput(verdicts=verdicts_covering(QUESTION, EVIDENCE, covered=3)))
    events = await run(grade(QUESTION, (exchange(answer),), grader, LIMITS))
    sent = grader.history[0]
    assert isinstance(sent, GradeRequest)
    assert sent.exchanges[0].answer == answer[: LIMITS.max_chars] and sent.exchanges[0].truncated
    final = events[-1]
    assert isinstance(final, Graded)
    # The quote lies beyond what the grader was sent, so it cannot count as evidence.
    assert final.evaluation.score == 0.0
    assert "truncated" in final.evaluation.flags
    assert final.claimed is not None and len(final.claimed.verdicts) == len(QUESTION.key_points)


async def test_checked_verdicts_give_our_score_and_keep_what_the_grader_claimed() -> None:
    answer = "I would keep instructions apart from retrieved data. " + EVIDENCE
    grader = ScriptedProvider(usage=Usage(input_tokens=10, calls=1))
    claimed = GraderOutput(verdicts=verdicts_covering(QUESTION, EVIDENCE, covered=5), feedback="ok")
    grader.enqueue_grade(claimed)
    events = await run(grade(QUESTION, (exchange(answer),), grader, LIMITS))
    assert events[0] == FeedbackDelta("ok")
    final = events[-1]
    assert isinstance(final, Graded)
    assert final.evaluation.score == 10.0 and final.evaluation.grader == "fake"
    assert final.evaluation.usage.input_tokens == 10
    assert final.claimed == claimed


class CutOffGrader(ScriptedProvider):
    async def grade(self, request: GradeRequest):  # type: ignore[no-untyped-def]
        self.history.append(request)
        yield GradeDone(
            output=GraderOutput(verdicts=()), usage=Usage(output_tokens=7), interrupted=True
        )


async def test_a_cut_off_grading_stream_fails_with_the_usage_spent() -> None:
    answer = "I would keep instructions apart from retrieved data. " + EVIDENCE
    with pytest.raises(GradingCutOff) as caught:
        await run(grade(QUESTION, (exchange(answer),), CutOffGrader(), LIMITS))
    assert caught.value.usage == Usage(output_tokens=7)


async def test_a_guard_wraps_the_provider_stream() -> None:
    seen: list[GradeEvent] = []

    async def guard(stream):  # type: ignore[no-untyped-def]
        async for event in stream:
            seen.append(event)
            yield event

    grader = ScriptedProvider()
    grader.enqueue_grade(GraderOutput(verdicts=verdicts_covering(QUESTION, EVIDENCE, covered=1)))
    answer = "I would keep instructions apart from retrieved data. " + EVIDENCE
    await run(grade(QUESTION, (exchange(answer),), grader, LIMITS, guard=guard))
    assert any(isinstance(event, GradeDone) for event in seen)


async def started(
    tmp_path: Path, provider: ScriptedProvider, *, max_probes: int, max_answer_chars: int
) -> Interview:
    """A one-question interview whose question is open; probes aim at kp2."""
    settings = InterviewSettings(
        max_probes=max_probes, min_answer_words=5, max_answer_chars=max_answer_chars
    )
    interview = Interview.new(
        settings,
        "test-bank",
        [QUESTION],
        interviewer=provider,
        grader=provider,
        journal_dir=tmp_path,
        missing=lambda question, text: ("kp2",),
    )
    async for _ in interview.start():
        pass
    return interview


async def test_the_engine_sends_cut_answers_and_journals_the_full_text(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    interview = await started(tmp_path, provider, max_probes=1, max_answer_chars=300)
    long = (
        "I would separate instructions from retrieved data in every prompt, and mark the "
        "documents as untrusted. Tools run with the least privilege the task needs, behind an "
        "allow-list. Outputs are validated before anything acts on them, and unusual patterns "
        "raise an alert for the on-call engineer. Every action is logged for later review."
    )
    provider.enqueue_probe("And the tools?")
    events = [event async for event in interview.submit(long)]
    notices = [event for event in events if isinstance(event, Notice)]
    assert notices and "reads the first 300" in notices[0].text
    probe_request = provider.history[-1]
    assert isinstance(probe_request, ProbeRequest)
    assert probe_request.exchanges[0].answer == long[:300]
    assert probe_request.exchanges[0].truncated
    provider.enqueue_grade(GraderOutput(verdicts=verdicts_covering(QUESTION, EVIDENCE, covered=1)))
    async for _ in interview.submit("I would authorise each call. " + EVIDENCE):
        pass
    grade_request_sent = provider.history[-1]
    assert isinstance(grade_request_sent, GradeRequest)
    assert len(grade_request_sent.exchanges[0].answer) == 300
    answers = [r for r in read_records(interview.journal_path) if isinstance(r, AnswerGiven)]
    assert answers[0].text == long  # the journal keeps every character typed
    evaluation = interview.evaluations[QUESTION.id]
    assert "truncated" in evaluation.flags
    await interview.aclose()


def test_bank_probe_takes_the_first_unasked_probe_of_the_first_target() -> None:
    question = make_question()
    first = question.key_point("kp2").probes[0]
    assert bank_probe(question, ("kp2", "kp3"), []) == first
    # Asked already (spacing and case do not matter): move to the next target.
    assert (
        bank_probe(question, ("kp2", "kp3"), [f"  {first.upper()} "])
        == (question.key_point("kp3").probes[0])
    )


def test_bank_probe_falls_back_to_other_points_then_to_a_generic_probe() -> None:
    question = make_question(points=2)
    every = [probe for point in question.key_points for probe in point.probes]
    assert bank_probe(question, ("kp2",), every[1:]) == every[0]
    assert bank_probe(question, ("unknown",), []) == every[0]
    assert bank_probe(question, ("kp1",), every) == FALLBACK_PROBE


async def test_the_report_keeps_the_full_answer_and_marks_what_the_grader_cut(
    tmp_path: Path,
) -> None:
    provider = ScriptedProvider()
    interview = await started(tmp_path, provider, max_probes=0, max_answer_chars=200)
    long = "I would keep instructions apart from retrieved data in each prompt. " * 4
    provider.enqueue_grade(GraderOutput(verdicts=verdicts_covering(QUESTION, EVIDENCE, covered=0)))
    async for _ in interview.submit(long):
        pass
    (exchange_reported,) = interview.report().questions[0].exchanges
    assert exchange_reported.answer == long and exchange_reported.truncated
    await interview.aclose()
