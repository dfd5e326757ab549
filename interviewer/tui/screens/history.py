"""Past sessions, progress per question over time, re-opening any report, and resuming or
discarding an unfinished session."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable

from interviewer.errors import InterviewerError
from interviewer.text.sanitize import clean_line
from interviewer.tui.ports import Catalog, QuestionHistory, SessionRow
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.widgets.columns import Column, available_width, fill, hidden_note
from interviewer.tui.widgets.footer import KeysFooter
from interviewer.tui.widgets.safe import SafeStatic
from interviewer.tui.widgets.sparkline import spark


def progress_by_question(catalog: Catalog, rows: Sequence[SessionRow]) -> list[QuestionHistory]:
    """Each question's scores across sessions, oldest first (sessions come oldest first)."""
    history: dict[str, QuestionHistory] = {}
    for row in sorted(rows, key=lambda r: r.started_at):
        try:
            report, _ = catalog.load_report(row.ref)
        except (InterviewerError, OSError):
            continue
        for item in report.questions:
            if item.evaluation is None:
                continue
            entry = history.setdefault(
                item.question_id, QuestionHistory(item.question_id, item.question)
            )
            entry.scores.append(item.evaluation.score)
    return sorted(history.values(), key=lambda h: (-len(h.scores), h.question_id))


# What a narrow terminal keeps: when, which bank, how it went; the provider goes first.
SESSION_COLUMNS = (
    Column("Started", 0, 10),
    Column("Bank", 2, 6, grow=True),
    Column("Provider", 5, 8, grow=True),
    Column("Answered", 3, 7),
    Column("Score", 1, 5),
    Column("Status", 0, 8),
)
# The trend is the point of this table: the question shrinks before any figure goes.
PROGRESS_COLUMNS = (
    Column("Question", 0, 16, grow=True),
    Column("Attempts", 4, 8),
    Column("Last", 1, 4),
    Column("Best", 2, 4),
    Column("Trend", 0, 5),
)


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open report, or resume an unfinished session", show=False),
        Binding("d", "discard", "Discard unfinished"),
        Binding("escape,b", "back", "Back"),
    ]

    class Resume(Message):
        """Enter on an unfinished session: the app resumes it."""

        def __init__(self, row: SessionRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        catalog: Catalog,
        sessions: Sequence[SessionRow],
        open_session: Callable[[], str | None] = lambda: None,
    ) -> None:
        """`sessions` oldest first, as `Catalog.sessions` gives them (the app reads them off
        the event loop before it opens this screen); `open_session`: the id of the session
        open in the app right now, if any (it cannot be discarded)."""
        super().__init__()
        self._catalog = catalog
        self._open_session = open_session
        self._rows = list(reversed(sessions))  # newest first
        self._progress: list[list[Text]] = []

    def compose(self) -> ComposeResult:
        yield SafeStatic("History", classes="title")
        yield DataTable[Text](id="sessions", cursor_type="row", zebra_stripes=True)
        yield SafeStatic("Progress per question (each block is one session, ▁ = 0, █ = 10)",
                         classes="section")  # fmt: skip
        yield DataTable[Text](id="progress", cursor_type="row", zebra_stripes=True)
        yield SafeStatic("", id="hidden-columns", classes="hint")
        yield SafeStatic(
            "Enter opens a session's report, or resumes an unfinished one; d discards an "
            "unfinished session.",
            classes="hint",
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        self._fit(self.app.size.width)
        if not self._rows:
            self.query_one(".hint", SafeStatic).set_text(
                "No sessions yet: start one from the Start screen."
            )
        table.focus()
        self.load_progress()

    @work(thread=True, exclusive=True, group="history")
    def load_progress(self) -> None:
        # Reading every journal is disk work: off the UI thread.
        try:
            history = progress_by_question(self._catalog, self._rows)
        except Exception as exc:  # progress is extra: the list stays usable
            self.app.call_from_thread(
                self.notify,
                f"Could not read progress per question: {clean_line(str(exc))}",
                severity="error",
                markup=False,
            )
            return
        if self.is_attached:
            self.app.call_from_thread(self._show_progress, history)

    def _show_progress(self, history: list[QuestionHistory]) -> None:
        if not self.is_attached:
            return  # closed while the journals were read
        self._progress = [
            [
                Text(clean_line(entry.question)),
                Text(str(len(entry.scores)), justify="right"),
                Text(f"{entry.scores[-1]:.1f}", justify="right"),
                Text(f"{max(entry.scores):.1f}", justify="right"),
                Text(spark(entry.scores[-20:])),
            ]
            for entry in history
        ]
        self._fit(self.size.width or self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, screen_width: int) -> None:
        width = available_width(screen_width)
        sessions = [
            [
                Text(f"{row.started_at:%Y-%m-%d %H:%M}"),
                Text(clean_line(row.bank_id)),
                Text(clean_line(row.provider)),
                Text(f"{row.answered} / {row.total}", justify="right"),
                Text(
                    "-" if row.overall_score is None else f"{row.overall_score:.1f}",
                    justify="right",
                ),
                Text("finished" if row.finished else "unfinished"),
            ]
            for row in self._rows
        ]
        keys = [row.ref for row in self._rows]
        shown = fill(self.query_one("#sessions", DataTable), SESSION_COLUMNS, sessions, keys, width)
        progress = self.query_one("#progress", DataTable)
        shown += fill(progress, PROGRESS_COLUMNS, self._progress, None, width)
        text = hidden_note((*SESSION_COLUMNS, *PROGRESS_COLUMNS), shown)
        note = self.query_one("#hidden-columns", SafeStatic)
        note.set_text(text)
        note.display = bool(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "sessions":
            event.stop()
            self.action_open()

    def selected(self) -> SessionRow | None:
        if not self._rows:
            return None
        index = self.query_one("#sessions", DataTable).cursor_row
        return self._rows[min(max(index, 0), len(self._rows) - 1)]

    def action_open(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not row.finished:
            self.post_message(self.Resume(row))
            return
        try:
            report, questions = self._catalog.load_report(row.ref)
        except (InterviewerError, OSError) as exc:
            self.notify(clean_line(str(exc)), severity="error", markup=False)
            return
        self.app.push_screen(ReportScreen(report, questions))

    def action_discard(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.finished:
            self.notify("Only unfinished sessions can be discarded.", markup=False)
            return
        if row.id == self._open_session():
            self.notify(
                "This session is open: quit it with ctrl+q (it is kept) before discarding it.",
                severity="warning",
                markup=False,
            )
            return
        question = (
            f"Discard the unfinished session of {row.started_at:%Y-%m-%d %H:%M} "
            f"({clean_line(row.bank_id)}, {row.answered} / {row.total} answered)? It leaves "
            "this list; its journal and draft move to the data folder's discarded/ folder."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._discard(row)

        self.app.push_screen(ConfirmScreen(question, yes="Discard", no="Keep"), confirmed)

    @work(exclusive=True, group="discard")
    async def _discard(self, row: SessionRow) -> None:
        try:
            moved = await asyncio.to_thread(self._catalog.discard, row.ref)
        except (InterviewerError, OSError) as exc:
            self.notify(clean_line(str(exc)), title="Not discarded", severity="error", markup=False)
            return
        index = self._rows.index(row)
        del self._rows[index]
        self._fit(self.size.width)
        self.notify(f"Discarded: moved to {moved}", markup=False)
        self.load_progress()

    def action_back(self) -> None:
        self.dismiss(None)
