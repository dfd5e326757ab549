"""The interview itself: the question, the conversation so far, the answer editor.

Engine calls run in one exclusive worker, so the editor stays live while a probe streams in.
The editor keeps the answer until the engine has accepted it: a provider error never loses it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer

from interviewer.domain import Question
from interviewer.errors import ProviderError
from interviewer.events import (
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
from interviewer.sanitize import clean_line
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

    def __init__(self, interview: InterviewLike, clock: Callable[[], float], time_limit_s: int):
        super().__init__()
        self.interview = interview
        self._clock = clock
        self._time_limit_s = time_limit_s
        self._question: Question | None = None
        self._number = 0
        self.chunks_shown = 0
        """Streamed chunks displayed so far (the bench reads it)."""

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
        except ProviderError as exc:
            if reply is not None:
                await reply.finish(None)
            self._provider_failed(exc, answer_kept=not accepted)
        finally:
            self.busy = False
            self._update_status()
        if finished or self.interview.finished:
            self.post_message(self.Finished(self.interview))

    async def _accepted(self, answer: str) -> None:
        editor = self.query_one(AnswerEditor)
        conversation = self.query_one(Conversation)
        if answer.strip():
            await conversation.add_answer(answer)
        else:
            await conversation.add_note("(You skipped this question.)")
        # The candidate may have started typing during the call; only clear what was sent.
        if editor.text == answer:
            editor.clear()

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

    def _provider_failed(self, exc: ProviderError, *, answer_kept: bool) -> None:
        actions = []
        if answer_kept:
            actions.append("Your answer is still in the editor: ctrl+s sends it again.")
        if self.interview.grading_failed_for is not None:
            actions.append("ctrl+r retries grading, ctrl+o grades offline.")
        self.notify(
            f"{clean_line(str(exc))} {' '.join(actions)}".strip(),
            title="Provider error",
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
        """What is in the editor and not yet sent (saved when the candidate quits)."""
        return self.query_one(AnswerEditor).text

    def restore_draft(self, text: str) -> None:
        editor = self.query_one(AnswerEditor)
        if not editor.text.strip():
            editor.set_answer(text)
            self.notify("Your unsent draft is back in the editor.", markup=False)
