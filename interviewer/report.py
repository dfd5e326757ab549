"""The session report (per question and overall), its Markdown and JSON forms, and the one writer
every report path uses (`run/resume/replay --report`, the TUI export).

Its JSON form is a documented interface (README "Report schema"); `schema_version` changes when a
field changes meaning. Both forms are safe to `cat`: the text in a report is untrusted (candidate
answers, model probes and feedback), so the Markdown is sanitised and the JSON escapes every
control and invisible character.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Literal

from interviewer import paths
from interviewer.domain import (
    COVERAGE_NOTE,
    IGNORED_FLAG,
    Difficulty,
    Evaluation,
    Exchange,
    FrozenModel,
    Usage,
)
from interviewer.text.sanitize import clean_for_terminal, clean_line, escape_json_document

ReportFormat = Literal["md", "json"]

SCHEMA_VERSION = 1


class QuestionReport(FrozenModel):
    question_id: str
    question: str
    difficulty: Difficulty
    exchanges: tuple[Exchange, ...]
    """The question and each probe, with the candidate's answer, in order."""
    probes: tuple[str, ...]
    """The follow-up probes asked (also in exchanges; here for convenience)."""
    evaluation: Evaluation | None
    """None when the question was not finished or grading failed."""
    duration_s: float
    """Time from the question appearing to its last answer."""
    usage: Usage


class Report(FrozenModel):
    schema_version: int = SCHEMA_VERSION
    session_id: str
    bank_id: str
    mode: str
    interviewer: str
    """Provider label that asked the probes."""
    grader: str
    """Provider label that graded."""
    started_at: datetime
    finished_at: datetime | None
    finished: bool
    """False when the session ended before every question was answered and graded."""
    questions: tuple[QuestionReport, ...]
    overall_score: float | None
    """Mean of the graded questions' scores (0-10), None when nothing was graded."""
    usage: Usage

    def to_json(self) -> str:
        """The exact record, safe to `cat`. Plain JSON escaping is not enough: it leaves DEL, C1
        controls (8-bit CSI/OSC to some terminals) and bidi overrides raw, so those are escaped
        too; `json.loads` gives back the very strings the session holds."""
        # json.dumps, not model_dump_json: a lone surrogate (from a journal's "\ud800") makes
        # pydantic's encoder fail, while json.dumps keeps it for the escaping below.
        document = json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False)
        return escape_json_document(document)


def overall_score(evaluations: list[Evaluation]) -> float | None:
    if not evaluations:
        return None
    return round(sum(e.score for e in evaluations) / len(evaluations), 1)


def to_markdown(report: Report) -> str:
    """A human-readable report (export from the TUI, `--report x.md`), sanitised.

    Each piece of text is cleaned on its own, before it is put in place: cleaning the whole
    document at once would let one unterminated escape sequence in an answer swallow every
    question after it."""
    line, block = clean_line, clean_for_terminal
    lines = [
        f"# Interview report: {line(report.bank_id)}",
        "",
        f"- Session: `{line(report.session_id)}`",
        f"- Started: {report.started_at:%Y-%m-%d %H:%M}",
        f"- Interviewer: {line(report.interviewer)}; grader: {line(report.grader)}",
        f"- Overall score: {_fmt(report.overall_score)} / 10"
        + ("" if report.finished else " (unfinished)"),
        f"- Tokens: {report.usage.input_tokens} in, {report.usage.output_tokens} out; "
        f"cost ${report.usage.cost_usd:.4f}",
        "",
        "| # | Question | Difficulty | Score | Time |",
        "|---|---|---|---|---|",
    ]
    for number, item in enumerate(report.questions, 1):
        score = item.evaluation.score if item.evaluation else None
        title = line(item.question).replace("|", "\\|")[:70]
        lines.append(
            f"| {number} | {title} | {item.difficulty} | {_fmt(score)} | {item.duration_s:.0f}s |"
        )
    for number, item in enumerate(report.questions, 1):
        lines += ["", f"## {number}. {line(item.question)}", ""]
        for exchange in item.exchanges:
            label = "Question" if exchange.kind == "question" else "Probe"
            lines += [
                f"**{label}:** {block(exchange.prompt)}",
                "",
                f"> {block(exchange.answer)}",
                "",
            ]
        evaluation = item.evaluation
        if evaluation is None:
            lines.append("_Not graded._")
            continue
        grader = line(evaluation.grader)
        lines.append(f"**Score: {evaluation.score:.1f} / 10** (graded by {grader})")
        if evaluation.method == "coverage":
            lines += ["", f"_{COVERAGE_NOTE}_"]
        lines.append("")
        for verdict in evaluation.verdicts:
            evidence = f' — "{block(verdict.evidence)}"' if verdict.evidence else ""
            lines.append(f"- {verdict.verdict.value}: {line(verdict.key_point_id)}{evidence}")
        if evaluation.strengths:
            lines += ["", "Strengths:", *[f"- {block(s)}" for s in evaluation.strengths]]
        if evaluation.gaps:
            lines += ["", "Gaps:", *[f"- {block(g)}" for g in evaluation.gaps]]
        if evaluation.feedback:
            lines += ["", block(evaluation.feedback)]
        if evaluation.flags:
            lines += ["", "Notes:", *[f"- {line(flag)}" for flag in evaluation.flags]]
    return "\n".join(lines) + "\n"


def write_report(path: Path, report: Report, fmt: ReportFormat | None = None) -> None:
    """Write `report` to `path` (mode 0600, atomically) as Markdown or JSON; without `fmt`, a
    `.md` suffix means Markdown and anything else JSON. The one writer of report files."""
    if fmt is None:
        fmt = "md" if path.suffix.lower() == ".md" else "json"
    text = to_markdown(report) if fmt == "md" else report.to_json() + "\n"
    paths.write_private_text(path, text)


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def export_report(report: Report, fmt: ReportFormat, directory: Path | None = None) -> Path:
    """Write the report into `directory` (default: the reports folder) as `<session id>.<fmt>`;
    return the path."""
    name = _UNSAFE_NAME.sub("_", report.session_id).strip("._") or "session"
    path = (directory or paths.reports_dir()) / f"{name}.{fmt}"
    write_report(path, report, fmt)
    return path


def _fmt(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


def evaluation_text(evaluation: Evaluation, *, practice: bool = False) -> str:
    """An evaluation as plain text, for headless mode, `interviewer replay --headless` and
    `interviewer grade`: the score, each verdict with its evidence, strengths, gaps and flags
    (the feedback prose is the caller's: it may have streamed already). In practice mode each
    missed or partial key point also points to the sample answer's sentence that makes it. Not
    sanitised: write it through `sanitize.clean_for_terminal`."""
    lines = [f"Score: {evaluation.score:.1f} / 10 (graded by {evaluation.grader})"]
    if evaluation.method == "coverage":
        lines.append(f"  {COVERAGE_NOTE}")
    pointers = {p.key_point_id: p.sentence for p in evaluation.pointers} if practice else {}
    for verdict in evaluation.verdicts:
        evidence = f' — "{verdict.evidence}"' if verdict.evidence else ""
        lines.append(f"  {verdict.verdict.value:>7}: {verdict.key_point_id}{evidence}")
        if verdict.key_point_id in pointers:
            lines.append(f'           the sample answer: "{pointers[verdict.key_point_id]}"')
    lines += [f"  + {strength}" for strength in evaluation.strengths]
    lines += [f"  - {gap}" for gap in evaluation.gaps]
    notes = [flag for flag in evaluation.flags if not flag.startswith(IGNORED_FLAG)]
    if notes:
        lines.append(f"  flags: {', '.join(notes)}")
    lines += [
        f'  set aside (addressed to the grader, earns nothing): "{flag[len(IGNORED_FLAG) :]}"'
        for flag in evaluation.flags
        if flag.startswith(IGNORED_FLAG)
    ]
    return "\n".join(lines) + "\n"
