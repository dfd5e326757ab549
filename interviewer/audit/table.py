"""Plain-text tables for `redteam` and `calibrate`. Every cell from data (ids, provider names,
flags) goes through `clean_line`: a corpus or bank file must not be able to drive the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from interviewer.audit.corpus import FAMILIES
from interviewer.audit.results import Rate, RedteamResult
from interviewer.text.sanitize import clean_line

if TYPE_CHECKING:
    from interviewer.audit.calibrate import CalibrationResult

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
        "",
    ]
    rows = []
    for q in result.questions:
        rows.append(
            [
                q.question_id,
                _stats(q.sample.mean, q.sample.minimum, q.sample.maximum),
                _stats(q.off_topic.mean, q.off_topic.minimum, q.off_topic.maximum),
                _score(q.empty.maximum),
                f"{q.spread:.1f}",
                f"{q.stdev:.2f}",
                ", ".join(q.flags) or "ok",
            ]
        )
    lines += _grid(
        [
            "question",
            "sample (min-max)",
            "off-topic (min-max)",
            "empty",
            "spread",
            "stdev",
            "flags",
        ],
        rows,
    )
    lines += [
        "",
        f"  Overall: sample mean {_score(result.sample_mean)}, off-topic mean "
        f"{_score(result.off_topic_mean)}, largest spread {result.max_spread:.1f}",
        f"  Failed gradings: {_pct(result.failed).strip()}",
        "  Verdict: " + clean_line(", ".join(result.flags) or "calibrated (no flags)"),
    ]
    return "\n".join(lines)


def _stats(mean: float | None, low: float | None, high: float | None) -> str:
    return f"{_score(mean)} ({_score(low)}-{_score(high)})"
