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

from pydantic import Field

from interviewer import paths
from interviewer.domain import (
    COVERAGE_NOTE,
    IGNORED_FLAG,
    REJECTED_QUOTE_LABEL,
    SCRIPTED_NOTE,
    Difficulty,
    Evaluation,
    Exchange,
    FrozenModel,
    KeyPointVerdict,
    Usage,
    Verdict,
)
from interviewer.text.markdown import escape_markdown, escape_markdown_lines
from interviewer.text.sanitize import escape_json_document

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
    key_points: dict[str, str] = Field(default_factory=dict)
    """Each key point's text by id, so a verdict reads as the point it judges (empty in reports
    written before it existed; the id stands in)."""


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
    """A human-readable report (export from the TUI, `--report x.md`), sanitised and inert.

    The structure is ours alone: a `#` title, the summary table and one `##` section per
    question. Every piece of untrusted text (answers, probes, the grader's words, even titles) is
    cleaned and Markdown-escaped on its own before it is put in place (`text.markdown`), so it
    shows as typed and never adds a heading, link or HTML of its own; and cleaning piece by piece
    means one unterminated escape sequence in an answer cannot swallow what follows it. Each
    answer is a blockquote, line by line, so every paragraph of it stays inside the quote."""
    lines = [
        f"# Interview report: {escape_markdown(report.bank_id)}",
        "",
        f"- Session: {escape_markdown(report.session_id)}",
        f"- Started: {report.started_at:%Y-%m-%d %H:%M}",
        f"- Interviewer: {escape_markdown(report.interviewer)}; "
        f"grader: {escape_markdown(report.grader)}",
        f"- Overall score: {_fmt(report.overall_score)} / 10"
        + ("" if report.finished else " (unfinished)"),
        f"- Tokens: {report.usage.input_tokens} in, {report.usage.output_tokens} out; "
        f"cost ${report.usage.cost_usd:.4f}",
        "",
        "| # | Question | Difficulty | Score | Time |",
        "|---|---|---|---|---|",
    ]
    for number, item in enumerate(report.questions, 1):
        evaluation = item.evaluation
        score = _fmt(evaluation.score if evaluation else None)
        if evaluation is not None and evaluation.scripted:
            score += " (scripted)"
        lines.append(
            f"| {number} | {escape_markdown(item.question)} | {item.difficulty} | {score} "
            f"| {item.duration_s:.0f}s |"
        )
    for number, item in enumerate(report.questions, 1):
        lines += ["", f"## {number}. {escape_markdown(item.question)}", ""]
        lines += _exchanges_markdown(item)
        lines += _evaluation_markdown(item)
    return "\n".join(lines) + "\n"


def _exchanges_markdown(item: QuestionReport) -> list[str]:
    lines: list[str] = []
    probes = 0
    for exchange in item.exchanges:
        if exchange.kind == "probe":
            probes += 1
            cut = " (cut short)" if exchange.interrupted else ""
            lines += [f"**Probe {probes}{cut}:** {escape_markdown(exchange.prompt)}", ""]
        elif exchange.prompt.strip() != item.question.strip():
            # The heading is the question; a prompt worded otherwise is shown as asked.
            lines += [f"**Asked:** {escape_markdown(exchange.prompt)}", ""]
        lines += ["**Answer:**", "", *_quoted(exchange.answer), ""]
    return lines


def _quoted(text: str) -> list[str]:
    """`text` as a blockquote: every line of it, blank ones too, inside the quote."""
    if not text.strip():
        return ["> _(no answer)_"]
    return [f"> {line}" if line else ">" for line in escape_markdown_lines(text.strip("\n"))]


_VERDICT_WORDS = {Verdict.COVERED: "covered", Verdict.PARTIAL: "partly covered"}


def verdict_word(verdict: KeyPointVerdict) -> str:
    """How a verdict reads to the candidate, in every report and on the Feedback screen:
    covered, partly covered, argued against (a quote that says the opposite of the point) or
    missed."""
    if verdict.opposed and verdict.verdict is not Verdict.MISSED:
        return "argued against"
    return _VERDICT_WORDS.get(verdict.verdict, "missed")


def _evaluation_markdown(item: QuestionReport) -> list[str]:
    evaluation = item.evaluation
    if evaluation is None:
        return ["_Not graded._"]
    grader = escape_markdown(evaluation.grader)
    lines = [f"**{score_line(evaluation)}** (graded by {grader})"]
    if evaluation.scripted:
        lines += ["", f"_{escape_markdown(SCRIPTED_NOTE)}_"]
    if evaluation.method == "coverage":
        lines += ["", f"_{escape_markdown(COVERAGE_NOTE)}_"]
    lines += ["", "Key points:", ""]
    for verdict in evaluation.verdicts:
        point = escape_markdown(item.key_points.get(verdict.key_point_id, verdict.key_point_id))
        word = verdict_word(verdict)
        evidence = ""
        if verdict.evidence:
            quote = escape_markdown(verdict.evidence)
            said = (
                REJECTED_QUOTE_LABEL
                if evaluation.quote_rejected(verdict.key_point_id)
                else "you said"
            )
            evidence = f' — {said}: "{quote}"'
        lines.append(f"- {word}: {point}{evidence}")
    for title, entries in (("Strengths", evaluation.strengths), ("Gaps", evaluation.gaps)):
        if entries:
            lines += ["", f"{title}:", "", *[f"- {escape_markdown(e)}" for e in entries]]
    if evaluation.feedback.strip():
        lines += ["", "Feedback:", "", *escape_markdown_lines(evaluation.feedback.strip())]
    set_aside, notes = evaluation.set_aside, evaluation.notes
    if notes:
        lines += ["", "Notes:", "", *[f"- {escape_markdown(flag)}" for flag in notes]]
    if set_aside:
        lines += ["", "Set aside (addressed to the grader, earns nothing):", ""]
        lines += [f'- "{escape_markdown(sentence)}"' for sentence in set_aside]
    return lines


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


def score_line(evaluation: Evaluation) -> str:
    """How an evaluation's score is introduced everywhere (Feedback screen, headless, Markdown):
    a replay's script for other answers is not presented as the candidate's score."""
    score = f"{evaluation.score:.1f} / 10"
    return (
        f"Scripted replay: {score}, not a grade of you"
        if evaluation.scripted
        else f"Score: {score}"
    )


def evaluation_text(evaluation: Evaluation, *, practice: bool = False) -> str:
    """An evaluation as plain text, for headless mode, `interviewer replay --headless` and
    `interviewer grade`: the score, each verdict with its evidence, strengths, gaps and flags
    (the feedback prose is the caller's: it may have streamed already). In practice mode each
    missed or partial key point also points to the sample answer's sentence that makes it. Not
    sanitised: write it through `sanitize.clean_for_terminal`."""
    lines = [f"{score_line(evaluation)} (graded by {evaluation.grader})"]
    if evaluation.scripted:
        lines.append(f"  {SCRIPTED_NOTE}")
    if evaluation.method == "coverage":
        lines.append(f"  {COVERAGE_NOTE}")
    pointers = {p.key_point_id: p.sentence for p in evaluation.pointers} if practice else {}
    for verdict in evaluation.verdicts:
        evidence = ""
        if verdict.evidence:
            rejected = evaluation.quote_rejected(verdict.key_point_id)
            said = f" — {REJECTED_QUOTE_LABEL}:" if rejected else " —"
            evidence = f'{said} "{verdict.evidence}"'
        word = "against" if verdict_word(verdict) == "argued against" else verdict.verdict.value
        lines.append(f"  {word:>7}: {verdict.key_point_id}{evidence}")
        if verdict.key_point_id in pointers:
            lines.append(f'           the sample answer: "{pointers[verdict.key_point_id]}"')
    lines += [f"  + {strength}" for strength in evaluation.strengths]
    lines += [f"  - {gap}" for gap in evaluation.gaps]
    notes = [flag for flag in evaluation.flags if not flag.startswith(IGNORED_FLAG)]
    if notes:
        lines.append(f"  flags: {', '.join(notes)}")
    lines += [
        f'  set aside (addressed to the grader, earns nothing): "{sentence}"'
        for sentence in evaluation.set_aside
    ]
    return "\n".join(lines) + "\n"
