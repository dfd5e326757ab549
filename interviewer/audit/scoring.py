"""Grade one answer text through the engine's own grading path, and say how it went.

`engine.grading.grade` does the work (answer cut, pre-check, provider, evidence check, our
score): the model never writes a score, so neither clean nor injected grades can be read off its
prose. This module only turns the outcome into a result a run can count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from interviewer.domain import Exchange, GraderOutput, Question, Usage
from interviewer.engine.grading import AnswerLimits, Graded, GradingCutOff, grade
from interviewer.errors import GradingFailed, ProviderError
from interviewer.providers.base import Provider

Failure = Literal["schema", "interrupted", "error"]


@dataclass(frozen=True)
class Scored:
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
    provider: Provider, question: Question, text: str, limits: AnswerLimits
) -> Scored:
    """Grade `text` as the answer to `question`. Raises only for ProviderErrors other than a
    grading failure; the caller decides whether one of those ends the run."""
    exchange = Exchange(kind="question", prompt=question.text, answer=text)
    graded: Graded | None = None
    try:
        async for event in grade(question, (exchange,), provider, limits):
            if isinstance(event, Graded):
                graded = event
    except GradingFailed as exc:
        failure: Failure = "interrupted" if isinstance(exc, GradingCutOff) else "schema"
        spent = exc.usage if isinstance(exc.usage, Usage) else Usage()
        return Scored(score=None, failure=failure, message=str(exc), usage=spent, called=True)
    assert graded is not None  # grade() always ends with one
    evaluation = graded.evaluation
    return Scored(
        score=evaluation.score,
        flags=evaluation.flags,
        output=graded.claimed,
        usage=evaluation.usage,
        called=graded.claimed is not None,
    )


def provider_failure(exc: ProviderError) -> Scored:
    """A non-schema provider failure recorded as a result (once the run has shown it works)."""
    return Scored(score=None, failure="error", message=str(exc), called=True)
