"""Is a grader calibrated? The sample answer must score at the top, an empty or off-topic answer at
the bottom, and the same answer graded again must get (nearly) the same score.

Scores come from the engine's own grading path (`engine.grading.grade`, through
`scoring.grade_text`): answer cut, pre-check, provider, evidence check, computed score.
"""

from __future__ import annotations

import asyncio
import hashlib
import statistics
from collections.abc import Callable, Sequence
from typing import Literal

from interviewer.audit.results import Rate
from interviewer.audit.scoring import Scored, grade_text, provider_failure
from interviewer.domain import FrozenModel, Question, Usage
from interviewer.engine.grading import AnswerLimits
from interviewer.errors import ProviderError
from interviewer.providers.base import Provider

TOP_MIN = 8.0
"""Every grading of the sample answer must reach this."""
BOTTOM_MAX = 1.0
"""No grading of an empty or off-topic answer may exceed this."""
MAX_SPREAD = 1.0
"""Highest minus lowest score of one answer graded repeatedly, at most."""

# Fluent, long enough to pass the pre-check, and about nothing a security question asks.
OFF_TOPIC_ANSWERS: tuple[str, ...] = (
    "A good sourdough starts with a lively starter: feed it flour and water for a week until it "
    "doubles reliably. Mix the dough, let it rest, then stretch and fold it every half hour. "
    "Shape the loaf, proof it overnight in the fridge, and bake it in a very hot covered pot.",
    "The Roman aqueducts carried water over long distances using a gentle, constant downhill "
    "gradient. Engineers surveyed the route carefully, built arches across valleys and tunnels "
    "through hills, and the water finally fed public fountains, baths and private houses.",
    "To train for a first marathon, build your weekly mileage slowly over four or five months. "
    "Most runs should be easy, with one long run each weekend that grows by a mile or two. Rest "
    "days matter, and a taper in the last three weeks lets the legs recover before the race.",
)

AnswerKind = Literal["sample", "off_topic", "empty"]
Progress = Callable[[int, int], None]


class AnswerStats(FrozenModel):
    kind: AnswerKind
    scores: tuple[float, ...]
    """Scores of the gradings that succeeded."""
    failures: int = 0
    mean: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    spread: float = 0.0
    stdev: float = 0.0

    @classmethod
    def of(cls, kind: AnswerKind, graded: Sequence[Scored]) -> AnswerStats:
        scores = tuple(g.score for g in graded if g.score is not None)
        if not scores:
            return cls(kind=kind, scores=(), failures=len(graded))
        return cls(
            kind=kind,
            scores=scores,
            failures=len(graded) - len(scores),
            mean=round(statistics.fmean(scores), 3),
            minimum=min(scores),
            maximum=max(scores),
            spread=round(max(scores) - min(scores), 3),
            stdev=round(statistics.pstdev(scores), 3),
        )


class QuestionCalibration(FrozenModel):
    question_id: str
    sample: AnswerStats
    off_topic: AnswerStats
    empty: AnswerStats
    spread: float
    """The larger spread of the sample and off-topic answers."""
    stdev: float
    flags: tuple[str, ...]
    """low_top, high_bottom, unstable, inverted, failures; empty when calibrated."""


class CalibrationResult(FrozenModel):
    provider: str
    bank: str
    repeats: int
    questions: tuple[QuestionCalibration, ...]
    sample_mean: float | None
    off_topic_mean: float | None
    max_spread: float
    flags: tuple[str, ...]
    """Every flag raised by any question: the provider is unstable, inverted, ..."""
    calls: int
    failed: Rate
    """Provider calls that failed (schema, cut off, error); any failure flags its question."""
    usage: Usage

    @property
    def ok(self) -> bool:
        return not self.flags


def off_topic_answer(question: Question) -> str:
    digest = hashlib.sha256(f"off-topic:{question.id}".encode()).digest()
    return OFF_TOPIC_ANSWERS[digest[0] % len(OFF_TOPIC_ANSWERS)]


def _flags(sample: AnswerStats, off_topic: AnswerStats, empty: AnswerStats) -> tuple[str, ...]:
    flags: list[str] = []
    if sample.minimum is None or sample.minimum < TOP_MIN:
        flags.append("low_top")
    bottoms = [s.maximum for s in (off_topic, empty) if s.maximum is not None]
    if any(value > BOTTOM_MAX for value in bottoms):
        flags.append("high_bottom")
    if max(sample.spread, off_topic.spread) > MAX_SPREAD:
        flags.append("unstable")
    if sample.mean is not None and off_topic.mean is not None and off_topic.mean >= sample.mean:
        flags.append("inverted")
    if sample.failures or off_topic.failures or empty.failures:
        flags.append("failures")
    return tuple(flags)


async def run_calibration(
    provider: Provider,
    questions: Sequence[Question],
    *,
    bank_id: str,
    repeats: int,
    limits: AnswerLimits,
    concurrency: int = 1,
    progress: Progress | None = None,
) -> CalibrationResult:
    jobs: list[tuple[Question, AnswerKind, str]] = []
    for question in questions:
        jobs += [(question, "sample", question.sample_answer)] * repeats
        jobs += [(question, "off_topic", off_topic_answer(question))] * repeats
        jobs.append((question, "empty", ""))  # decided by the pre-check: once is enough
    limit = asyncio.Semaphore(max(1, concurrency))
    state = {"worked": False, "done": 0}

    async def grade(question: Question, text: str) -> Scored:
        async with limit:
            try:
                graded = await grade_text(provider, question, text, limits)
            except ProviderError as exc:
                if not state["worked"]:
                    raise
                graded = provider_failure(exc)
        state["worked"] = state["worked"] or (graded.called and graded.failure is None)
        state["done"] += 1
        if progress is not None:
            progress(state["done"], len(jobs))
        return graded

    # The first grading alone: a bad key or an unknown model should stop the run, not repeat.
    first = await grade(jobs[0][0], jobs[0][2]) if jobs else None
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(grade(q, text)) for q, _, text in jobs[1:]]
    graded = ([first] if first is not None else []) + [task.result() for task in tasks]
    return _summarise(provider, bank_id, repeats, questions, jobs, graded)


def _summarise(
    provider: Provider,
    bank_id: str,
    repeats: int,
    questions: Sequence[Question],
    jobs: list[tuple[Question, AnswerKind, str]],
    graded: list[Scored],
) -> CalibrationResult:
    per: dict[tuple[str, AnswerKind], list[Scored]] = {}
    for (question, kind, _), result in zip(jobs, graded, strict=True):
        per.setdefault((question.id, kind), []).append(result)
    rows: list[QuestionCalibration] = []
    for question in questions:
        sample = AnswerStats.of("sample", per.get((question.id, "sample"), []))
        off_topic = AnswerStats.of("off_topic", per.get((question.id, "off_topic"), []))
        empty = AnswerStats.of("empty", per.get((question.id, "empty"), []))
        rows.append(
            QuestionCalibration(
                question_id=question.id,
                sample=sample,
                off_topic=off_topic,
                empty=empty,
                spread=max(sample.spread, off_topic.spread),
                stdev=max(sample.stdev, off_topic.stdev),
                flags=_flags(sample, off_topic, empty),
            )
        )
    sample_means = [r.sample.mean for r in rows if r.sample.mean is not None]
    off_means = [r.off_topic.mean for r in rows if r.off_topic.mean is not None]
    flags = sorted({flag for row in rows for flag in row.flags})
    return CalibrationResult(
        provider=provider.name,
        bank=bank_id,
        repeats=repeats,
        questions=tuple(rows),
        sample_mean=round(statistics.fmean(sample_means), 3) if sample_means else None,
        off_topic_mean=round(statistics.fmean(off_means), 3) if off_means else None,
        max_spread=max((r.spread for r in rows), default=0.0),
        flags=tuple(flags),
        calls=sum(g.called for g in graded),
        failed=Rate.of(
            sum(g.called and g.failure is not None for g in graded), sum(g.called for g in graded)
        ),
        usage=sum((g.usage for g in graded), Usage()),
    )
