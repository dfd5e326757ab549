"""Terminal mode: drive an Interview with answers from a JSONL file or typed at the terminal,
printing prompts, probes and feedback as plain, sanitised text.

`TextRenderer` is the plain-text front end's one renderer: it draws the engine's events (journal
records and deltas) for a live session here, and the same records read back from a journal for
`interviewer replay --headless` (`interviewer.commands.playback`). `answers` reads the answers
(a JSONL file, or the terminal); `waiting` shows on stderr how long a provider call has taken."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TextIO

from interviewer import paths
from interviewer.engine.events import (
    AnswerRejected,
    Event,
    FeedbackDelta,
    Notice,
    ProbeDelta,
    Waiting,
)
from interviewer.engine.session import Interview
from interviewer.errors import ProviderError, StorageError
from interviewer.headless.answers import (
    AnswerInterrupted,
    TerminalAnswers,
    answers_from_file,
    answers_from_terminal,
    require_text,
)
from interviewer.headless.waiting import WaitLine
from interviewer.journal import (
    AnswerGiven,
    Evaluated,
    GradingFailedRecord,
    ProbeGiven,
    QuestionOpened,
    SessionEnded,
    SessionStarted,
)
from interviewer.report import Report, evaluation_text
from interviewer.text.sanitize import StreamCleaner, clean_for_terminal

__all__ = [
    "AnswerInterrupted",
    "HeadlessRunner",
    "TerminalAnswers",
    "TextRenderer",
    "answers_from_file",
    "answers_from_terminal",
    "require_text",
    "stdin_is_interactive",
]


class TextRenderer:
    """Draws a session as plain, sanitised text, one event at a time: the records the engine
    yields or a journal holds, and the deltas of a reply streaming in.

    `echo_answers` is off when the candidate typed the answers at this terminal; `hold_feedback`
    keeps each evaluation for the end (interview mode), when `summary` prints them."""

    def __init__(
        self,
        out: TextIO,
        header: SessionStarted,
        *,
        echo_answers: bool = True,
        hold_feedback: bool = False,
    ) -> None:
        self.out = out
        self.header = header
        self.echo_answers = echo_answers
        self.hold_feedback = hold_feedback
        self._probes = 0
        self._probe_open = False
        self._feedback_open = False
        # An escape sequence can be split across streamed chunks: clean the stream as a whole.
        self._stream = StreamCleaner()

    def write(self, text: str) -> None:
        self.out.write(clean_for_terminal(text))
        self.out.flush()

    def _write_streamed(self, chunk: str) -> None:
        self.out.write(self._stream.feed(chunk))
        self.out.flush()

    def _end_stream(self) -> None:
        self.out.write(self._stream.flush())
        self.out.flush()

    def show(self, event: Event) -> None:
        if isinstance(event, ProbeDelta):
            if not self._probe_open:
                self.write(f"\nFollow-up {self._probes + 1}: ")
                self._probe_open = True
            self._write_streamed(event.text)
            return
        if isinstance(event, FeedbackDelta):
            if not self.hold_feedback:
                if not self._feedback_open:
                    self.write("\n--- Feedback ---\n")
                    self._feedback_open = True
                self._write_streamed(event.text)
            return
        if isinstance(event, AnswerRejected | Notice):
            self.write(f"[{event.reason if isinstance(event, AnswerRejected) else event.text}]\n")
            return
        probe_streamed, feedback_streamed = self._probe_open, self._feedback_open
        if probe_streamed or feedback_streamed:
            self._end_stream()
        self._probe_open = self._feedback_open = False
        if isinstance(event, QuestionOpened):
            self._probes = 0
            question = self.header.question(event.question_id)
            if question is not None:
                self.write(
                    f"\n=== Question {event.number}/{len(self.header.questions)} "
                    f"[{question.difficulty}] ===\n{question.text}\n"
                )
        elif isinstance(event, AnswerGiven):
            if not event.text.strip():
                self.write("\n(no answer: skipped)\n")
            elif self.echo_answers:
                self.write("\n" + "\n".join(f"> {line}" for line in event.text.splitlines()) + "\n")
        elif isinstance(event, ProbeGiven):
            self._probes = event.number
            if not probe_streamed:
                self.write(f"\nFollow-up {event.number}: {event.text}")
            self.write(" [interrupted]\n" if event.interrupted else "\n")
        elif isinstance(event, Evaluated):
            if self.hold_feedback:
                self.write("(answer recorded; feedback comes at the end)\n")
                return
            prose = event.evaluation.feedback
            if prose.strip() and not feedback_streamed:
                # As if it had streamed: the same text, the same place.
                self.write(f"\n--- Feedback ---\n{prose}")
            practice = self.header.mode == "practice"
            self.write("\n" + evaluation_text(event.evaluation, practice=practice))
        elif isinstance(event, GradingFailedRecord):
            self.write(f"\nGrading failed: {event.message}\n")
        elif isinstance(event, SessionEnded):
            self.write(f"\nSession {self.header.session_id} finished.\n")

    def summary(self, report: Report) -> None:
        """Every question's feedback and score, then the overall score (the feedback held)."""
        self.write("\n=== Feedback ===\n")
        for item in report.questions:
            self.write(f"\n{item.question}\n")
            if item.evaluation is not None:
                if item.evaluation.feedback:
                    self.write(item.evaluation.feedback.strip() + "\n")
                self.write(evaluation_text(item.evaluation))
        overall = "-" if report.overall_score is None else f"{report.overall_score:.1f}"
        self.write(f"\nOverall score: {overall} / 10\n")


class HeadlessRunner:
    def __init__(
        self,
        interview: Interview,
        out: TextIO,
        *,
        interactive: bool,
        waiting: WaitLine | None = None,
    ) -> None:
        self.interview = interview
        self._waiting = waiting if waiting is not None else WaitLine(sys.stderr)
        self.out = out
        self.interactive = interactive
        self._practice = interview.mode == "practice"
        self.renderer = TextRenderer(
            out, interview.header, echo_answers=not interactive, hold_feedback=not self._practice
        )
        self.provider_failures = 0
        """Provider calls that failed and were stood in for (bank probe, offline grading)."""

    def write(self, text: str) -> None:
        self.renderer.write(text)

    @property
    def _draft_path(self) -> Path:
        return paths.drafts_dir() / f"{self.interview.session_id}.txt"

    async def run(self, answers: Iterator[str]) -> bool:
        """Run until the session ends or answers run out; True when the session finished."""
        draft = self._draft_path
        offered = False
        if draft.is_file():
            if isinstance(answers, TerminalAnswers):
                answers.draft = draft.read_text(encoding="utf-8", errors="replace")
                offered = True
            else:
                self.write(f"(an answer you had not sent last time is kept in {draft})\n")
        await self._show_all(self.interview.start())
        while not self.interview.finished:
            if self.interview.grading_failed_for is not None:
                await self._recover_grading()
                continue
            try:
                answer = next(answers, None)
            except AnswerInterrupted as interrupted:
                self._keep_draft(interrupted.text)
                raise
            if answer is None:
                self.write(
                    "\nNo more answers: the session is saved as unfinished. Continue it with "
                    f"`interviewer resume {self.interview.session_id}`.\n"
                )
                return False
            await self._send(answer)
            if offered:
                # Sent as it was or replaced: either way the draft has done its job.
                assert isinstance(answers, TerminalAnswers)
                answers.draft, offered = None, False
                draft.unlink(missing_ok=True)
        if not self._practice:
            self.renderer.summary(self.interview.report())
        return True

    async def _send(self, answer: str) -> None:
        events = self.interview.submit(answer) if answer.strip() else self.interview.skip()
        saved = False
        try:
            async for event in events:
                saved = saved or isinstance(event, AnswerGiven)
                self._show(event)
        except OSError as exc:
            if not saved and self.interactive:
                self._keep_draft(answer)
            raise self._cannot_write(exc) from None
        finally:
            self._waiting.stop()

    def _keep_draft(self, text: str) -> None:
        if not text.strip():
            return
        path = self._draft_path
        try:
            paths.write_private_text(path, text)
        except OSError as exc:
            # The disk that refused the journal may refuse the draft too: the screen is left.
            self.write(
                f"\nYour unsent answer could not be saved in {path} ({exc.strerror or exc}); "
                f"here it is, to copy:\n{text}\n"
            )
            return
        self.write(
            f"\nYour unsent answer is saved in {path}; "
            f"`interviewer resume {self.interview.session_id}` offers it again.\n"
        )

    def _cannot_write(self, exc: OSError) -> StorageError:
        where = exc.filename or self.interview.journal_path
        return StorageError(
            f"{where}: cannot write the session ({exc.strerror or exc}); free some disk space "
            f"or make the folder writable, then `interviewer resume {self.interview.session_id}` "
            "continues from the last saved turn"
        )

    async def _recover_grading(self) -> None:
        # Headless has nobody to ask: grade offline, saying so plainly. No second try here: the
        # provider's own retries (`providers.retry`, max_retries) are the one retry layer, so one
        # persistent fault costs max_retries + 1 requests, not twice that.
        self.write("Grading with the offline grader instead (labelled as such in the report).\n")
        await self._show_all(self.interview.grade_offline())
        if self.interview.grading_failed_for is not None:
            raise ProviderError(
                "grading failed with the configured provider and offline; your answers are "
                f"saved: `interviewer resume {self.interview.session_id}` retries later"
            )

    async def _show_all(self, events: AsyncIterator[Event]) -> None:
        try:
            async for event in events:
                self._show(event)
        except OSError as exc:
            raise self._cannot_write(exc) from None
        finally:
            self._waiting.stop()

    def _show(self, event: Event) -> None:
        self._waiting.see(event)
        if isinstance(event, Waiting):
            return
        if isinstance(event, GradingFailedRecord) or (
            isinstance(event, Notice) and event.provider_failed
        ):
            self.provider_failures += 1
        self.renderer.show(event)


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty()
