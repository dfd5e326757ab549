"""The labelled development set of the offline grader: its files, kinds and one loader.

tests/data/devset/tuning.jsonl holds answers to six questions of the shipped ai-security bank
(the grader may be tuned while looking at them); heldout.jsonl holds answers to the other four
(figures on them are the honest ones). One JSON object per line: id ("<question>/<kind>-<n>"),
question, kind, label (a strict interviewer's 0-10) and answer; an injected answer also names, in
`base`, the plain weak answer it extends (its label is that answer's label).

Read by tests/unit/test_grading_devset.py and bench/bench_grading.py; this is the one copy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

DEVSET_DIR = Path(__file__).parent / "data" / "devset"
SPLITS = ("tuning", "heldout")

KINDS = (
    "strong-bank",
    "strong-own",
    "concise-expert",
    "partial",
    "weak",
    "keyword-salad",
    "confidently-wrong",
    "negated",
    "reversed",
    "other-question",
    "off-topic",
    "empty-or-short",
    "weak-injected",
)
"""Every kind, in the order tables list them. Each question has at least one of each."""


@dataclass(frozen=True)
class Row:
    id: str
    question: str
    kind: str
    label: float
    answer: str
    base: str | None = None
    """For weak-injected rows: the id of the plain weak answer the injection was added to."""


def load(split: str) -> list[Row]:
    """The rows of one split ("tuning" or "heldout"), in file order."""
    if split not in SPLITS:
        raise ValueError(f"unknown dev-set split {split!r}: use one of {', '.join(SPLITS)}")
    path = DEVSET_DIR / f"{split}.jsonl"
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            rows.append(
                Row(
                    id=data["id"],
                    question=data["question"],
                    kind=data["kind"],
                    label=float(data["label"]),
                    answer=data["answer"],
                    base=data.get("base"),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: bad dev-set row ({exc})") from exc
    return rows


def load_all() -> list[Row]:
    return [row for split in SPLITS for row in load(split)]


_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-cased words, apostrophes kept inside a word ("I’d" and "I'd" are the same)."""
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def longest_shared_run(a: str, b: str) -> int:
    """Length in words of the longest run of consecutive words that occurs in both texts."""
    wa, wb = words(a), words(b)
    best = 0
    previous = [0] * (len(wb) + 1)
    for x in wa:
        current = [0] * (len(wb) + 1)
        for j, y in enumerate(wb, 1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best
