"""The bank's own follow-up probes: the one rule for picking one.

Every key point carries interviewer-voiced probes written with the bank, so a probe taken from
here can never give away a key point or the sample answer. The offline provider asks these, and
every other provider falls back to them when its model fails or writes nothing usable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from interviewer.domain import Question

FALLBACK_PROBE = "Can you walk me through how you would put that into practice, step by step?"
"""Asked when every probe of every key point has been asked already."""


def bank_probe(question: Question, targets: Sequence[str], asked: Iterable[str]) -> str:
    """The first probe not yet `asked` of the first target key point that has one left; then
    the other key points in bank order; then `FALLBACK_PROBE`.

    `targets` are key point ids, most important first (unknown ids are passed over); `asked` are
    the prompts the candidate has already seen (compared ignoring case and spacing).
    """
    seen = {_fold(prompt) for prompt in asked}
    known = {point.id: point for point in question.key_points}
    ordered = [known[target] for target in targets if target in known]
    ordered += [point for point in question.key_points if point not in ordered]
    for point in ordered:
        for probe in point.probes:
            if _fold(probe) not in seen:
                return probe
    return FALLBACK_PROBE


def _fold(text: str) -> str:
    return " ".join(text.lower().split())
