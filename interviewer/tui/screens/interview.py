"""The interview itself: the question, the conversation so far, the answer editor.

Engine calls run in one exclusive worker, so the editor stays live while a probe streams in.
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
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, TextArea
from textual.widgets.text_area import Document

from interviewer.domain import Question
from interviewer.engine.events import (
    AnswerRejected,
    Event,
    FeedbackDelta,
    GradingFailedEvent,
    Notice,
    ProbeAsked,
    ProbeDelta,
    QuestionAsked,
    QuestionEvaluated,
    SessionFinished,
)
from interviewer.errors import ProviderError
from interviewer.sanitize import clean_line
from interviewer.tui.drafts import DraftMirror, DraftStore
from interviewer.tui.ports import InterviewLike
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.widgets.conversation import Conversation, StreamingReply
from interviewer.tui.widgets.editor import AnswerEditor
from interviewer.tui.widgets.safe import SafeStatic
from interviewer.tui.widgets.status import StatusBar


class InterviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Send answer", priority=True),
        Binding("escape", "cancel", "Stop reply"),
        Binding("ctrl+r", "retry_grading", "Retry grading"),
        Binding("ctrl+o", "grade_offline", "Grade offline"),
        Binding("ctrl+l", "focus_conversation", "Scroll conversation", show=False),
    ]

    busy: reactive[bool] = reactive(False)

    class Finished(Message):
        """The session is over; the app shows the report."""

        def __init__(self, interview: InterviewLike) -> None:
            super().__init__()
            self.interview = interview

    def __init__(
        self,
        interview: InterviewLike,
        clock: Callable[[], float],
        time_limit_s: int,
        drafts: DraftStore | None = None,
    ):
        super().__init__()
        self.interview = interview
        self._clock = clock
        self._time_limit_s = time_limit_s
        self._question: Question | None = None
        self._number = 0
        self.chunks_shown = 0
        """Streamed chunks displayed so far (the bench reads it)."""
        self._draft = (
            None
            if drafts is None
            else DraftMirror(drafts, interview.session_id, self._draft_text, self._draft_failed)
        )

    def compose(self) -> ComposeResult:
        yield SafeStatic("", id="progress")
        yield Conversation(id="conversation")
        yield SafeStatic("", id="activity")
        yield AnswerEditor(id="answer")
        yield StatusBar(self._clock, id="status")
        yield Footer()

    def on_mount(self) -> None:
        status = self.query_one(StatusBar)
        status.time_limit_s = self._time_limit_s
        status.provider = self._provider_label()
        self.query_one(AnswerEditor).focus()
        self.run_events(self.interview.start(), None)

    def _provider_label(self) -> str:
        interviewer, grader = self.interview.interviewer_name, self.interview.grader_name
        return interviewer if grader == interviewer else f"{interviewer} · grader {grader}"

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry_grading", "grade_offline"):
            return self.interview.grading_failed_for is not None and not self.busy
        if action == "cancel":
            return self.busy
        return True

    async def action_submit(self) -> None:
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
        text = self.query_one(AnswerEditor).text
        if not text.strip():
            self.app.push_screen(
                ConfirmScreen(
                    "Your answer is empty. Skip this question (it scores 0)?",
                    yes="Skip",
                    no="Keep writing",
                ),
                self._skip_confirmed,
            )
            return
        self._send(text)

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

    def action_focus_conversation(self) -> None:
        self.query_one(Conversation).focus()

    def watch_busy(self, busy: bool) -> None:
        self.set_class(busy, "-busy")
        self.refresh_bindings()
        if not busy:
            self._activity("")

    # -- the engine worker -----------------------------------------------------------------

    @work(exclusive=True, group="engine")
    async def run_events(self, stream: AsyncIterator[Event], submitted: str | None) -> None:
        self.busy = True
        accepted = submitted is None
        answers_before = 0 if submitted is None else self._answers_given()
        late_answer: str | None = None
        failure: Exception | None = None
        finished = False
        reply: StreamingReply | None = None
        try:
            async for event in stream:
                if not accepted and not isinstance(event, AnswerRejected | Notice):
                    accepted = True
                    await self._accepted(submitted or "")
                if isinstance(event, SessionFinished):
                    finished = True
                reply = await self._show(event, reply)
            if reply is not None:
                await reply.finish(None)
        except Exception as exc:  # any failure must leave the app and the answer
            failure = exc
            if reply is not None:
                with contextlib.suppress(Exception):
                    await reply.finish(None)
        finally:
            # Also on cancellation (quit): an answer the engine journaled before any event came
            # back (stopped before the first token, or failed after saving) is sent, so it must
            # leave the editor and the draft, or a resume would offer it to be sent twice.
            if not accepted and self._answers_given() > answers_before:
                accepted = True
                late_answer = submitted or ""
                self._remove_sent(late_answer)
            if self.is_attached:
                with contextlib.suppress(NoMatches):
                    self.busy = False
                    self._update_status()
        if late_answer is not None:
            await self._show_answer(late_answer)
        if failure is not None:
            self._failed(failure, answer_kept=not accepted)
        if finished or self.interview.finished:
            self.save_draft()
            self.post_message(self.Finished(self.interview))

    def _answers_given(self) -> int:
        """Answers the engine has journaled (the sent answer counts once it is on disk)."""
        return sum(len(item.exchanges) for item in self.interview.report().questions)

    async def _accepted(self, answer: str) -> None:
        self._remove_sent(answer)
        await self._show_answer(answer)

    async def _show_answer(self, answer: str) -> None:
        conversation = self.query_one(Conversation)
        if answer.strip():
            await conversation.add_answer(answer)
        else:
            await conversation.add_note("(You skipped this question.)")

    def _remove_sent(self, answer: str) -> None:
        """Take the sent answer out of the editor, keeping anything typed after it meanwhile,
        and bring the draft file in line at once."""
        try:
            editor = self.query_one(AnswerEditor)
        except NoMatches:
            return
        if answer and editor.text.startswith(answer):
            document = editor.document
            end = None
            if isinstance(document, Document):
                with contextlib.suppress(ValueError):
                    end = document.get_location_from_index(len(answer))
            if end is None:
                editor.set_answer(editor.text[len(answer) :])
            else:
                # A delete, not a reload: the cursor stays where the candidate is typing.
                editor.delete((0, 0), end)
        self.save_draft()

    async def _show(self, event: Event, reply: StreamingReply | None) -> StreamingReply | None:
        conversation = self.query_one(Conversation)
        practice = self.interview.mode == "practice"
        if isinstance(event, ProbeDelta | FeedbackDelta):
            if isinstance(event, FeedbackDelta) and not practice:
                self._activity("Noting your answer…")
                return reply
            if reply is None:
                kind = "probe" if isinstance(event, ProbeDelta) else "feedback"
                reply = StreamingReply(conversation, kind)
                self._activity("The interviewer is replying… (Esc stops)")
            await reply.write(event.text)
            self.chunks_shown += 1
            return reply
        if reply is not None:
            await reply.finish(event.text if isinstance(event, ProbeAsked) else None)
            if isinstance(event, ProbeAsked):
                await self._probe_done(event)
                return None
            reply = None
        if isinstance(event, QuestionAsked):
            await self._new_question(event.question, event.number, event.total)
            await self._show_earlier_turns(event.question.id)
        elif isinstance(event, ProbeAsked):
            if self._question is None and self.interview.current_question is not None:
                await self._new_question(
                    self.interview.current_question,
                    self.interview.current_number,
                    self.interview.total,
                )
            await conversation.add_markdown(event.text, "probe")
            await self._probe_done(event)
        elif isinstance(event, QuestionEvaluated):
            self._update_status()
            if practice and self._question is not None:
                await self.app.push_screen_wait(
                    FeedbackScreen(self._number, self._question, event.evaluation)
                )
            elif not practice:
                await conversation.add_note("Answer recorded. Feedback comes at the end.")
        elif isinstance(event, GradingFailedEvent):
            self.notify(
                f"Grading failed: {clean_line(event.message)} Your answers are saved. "
                "Press ctrl+r to retry grading, or ctrl+o to grade offline.",
                title="Grading failed",
                severity="error",
                timeout=30,
                markup=False,
            )
        elif isinstance(event, AnswerRejected):
            self.notify(clean_line(event.reason), severity="warning", markup=False)
        elif isinstance(event, Notice):
            self.notify(clean_line(event.text), markup=False)
        self._update_status()
        return None

    async def _show_earlier_turns(self, question_id: str) -> None:
        """After a resume, the question's earlier probes and answers, as they were."""
        conversation = self.query_one(Conversation)
        for item in self.interview.report().questions:
            if item.question_id != question_id:
                continue
            for exchange in item.exchanges:
                if exchange.kind == "probe":
                    await conversation.add_markdown(exchange.prompt, "probe")
                if exchange.answer.strip():
                    await conversation.add_answer(exchange.answer)
                else:
                    await conversation.add_note("(You skipped this question.)")

    async def _probe_done(self, event: ProbeAsked) -> None:
        if event.interrupted:
            await self.query_one(Conversation).add_note(
                "(The reply was cut short. Answer what you see.)"
            )
        self.query_one(AnswerEditor).focus()

    async def _new_question(self, question: Question, number: int, total: int) -> None:
        self._question = question
        self._number = number
        tags = f" · {', '.join(question.tags)}" if question.tags else ""
        mode = "Practice" if self.interview.mode == "practice" else "Interview"
        self.query_one("#progress", SafeStatic).set_text(
            f"{mode} · Question {number} / {total} · {question.difficulty.value}{tags}"
        )
        await self.query_one(Conversation).reset(question.text)
        self.query_one(StatusBar).question_started_at = self._clock()
        self.query_one(AnswerEditor).focus()

    def _failed(self, exc: Exception, *, answer_kept: bool) -> None:
        actions = []
        if answer_kept:
            # The engine did not take the answer: keep it safe on disk as well.
            self.save_draft()
            actions.append("The answer in the editor is kept: ctrl+s sends it again.")
        if self.interview.grading_failed_for is not None:
            actions.append("ctrl+r retries grading, ctrl+o grades offline.")
        detail = clean_line(str(exc)) or type(exc).__name__
        if isinstance(exc, ProviderError):
            title, message = "Provider error", detail
        elif isinstance(exc, OSError):
            title = "Disk error"
            message = (
                f"Could not write the session to disk ({detail}). Free some space or fix the "
                "folder's permissions."
            )
        else:
            self.log.error(f"engine call failed: {exc!r}")
            title = "Unexpected error"
            message = f"The interview engine failed: {type(exc).__name__}: {detail}."
        self.notify(
            f"{message} {' '.join(actions)}".strip(),
            title=title,
            severity="error",
            timeout=30,
            markup=False,
        )

    def _activity(self, text: str) -> None:
        self.query_one("#activity", SafeStatic).set_text(text)

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
