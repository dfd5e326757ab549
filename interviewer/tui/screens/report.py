"""The session report: per-question table, overall score, time, tokens and cost; exports."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from interviewer.domain import COVERAGE_NOTE, KeyPoint, Question
from interviewer.report import QuestionReport, Report, export_report
from interviewer.text.sanitize import clean_line
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.widgets.safe import SafeStatic
from interviewer.tui.widgets.status import format_duration, format_usage


def summary_line(report: Report) -> str:
    score = "-" if report.overall_score is None else f"{report.overall_score:.1f} / 10"
    status = "finished" if report.finished else "unfinished"
    graded = sum(1 for q in report.questions if q.evaluation is not None)
    return (
        f"Overall {score} · {graded} of {len(report.questions)} graded · {status} · "
        f"{format_usage(report.usage)} · interviewer {report.interviewer} · grader {report.grader}"
    )


class ReportScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_question", "Feedback", show=False),
        Binding("m", "export('md')", "Export Markdown"),
        Binding("j", "export('json')", "Export JSON"),
        Binding("escape,b", "back", "Back"),
    ]

    def __init__(self, report: Report, questions: tuple[Question, ...] = ()) -> None:
        super().__init__()
        self.report = report
        self._questions = {q.id: q for q in questions}
        self.exported: list[Path] = []

    def compose(self) -> ComposeResult:
        report = self.report
        yield SafeStatic(
            f"Report · {report.bank_id} · {report.mode} · {report.started_at:%Y-%m-%d %H:%M}",
            classes="title",
        )
        yield SafeStatic(summary_line(report), id="summary")
        if any(q.evaluation and q.evaluation.method == "coverage" for q in report.questions):
            yield SafeStatic(COVERAGE_NOTE, id="coverage-note", classes="hint")
        table: DataTable[Text] = DataTable(id="questions", cursor_type="row", zebra_stripes=True)
        table.add_columns(
            "#", "Question", "Difficulty", "Score", "Probes", "Time", "Tokens", "Cost"
        )
        for number, item in enumerate(report.questions, 1):
            score = "-" if item.evaluation is None else f"{item.evaluation.score:.1f}"
            tokens = item.usage.input_tokens + item.usage.output_tokens
            table.add_row(
                Text(str(number)),
                Text(_shorten(clean_line(item.question), 44)),
                Text(item.difficulty.value),
                Text(score, justify="right"),
                Text(str(len(item.probes)), justify="right"),
                Text(format_duration(item.duration_s), justify="right"),
                Text(f"{tokens:,}", justify="right"),
                Text(f"${item.usage.cost_usd:.4f}", justify="right"),
                key=str(number),
            )
        yield table
        yield SafeStatic(
            "Enter shows a question's feedback. m / j export Markdown / JSON.", classes="hint"
        )
        yield Footer()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_question()

    def action_open_question(self) -> None:
        table = self.query_one(DataTable)
        if not self.report.questions:
            return
        index = table.cursor_row
        item = self.report.questions[index]
        if item.evaluation is None:
            self.notify("That question was not graded.", markup=False)
            return
        question = self._questions.get(item.question_id) or _question_from(item.question_id, item)
        self.app.push_screen(FeedbackScreen(index + 1, question, item.evaluation))

    def action_export(self, fmt: str) -> None:
        try:
            path = export_report(self.report, "md" if fmt == "md" else "json")
        except OSError as exc:
            self.notify(f"Could not write the report: {exc}", severity="error", markup=False)
            return
        self.exported.append(path)
        self.notify(f"Report written to {path}", title="Exported", markup=False)

    def action_back(self) -> None:
        self.dismiss(None)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _question_from(question_id: str, item: QuestionReport) -> Question:
    """A stand-in when the bank question is not at hand (a report from an old journal): the
    feedback still shows, without key point texts or a sample answer."""
    evaluation = item.evaluation
    points = tuple(
        KeyPoint(id=v.key_point_id, text=v.key_point_id, probes=("",))
        for v in (evaluation.verdicts if evaluation else ())
    )
    return Question(
        id=question_id,
        text=item.question,
        difficulty=item.difficulty,
        sample_answer="(The sample answer is not in this report.)",
        key_points=points,
    )
