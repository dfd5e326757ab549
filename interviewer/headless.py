"""Terminal mode: drive an Interview with answers from a JSONL file or typed at the terminal,
printing prompts, probes and feedback as plain, sanitised text.

`TextRenderer` is the plain-text front end's one renderer: it draws the engine's events (journal
records and deltas) for a live session here, and the same records read back from a journal for
`interviewer replay --headless` (`interviewer.commands.playback`)."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TextIO

from interviewer import paths
from interviewer.engine.events import AnswerRejected, Event, FeedbackDelta, Notice, ProbeDelta
from interviewer.engine.session import Interview
from interviewer.errors import AnswerError, ProviderError
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


def answers_from_file(path: Path) -> Iterator[str]:
    """Each line is {"text": "..."}; blank lines are ignored. Errors name the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswerError(f"{path}: cannot read answers file: {exc}") from None
    parsed: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AnswerError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise AnswerError(
                f'{path}:{number}: expected an object with a string "text", e.g. {{"text": "..."}}'
            )
        parsed.append(item["text"])
    # Validate the whole file before the session starts, so a typo on line 9 is not found
    # after eight answers were already spent.
    yield from parsed


class AnswerInterrupted(KeyboardInterrupt):
    """Ctrl+C while an answer was being typed; carries what was typed so far."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    # asyncio.run turns the first Ctrl+C into a task cancellation that a blocking read never
    # sees; while the candidate types, Ctrl+C must interrupt the read at once.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _read_answer(stdin: TextIO, out: TextIO) -> str | None:
    """One answer, or None at EOF with nothing typed. Raises AnswerInterrupted on Ctrl+C."""
    lines: list[str] = []
    confirming = False
    try:
        with _interruptible():
            while True:
                line = stdin.readline()
                if line == "":
                    return "\n".join(lines) if lines else None
                if line.strip():
                    lines.append(line.rstrip("\n"))
                    continue
                if lines or confirming:
                    return "\n".join(lines)
                confirming = True
                out.write(
                    "(empty answer: press Enter again to skip this question, or type your answer)\n"
                )
                out.flush()
    except KeyboardInterrupt:
        raise AnswerInterrupted("\n".join(lines)) from None


def answers_from_terminal(stdin: TextIO, out: TextIO) -> Iterator[str]:
    """Read answers typed at the terminal; a blank line ends an answer, EOF ends the session.

    A blank line with nothing typed asks first: a second blank line skips the prompt, so a
    stray Enter does not throw a question away. Ctrl+C raises AnswerInterrupted with the lines
    typed so far, so the caller can keep them."""
    while True:
        out.write("\nYour answer (finish with a blank line; Ctrl+D to stop):\n")
        out.flush()
        answer = _read_answer(stdin, out)
        if answer is None:
            return
        yield answer


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
            self.write("\n" + evaluation_text(event.evaluation))
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
    def __init__(self, interview: Interview, out: TextIO, *, interactive: bool) -> None:
        self.interview = interview
        self.out = out
        self.interactive = interactive
        self._practice = interview.mode == "practice"
        self.renderer = TextRenderer(
            out, interview.header, echo_answers=not interactive, hold_feedback=not self._practice
        )

    def write(self, text: str) -> None:
        self.renderer.write(text)

    async def run(self, answers: Iterator[str]) -> bool:
        """Run until the session ends or answers run out; True when the session finished."""
        draft = paths.drafts_dir() / f"{self.interview.session_id}.txt"
        if draft.is_file():
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
            if not answer.strip():
                await self._show_all(self.interview.skip())
            else:
                await self._show_all(self.interview.submit(answer))
        if not self._practice:
            self.renderer.summary(self.interview.report())
        return True

    def _keep_draft(self, text: str) -> None:
        if not text.strip():
            return
        path = paths.drafts_dir() / f"{self.interview.session_id}.txt"
        paths.write_private_text(path, text)
        self.write(
            f"\nYour unsent answer is saved in {path}; the TUI puts it back in the editor on "
            f"`interviewer resume {self.interview.session_id}`.\n"
        )

    async def _recover_grading(self) -> None:
        # Headless has nobody to ask: retry once, then grade offline, saying so plainly.
        self.write("Retrying grading once...\n")
        await self._show_all(self.interview.retry_grading())
        if self.interview.grading_failed_for is not None:
            self.write(
                "Grading with the offline grader instead (labelled as such in the report).\n"
            )
            await self._show_all(self.interview.grade_offline())
        if self.interview.grading_failed_for is not None:
            raise ProviderError(
                "grading failed with the configured provider and offline; your answers are "
                f"saved: `interviewer resume {self.interview.session_id}` retries later"
            )

    async def _show_all(self, events: AsyncIterator[Event]) -> None:
        async for event in events:
            self.renderer.show(event)


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty()
