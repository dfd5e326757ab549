"""Start: choose bank, difficulty, count and mode; see the provider; resume a session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Label, Select

from interviewer.config import Settings
from interviewer.domain import Difficulty
from interviewer.errors import InterviewerError
from interviewer.text.sanitize import clean_line
from interviewer.tui.ports import (
    BankChoice,
    Mode,
    ProviderProbes,
    SessionProvider,
    SessionRow,
    StartChoice,
)
from interviewer.tui.widgets.columns import Column, available_width, fill
from interviewer.tui.widgets.footer import KeysFooter
from interviewer.tui.widgets.provider_status import USE_LOCAL_KEY, ProviderStatus
from interviewer.tui.widgets.safe import SafeStatic

UNFINISHED_COLUMNS = (
    Column("Started", 0, 10),
    Column("Bank", 1, 6, grow=True),
    Column("Provider", 3, 8, grow=True),
    Column("Answered", 2, 7),
)
PREPARING_SHOWN_AFTER_S = 0.15
"""Start pressed once the warm-up has ended opens the interview within about this time: saying
"Preparing…" for it only flashes (and restyles the form twice on the way to the question). A
longer wait (the warm-up still running, a model loading) says so."""
MOST_UNFINISHED_SHOWN = 5
"""Rows of the unfinished list at most; fewer when the screen is short (see `_fit_height`), and
History (F2) lists them all."""


class StartScreen(Screen[None]):
    # Straight to Start: focusing the first field and then moving to Start restyled both.
    AUTO_FOCUS = "#start"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start interview", priority=True),
        Binding("ctrl+r", "resume", "Resume selected"),
        Binding(USE_LOCAL_KEY, "use_local", "Use the local server found", show=False),
    ]

    class Chosen(Message):
        def __init__(self, choice: StartChoice) -> None:
            super().__init__()
            self.choice = choice

    class ProviderChosen(Message):
        """A local server was chosen (`USE_LOCAL_KEY`): the provider for this run of the app."""

        def __init__(self, choice: SessionProvider) -> None:
            super().__init__()
            self.choice = choice

    def __init__(
        self,
        settings: Settings,
        banks: Sequence[BankChoice],
        unfinished: Callable[[], Sequence[SessionRow]],
        probes: ProviderProbes | None = None,
    ) -> None:
        super().__init__()
        self._probes = probes
        self._settings = settings
        self._banks = list(banks)
        self._load_unfinished = unfinished
        self._unfinished: list[SessionRow] = []
        self._shown = MOST_UNFINISHED_SHOWN
        self._preparing = False
        self._preparing_shown: Timer | None = None

    def compose(self) -> ComposeResult:
        options = self._settings.interview
        yield SafeStatic("interviewer: a mock technical interview", classes="title")
        with Vertical(id="form"):
            with Grid(id="choices"):
                yield Label("Question bank")
                bank_options = [
                    (Content(clean_line(f"{b.title or b.id} ({b.questions} questions)")), b.id)
                    for b in self._banks
                ]
                known = {b.id for b in self._banks}
                yield Select(
                    bank_options,
                    value=options.bank if options.bank in known else Select.NULL,
                    allow_blank=not bank_options,
                    id="bank",
                )
                yield Label("Difficulty")
                chosen = options.difficulty[0].value if len(options.difficulty) == 1 else "any"
                yield Select(
                    [("any", "any"), *[(d.value, d.value) for d in Difficulty]],
                    value=chosen,
                    allow_blank=False,
                    id="difficulty",
                )
                yield Label("Questions")
                yield Input(str(options.count), type="integer", id="count", max_length=3)
                yield Label("Mode")
                yield Select(
                    [
                        ("interview: feedback at the end", "interview"),
                        ("practice: feedback after each question", "practice"),
                    ],
                    value=options.mode,
                    allow_blank=False,
                    id="mode",
                )
                yield Label("Provider")
                yield ProviderStatus(self._settings, self._probes, id="provider")
            with Horizontal(id="start-buttons"):
                yield Button("Start (ctrl+s)", id="start", variant="primary")
                yield Button("History (F2)", id="history")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load_unfinished()

    @work(thread=True, exclusive=True, group="sessions")
    def load_unfinished(self) -> None:
        # Reading every journal is disk work: the form is usable before it ends.
        try:
            rows = list(self._load_unfinished())
        except (InterviewerError, OSError) as exc:
            self.app.call_from_thread(
                self.notify, clean_line(str(exc)), severity="error", markup=False
            )
            return
        if rows:
            self.app.call_from_thread(self._show_unfinished, rows)

    def _show_unfinished(self, rows: list[SessionRow]) -> None:
        # Above the form, so an 80x24 terminal shows it without scrolling: a session left
        # half-way is the likeliest thing to come back for.
        self._unfinished = rows
        heading = SafeStatic("", id="unfinished-heading", classes="section")
        table: DataTable[Text] = DataTable(id="unfinished", cursor_type="row")
        self.mount_all([heading, table], before=self.query_one("#form"))
        self._fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, screen_width: int) -> None:
        if not self._unfinished:
            return
        shown = self._unfinished[: self._shown]
        total = len(self._unfinished)
        many = "1 unfinished session" if total == 1 else f"{total} unfinished sessions"
        # Short enough for one line at 80 columns: a wrapped heading would take the row's room.
        if not shown:
            note = f"{many}: F2 History lists them"
        elif len(shown) < total:
            note = f"{many}, {len(shown)} shown (ctrl+r resumes; all in F2 History)"
        else:
            note = f"{many} (ctrl+r resumes the selected one)"
        self.query_one("#unfinished-heading", SafeStatic).set_text(note)
        cells = [
            [
                Text(f"{row.started_at:%Y-%m-%d %H:%M}"),
                Text(clean_line(row.bank_id)),
                Text(clean_line(row.provider)),
                Text(f"{row.answered} / {row.total}"),
            ]
            for row in shown
        ]
        keys = [row.ref for row in shown]
        table = self.query_one("#unfinished", DataTable)
        table.display = bool(shown)
        fill(table, UNFINISHED_COLUMNS, cells, keys, available_width(screen_width))
        self.call_after_refresh(self._fit_height)

    def on_provider_status_resized(self, _message: ProviderStatus.Resized) -> None:
        self.call_after_refresh(self._fit_height)

    def _fit_height(self) -> None:
        """Show as many unfinished rows as fit above the fold: the Start button must never be
        pushed below it (a short terminal shows fewer rows, and the heading says so)."""
        tables = self.query("#unfinished").results(DataTable)
        table = next(tables, None)
        if table is None:  # asked before the form is built or after the screen went
            return
        # From one layout: the form's bottom less the table is what the rest takes, however
        # many rows the table had when it was laid out.
        rest = self.query_one("#form").virtual_region_with_margin.bottom
        rest -= table.outer_size.height if table.display else 0
        room = self.size.height - self.query_one(KeysFooter).outer_size.height
        rows = room - rest - 1  # the table's header line
        fitting = max(0, min(rows, MOST_UNFINISHED_SHOWN, len(self._unfinished)))
        if fitting != min(self._shown, len(self._unfinished)):
            self._shown = fitting
            self._fit(self.app.size.width)

    def preparing(self, busy: bool) -> None:
        """The interview is being prepared (loading a model can take a second): Start does
        nothing meanwhile, and says so once it takes longer than `PREPARING_SHOWN_AFTER_S`."""
        self._preparing = busy
        if self._preparing_shown is not None:
            self._preparing_shown.stop()
            self._preparing_shown = None
        if busy:
            self._preparing_shown = self.set_timer(PREPARING_SHOWN_AFTER_S, self._show_preparing)
        else:
            self._show_preparing()

    def _show_preparing(self) -> None:
        busy = self._preparing
        for button in self.query("#start").results(Button):
            if button.disabled != busy:
                button.disabled = busy
                button.label = "Preparing…" if busy else "Start (ctrl+s)"

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()
        elif event.button.id == "history":
            await self.app.run_action("app.history")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_resume()

    def choice(self) -> StartChoice | None:
        bank = self.query_one("#bank", Select).value
        if not isinstance(bank, str):
            self.notify("Choose a question bank first.", severity="warning", markup=False)
            return None
        raw_count = self.query_one("#count", Input).value
        count = int(raw_count) if raw_count.isdigit() else 0
        if not 1 <= count <= 100:
            self.notify("Questions: a number from 1 to 100.", severity="warning", markup=False)
            return None
        difficulty = self.query_one("#difficulty", Select).value
        mode: Mode = (
            "practice" if self.query_one("#mode", Select).value == "practice" else "interview"
        )
        chosen = () if difficulty == "any" else (Difficulty(str(difficulty)),)
        return StartChoice(bank=bank, difficulty=chosen, count=count, mode=mode)

    def action_start(self) -> None:
        if self._preparing:
            return
        choice = self.choice()
        if choice is not None:
            self.post_message(self.Chosen(choice))

    async def action_use_local(self) -> None:
        choice = await self.query_one(ProviderStatus).use_local()
        if choice is None:
            self.notify("No local server was found on its usual port.", markup=False)
        else:
            self.post_message(self.ProviderChosen(choice))

    @property
    def has_unfinished(self) -> bool:
        return bool(self._unfinished)

    def action_resume(self) -> None:
        if not self._unfinished:
            self.notify("No unfinished session to resume.", markup=False)
            return
        table = self.query_one("#unfinished", DataTable)
        row = self._unfinished[min(table.cursor_row, len(self._unfinished) - 1, self._shown)]
        self.post_message(self.Chosen(StartChoice(bank=row.bank_id, resume=row.ref)))
