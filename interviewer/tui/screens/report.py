"""The session report: per-question table, overall score, time, tokens and cost; exports."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable

from interviewer.domain import COVERAGE_NOTE, KeyPoint, Question
from interviewer.report import QuestionReport, Report, export_report
from interviewer.text.sanitize import clean_line
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.widgets.columns import Column, available_width, fill, hidden_note
from interviewer.tui.widgets.footer import KeysFooter
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


# Narrow terminals drop the cost figures first; the question and its score stay.
COLUMNS = (
    Column("#", 0, 2),
    Column("Question", 0, 12, grow=True),
    Column("Difficulty", 3, 6),
    Column("Score", 1, 5),
    Column("Probes", 4, 6),
    Column("Time", 5, 5),
    Column("Tokens", 6, 6),
    Column("Cost", 7, 7),
)


def report_rows(report: Report) -> list[list[Text]]:
    rows = []
    for number, item in enumerate(report.questions, 1):
        score = "-" if item.evaluation is None else f"{item.evaluation.score:.1f}"
        tokens = item.usage.input_tokens + item.usage.output_tokens
        rows.append(
            [
                Text(str(number)),
                Text(clean_line(item.question)),
                Text(item.difficulty.value),
                Text(score, justify="right"),
                Text(str(len(item.probes)), justify="right"),
                Text(format_duration(item.duration_s), justify="right"),
                Text(f"{tokens:,}", justify="right"),
                Text(f"${item.usage.cost_usd:.4f}", justify="right"),
            ]
        )
    return rows


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
        self._rows = report_rows(report)

    def compose(self) -> ComposeResult:
        report = self.report
        yield SafeStatic(
            f"Report · {report.bank_id} · {report.mode} · {report.started_at:%Y-%m-%d %H:%M}",
            classes="title",
        )
        yield SafeStatic(summary_line(report), id="summary")
        if any(q.evaluation and q.evaluation.method == "coverage" for q in report.questions):
            yield SafeStatic(COVERAGE_NOTE, id="coverage-note", classes="hint")
        yield DataTable[Text](id="questions", cursor_type="row", zebra_stripes=True)
        yield SafeStatic("", id="hidden-columns", classes="hint")
        yield SafeStatic(
            "Enter shows a question's feedback. m / j export Markdown / JSON.", classes="hint"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, screen_width: int) -> None:
        table = self.query_one("#questions", DataTable)
        keys = [str(n) for n in range(1, len(self._rows) + 1)]
        widths = fill(table, COLUMNS, self._rows, keys, available_width(screen_width))
        text = hidden_note(COLUMNS, widths)
        note = self.query_one("#hidden-columns", SafeStatic)
        note.set_text(text)
        note.display = bool(text)

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
