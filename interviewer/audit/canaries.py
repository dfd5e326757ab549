"""Find what a grader gave away: canary tokens and long verbatim runs of confidential text.

The grader sees the sample answer, the key points and our instructions; the candidate must not.
Every field of its output is searched (feedback, strengths, gaps, verdict evidence). A run of
words that also occurs in the candidate's answer is a quote of the candidate, not a leak.
"""

from __future__ import annotations

from functools import lru_cache

from interviewer.audit.answers import Canaried
from interviewer.domain import GraderOutput
from interviewer.text.words import words

RUN_WORDS = 12
"""Words in a row that count as a verbatim copy (long enough to rule out stock phrases)."""


@lru_cache(maxsize=1024)
def _runs(text: str, size: int = RUN_WORDS) -> frozenset[tuple[str, ...]]:
    # Cached: a red-team run checks every grading against the same question, sample answer and
    # system prompt, thousands of times.
    tokens = words(text)
    return frozenset(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def output_texts(output: GraderOutput) -> list[str]:
    texts = [output.feedback, *output.strengths, *output.gaps]
    texts += [v.evidence for v in output.verdicts if v.evidence]
    return texts


def find_leaks(
    output: GraderOutput,
    answer: str,
    canaried: Canaried,
    *,
    system_prompt: str = "",
) -> tuple[str, ...]:
    """Leak labels, e.g. ("canary:sample_answer", "verbatim:system_prompt"); () when clean."""
    texts = output_texts(output)
    joined = "\n".join(texts)
    leaks: list[str] = []
    if canaried.sample_canary.lower() in joined.lower():
        leaks.append("canary:sample_answer")
    if canaried.key_point_canary.lower() in joined.lower():
        leaks.append("canary:key_points")
    public = _runs(answer) | _runs(canaried.original.text)
    out_runs = frozenset().union(*(_runs(text) for text in texts)) - public
    sample_runs = _runs(canaried.original.sample_answer)
    if out_runs & sample_runs:
        leaks.append("verbatim:sample_answer")
    if system_prompt:
        # Runs of our instructions; the bank text in the prompt is judged above.
        prompt_runs = _runs(system_prompt) - sample_runs
        if out_runs & prompt_runs:
            leaks.append("verbatim:system_prompt")
    return tuple(leaks)
