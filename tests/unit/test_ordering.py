"""The ordering metrics every grading measurement shares."""

from __future__ import annotations

import pytest

from interviewer.audit.ordering import Graded, mae, pairwise, ranks, spearman


def test_pairwise_counts_only_pairs_within_a_group_with_different_labels() -> None:
    items = [
        Graded("q1", 9, 8.0),
        Graded("q1", 2, 3.0),
        Graded("q1", 2, 9.0),  # same label as the one above: that pair does not count
        Graded("q2", 5, 0.0),  # another question: never compared with q1
    ]
    result = pairwise(items)
    assert (result.right, result.pairs) == (1, 2)
    assert result.accuracy == 0.5


def test_a_tie_in_scores_is_wrong() -> None:
    items = [Graded("q", 8, 5.0), Graded("q", 1, 5.0)]
    assert pairwise(items).accuracy == 0.0


def test_pairwise_involving_one_kind() -> None:
    strong = Graded("q", 9, 9.0)
    weak = Graded("q", 2, 1.0)
    negated = Graded("q", 1, 9.5)
    result = pairwise([strong, weak, negated], involving=[negated])
    assert (result.right, result.pairs) == (0, 2)


def test_spearman_and_ranks() -> None:
    assert ranks([3.0, 1.0, 3.0]) == [1.5, 0.0, 1.5]
    assert spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert spearman([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [5, 5, 5]) == 0.0


def test_mae() -> None:
    assert mae([Graded("q", 10, 7.0), Graded("q", 0, 1.0)]) == 2.0
