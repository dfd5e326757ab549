"""The session report: per question and overall. Its JSON form is a documented interface
(README "Report schema"); `schema_version` changes when a field changes meaning."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from interviewer.domain import Difficulty, Evaluation, Exchange, Usage

SCHEMA_VERSION = 1


class QuestionReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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


class Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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
        return self.model_dump_json(indent=2)


def overall_score(evaluations: list[Evaluation]) -> float | None:
    if not evaluations:
        return None
    return round(sum(e.score for e in evaluations) / len(evaluations), 1)


def to_markdown(report: Report) -> str:
    """A human-readable report (export from the TUI, `--report x.md`)."""
    lines = [
        f"# Interview report: {report.bank_id}",
        "",
        f"- Session: `{report.session_id}`",
        f"- Started: {report.started_at:%Y-%m-%d %H:%M}",
        f"- Interviewer: {report.interviewer}; grader: {report.grader}",
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
        title = item.question.replace("|", "\\|")[:70]
        lines.append(
            f"| {number} | {title} | {item.difficulty} | {_fmt(score)} | {item.duration_s:.0f}s |"
        )
    for number, item in enumerate(report.questions, 1):
        lines += ["", f"## {number}. {item.question}", ""]
        for exchange in item.exchanges:
            label = "Question" if exchange.kind == "question" else "Probe"
            lines += [f"**{label}:** {exchange.prompt}", "", f"> {exchange.answer}", ""]
        evaluation = item.evaluation
        if evaluation is None:
            lines.append("_Not graded._")
            continue
        lines.append(f"**Score: {evaluation.score:.1f} / 10** (graded by {evaluation.grader})")
        lines.append("")
        for verdict in evaluation.verdicts:
            evidence = f' — "{verdict.evidence}"' if verdict.evidence else ""
            lines.append(f"- {verdict.verdict.value}: {verdict.key_point_id}{evidence}")
        if evaluation.strengths:
            lines += ["", "Strengths:", *[f"- {s}" for s in evaluation.strengths]]
        if evaluation.gaps:
            lines += ["", "Gaps:", *[f"- {g}" for g in evaluation.gaps]]
        if evaluation.feedback:
            lines += ["", evaluation.feedback]
    return "\n".join(lines) + "\n"


def _fmt(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


def evaluation_text(evaluation: Evaluation) -> str:
    """An evaluation as plain text, for headless mode, `interviewer replay --headless` and
    `interviewer grade`: the score, each verdict with its evidence, strengths, gaps and flags
    (the feedback prose is the caller's: it may have streamed already). Not sanitised: write it
    through `sanitize.clean_for_terminal`."""
    lines = [f"Score: {evaluation.score:.1f} / 10 (graded by {evaluation.grader})"]
    for verdict in evaluation.verdicts:
        evidence = f' — "{verdict.evidence}"' if verdict.evidence else ""
        lines.append(f"  {verdict.verdict.value:>7}: {verdict.key_point_id}{evidence}")
    lines += [f"  + {strength}" for strength in evaluation.strengths]
    lines += [f"  - {gap}" for gap in evaluation.gaps]
    if evaluation.flags:
        lines.append(f"  flags: {', '.join(evaluation.flags)}")
    return "\n".join(lines) + "\n"
