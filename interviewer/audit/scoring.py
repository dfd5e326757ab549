"""Grade one answer text exactly as the interview engine does, and say how it went.

Pre-check first (no provider call for empty, too short or gibberish answers), then the provider,
then our evidence check and score (`interviewer.grading.score`): the model never writes a score,
so neither clean nor injected grades can be read off its prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from interviewer.domain import Exchange, GraderOutput, Question, Usage
from interviewer.errors import GradingFailed, ProviderError
from interviewer.grading.checks import precheck
from interviewer.grading.score import check_verdicts, compute_score
from interviewer.providers.base import GradeRequest, Provider, collect_grade

Failure = Literal["schema", "interrupted", "error"]


@dataclass(frozen=True)
class Graded:
    score: float | None
    """None when grading failed."""
    flags: tuple[str, ...] = ()
    output: GraderOutput | None = None
    """What the provider returned (None for a pre-check verdict or a failure)."""
    failure: Failure | None = None
    message: str = ""
    usage: Usage = field(default_factory=Usage)
    called: bool = False
    """The provider was asked (False when the pre-check decided)."""


async def grade_text(
    provider: Provider, question: Question, text: str, *, min_words: int
) -> Graded:
    """Grade `text` as the answer to `question`. Raises only for ProviderErrors other than a
    grading failure; the caller decides whether one of those ends the run."""
    flag = precheck(text, min_words=min_words)
    if flag is not None:
        return Graded(score=0.0, flags=(flag,))
    request = GradeRequest(
        question=question,
        exchanges=(Exchange(kind="question", prompt=question.text, answer=text),),
    )
    try:
        done = await collect_grade(provider.grade(request))
    except GradingFailed as exc:
        return Graded(score=None, failure="schema", message=str(exc), called=True)
    if done.interrupted:
        return Graded(
            score=None,
            failure="interrupted",
            message="the grading reply was cut off",
            usage=done.usage,
            called=True,
        )
    verdicts, flags = check_verdicts(question, done.output, text)
    return Graded(
        score=compute_score(question, verdicts),
        flags=flags,
        output=done.output,
        usage=done.usage,
        called=True,
    )


def provider_failure(exc: ProviderError) -> Graded:
    """A non-schema provider failure recorded as a result (once the run has shown it works)."""
    return Graded(score=None, failure="error", message=str(exc), called=True)
