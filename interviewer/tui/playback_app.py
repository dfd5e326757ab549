"""`interviewer replay SESSION` in the TUI: a past session played back from its journal.

The journal's records appear in order in a conversation view, drawn by the interview screen's
renderer (`interviewer.tui.transcript`), instantly or at the recorded pace through the playback
loop the headless replay uses too (`interviewer.engine.state.play_back`, each gap capped by
`max_wait`). Space pauses, `n` shows the next event
at once (also while paused: a step), `f` shows the rest at once, ctrl+q quits (as in the main
app; ctrl+c copies text selected with the mouse).

Everything shown comes from a journal, which is a file anyone could have edited: text goes
through the safe widgets (sanitised, never parsed as markup; Markdown links are not opened).
No provider is called.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static

from interviewer.domain import Sleep
from interviewer.engine.state import SessionState, play_back
from interviewer.text.sanitize import clean_line
from interviewer.tui.prefs import remember_theme
from interviewer.tui.screens.help import HelpScreen, everywhere_keys
from interviewer.tui.transcript import TranscriptRenderer
from interviewer.tui.widgets.conversation import Conversation
from interviewer.tui.widgets.footer import KeysFooter
from interviewer.tui.widgets.safe import SafeStatic
from interviewer.tui.widgets.status import format_duration

if TYPE_CHECKING:
    from interviewer.journal import _Record

Clock = Callable[[], float]


class PlaybackApp(App[int]):
    """Plays `records` (a whole journal, header first) back. Returns 0 on quit."""

    CSS_PATH = "app.tcss"
    TITLE = "interviewer replay"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_pause", "Pause/resume"),
        Binding("n", "skip", "Next event"),
        # A priority binding: the focused conversation would otherwise scroll on "right".
        Binding("right", "skip", "Next event", show=False, priority=True),
        Binding("f", "finish", "Show all"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help"),
    ]

    def __init__(
        self,
        records: Sequence[_Record],
        *,
        source: str = "journal",
        pace: bool = False,
        max_wait: float = 5.0,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__()
        self._records = list(records)
        self.state = SessionState.from_records(self._records[:1], source=source)
        self.pace = pace
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self.shown = 0
        """Journal records (after the header) shown so far."""
        self.paused = False
        self.finished = False
        self._finishing = False
        self._skip = False
        self._wake = asyncio.Event()
        self._played = 0.0
        self._running_since: float | None = None
        header = self.state.header
        self._overview = f"{len(header.questions)} question(s) · {header.mode} mode"
        # Kept as attributes: the player and the status timer reach them under the help screen.
        self._progress = SafeStatic("", id="progress")
        self._conversation = Conversation(id="conversation")
        self._transcript = TranscriptRenderer(self._conversation, header, live=False)
        self._activity = SafeStatic("", id="activity")
        self._status = Static("", id="status", markup=False)

    @property
    def total(self) -> int:
        """Journal records to show (the header is not one)."""
        return len(self._records) - 1

    def compose(self) -> ComposeResult:
        yield self._progress
        yield self._conversation
        yield self._activity
        yield self._status
        yield KeysFooter()

    def on_mount(self) -> None:
        remember_theme(self)
        self._running_since = self._clock()
        self._show_activity()
        self.refresh_status()
        self.set_interval(1.0, self.refresh_status)
        self._conversation.focus()
        self.run_worker(self._play(), group="replay", exclusive=True)

    # -- playback ----------------------------------------------------------------------------

    async def _play(self) -> None:
        records = play_back(
            self._records, self.state, pace=self.pace, max_wait=self.max_wait, wait=self._wait_gap
        )
        async for record in records:
            await self._transcript.show(record)
            self.shown += 1
            self.refresh_status()
        await self._ending()
        self._stop_clock()
        self.finished = True
        self._show_activity()
        self.refresh_status()

    async def _wait_gap(self, gap: float) -> None:
        """Wait `gap` seconds of playing time: a pause stops the count, a skip or finish ends
        it, and a skip while paused shows one event (a step)."""
        remaining = gap
        while not self._finishing:
            if self._skip:
                self._skip = False
                return
            if self.paused:
                await self._woken(None)
                continue
            if remaining <= 0:
                return
            started = self._clock()
            if not await self._woken(remaining):
                return
            remaining -= self._clock() - started

    async def _woken(self, seconds: float | None) -> bool:
        """Wait for a key (True) or `seconds` of sleep (False); None waits for a key only."""
        waker = asyncio.ensure_future(self._wake.wait())
        tasks: set[asyncio.Future[Any]] = {waker}
        if seconds is not None:
            tasks.add(asyncio.ensure_future(self._sleep(seconds)))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
        self._wake.clear()
        return waker in done

    async def _ending(self) -> None:
        report = self.state.report()
        score = "-" if report.overall_score is None else f"{report.overall_score:.1f}"
        graded = sum(1 for q in report.questions if q.evaluation is not None)
        status = "finished" if report.finished else "unfinished"
        await self._conversation.add_note(
            f"Overall score: {score} / 10 ({graded} of {len(self.state.header.questions)} "
            f"question(s) graded; session {status}). End of the replay: ctrl+q quits."
        )

    # -- keys ------------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        if self.finished:
            self.notify("The replay has finished. ctrl+q quits.", markup=False)
            return
        self.paused = not self.paused
        if self.paused:
            self._stop_clock()
        else:
            self._running_since = self._clock()
        self._wake.set()
        self._show_activity()
        self.refresh_status()

    def action_skip(self) -> None:
        if self.finished:
            return
        self._skip = True
        self._wake.set()

    def action_finish(self) -> None:
        if self.finished:
            return
        self._finishing = True
        if self.paused:
            self.paused = False
            self._running_since = self._clock()
        self._wake.set()
        self._show_activity()

    async def action_quit(self) -> None:
        self.exit(0)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen([("Replay", [*self.BINDINGS, *everywhere_keys()])]))

    # -- status ----------------------------------------------------------------------------

    def _stop_clock(self) -> None:
        if self._running_since is not None:
            self._played += self._clock() - self._running_since
            self._running_since = None

    @property
    def elapsed(self) -> float:
        """Seconds the replay has been playing, pauses left out."""
        running = 0.0 if self._running_since is None else self._clock() - self._running_since
        return self._played + running

    def _show_activity(self) -> None:
        if self.finished:
            text = "■ Replay finished · ctrl+q quits · F1 help"
        elif self.paused:
            text = "⏸ Paused · space resumes · n shows the next event · f shows all"
        elif self._finishing or not self.pace:
            text = "▶ Showing everything…"
        else:
            text = (
                f"▶ Playing at the recorded pace (pauses up to {self.max_wait:g}s) · space pauses"
            )
        self._activity.set_text(text)

    def refresh_status(self) -> None:
        header = self.state.header
        recorded = self._records[-1].t - header.t
        at = self.state.last_t - header.t
        heading = self._transcript.heading or self._overview
        self._progress.set_text(
            f"Replay · {heading} · event {self.shown} / {self.total} · "
            f"{format_duration(at)} of {format_duration(recorded)} recorded"
        )
        # Elapsed first: a narrow terminal cuts the end of the line.
        parts = [
            f"elapsed {format_duration(self.elapsed)}",
            f"session {clean_line(header.session_id)}",
            f"bank {clean_line(header.bank_id)}",
            f"interviewer {clean_line(header.interviewer)} · grader {clean_line(header.grader)}",
        ]
        self._status.update(Content(" │ ".join(parts)))
