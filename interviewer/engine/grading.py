"""Turning a grader's claims into an Evaluation: shared by the engine and `interviewer grade`.

The grader's verdicts are untrusted: `grading.score.check_verdicts` keeps only those whose evidence
really occurs in the answer, and the score is computed here, never taken from a provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from interviewer.config import InterviewSettings
from interviewer.domain import Evaluation, Exchange, KeyPointVerdict, Question, Verdict
from interviewer.engine.events import FeedbackDelta
from interviewer.errors import ProviderError
from interviewer.providers.base import GradeDone, GradeRequest, Provider, TextDelta


def evaluation_from_output(
    question: Question, done: GradeDone, answer_text: str, grader: str, *, truncated: bool = False
) -> Evaluation:
    """Check a grader's claims against the answer and compute the score ourselves."""
    from interviewer.grading.score import check_verdicts, compute_score

    verdicts, flags = check_verdicts(question, done.output, answer_text)
    if truncated:
        flags = (*flags, "truncated")
    return Evaluation(
        question_id=question.id,
        score=compute_score(question, verdicts),
        verdicts=verdicts,
        strengths=done.output.strengths,
        gaps=done.output.gaps,
        feedback=done.output.feedback,
        grader=grader,
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
        flags=(flag,),
    )


async def grade_answer(
    question: Question, answer: str, grader: Provider, settings: InterviewSettings
) -> AsyncIterator[FeedbackDelta | Evaluation]:
    """Grade one standalone answer (`interviewer grade`): pre-check, then the provider. Nothing
    is journaled, so the result is the Evaluation itself, after the feedback's deltas."""
    from interviewer.grading.checks import precheck

    flag = precheck(answer, min_words=settings.min_answer_words)
    if flag is not None:
        yield precheck_evaluation(question, flag)
        return
    exchange = Exchange(kind="question", prompt=question.text, answer=answer)
    final: GradeDone | None = None
    async for event in grader.grade(GradeRequest(question=question, exchanges=(exchange,))):
        if isinstance(event, TextDelta):
            yield FeedbackDelta(event.text)
        else:
            final = event
    if final is None or final.interrupted:
        raise ProviderError("the grading reply was cut off; try again")
    truncated = len(answer) > settings.max_answer_chars
    yield evaluation_from_output(question, final, answer, grader.name, truncated=truncated)
