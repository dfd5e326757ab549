"""Is a grader calibrated? The generic checks: the sample answer must score at the top, an empty
or unrelated answer at the bottom, and the same answer graded again must get (nearly) the same
score. With the bank's calibration set (`interviewer.bank.calibration`), also: answers of known
quality must land in their bands and come out in order (`interviewer.audit.bands`), so a grader
that scores a negated answer above a shallow one fails.

Scores come from the engine's own grading path (`engine.grading.grade`, through
`scoring.grade_text`): answer cut, pre-check, provider, evidence check, computed score.
"""

from __future__ import annotations

import asyncio
import hashlib
import statistics
from collections.abc import Callable, Sequence
from typing import Literal

from interviewer.audit.bands import (
    BOTTOM_MAX,
    MAX_SPREAD,
    TOP_MIN,
    OrderCheck,
    band_flags,
    order_checks,
    order_flags,
    ordering_accuracy,
    severity,
)
from interviewer.audit.results import Rate
from interviewer.audit.scoring import Scored, grade_text, provider_failure
from interviewer.bank.calibration import KINDS, CalibrationKind, CalibrationSet
from interviewer.domain import FrozenModel, Question, Usage
from interviewer.engine.grading import AnswerLimits
from interviewer.errors import ProviderError
from interviewer.providers.base import Provider

# Fluent, long enough to pass the pre-check, and about nothing a security question asks.
UNRELATED_ANSWERS: tuple[str, ...] = (
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

AnswerKind = Literal["sample", "unrelated", "empty"] | CalibrationKind
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
    unrelated: AnswerStats
    empty: AnswerStats
    answers: tuple[AnswerStats, ...] = ()
    """The calibration set's answers, in `KINDS` order; () when the set has none for it."""
    orders: tuple[OrderCheck, ...] = ()
    """Every pair of calibration answers that must come out in order, and whether it did."""
    spread: float
    """The largest spread of any answer graded repeatedly."""
    stdev: float
    flags: tuple[str, ...]
    """Generic: low_top, high_bottom, unstable, inverted, failures. Calibration set:
    negated_above_shallow, order:<higher>><lower>, band:<kind>. Empty when calibrated."""

    def answer(self, kind: CalibrationKind) -> AnswerStats | None:
        return _find(self.answers, kind)


class CalibrationResult(FrozenModel):
    provider: str
    bank: str
    calibration_set: str | None
    """The calibration file used; None when the bank has none (generic checks only)."""
    repeats: int
    questions: tuple[QuestionCalibration, ...]
    sample_mean: float | None
    unrelated_mean: float | None
    max_spread: float
    ordered: Rate
    """Pairs of calibration answers (within a question) in the right order (`ordering.pairwise`,
    ties wrong)."""
    flags: tuple[str, ...]
    """Every flag raised by any question, the worst first (`bands.severity`)."""
    calls: int
    failed: Rate
    """Provider calls that failed (schema, cut off, error); any failure flags its question."""
    usage: Usage

    @property
    def ok(self) -> bool:
        return not self.flags

    def flagged(self, flag: str) -> tuple[str, ...]:
        """The questions that raised `flag`."""
        return tuple(q.question_id for q in self.questions if flag in q.flags)


def unrelated_answer(question: Question) -> str:
    digest = hashlib.sha256(f"off-topic:{question.id}".encode()).digest()
    return UNRELATED_ANSWERS[digest[0] % len(UNRELATED_ANSWERS)]


Job = tuple[Question, AnswerKind, str]


def calibration_jobs(
    questions: Sequence[Question], calibration: CalibrationSet | None, repeats: int
) -> list[Job]:
    """Every grading a run makes, in order (the cost estimate counts the same list)."""
    jobs: list[Job] = []
    for question in questions:
        jobs += [(question, "sample", question.sample_answer)] * repeats
        jobs += [(question, "unrelated", unrelated_answer(question))] * repeats
        jobs.append((question, "empty", ""))  # decided by the pre-check: once is enough
        answers = calibration.for_question(question.id) if calibration else None
        if answers is not None:
            for kind in KINDS:
                jobs += [(question, kind, answers.answer(kind))] * repeats
    return jobs


def _generic_flags(
    sample: AnswerStats, unrelated: AnswerStats, empty: AnswerStats, spread: float
) -> list[str]:
    flags: list[str] = []
    if sample.minimum is None or sample.minimum < TOP_MIN:
        flags.append("low_top")
    bottoms = [s.maximum for s in (unrelated, empty) if s.maximum is not None]
    if any(value > BOTTOM_MAX for value in bottoms):
        flags.append("high_bottom")
    if spread > MAX_SPREAD:
        flags.append("unstable")
    if sample.mean is not None and unrelated.mean is not None and unrelated.mean >= sample.mean:
        flags.append("inverted")
    return flags


async def run_calibration(
    provider: Provider,
    questions: Sequence[Question],
    *,
    bank_id: str,
    repeats: int,
    limits: AnswerLimits,
    calibration: CalibrationSet | None = None,
    concurrency: int = 1,
    progress: Progress | None = None,
) -> CalibrationResult:
    jobs = calibration_jobs(questions, calibration, repeats)
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
    return _summarise(provider, bank_id, repeats, questions, jobs, graded, calibration)


def _question(
    question: Question, per: dict[tuple[str, AnswerKind], list[Scored]]
) -> QuestionCalibration:
    def stats(kind: AnswerKind) -> AnswerStats:
        return AnswerStats.of(kind, per.get((question.id, kind), []))

    sample, unrelated, empty = stats("sample"), stats("unrelated"), stats("empty")
    answers = tuple(stats(kind) for kind in KINDS if (question.id, kind) in per)
    measured = (sample, unrelated, *answers)
    spread = max(s.spread for s in measured)
    flags = _generic_flags(sample, unrelated, empty, spread)
    means = _means(answers)
    orders = order_checks(question.id, means)
    flags += order_flags(orders) + band_flags(means)
    if any(s.failures for s in (*measured, empty)):
        flags.append("failures")
    return QuestionCalibration(
        question_id=question.id,
        sample=sample,
        unrelated=unrelated,
        empty=empty,
        answers=answers,
        orders=orders,
        spread=spread,
        stdev=max(s.stdev for s in measured),
        flags=tuple(sorted(flags, key=severity)),
    )


def _find(answers: Sequence[AnswerStats], kind: CalibrationKind) -> AnswerStats | None:
    return next((a for a in answers if a.kind == kind), None)


def _means(answers: Sequence[AnswerStats]) -> dict[CalibrationKind, float]:
    """Mean score per calibration kind, leaving out kinds whose gradings all failed."""
    means: dict[CalibrationKind, float] = {}
    for kind in KINDS:
        found = _find(answers, kind)
        if found is not None and found.mean is not None:
            means[kind] = found.mean
    return means


def _summarise(
    provider: Provider,
    bank_id: str,
    repeats: int,
    questions: Sequence[Question],
    jobs: list[Job],
    graded: list[Scored],
    calibration: CalibrationSet | None,
) -> CalibrationResult:
    per: dict[tuple[str, AnswerKind], list[Scored]] = {}
    for (question, kind, _), result in zip(jobs, graded, strict=True):
        per.setdefault((question.id, kind), []).append(result)
    rows = [_question(question, per) for question in questions]
    sample_means = [r.sample.mean for r in rows if r.sample.mean is not None]
    unrelated_means = [r.unrelated.mean for r in rows if r.unrelated.mean is not None]
    right, pairs = ordering_accuracy({r.question_id: _means(r.answers) for r in rows})
    flags = sorted({flag for row in rows for flag in row.flags}, key=severity)
    return CalibrationResult(
        provider=provider.name,
        bank=bank_id,
        calibration_set=calibration.source if calibration else None,
        repeats=repeats,
        questions=tuple(rows),
        sample_mean=_mean(sample_means),
        unrelated_mean=_mean(unrelated_means),
        max_spread=max((r.spread for r in rows), default=0.0),
        ordered=Rate.of(right, pairs),
        flags=tuple(flags),
        calls=sum(g.called for g in graded),
        failed=Rate.of(
            sum(g.called and g.failure is not None for g in graded), sum(g.called for g in graded)
        ),
        usage=sum((g.usage for g in graded), Usage()),
    )


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None
