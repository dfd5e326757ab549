"""The one grading path: (question, exchanges, grader) -> feedback prose and a checked Evaluation.

The interview engine, `interviewer grade`, red-teaming, calibration and the cost estimate all go
through here, so they grade alike by construction:

1. `cut_answers`: answers over the length limit are cut (and marked) before any provider sees
   them; the journal keeps the full text. Nothing below the engine knows the limit.
2. `grading_request`: the pre-check (empty, too short, gibberish) decides without a provider
   call, or says exactly which request goes to the grader.
3. `grade`: the provider's stream, then our evidence check and our score. The grader's verdicts
   are untrusted: `grading.score.check_verdicts` keeps only those whose evidence really occurs in
   the answer, and the score is computed here, never taken from a provider.

During an interview the grader also `assess`es each answer (verdicts only, through the same
evidence check, `checked_verdicts`) so the next probe can aim at what is missing; the question's
final `grade` then reuses the last assessment's verdicts and asks only for the feedback prose.

Later calls are incremental: an assessment after the first answer, and a final grade after
probes, carry the earlier assessment's checked verdicts (`Carried`). The model reads only the
exchanges since and judges only the key points still open; `carry_forward` merges its checked
verdicts with the carried ones (covered stays covered with its quote). The evidence check
still reads every answer of the question, so a new quote may come from any of them, never from
a probe. When nothing is left open, the final grade asks only for the prose, as after `Reuse`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from interviewer.config import InterviewSettings
from interviewer.domain import (
    EVIDENCE_REJECTED_FLAG,
    IGNORED_FLAG,
    SCRIPTED_FLAG,
    Carried,
    Evaluation,
    Exchange,
    GraderOutput,
    GradingMethod,
    KeyPointVerdict,
    Question,
    Usage,
    Verdict,
    answer_text,
)
from interviewer.engine.events import FeedbackDelta
from interviewer.errors import GradingFailed
from interviewer.providers.base import (
    AssessRequest,
    GradeDone,
    GradeEvent,
    GradeRequest,
    Provider,
    TextDelta,
)

Guard = Callable[[AsyncIterator[GradeEvent]], AsyncIterator[GradeEvent]]
"""Wraps the provider's stream, e.g. `CancelScope.guard` so the candidate can stop it."""


@dataclass(frozen=True)
class AnswerLimits:
    """How long an answer must be to reach a grader, and how much of it a grader reads."""

    min_words: int
    max_chars: int

    @classmethod
    def of(cls, settings: InterviewSettings) -> AnswerLimits:
        return cls(settings.min_answer_words, settings.max_answer_chars)


@dataclass(frozen=True)
class Graded:
    """The end of a grading: the checked evaluation, and what the grader claimed before our
    check (None when the pre-check decided without a provider call)."""

    evaluation: Evaluation
    claimed: GraderOutput | None = None


@dataclass(frozen=True)
class Assessment:
    """An assessment of everything said so far, after our evidence check."""

    verdicts: tuple[KeyPointVerdict, ...]
    flags: tuple[str, ...]
    usage: Usage
    method: GradingMethod


@dataclass(frozen=True)
class Reuse:
    """Verdicts an assessment already made (and checked) for the exchanges being graded: the
    grade asks only for prose, and the evaluation keeps these verdicts and flags."""

    verdicts: tuple[KeyPointVerdict, ...]
    flags: tuple[str, ...]


class GradingCutOff(GradingFailed):
    """The grading stream ended before its verdicts (cancelled, idle timeout, cut connection)."""


def cut_answers(exchanges: tuple[Exchange, ...], max_chars: int) -> tuple[Exchange, ...]:
    """The exchanges as graders and interviewers receive them: each answer at most `max_chars`
    long, marked `truncated` when it was cut."""
    return tuple(
        exchange.model_copy(update={"answer": exchange.answer[:max_chars], "truncated": True})
        if len(exchange.answer) > max_chars
        else exchange
        for exchange in exchanges
    )


def grading_request(
    question: Question, exchanges: tuple[Exchange, ...], limits: AnswerLimits
) -> GradeRequest | Evaluation:
    """The request the grader gets, or the pre-check's zero Evaluation when no call is needed."""
    from interviewer.grading.checks import precheck

    cut = cut_answers(exchanges, limits.max_chars)
    flag = precheck(answer_text(cut), min_words=limits.min_words, reference=question.sample_answer)
    if flag is not None:
        return precheck_evaluation(question, flag)
    return GradeRequest(question=question, exchanges=cut)


async def grade(
    question: Question,
    exchanges: tuple[Exchange, ...],
    grader: Provider,
    limits: AnswerLimits,
    *,
    guard: Guard | None = None,
    reuse: Reuse | None = None,
    earlier: Carried | None = None,
) -> AsyncIterator[FeedbackDelta | Graded]:
    """Grade everything said about `question`: feedback prose as it streams, then exactly one
    `Graded` last. With `reuse` the grader writes only the prose for those verdicts; with
    `earlier` it judges only what is still open, after the exchanges that assessment read.

    Raises `GradingFailed` (with the usage already spent) when the grader's output is unusable
    or cut off, and any other `ProviderError` the grader raises; whatever `guard` raises (e.g.
    `StreamCancelled`) passes through.
    """
    request = grading_request(question, exchanges, limits)
    if isinstance(request, Evaluation):
        yield FeedbackDelta(request.feedback)
        yield Graded(await with_pointers(question, request))
        return
    if reuse is None and earlier is not None and not earlier.open_ids(question):
        reuse = Reuse(earlier.verdicts, earlier.flags)  # every point settled: prose only
    if reuse is not None:
        request = GradeRequest(request.question, request.exchanges, verdicts=reuse.verdicts)
    else:
        request = GradeRequest(request.question, request.exchanges, earlier=earlier)
    stream = grader.grade(request)
    final: GradeDone | None = None
    async for event in guard(stream) if guard is not None else stream:
        if isinstance(event, TextDelta):
            yield FeedbackDelta(event.text)
        else:
            final = event
    if final is None or final.interrupted:
        spent = final.usage if final is not None else Usage()
        raise GradingCutOff("the grading reply was cut off", usage=spent)
    evaluation = evaluation_from_output(
        question, final, request.exchanges, grader.name, reuse, earlier
    )
    yield Graded(await with_pointers(question, evaluation), final.output)


async def with_pointers(question: Question, evaluation: Evaluation) -> Evaluation:
    """`evaluation` with a pointer into the sample answer for each missed or partial key point
    (`grading.pointers`), whichever grader made it. In a thread: the first call per process
    loads the embedding model."""
    from interviewer.grading.pointers import sample_pointers

    pointers = await asyncio.to_thread(sample_pointers, question, evaluation.verdicts)
    return evaluation.model_copy(update={"pointers": pointers}) if pointers else evaluation


async def assess(
    question: Question,
    exchanges: tuple[Exchange, ...],
    grader: Provider,
    limits: AnswerLimits,
    earlier: Carried | None = None,
) -> Assessment:
    """The grader's verdicts on everything said so far, through our evidence check (and, with
    `earlier`, merged with those carried forward). Call it only for exchanges the pre-check
    passes (`grading_request`). Raises what the grader raises."""
    request = AssessRequest(question, cut_answers(exchanges, limits.max_chars), earlier)
    done = await grader.assess(request)
    checked = checked_verdicts(question, done.output, request.exchanges)
    verdicts, flags = carry_forward(earlier, *checked)
    if done.scripted and SCRIPTED_FLAG not in flags:
        flags = (*flags, SCRIPTED_FLAG)
    return Assessment(verdicts, flags, done.usage, done.method)


def carry_forward(
    earlier: Carried | None,
    verdicts: tuple[KeyPointVerdict, ...],
    flags: tuple[str, ...],
) -> tuple[tuple[KeyPointVerdict, ...], tuple[str, ...]]:
    """THE merge of carried and new checked verdicts: per key point the one that earns more,
    the carried one on a tie. Monotone: what an earlier answer showed is never taken back, a
    point the later call was not asked about keeps its verdict and quote, and the offline
    grader (which judges the whole text anyway) keeps its measured credit when it grew. The
    earlier flags stay, but for a rejected claim whose point is no longer missed."""
    from interviewer.grading.score import verdict_credit

    if earlier is None:
        return verdicts, flags
    before = {v.key_point_id: v for v in earlier.verdicts}
    merged = tuple(
        before[v.key_point_id]
        if v.key_point_id in before and verdict_credit(before[v.key_point_id]) >= verdict_credit(v)
        else v
        for v in verdicts
    )
    settled = {
        EVIDENCE_REJECTED_FLAG + v.key_point_id for v in merged if v.verdict is not Verdict.MISSED
    }
    kept = tuple(flag for flag in earlier.flags if flag not in settled and flag not in flags)
    return merged, (*kept, *flags)


def checked_verdicts(
    question: Question, output: GraderOutput, exchanges: tuple[Exchange, ...]
) -> tuple[tuple[KeyPointVerdict, ...], tuple[str, ...]]:
    """THE evidence check of a grader's claims (assessment or grading) against the answers it
    was sent: the surviving verdicts, and flags saying what was rejected, cut or ignored."""
    from interviewer.grading.guards import ignored_sentences
    from interviewer.grading.score import check_verdicts

    text = answer_text(exchanges)
    verdicts, flags = check_verdicts(question, output, text)
    if any(exchange.truncated for exchange in exchanges):
        flags = (*flags, "truncated")
    # Whatever the grader made of them, these sentences could never be evidence: say which.
    flags = (*flags, *(IGNORED_FLAG + sentence for sentence in ignored_sentences(text)))
    return verdicts, flags


def evaluation_from_output(
    question: Question,
    done: GradeDone,
    exchanges: tuple[Exchange, ...],
    grader: str,
    reuse: Reuse | None = None,
    earlier: Carried | None = None,
) -> Evaluation:
    """Check a grader's claims against the answers of `exchanges` and compute the score
    ourselves; with `reuse`, the assessment's checked verdicts stand and only the prose is the
    grader's; with `earlier`, the checked verdicts are merged with those (`carry_forward`)."""
    from interviewer.grading.score import compute_score

    if reuse is not None:
        verdicts, flags = reuse.verdicts, reuse.flags
    else:
        checked = checked_verdicts(question, done.output, exchanges)
        verdicts, flags = carry_forward(earlier, *checked)
    if done.scripted and SCRIPTED_FLAG not in flags:
        # A replay's script for other answers: the evaluation must say it judges nothing here.
        flags = (*flags, SCRIPTED_FLAG)
    return Evaluation(
        question_id=question.id,
        score=compute_score(question, verdicts),
        verdicts=verdicts,
        strengths=done.output.strengths,
        gaps=done.output.gaps,
        feedback=done.output.feedback,
        grader=grader,
        method=done.method,
        flags=flags,
        usage=done.usage,
    )


_PRECHECK_REASONS = {
    "empty": "No answer was given.",
    "too_short": "The answer is too short to show any of the key points.",
    "gibberish": "The answer does not read as an answer to the question.",
}


def precheck_evaluation(question: Question, flag: str) -> Evaluation:
    """The zero score of an answer the pre-check rejected, made without any provider call."""
    reason = _PRECHECK_REASONS.get(flag, "The answer could not be graded.")
    return Evaluation(
        question_id=question.id,
        score=0.0,
        verdicts=tuple(
            KeyPointVerdict(key_point_id=p.id, verdict=Verdict.MISSED) for p in question.key_points
        ),
        gaps=(reason,),
        feedback=reason,
        grader="pre-check",
        method="pre-check",
        flags=(flag,),
    )
