"""Say what a run will cost before it starts: calls, tokens, dollars.

Tokens are estimated at ~4 characters per token of the prompts we would render (system message
and fenced answer), which is close for English and errs high for code. Output is estimated from
the size of a verdict list; prompt caching and repair retries are not counted. These runs
(`redteam`, `calibrate`) grade each answer with one call and never assess: assessments, and
the prose-only closing call that follows one, happen in interviews, whose calls the journal
counts as they are made (status bar, report usage).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from interviewer.config import ProviderProfile
from interviewer.domain import Exchange, Question
from interviewer.engine.grading import AnswerLimits, grading_request
from interviewer.prompts import render_grade
from interviewer.providers.base import GradeRequest

CHARS_PER_TOKEN = 4
OUTPUT_TOKENS_BASE = 200
"""Feedback paragraph, strengths, gaps and JSON punctuation."""
OUTPUT_TOKENS_PER_KEY_POINT = 45
"""One verdict with its evidence quote."""


@dataclass(frozen=True)
class Estimate:
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    """None when the profile has no prices (set price_input_per_mtok / price_output_per_mtok)."""

    def describe(self) -> str:
        cost = "unknown (the profile sets no prices)"
        if self.cost_usd is not None:
            cost = f"about ${self.cost_usd:.2f}"
        return (
            f"{self.calls} grading calls, about {self.input_tokens:,} input and "
            f"{self.output_tokens:,} output tokens; cost {cost}"
        )


def estimate(
    jobs: Iterable[tuple[Question, str]],
    profile: ProviderProfile,
    limits: AnswerLimits,
) -> Estimate:
    """Estimate the provider calls for grading each (question, answer text) once."""
    calls = input_tokens = output_tokens = 0
    system_sizes: dict[str, int] = {}
    for question, text in jobs:
        exchange = Exchange(kind="question", prompt=question.text, answer=text)
        request = grading_request(question, (exchange,), limits)
        if not isinstance(request, GradeRequest):
            continue  # answered by the pre-check, no call
        calls += 1
        rendered = render_grade(request, fence="0" * 32)
        if question.id not in system_sizes:
            system_sizes[question.id] = len(rendered.system)
        chars = system_sizes[question.id] + sum(len(m.content) for m in rendered.messages)
        input_tokens += math.ceil(chars / CHARS_PER_TOKEN)
        per_call = OUTPUT_TOKENS_BASE + OUTPUT_TOKENS_PER_KEY_POINT * len(question.key_points)
        output_tokens += min(profile.max_tokens, per_call)
    cost: float | None = None
    if profile.price_input_per_mtok or profile.price_output_per_mtok:
        cost = (
            input_tokens * profile.price_input_per_mtok
            + output_tokens * profile.price_output_per_mtok
        ) / 1_000_000
    return Estimate(calls, input_tokens, output_tokens, cost)
