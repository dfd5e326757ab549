"""THE score computation, for every provider: check a grader's verdicts, then score them.

A grader (LLM or offline) only claims per-key-point verdicts with evidence quotes. Here the claims
are checked against what the candidate actually wrote, and the 0-10 score is computed from the
surviving verdicts. No provider ever writes a score.

Weights: key points are listed most important first; the point at index i weighs
``1 / (1 + 0.2 * i)`` (1, 0.83, 0.71, 0.63, 0.56, 0.5, 0.45, 0.42 for eight points). The first point
counts about twice the sixth: importance matters, but covering the tail still moves the score.

The same weights decide whether to probe (`probe_targets`): a follow-up aims at the most
important point not yet covered, until the answers would score 8.0 with the first point covered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from interviewer.domain import (
    VERDICT_CREDIT,
    GraderOutput,
    KeyPointVerdict,
    Question,
    Verdict,
)
from interviewer.grading.guards import trusted_text
from interviewer.grading.text import normalise
from interviewer.text.words import words

WEIGHT_DECAY = 0.2
ENOUGH_COVERED = 0.8
"""The important points are covered, and no probe is asked, when the most important key point is
covered and the verdicts' weighted credit (the score's own weights and credits) reaches this
share of the total, i.e. they would score at least 8.0."""
MIN_EVIDENCE_WORDS = 3
MIN_EVIDENCE_CHARS = 12
"""A quote must hold one fragment this long (or the whole answer, when that is shorter): "the"
occurs in nearly every answer, so a one-word quote proves nothing."""
_ELLIPSIS = re.compile(r"\.\.\.+|\[\.\.\.\]|\(\.\.\.\)")
_EDGE = " .,;:!?\"'()[]"


def weight(index: int) -> float:
    """Weight of the key point at `index` (0 = most important)."""
    return 1.0 / (1.0 + WEIGHT_DECAY * index)


def check_verdicts(
    question: Question, output: GraderOutput, answer_text: str
) -> tuple[tuple[KeyPointVerdict, ...], tuple[str, ...]]:
    """One verdict per key point in the question's order, with unsupported claims demoted.

    Missing key points count as missed; unknown ids are ignored; for a duplicated id the first
    verdict wins. A covered/partial verdict whose evidence is empty, too short to prove anything
    (see MIN_EVIDENCE_WORDS) or not found in the answer becomes missed and adds the flag
    "evidence_rejected:<key point id>". Text addressed to the
    grader (see `guards`) does not count as part of the answer: a grader that parrots a fake
    verdict planted there quotes nothing the candidate actually said.
    """
    claimed: dict[str, KeyPointVerdict] = {}
    for verdict in output.verdicts:
        claimed.setdefault(verdict.key_point_id, verdict)
    haystack = normalise(trusted_text(answer_text))
    verdicts: list[KeyPointVerdict] = []
    flags: list[str] = []
    for point in question.key_points:
        found = claimed.get(point.id)
        if found is None:
            verdicts.append(KeyPointVerdict(key_point_id=point.id, verdict=Verdict.MISSED))
            continue
        verdict = found
        if verdict.verdict is not Verdict.MISSED and not evidence_found(
            verdict.evidence or "", haystack
        ):
            flags.append(f"evidence_rejected:{point.id}")
            verdict = KeyPointVerdict(
                key_point_id=point.id, verdict=Verdict.MISSED, evidence=verdict.evidence
            )
        verdicts.append(verdict)
    return tuple(verdicts), tuple(flags)


def evidence_found(evidence: str, normalised_answer: str) -> bool:
    """True when every fragment of the quote occurs in the (already normalised) answer and one
    fragment is long enough to be evidence.

    A quote may be a substring of a sentence; fragments joined by an ellipsis must each occur.
    Surrounding quotes and trailing punctuation are ignored, since graders add or drop them.
    The longest fragment needs MIN_EVIDENCE_WORDS words and MIN_EVIDENCE_CHARS characters, or
    as many as the whole answer has when it is shorter.
    """
    fragments = [part.strip(_EDGE) for part in _ELLIPSIS.split(normalise(evidence))]
    fragments = [part for part in fragments if part]
    if not fragments:
        return False
    if not any(ch.isalnum() for part in fragments for ch in part):
        return False
    min_words = min(MIN_EVIDENCE_WORDS, _word_count(normalised_answer))
    min_chars = min(MIN_EVIDENCE_CHARS, len(normalised_answer.strip(_EDGE)))
    if not any(len(words(part)) >= min_words and len(part) >= min_chars for part in fragments):
        return False
    return all(part in normalised_answer for part in fragments)


@lru_cache(maxsize=16)
def _word_count(text: str) -> int:
    # check_verdicts asks about the same answer once per key point.
    return len(words(text))


def compute_score(question: Question, verdicts: Sequence[KeyPointVerdict]) -> float:
    """0-10, one decimal: importance-weighted credit (covered 1, partial 0.5, missed 0).

    A covered or partial verdict that carries its own graded `credit` (the offline grader
    measures one) earns that instead; a missed verdict earns nothing, whatever it carries.
    """
    credit: dict[str, float] = {}
    for v in verdicts:
        credit.setdefault(v.key_point_id, verdict_credit(v))
    total = 0.0
    earned = 0.0
    for index, point in enumerate(question.key_points):
        w = weight(index)
        total += w
        earned += w * credit.get(point.id, 0.0)
    if total == 0:
        return 0.0
    return round(10.0 * earned / total, 1)


def verdict_credit(verdict: KeyPointVerdict) -> float:
    """What one (checked) verdict earns, 0-1."""
    if verdict.verdict is Verdict.MISSED or verdict.credit is None:
        return VERDICT_CREDIT[verdict.verdict]
    return verdict.credit


def missing_key_points(question: Question, verdicts: Sequence[KeyPointVerdict]) -> tuple[str, ...]:
    """Ids of key points not (fully) covered, most important first.

    Pure importance order, partial and missed interleaved: a half-covered first point matters
    more to the interview than a missed seventh one.
    """
    covered = {v.key_point_id for v in verdicts if v.verdict is Verdict.COVERED}
    return tuple(point.id for point in question.key_points if point.id not in covered)


def probe_targets(question: Question, verdicts: Sequence[KeyPointVerdict]) -> tuple[str, ...]:
    """THE probing policy: what the next probe aims at, the most important key point missed or
    only partly covered first (`missing_key_points`); empty, so no probe, when the important
    points are covered (see ENOUGH_COVERED)."""
    missing = missing_key_points(question, verdicts)
    first_covered = bool(question.key_points) and question.key_points[0].id not in missing
    if first_covered and compute_score(question, verdicts) >= 10 * ENOUGH_COVERED:
        return ()
    return missing
