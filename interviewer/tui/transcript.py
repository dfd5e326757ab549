"""The TUI's one renderer of a session: the engine's events drawn into a `Conversation`.

The interview screen feeds it what the engine yields as it happens; the playback app feeds it the
same records read back from a journal (`interviewer.engine.state.play_back`). So a question, an
answer, a probe looks the same in both, and a resumed question's earlier turns are drawn by the
same code as a replay.

Everything shown may come from a journal anyone could have edited, or from a model: text goes
through the safe widgets (sanitised, never parsed as markup).
"""

from __future__ import annotations

from interviewer.domain import Question
from interviewer.engine.events import (
    AnswerRejected,
    Event,
    FeedbackDelta,
    Notice,
    ProbeDelta,
)
from interviewer.journal import (
    AnswerGiven,
    Evaluated,
    GradingFailedRecord,
    ProbeGiven,
    QuestionOpened,
    SessionEnded,
    SessionStarted,
    WentOffline,
)
from interviewer.tui.screens.feedback import feedback_markdown
from interviewer.tui.widgets.conversation import Conversation, StreamingReply
from interviewer.tui.widgets.safe import SafeStatic


class TranscriptRenderer:
    """Draws one session's events into `conversation`, in order.

    `live` is the interview screen: each question starts a fresh page (the screen pins the
    question itself above it; in interview mode the page opens by acknowledging the last
    answer), interrupted probes say what to do, and the screen itself presents evaluations,
    grading failures and the end (a feedback screen, toasts, the report). Otherwise (playback)
    the whole session accumulates in the conversation, feedback included. Notices and
    rejections are the screen's to show."""

    def __init__(self, conversation: Conversation, header: SessionStarted, *, live: bool) -> None:
        self.conversation = conversation
        self.header = header
        self.live = live
        self.question: Question | None = None
        """The question opened last."""
        self.number = 0
        self.heading = ""
        """"Question n / total · difficulty · tags" of the question opened last."""
        self.chunks_shown = 0
        """Streamed chunks displayed so far (the bench reads it)."""
        self.probe_open = False
        """The prompt waiting for an answer is a follow-up probe, not the question itself."""
        self._reply: StreamingReply | None = None
        self._acknowledgement = ""
        """Live interview mode: said at the top of the next question's page (there is no
        feedback between questions, so this is how the candidate knows the answer counted)."""

    @property
    def practice(self) -> bool:
        return self.header.mode == "practice"

    @property
    def streaming(self) -> bool:
        return self._reply is not None

    async def show(self, event: Event) -> None:
        conversation = self.conversation
        if isinstance(event, ProbeDelta | FeedbackDelta):
            if isinstance(event, FeedbackDelta) and self.live and not self.practice:
                return  # interview mode: the feedback waits for the report
            if self._reply is None:
                kind = "probe" if isinstance(event, ProbeDelta) else "feedback"
                self._reply = StreamingReply(conversation, kind)
            await self._reply.write(event.text)
            self.chunks_shown += 1
            return
        if isinstance(event, AnswerRejected | Notice):
            return
        reply, self._reply = self._reply, None
        if reply is not None:
            # The record replaces what streamed: the record is what is shown.
            await reply.finish(event.text if isinstance(event, ProbeGiven) else None)
            if isinstance(event, ProbeGiven):
                self.probe_open = True
                await self._cut_short(event)
                return
        if isinstance(event, QuestionOpened):
            await self._question_opened(event)
        elif isinstance(event, AnswerGiven):
            skipped = not event.text.strip()
            what = "follow-up" if self.probe_open else "question"
            if not skipped:
                await conversation.add_answer(event.text)
            else:
                await conversation.add_note(
                    f"(You skipped this {what}.)"
                    if self.live
                    else f"(No answer: the {what} was skipped.)"
                )
            # A skipped follow-up leaves the answers given before it: those are recorded.
            self._acknowledgement = (
                f"✓ Question {self.number} skipped. On to the next one."
                if skipped and not self.probe_open
                else f"✓ Your answer to question {self.number} is recorded. Feedback comes at "
                "the end."
            )
            self.probe_open = False
        elif isinstance(event, ProbeGiven):
            self.probe_open = True
            await conversation.add_markdown(event.text, "probe")
            await self._cut_short(event)
        elif isinstance(event, Evaluated):
            if not self.live:
                question = self.header.question(event.question_id)
                if question is not None:
                    markdown = feedback_markdown(question, event.evaluation, sample=True)
                    await conversation.add_markdown(markdown, "feedback")
        elif isinstance(event, GradingFailedRecord):
            if not self.live:
                await conversation.add_note(f"Grading failed: {event.message}")
        elif isinstance(event, WentOffline):
            await conversation.add_note(
                "(Offline from here on: probes from the bank, scores from the offline grader; "
                f"after: {event.reason})"
            )
        elif isinstance(event, SessionEnded) and not self.live:
            await conversation.add_note("Session ended.")

    async def finish(self) -> None:
        """End a reply still streaming (the engine stopped without its record)."""
        reply, self._reply = self._reply, None
        if reply is not None:
            await reply.finish(None)

    async def _question_opened(self, record: QuestionOpened) -> None:
        question = self.header.question(record.question_id)
        if question is None:
            return
        self.question, self.number = question, record.number
        tags = f" · {', '.join(question.tags)}" if question.tags else ""
        self.heading = (
            f"Question {record.number} / {len(self.header.questions)} · "
            f"{question.difficulty.value}{tags}"
        )
        self.probe_open = False
        if self.live:
            # The question itself is pinned by the screen, above the conversation.
            await self.conversation.reset()
            acknowledgement, self._acknowledgement = self._acknowledgement, ""
            if acknowledgement and not self.practice:
                await self.conversation.add_note(acknowledgement)
            return
        await self.conversation.add_note(self.heading)
        await self.conversation.mount(SafeStatic(question.text, classes="bubble question"))
        self.conversation.follow()

    async def _cut_short(self, record: ProbeGiven) -> None:
        if record.interrupted:
            await self.conversation.add_note(
                "(The reply was cut short. Answer what you see.)"
                if self.live
                else "(The reply was cut short.)"
            )
