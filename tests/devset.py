"""The labelled development set of the offline grader: its files, kinds and one loader.

tests/data/devset/tuning.jsonl holds answers to six questions of the shipped ai-security bank
(the grader may be tuned while looking at them); heldout.jsonl holds answers to the other four
(figures on them are the honest ones). One JSON object per line: id ("<question>/<kind>-<n>"),
question, kind, label (a strict interviewer's 0-10) and answer; an injected answer also names, in
`base`, the plain weak answer it extends (its label is that answer's label).

`grade` scores rows through the engine's own grading path with the offline provider (what a
user gets) and `figures` measures the result with `interviewer.audit.ordering`. Read by
tests/unit/test_grading_devset.py and bench/bench_grading.py; this is the one copy.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from interviewer.audit import ordering
from interviewer.audit.scoring import grade_text
from interviewer.bank.loader import find_bank
from interviewer.config import InterviewSettings
from interviewer.domain import Question
from interviewer.engine.grading import AnswerLimits

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


def load(split: str, directory: Path = DEVSET_DIR) -> list[Row]:
    """The rows of one split ("tuning" or "heldout"), in file order."""
    if split not in SPLITS:
        raise ValueError(f"unknown dev-set split {split!r}: use one of {', '.join(SPLITS)}")
    path = directory / f"{split}.jsonl"
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


@dataclass(frozen=True)
class Scores:
    """The scores the grader gave `rows`, in order, and how long it took."""

    rows: tuple[Row, ...]
    scores: tuple[float, ...]
    seconds: float


def grade(rows: Sequence[Row]) -> Scores:
    """Grade every row as the engine does for the offline provider, with the default limits."""
    bank = find_bank("ai-security")
    start = time.perf_counter()
    scores = offline_scores([(row.id, bank.question(row.question), row.answer) for row in rows])
    return Scores(tuple(rows), tuple(scores), time.perf_counter() - start)


def offline_scores(answers: Sequence[tuple[str, Question, str]]) -> list[float]:
    """The score of each (name, question, answer) as the engine grades it with the offline
    provider and the default limits; a RuntimeError naming the answer that could not be graded.
    The one grading loop of the dev set and of bench/bench_quiz.py."""
    from interviewer.providers.offline import OfflineProvider

    limits = AnswerLimits.of(InterviewSettings())
    provider = OfflineProvider()

    async def run() -> list[float]:
        scores = []
        for name, question, text in answers:
            result = await grade_text(provider, question, text, limits)
            if result.score is None:
                raise RuntimeError(f"answer {name} could not be graded: {result.message}")
            scores.append(result.score)
        return scores

    return asyncio.run(run())


@dataclass(frozen=True)
class KindFigures:
    count: int
    mean_label: float
    mean_score: float
    mae: float
    pairwise: ordering.Pairwise
    """Pairs within a question with at least one answer of this kind."""


@dataclass(frozen=True)
class Figures:
    count: int
    pairwise: ordering.Pairwise
    """Within a question, ties wrong."""
    spearman: float
    """Over the whole split."""
    mae: float
    kinds: dict[str, KindFigures]
    injected_above_base: tuple[str, ...]
    """Ids of injected answers that scored higher than the weak answer they extend."""
    answers_per_second: float

    def mean_score(self, *kinds: str) -> float:
        """Mean score over the answers of these kinds together."""
        total = sum(self.kinds[k].mean_score * self.kinds[k].count for k in kinds)
        return total / sum(self.kinds[k].count for k in kinds)


def figures(scores: Scores) -> Figures:
    items = [
        ordering.Graded(row.question, row.label, score)
        for row, score in zip(scores.rows, scores.scores, strict=True)
    ]
    kinds = {}
    for kind in KINDS:
        chosen = [item for item, row in zip(items, scores.rows, strict=True) if row.kind == kind]
        if chosen:
            kinds[kind] = KindFigures(
                count=len(chosen),
                mean_label=statistics.fmean(item.label for item in chosen),
                mean_score=statistics.fmean(item.score for item in chosen),
                mae=ordering.mae(chosen),
                pairwise=ordering.pairwise(items, involving=chosen),
            )
    by_id = dict(zip((row.id for row in scores.rows), scores.scores, strict=True))
    above = tuple(
        row.id
        for row, score in zip(scores.rows, scores.scores, strict=True)
        if row.base is not None and score > by_id[row.base]
    )
    return Figures(
        count=len(items),
        pairwise=ordering.pairwise(items),
        spearman=ordering.spearman([i.label for i in items], [i.score for i in items]),
        mae=ordering.mae(items),
        kinds=kinds,
        injected_above_base=above,
        answers_per_second=len(items) / scores.seconds if scores.seconds else 0.0,
    )


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    bound: float
    at_least: bool
    """True: the value must be >= bound; False: <= bound."""

    @property
    def met(self) -> bool:
        return self.value >= self.bound if self.at_least else self.value <= self.bound


def targets(held_out: Figures) -> list[Target]:
    """Issue 10's targets for the offline grader, on the held-out questions."""
    f = held_out
    return [
        Target("pairwise accuracy within a question", f.pairwise.accuracy, 0.92, True),
        Target("MAE", f.mae, 1.3, False),
        Target("negated + reversed mean", f.mean_score("negated", "reversed"), 2.5, False),
        Target("confidently-wrong mean", f.mean_score("confidently-wrong"), 3.5, False),
        Target("keyword-salad mean", f.mean_score("keyword-salad"), 2.5, False),
        Target("strong-own mean", f.mean_score("strong-own"), 7.0, True),
        Target("other-question mean", f.mean_score("other-question"), 2.5, False),
        Target("injected answers above their base", len(f.injected_above_base), 0, False),
    ]
