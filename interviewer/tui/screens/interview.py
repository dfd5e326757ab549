"""The interview itself: the question, the conversation so far, the answer editor.

Engine calls run in one exclusive worker, so the editor stays live while a probe streams in. What
the engine yields is drawn by `interviewer.tui.transcript.TranscriptRenderer` (the playback app's
renderer too); this screen adds what is live only: the progress line, focus, the feedback
screen and the toasts. An answer leaves the editor when the engine yields its `AnswerGiven`
record, i.e. once it is on disk.
The editor keeps the answer until the engine has journaled it: no error ever loses it, and the
editor's text is mirrored to a draft file a second after the last keystroke (see `drafts`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import TextArea

from interviewer.engine.events import Event, FeedbackDelta, ProbeDelta
from interviewer.engine.session import Interview
from interviewer.errors import ProviderError
from interviewer.journal import (
    AnswerGiven,
    Evaluated,
    ProbeGiven,
    QuestionOpened,
    SessionEnded,
    WentOffline,
)
from interviewer.text.sanitize import clean_line
from interviewer.tui.drafts import DraftMirror, DraftStore
from interviewer.tui.external_editor import EditorFailed, edit_externally
from interviewer.tui.failure import OFFLINE_KEY, OfflineOffer, event_toast, failure_notice
from interviewer.tui.screens.confirm import SkipConfirmScreen, skip_question
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.transcript import TranscriptRenderer
from interviewer.tui.widgets.activity import CANCEL_KEY, ActivityLine
from interviewer.tui.widgets.conversation import Conversation
from interviewer.tui.widgets.editor import EDIT_KEY, SEND_KEY, AnswerEditor
from interviewer.tui.widgets.footer import KeysFooter
from interviewer.tui.widgets.safe import SafeStatic
from interviewer.tui.widgets.status import StatusBar


class InterviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: the editor takes ctrl+s itself, in input order (see
        # `AnswerEditor`); this one serves when the focus is elsewhere, and the footer.
        Binding(SEND_KEY, "submit", "Send answer"),
        Binding(CANCEL_KEY, "cancel", "Stop reply"),
        Binding("ctrl+r", "retry_grading", "Retry grading"),
        Binding("ctrl+o", "grade_offline", "Grade offline"),
        Binding(OFFLINE_KEY, "continue_offline", "Offline for the rest"),
        Binding("ctrl+l", "focus_conversation", "Scroll conversation", show=False),
        # Also taken by the editor itself, like ctrl+s (see `AnswerEditor`).
        Binding(EDIT_KEY, "edit_externally", "Edit in $EDITOR", show=False),
    ]

    busy: reactive[bool] = reactive(False)

    class Finished(Message):
        """The session is over; the app shows the report."""

        def __init__(self, interview: Interview) -> None:
            super().__init__()
            self.interview = interview

    def __init__(
        self,
        interview: Interview,
        clock: Callable[[], float],
        time_limit_s: int,
        drafts: DraftStore | None = None,
        *,
        resumed_last_t: float | None = None,
    ):
        """`resumed_last_t`: for a resumed session, the journal time (Unix seconds) of its last
        record before this run (see `last_record_time`)."""
        super().__init__()
        self.interview = interview
        self._clock = clock
        self._resumed_last_t = resumed_last_t
        self._time_limit_s = time_limit_s
        self._offline = OfflineOffer()
        self._conversation = Conversation(id="conversation")
        self._transcript = TranscriptRenderer(self._conversation, interview.header, live=True)
        self._question_pinned = False
        # Busy from the start: `on_mount` runs the engine at once. Starting idle restyled the
        # editor and rebuilt the footer for a busy state a frame later, and again after it.
        self.set_reactive(InterviewScreen.busy, True)
        self._draft = (
            None
            if drafts is None
            else DraftMirror(drafts, interview.session_id, self._draft_text, self._draft_failed)
        )

    def compose(self) -> ComposeResult:
        yield SafeStatic("", id="progress")
        # Pinned: a long answer scrolls the conversation, never the question away.
        with VerticalScroll(id="question-pane"):
            yield SafeStatic("", id="question", classes="bubble question")
        yield self._conversation
        yield ActivityLine(self._clock, CANCEL_KEY, id="activity")
        editor = AnswerEditor(id="answer", max_chars=self.interview.header.max_answer_chars)
        editor.set_class(self.busy, "-busy", update=False)
        with Vertical(id="answer-pane"):  # the reading width's cap and centring (app.tcss)
            yield editor
        yield StatusBar(self._clock, id="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        status = self.query_one(StatusBar)
        status.time_limit_s = self._time_limit_s
        if self._resumed_last_t is not None:
            status.started_at = self._clock() - self._spent_since(self.interview.header.t)
        status.provider = self._provider_label()
        self.query_one(AnswerEditor).focus()
        self.run_events(self.interview.start(), None)

    def _spent_since(self, t: float) -> float:
        """Time spent in the session since journal time `t`, before this run.

        The clocks show time spent with the session open, not time since it began: a session
        resumed the next morning should not show a night of "elapsed". The journal has no record
        of when the app was closed, so the time before this run is counted up to the last record
        written (a few unsent seconds of typing may be missed; nothing is invented). A record
        written in this run (a question opened now) has `t` after that: nothing spent yet. Only
        differences of journal times are used, so the app's own clock may be any clock."""
        if self._resumed_last_t is None:
            return 0.0
        return max(0.0, self._resumed_last_t - t)

    @property
    def question_shown(self) -> bool:
        """A question is pinned on screen (the bench's "first question" moment)."""
        return self._question_pinned

    @property
    def chunks_shown(self) -> int:
        """Streamed chunks displayed so far (the bench reads it)."""
        return self._transcript.chunks_shown

    def _provider_label(self) -> str:
        interviewer, grader = self.interview.interviewer_name, self.interview.grader_name
        return interviewer if grader == interviewer else f"{interviewer} · grader {grader}"

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry_grading", "grade_offline"):
            return self.interview.grading_failed_for is not None and not self.busy
        if action == "cancel":
            return self.busy
        if action == "continue_offline":
            return self._offline.offered(self.interview) and not self.busy
        return True

    async def action_submit(self) -> None:
        self._submit(self.query_one(AnswerEditor).text)

    def on_answer_editor_send_requested(self, message: AnswerEditor.SendRequested) -> None:
        message.stop()
        self._submit(message.text)

    def _submit(self, text: str) -> None:
        """Send `text`, the editor's text when ctrl+s came (keys typed after it stay)."""
        if self.busy:
            self.notify("The interviewer is still replying; Esc stops the reply.", markup=False)
            return
        if self.interview.finished:
            return
        if self.interview.grading_failed_for is not None:
            self.notify(
                "Grading of the last question failed: ctrl+r retries, ctrl+o grades offline.",
                severity="warning",
                markup=False,
            )
            return
        if text.strip():
            self._send(text)
            return
        editor = self.query_one(AnswerEditor)
        if editor.text.strip():
            return  # typed on right after ctrl+s: the candidate is writing, not skipping
        self.app.push_screen(
            SkipConfirmScreen(skip_question(probe=self._transcript.probe_open), editor),
            self._skip_confirmed,
        )

    def _skip_confirmed(self, yes: bool | None) -> None:
        if yes:
            self.run_events(self.interview.skip(), "")

    def _send(self, text: str) -> None:
        self._activity("Sending your answer…")
        self.run_events(self.interview.submit(text), text)

    def action_cancel(self) -> None:
        if self.busy:
            self.interview.cancel()
            self._activity("Stopping the reply…")

    def action_retry_grading(self) -> None:
        if self.interview.grading_failed_for is not None and not self.busy:
            self.run_events(self.interview.retry_grading(), None)

    def action_grade_offline(self) -> None:
        if self.interview.grading_failed_for is not None and not self.busy:
            self.run_events(self.interview.grade_offline(), None)

    def action_continue_offline(self) -> None:
        if self._offline.offered(self.interview) and not self.busy:
            self.run_events(self.interview.continue_offline(self._offline.failure or ""), None)

    def action_focus_conversation(self) -> None:
        self.query_one(Conversation).focus()

    def on_answer_editor_edit_externally(self, message: AnswerEditor.EditExternally) -> None:
        message.stop()
        self.action_edit_externally()

    def action_edit_externally(self) -> None:
        if self.busy:
            self.notify("Wait for the reply (Esc stops it), then ctrl+e.", markup=False)
            return
        editor = self.query_one(AnswerEditor)
        try:
            edited = edit_externally(editor.text, self.app.suspend)
        except EditorFailed as exc:
            self.notify(str(exc), title="Editor", severity="error", markup=False)
            return
        finally:
            editor.focus()
        if edited != editor.text:
            editor.set_answer(edited)

    def watch_busy(self, busy: bool) -> None:
        # On the editor, not the screen: a class on the screen restyles every widget on it.
        with contextlib.suppress(NoMatches):
            self.query_one(AnswerEditor).set_class(busy, "-busy")
        self.refresh_bindings()
        if not busy:
            self._activity("")

    # -- the engine worker -----------------------------------------------------------------

    @work(exclusive=True, group="engine")
    async def run_events(self, stream: AsyncIterator[Event], submitted: str | None) -> None:
        self.busy = True
        accepted = submitted is None
        failure: Exception | None = None
        finished = False
        try:
            async for event in stream:
                if isinstance(event, AnswerGiven) and not accepted:
                    # Journaled: from now on the answer is the engine's, not the editor's.
                    accepted = True
                    self._remove_sent(event.text)
                if isinstance(event, SessionEnded):
                    finished = True
                await self._show(event)
            await self._transcript.finish()
        except Exception as exc:  # any failure must leave the app and the answer
            failure = exc
            with contextlib.suppress(Exception):
                await self._transcript.finish()
        finally:
            if self.is_attached:
                with contextlib.suppress(NoMatches):
                    self.busy = False
                    self._update_status()
        if failure is not None:
            self._failed(failure, answer_kept=not accepted)
        if finished or self.interview.finished:
            self.save_draft()
            self.post_message(self.Finished(self.interview))

    def _remove_sent(self, answer: str) -> None:
        """Take the sent answer out of the editor, keeping anything typed after it meanwhile,
        and bring the draft file in line at once."""
        with contextlib.suppress(NoMatches):
            self.query_one(AnswerEditor).remove_sent(answer)
        self.save_draft()

    async def _show(self, event: Event) -> None:
        if self.query_one(ActivityLine).see(event):
            return
        transcript = self._transcript
        if isinstance(event, FeedbackDelta) and not transcript.practice:
            self._activity("Noting your answer…")
        elif isinstance(event, ProbeDelta | FeedbackDelta) and not transcript.streaming:
            self._activity("The interviewer is replying… (Esc stops)")
        await transcript.show(event)
        if isinstance(event, ProbeDelta | FeedbackDelta):
            return
        if isinstance(event, QuestionOpened):
            mode = "Practice" if transcript.practice else "Interview"
            self.query_one("#progress", SafeStatic).set_text(f"{mode} · {transcript.heading}")
            if transcript.question is not None:
                self.query_one("#question", SafeStatic).set_text(transcript.question.text)
                self._question_pinned = True
            self.query_one(StatusBar).question_started_at = self._clock() - self._spent_since(
                event.t
            )
            self.query_one(AnswerEditor).focus()
        elif isinstance(event, ProbeGiven):
            self.query_one(AnswerEditor).focus()
        elif isinstance(event, Evaluated):
            self._update_status()
            if transcript.practice and transcript.question is not None:
                await self.app.push_screen_wait(
                    FeedbackScreen(
                        transcript.number, transcript.question, event.evaluation, practice=True
                    )
                )
        elif isinstance(event, WentOffline):
            self.query_one(StatusBar).provider = self._provider_label()
        self._offline.saw(event)
        toast = event_toast(event, offline_offered=self._offline.offered(self.interview))
        if toast is not None:
            self.notify(
                toast.message,
                title=toast.title,
                severity=toast.severity,
                timeout=toast.timeout,
                markup=False,
            )
        self._update_status()

    def _failed(self, exc: Exception, *, answer_kept: bool) -> None:
        if answer_kept:
            # The engine did not take the answer: keep it safe on disk as well.
            self.save_draft()
        if not isinstance(exc, ProviderError | OSError):
            self.log.error(f"engine call failed: {exc!r}")
        grading_failed = self.interview.grading_failed_for is not None
        self._offline.saw(exc)
        title, message = failure_notice(
            exc,
            answer_kept=answer_kept,
            grading_failed=grading_failed,
            offline_offered=self._offline.offered(self.interview),
        )
        self.notify(message, title=title, severity="error", timeout=30, markup=False)

    def _activity(self, text: str) -> None:
        self.query_one(ActivityLine).set_text(text)

    def _update_status(self) -> None:
        status = self.query_one(StatusBar)
        status.usage = self.interview.usage
        status.refresh_status()

    def draft(self) -> str:
        """What is in the editor and not yet sent."""
        return self.query_one(AnswerEditor).text

    def restore_draft(self, text: str) -> None:
        editor = self.query_one(AnswerEditor)
        if not editor.text.strip():
            editor.set_answer(text)
            if self._draft is not None:
                self._draft.holds(text)
            self.notify("Your unsent draft is back in the editor.", markup=False)

    # -- the draft on disk -----------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._draft is not None and isinstance(event.text_area, AnswerEditor):
            self._draft.changed()

    def save_draft(self) -> None:
        """Mirror the editor to the session's draft file now, in the background (an empty
        editor, or a finished session, removes the file)."""
        if self._draft is not None:
            self._draft.save()

    async def flush_draft(self) -> None:
        """Save the editor now and wait until the file is written (before quitting)."""
        if self._draft is not None:
            await self._draft.flush()

    def on_unmount(self) -> None:
        if self._draft is not None:
            self._draft.stop()

    def _draft_text(self) -> str | None:
        if self.interview.finished:
            return ""
        try:
            return self.draft()
        except NoMatches:
            return None

    def _draft_failed(self, error: BaseException) -> None:
        self.app.notify(
            f"Could not save your draft ({clean_line(str(error))}). The text is still in the "
            "editor.",
            title="Draft not saved",
            severity="warning",
            markup=False,
        )
