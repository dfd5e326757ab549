"""How well a grader orders answers: pairwise accuracy, Spearman and mean absolute error.

One definition for the development-set benchmark, its regression test and `calibrate`. Pure
Python (no numpy): `calibrate` runs in the shipped app, on any provider.

Pairwise accuracy compares answers to the same question only (a 6 on a hard question and a 6 on an
easy one say nothing about each other). A pair counts when its labels differ; the grader gets it
right only when its scores differ in the same direction, so a tie is wrong: a grader that gives
everything the same score has accuracy 0, not 0.5.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Graded:
    """One answer's label (the expert's 0-10) and the score a grader gave it."""

    group: Hashable
    """Answers are only compared within a group (a question)."""
    label: float
    score: float


@dataclass(frozen=True)
class Pairwise:
    right: int
    pairs: int

    @property
    def accuracy(self) -> float:
        return self.right / self.pairs if self.pairs else 1.0


def pairwise(items: Sequence[Graded], *, involving: Sequence[Graded] | None = None) -> Pairwise:
    """Pairs within a group whose labels differ, and how many the scores order the same way.

    With `involving`, only pairs with at least one member in it count (the accuracy of one kind
    of answer against everything else asked of the same question).
    """
    focus = None if involving is None else {id(item) for item in involving}
    right = pairs = 0
    for a, b in combinations(items, 2):
        if a.group != b.group or a.label == b.label:
            continue
        if focus is not None and id(a) not in focus and id(b) not in focus:
            continue
        pairs += 1
        if (a.label - b.label) * (a.score - b.score) > 0:
            right += 1
    return Pairwise(right, pairs)


def ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (ties share the mean of their positions), as Spearman needs."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2
        i = j + 1
    return result


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Rank correlation; 0.0 when either side is constant (no order to agree with)."""
    if len(a) != len(b):
        raise ValueError("spearman needs two sequences of the same length")
    ra, rb = ranks(a), ranks(b)
    n = len(ra)
    if n < 2:
        return 0.0
    mean_a, mean_b = sum(ra) / n, sum(rb) / n
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(ra, rb, strict=True))
    var_a = sum((x - mean_a) ** 2 for x in ra)
    var_b = sum((y - mean_b) ** 2 for y in rb)
    if var_a == 0 or var_b == 0:
        return 0.0
    return float(cov / (var_a * var_b) ** 0.5)


def mae(items: Sequence[Graded]) -> float:
    """Mean absolute difference between score and label (both 0-10)."""
    if not items:
        return 0.0
    return sum(abs(item.score - item.label) for item in items) / len(items)
