"""Terminal mode: drive an Interview with answers from a JSONL file or typed at the terminal,
printing prompts, probes and feedback as plain, sanitised text."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from interviewer import paths
from interviewer.domain import Evaluation
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
from interviewer.engine.session import Interview
from interviewer.errors import AnswerError, ProviderError
from interviewer.sanitize import clean_for_terminal


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


class HeadlessRunner:
    def __init__(self, interview: Interview, out: TextIO, *, interactive: bool) -> None:
        self.interview = interview
        self.out = out
        self.interactive = interactive
        self._practice = interview.mode == "practice"
        self._held: list[Evaluation] = []
        self._probe_open = False
        self._feedback_open = False

    def write(self, text: str) -> None:
        self.out.write(clean_for_terminal(text))
        self.out.flush()

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
                self.write("(no answer given: skipping)\n")
                await self._show_all(self.interview.skip())
            else:
                if not self.interactive:
                    self.write(f"\n> {answer}\n")
                await self._show_all(self.interview.submit(answer))
        if not self._practice:
            self._summary()
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

    async def _show_all(self, events: object) -> None:
        async for event in events:  # type: ignore[attr-defined]
            self.show(event)

    def show(self, event: Event) -> None:
        if isinstance(event, QuestionAsked):
            q = event.question
            self.write(f"\n=== Question {event.number}/{event.total} [{q.difficulty}] ===\n")
            self.write(f"{q.text}\n")
        elif isinstance(event, ProbeDelta):
            if not self._probe_open:
                self.write("\nFollow-up: ")
                self._probe_open = True
            self.write(event.text)
        elif isinstance(event, ProbeAsked):
            if not self._probe_open:
                self.write(f"\nFollow-up: {event.text}")
            self._probe_open = False
            self.write(" [interrupted]\n" if event.interrupted else "\n")
        elif isinstance(event, FeedbackDelta):
            if self._practice:
                if not self._feedback_open:
                    self.write("\n--- Feedback ---\n")
                    self._feedback_open = True
                self.write(event.text)
        elif isinstance(event, QuestionEvaluated):
            if self._practice:
                self.write("\n")
                self._feedback_open = False
                self._evaluation(event.evaluation)
            else:
                self._held.append(event.evaluation)
                self.write("(answer recorded; feedback comes at the end)\n")
        elif isinstance(event, AnswerRejected | Notice):
            self.write(f"[{event.reason if isinstance(event, AnswerRejected) else event.text}]\n")
        elif isinstance(event, GradingFailedEvent):
            self.write(f"\nGrading failed: {event.message}\n")
        elif isinstance(event, SessionFinished):
            self.write(f"\nSession {event.session_id} finished.\n")

    def _evaluation(self, evaluation: Evaluation) -> None:
        self.print_evaluation(self.out, evaluation)

    @staticmethod
    def print_evaluation(out: TextIO, evaluation: Evaluation) -> None:
        lines = [f"Score: {evaluation.score:.1f} / 10 (graded by {evaluation.grader})"]
        for verdict in evaluation.verdicts:
            evidence = f' — "{verdict.evidence}"' if verdict.evidence else ""
            lines.append(f"  {verdict.verdict.value:>7}: {verdict.key_point_id}{evidence}")
        lines += [f"  + {strength}" for strength in evaluation.strengths]
        lines += [f"  - {gap}" for gap in evaluation.gaps]
        if evaluation.flags:
            lines.append(f"  flags: {', '.join(evaluation.flags)}")
        out.write(clean_for_terminal("\n".join(lines) + "\n"))
        out.flush()

    def _summary(self) -> None:
        report = self.interview.report()
        self.write("\n=== Feedback ===\n")
        for item in report.questions:
            self.write(f"\n{item.question}\n")
            if item.evaluation is not None:
                if item.evaluation.feedback:
                    self.write(item.evaluation.feedback.strip() + "\n")
                self._evaluation(item.evaluation)
        overall = "-" if report.overall_score is None else f"{report.overall_score:.1f}"
        self.write(f"\nOverall score: {overall} / 10\n")


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty()
