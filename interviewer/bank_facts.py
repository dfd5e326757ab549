"""What a session's questions share with their bank, written once in the journal's header.

A session snapshots its questions (`journal.SessionStarted.questions`), and each snapshot
carries the bank's concepts and the other questions' key points (`Question.concepts`,
`Question.other_key_points`): six sevenths of its bytes, the same in every snapshot. The header
writes them once (`BankFacts`); on load they are attached again, so a snapshot reads back equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interviewer.domain import Concept, FrozenModel, Question


class BankFacts(FrozenModel):
    """What a session's questions share with their bank (six sevenths of a snapshot's bytes),
    written once in the header; re-attached on load, so a snapshot reads back equal."""

    concepts: tuple[Concept, ...] = ()
    """`Question.concepts` of every snapshot that omits its own."""
    key_points: tuple[str, ...] = ()
    """Every question of the bank, in bank order, as `Question.key_points_text`."""
    positions: tuple[int | None, ...] = ()
    """Per snapshot, its entry in `key_points`: its `other_key_points` are the other entries.
    None: the snapshot carries its own (it does not fit the others' bank)."""


def bank_order(questions: Sequence[Question]) -> tuple[tuple[str, ...], list[int | None]]:
    """The bank's key-point texts in bank order, and each question's entry in them, rebuilt from
    the questions' `other_key_points` (a session may hold a few of its bank's questions). A
    question that fits no order the others fit gets None and keeps its own."""
    best: tuple[tuple[str, ...], list[int | None]] = ((), [None] * len(questions))
    for question in questions:
        others = question.other_key_points
        for at in range(len(others) + 1):
            order = (*others[:at], question.key_points_text, *others[at:])
            positions = [_entry(order, q) for q in questions]
            if None not in positions:
                return order, positions
            if sum(p is not None for p in positions) > sum(p is not None for p in best[1]):
                best = (order, positions)
    return best


def _entry(order: tuple[str, ...], question: Question) -> int | None:
    own, others = question.key_points_text, question.other_key_points
    places = (at for at, text in enumerate(order) if text == own)
    return next((at for at in places if order[:at] + order[at + 1 :] == others), None)


def attach(snapshot: Any, facts: BankFacts, position: int | None) -> Any:
    if not isinstance(snapshot, dict):
        return snapshot  # the question's own validation names what is wrong
    snapshot = dict(snapshot)
    snapshot.setdefault("concepts", facts.concepts)
    if position is not None:
        if not 0 <= position < len(facts.key_points):
            raise ValueError(f"bank_facts.positions: {position} is not an entry of key_points")
        others = facts.key_points[:position] + facts.key_points[position + 1 :]
        snapshot.setdefault("other_key_points", others)
    return snapshot
