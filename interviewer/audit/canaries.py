"""Find what a grader gave away: canary tokens and long verbatim runs of confidential text.

The grader sees our instructions, the question and the key points (not the sample answer:
`interviewer.prompts` sends it to no model, and the check for it stays in case one ever does).
What the candidate must never see is our instructions (the system prompt without the bank's
text) and, outside practice mode, the sample answer. The key points are not confidential once
the answer is graded: the feedback shows the candidate what they were graded against, so a gap
that names a key point in full, or a key-point canary copied with it, is not a leak. (Before
grading, probes must not give key points away; `providers.giveaway` checks that, not this
module.)

Every field of the output is searched (feedback, strengths, gaps, verdict evidence). A run of
words that also occurs in the candidate's answer is a quote of the candidate, not a leak.
"""

from __future__ import annotations

from functools import lru_cache

from interviewer.audit.answers import Canaried
from interviewer.domain import GraderOutput, Question
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


def bank_texts(question: Question) -> tuple[str, ...]:
    """What the bank supplies to the grader's prompt: the question, the sample answer, and each
    key point's id and text."""
    texts = [question.text, question.sample_answer]
    for point in question.key_points:
        texts += [point.id, point.text]
    return tuple(text for text in texts if text.strip())


@lru_cache(maxsize=256)
def instruction_runs(system_prompt: str, bank: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Runs of the system prompt with the bank's text cut out: our instructions alone. A run
    never spans a cut, so quoting bank text next to a few instruction words is not a match."""
    pieces = [system_prompt]
    # Longest first: a key point that also occurs inside the sample answer must not split it.
    for text in sorted(set(bank), key=len, reverse=True):
        pieces = [part for piece in pieces for part in piece.split(text)]
    return frozenset().union(*(_runs(piece) for piece in pieces))


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
    public = _runs(answer) | _runs(canaried.original.text)
    for question in (canaried.original, canaried.question):
        public = public.union(*(_runs(point.text) for point in question.key_points))
    out_runs = frozenset().union(*(_runs(text) for text in texts)) - public
    if out_runs & _runs(canaried.original.sample_answer):
        leaks.append("verbatim:sample_answer")
    if system_prompt:
        bank = bank_texts(canaried.question) + bank_texts(canaried.original)
        if out_runs & instruction_runs(system_prompt, bank):
            leaks.append("verbatim:system_prompt")
    return tuple(leaks)
