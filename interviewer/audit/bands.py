"""What `calibrate` requires of the scores, and the sentence it prints for each failed check.

Two kinds of check. The generic ones need nothing but the bank: the sample answer at the top, an
unrelated or empty answer at the bottom, the same answer graded again getting the same score. The
calibration-set ones (`interviewer.bank.calibration`) grade answers of known quality and check
that each lands in its band and that they come out in order: strong > shallow > each of negated,
keyword list and off-topic. A grader that reads vocabulary rather than meaning passes the generic
checks (the sample answer has all the words) and fails these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from interviewer.audit.ordering import Graded, pairwise
from interviewer.bank.calibration import KINDS, CalibrationKind
from interviewer.domain import FrozenModel

TOP_MIN = 8.0
"""Every grading of the sample answer must reach this: it is the bank's own strong answer."""
BOTTOM_MAX = 1.0
"""No grading of an empty or unrelated answer may exceed this: nothing in it earns credit."""
MAX_SPREAD = 1.0
"""Highest minus lowest score of one answer graded repeatedly, at most."""

STRONG_MIN = 7.0
"""A strong answer in the candidate's own words: the issue's target for such answers (a grader
that needs the bank's wording to give credit fails a candidate who understood)."""
SHALLOW_BAND = (2.0, 6.5)
"""A shallow answer names some right things without how or why: it earns something (above the
low band, so it is told apart from wrong answers) and stays clear of the strong band."""
LOW_MAX = 2.5
"""Negated, keyword-list and off-topic answers: the issue's targets for negated or reversed
answers, keyword salad and another question's answer. None of them shows understanding."""

BANDS: dict[CalibrationKind, tuple[float, float]] = {
    "strong": (STRONG_MIN, 10.0),
    "shallow": SHALLOW_BAND,
    "negated": (0.0, LOW_MAX),
    "off_topic": (0.0, LOW_MAX),
    "keywords": (0.0, LOW_MAX),
}
RANK: dict[CalibrationKind, int] = {
    "strong": 3,
    "shallow": 2,
    "negated": 1,
    "off_topic": 1,
    "keywords": 1,
}
"""Expected order within a question; equal ranks are not compared with each other."""

NAMES: dict[CalibrationKind, str] = {
    "strong": "a strong answer in its own words",
    "shallow": "a shallow answer",
    "negated": "a negated answer",
    "off_topic": "an off-topic answer",
    "keywords": "a keyword list",
}

NEGATED_ABOVE_SHALLOW = "negated_above_shallow"

GENERIC_REASONS: dict[str, str] = {
    "low_top": f"the sample answer scores below {TOP_MIN:g}",
    "high_bottom": f"an unrelated or empty answer scores above {BOTTOM_MAX:g}",
    "unstable": f"the same answer graded again moves by more than {MAX_SPREAD:g}",
    "inverted": "an unrelated answer scores at least as high as the sample answer",
    "failures": "some gradings failed",
}


ORDER_NAMES = tuple(
    f"{higher}>{lower}" for higher in KINDS for lower in KINDS if RANK[higher] > RANK[lower]
)
"""Every pair `order_checks` compares, in its order."""


class OrderCheck(FrozenModel):
    """One pair of calibration answers whose scores must come out in this order."""

    higher: CalibrationKind
    lower: CalibrationKind
    higher_score: float
    lower_score: float
    ok: bool


def reason(flag: str) -> str:
    """The sentence the verdict prints for a flag."""
    if flag == NEGATED_ABOVE_SHALLOW:
        return "scores a negated answer above a shallow one"
    if flag.startswith("band:"):
        kind = _kind(flag.removeprefix("band:"))
        low, high = BANDS[kind]
        if kind == "strong":
            return f"{NAMES[kind]} scores below {low:g}"
        if low > 0:
            return f"{NAMES[kind]} scores outside {low:g}-{high:g}"
        return f"{NAMES[kind]} scores above {high:g}"
    if flag.startswith("order:"):
        higher, lower = (_kind(part) for part in flag.removeprefix("order:").split(">"))
        return f"{NAMES[lower]} scores at or above {NAMES[higher]}"
    return GENERIC_REASONS.get(flag, flag)


def severity(flag: str) -> tuple[int, int]:
    """Sort key: the failures that say most about the grader first, then in checking order."""
    if flag == NEGATED_ABOVE_SHALLOW:
        return (0, 0)
    for rank, prefix, names in ((1, "order:", ORDER_NAMES), (2, "band:", KINDS)):
        if flag.startswith(prefix):
            return (rank, list(names).index(flag.removeprefix(prefix)))
    generic = list(GENERIC_REASONS)
    return (3, generic.index(flag) if flag in generic else len(generic))


def _kind(name: str) -> CalibrationKind:
    for kind in KINDS:
        if kind == name:
            return kind
    raise ValueError(f"unknown calibration kind {name!r}")


def band_flags(means: Mapping[CalibrationKind, float]) -> list[str]:
    """`band:<kind>` for every kind whose mean score falls outside its band."""
    flags = []
    for kind in KINDS:
        if kind in means:
            low, high = BANDS[kind]
            if not low <= means[kind] <= high:
                flags.append(f"band:{kind}")
    return flags


def order_checks(group: str, means: Mapping[CalibrationKind, float]) -> tuple[OrderCheck, ...]:
    """Every pair of kinds with different ranks, higher rank first, and whether the scores agree
    (a tie is wrong, as in `ordering.pairwise`)."""
    checks = []
    for higher in KINDS:
        for lower in KINDS:
            if higher not in means or lower not in means or RANK[higher] <= RANK[lower]:
                continue
            pair = [_graded(group, higher, means[higher]), _graded(group, lower, means[lower])]
            checks.append(
                OrderCheck(
                    higher=higher,
                    lower=lower,
                    higher_score=means[higher],
                    lower_score=means[lower],
                    ok=pairwise(pair).right == 1,
                )
            )
    return tuple(checks)


def order_flags(checks: Sequence[OrderCheck]) -> list[str]:
    flags = [f"order:{c.higher}>{c.lower}" for c in checks if not c.ok]
    if any(
        c.higher == "shallow" and c.lower == "negated" and c.lower_score > c.higher_score
        for c in checks
    ):
        flags.insert(0, NEGATED_ABOVE_SHALLOW)
    return flags


def ordering_accuracy(
    means: Mapping[str, Mapping[CalibrationKind, float]],
) -> tuple[int, int]:
    """Right and total pairs over every question's calibration answers (`ordering.pairwise`)."""
    items = [
        _graded(question_id, kind, score)
        for question_id, scores in means.items()
        for kind, score in scores.items()
    ]
    result = pairwise(items)
    return result.right, result.pairs


def _graded(group: str, kind: CalibrationKind, score: float) -> Graded:
    return Graded(group=group, label=float(RANK[kind]), score=score)
