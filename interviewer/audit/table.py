"""Plain-text tables for `redteam` and `calibrate`. Every cell from data (ids, provider names,
flags) goes through `clean_line`: a corpus or bank file must not be able to drive the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from interviewer.audit.bands import (
    BANDS,
    BOTTOM_MAX,
    MAX_SPREAD,
    NEGATED_ABOVE_SHALLOW,
    TOP_MIN,
    OrderCheck,
    reason,
)
from interviewer.audit.corpus import FAMILIES
from interviewer.audit.results import Rate, RedteamResult
from interviewer.bank.calibration import KINDS
from interviewer.text.sanitize import clean_line

if TYPE_CHECKING:
    from interviewer.audit.calibrate import CalibrationResult, QuestionCalibration

MAX_FINDINGS = 25


def _pct(rate: Rate) -> str:
    return f"{100 * rate.rate:6.2f}%  ({rate.hits}/{rate.total})"


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    cells = [[clean_line(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]


def _rates(title: str, rates: dict[str, Rate]) -> list[str]:
    rows = [[name, f"{r.hits}/{r.total}", f"{100 * r.rate:.2f}%"] for name, r in rates.items()]
    return ["", *_grid([title, "successes", "rate"], rows)]


def format_redteam(result: RedteamResult) -> str:
    lines = [
        clean_line(
            f"Red team of {result.provider} on bank {result.bank}: {len(result.question_ids)} "
            f"questions, {result.attacks} attacks, {result.benign} benign answers"
        ),
        clean_line(
            f"Bases: {', '.join(result.bases)}; positions: {', '.join(result.positions)}; "
            f"{result.gradings} gradings, {result.calls} provider calls"
        ),
        "",
        f"  Attack success rate   {_pct(result.attack_success)}   "
        f"mean score change {result.mean_delta:+.2f}",
        f"  Leak rate             {_pct(result.leaks)}",
        f"  Schema-failure rate   {_pct(result.schema_failures)}",
        f"  Other errors          {_pct(result.errors)}",
        f"  Failed gradings       {_pct(result.failed)}",
        f"  False flags (benign)  {_pct(result.false_flags)}",
        f"  Benign set aside      {_pct(result.set_aside)}",
        f"  Attacks flagged       {_pct(result.flagged_attacks)}",
    ]
    if result.margin:
        lines.append(
            f"  (an attack succeeds when it raises the score by more than {result.margin})"
        )
    if result.usage.cost_usd:
        lines.append(f"  Cost: ${result.usage.cost_usd:.4f}")
    if result.leaks_by_kind:
        lines.append(
            "  Leaks by kind: "
            + clean_line(", ".join(f"{k} {n}" for k, n in result.leaks_by_kind.items()))
        )
    families = {k: v for k, v in result.by_technique.items() if k in FAMILIES}
    variants = {k: v for k, v in result.by_technique.items() if k not in FAMILIES}
    lines += _rates(
        "technique", dict(sorted(families.items(), key=lambda kv: FAMILIES.index(kv[0])))
    )
    if variants:
        lines += _rates("variant", variants)
    lines += _rates("position", result.by_position)
    lines += _rates("base answer", result.by_base)
    findings = result.findings
    if findings:
        rows = [
            [
                f.outcome,
                f.question_id,
                f.entry_id,
                f.base,
                f.position,
                _score(f.clean_score),
                _score(f.score),
                ", ".join((*f.new_flags, *f.leaks, *([f.failure] if f.failure else []))),
            ]
            for f in findings[:MAX_FINDINGS]
        ]
        lines += ["", f"Findings ({len(findings)}):"]
        lines += _grid(
            ["outcome", "question", "entry", "base", "position", "clean", "score", "notes"], rows
        )
        if len(findings) > MAX_FINDINGS:
            lines.append(f"  ... and {len(findings) - MAX_FINDINGS} more (see --json)")
    return "\n".join(lines)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_calibration(result: CalibrationResult) -> str:
    lines = [
        clean_line(
            f"Calibration of {result.provider} on bank {result.bank}: "
            f"{len(result.questions)} questions, {result.repeats} gradings of each answer"
        ),
        clean_line(
            f"Calibration set: {result.calibration_set}"
            if result.calibration_set
            else "No calibration set for this bank: generic checks only (sample, unrelated, "
            "empty, stability); ship <bank>.calibration.toml beside the bank to check ordering"
        ),
        "",
    ]
    with_set = any(q.answers for q in result.questions)
    kinds = KINDS if with_set else ()
    rows = []
    for q in result.questions:
        cells = [q.question_id, _score(q.sample.mean), _score(q.unrelated.mean)]
        cells.append(_score(q.empty.maximum))
        for kind in kinds:
            found = q.answer(kind)
            cells.append(_score(found.mean if found else None))
        problems = len(q.flags)
        cells += [f"{q.spread:.1f}", "ok" if not problems else f"{problems} failed"]
        rows.append(cells)
    header = ["question", "sample", "unrelated", "empty", *(HEADINGS[k] for k in kinds)]
    lines += _grid([*header, "spread", "checks"], rows)
    lines += ["", "  Bands: " + _bands(with_set)]
    bare = [q.question_id for q in result.questions if not q.answers]
    if with_set and bare:
        lines.append(
            clean_line(f"  Not in the calibration set (generic checks only): {', '.join(bare)}")
        )
    failed = [q for q in result.questions if q.flags]
    if failed:
        lines += ["", "Failed checks:"]
        for q in failed:
            lines.append(clean_line(f"  {q.question_id}"))
            lines += [clean_line(f"    {problem}") for problem in _problems(q)]
    lines += [
        "",
        f"  Overall: sample mean {_score(result.sample_mean)}, unrelated mean "
        f"{_score(result.unrelated_mean)}, largest spread {result.max_spread:.1f}",
    ]
    if with_set:
        lines.append(f"  Calibration answers in order: {_pct(result.ordered).strip()} pairs")
    lines += [
        f"  Failed gradings: {_pct(result.failed).strip()}",
        "  Verdict: " + clean_line(_verdict(result)),
    ]
    return "\n".join(lines)


HEADINGS = {
    "strong": "strong",
    "shallow": "shallow",
    "negated": "negated",
    "off_topic": "off-topic",
    "keywords": "keywords",
}


def _bands(with_set: bool) -> str:
    text = f"sample >= {TOP_MIN:g}, unrelated and empty <= {BOTTOM_MAX:g}, spread <= {MAX_SPREAD:g}"
    if with_set:
        text += "; " + ", ".join(
            f"{HEADINGS[kind]} {low:g}-{high:g}" for kind, (low, high) in BANDS.items()
        )
        text += "; strong > shallow > each of negated, keywords, off-topic"
    return text


def _problems(q: QuestionCalibration) -> list[str]:
    problems = []
    for flag in q.flags:
        if flag == NEGATED_ABOVE_SHALLOW:
            check = next(c for c in q.orders if _order_flag(c) == DUPLICATE)
            problems.append(
                f"scores a negated answer ({check.lower_score:.1f}) above a shallow one "
                f"({check.higher_score:.1f})"
            )
        elif flag == DUPLICATE and NEGATED_ABOVE_SHALLOW in q.flags:
            continue  # said just above, with the scores
        elif flag.startswith("order:"):
            check = next(c for c in q.orders if _order_flag(c) == flag)
            problems.append(
                f"{HEADINGS[check.lower]} {check.lower_score:.1f} not below "
                f"{HEADINGS[check.higher]} {check.higher_score:.1f}"
            )
        elif flag.startswith("band:"):
            kind = next(k for k in KINDS if f"band:{k}" == flag)
            found = q.answer(kind)
            low, high = BANDS[kind]
            problems.append(
                f"{HEADINGS[kind]} {_score(found.mean if found else None)} outside {low:g}-{high:g}"
            )
        else:
            problems.append(reason(flag))
    return problems


DUPLICATE = "order:shallow>negated"
"""Implied by NEGATED_ABOVE_SHALLOW (which names it), except for a tie."""


def _order_flag(check: OrderCheck) -> str:
    return f"order:{check.higher}>{check.lower}"


def _verdict(result: CalibrationResult) -> str:
    if result.ok:
        if result.calibration_set is None:
            return "calibrated (generic checks only: the bank has no calibration set)"
        return "calibrated (no failed checks)"
    total = len(result.questions)
    reasons = [
        f"{reason(flag)} ({len(result.flagged(flag))} of {total} questions)"
        for flag in result.flags
        if flag != DUPLICATE or result.flagged(flag) != result.flagged(NEGATED_ABOVE_SHALLOW)
    ]
    return "not calibrated: " + "; ".join(reasons)
