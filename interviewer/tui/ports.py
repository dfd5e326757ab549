"""What the TUI needs from the rest of the program, as small protocols.

The app is built against these, not against concrete classes, so tests drive it with scripted
fakes and `interviewer.tui.backend` adapts the real engine, banks and journal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from interviewer.domain import Difficulty, Evaluation, Question, Usage
from interviewer.engine.events import Event
from interviewer.report import Report

Mode = Literal["interview", "practice"]


class InterviewLike(Protocol):
    """The part of `interviewer.engine.session.Interview` the TUI drives."""

    @property
    def session_id(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def questions(self) -> tuple[Question, ...]: ...
    @property
    def total(self) -> int: ...
    @property
    def current_number(self) -> int: ...
    @property
    def current_question(self) -> Question | None: ...
    @property
    def current_prompt(self) -> str | None: ...
    @property
    def finished(self) -> bool: ...
    @property
    def grading_failed_for(self) -> str | None: ...
    @property
    def usage(self) -> Usage: ...
    @property
    def evaluations(self) -> dict[str, Evaluation]: ...
    @property
    def interviewer_name(self) -> str: ...
    @property
    def grader_name(self) -> str: ...

    def start(self) -> AsyncIterator[Event]: ...
    def submit(self, answer: str) -> AsyncIterator[Event]: ...
    def skip(self) -> AsyncIterator[Event]: ...
    def retry_grading(self) -> AsyncIterator[Event]: ...
    def grade_offline(self) -> AsyncIterator[Event]: ...
    def cancel(self) -> None: ...
    def report(self) -> Report: ...
    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class StartChoice:
    """What the Start screen asks for: a new session, or `resume` an unfinished one."""

    bank: str
    difficulty: tuple[Difficulty, ...] = ()
    count: int = 5
    mode: Mode = "interview"
    resume: str | None = None


InterviewFactory = Callable[[StartChoice], Awaitable[InterviewLike]]


@dataclass(frozen=True)
class BankChoice:
    id: str
    title: str
    questions: int


@dataclass(frozen=True)
class SessionRow:
    """One past session, as the History and Start screens list it."""

    id: str
    started_at: datetime
    bank_id: str
    provider: str
    finished: bool
    overall_score: float | None
    ref: str = ""
    """What `Catalog.load_report` and a resume take (the journal path)."""
    answered: int = 0
    total: int = 0


@dataclass
class QuestionHistory:
    """Scores of one question across sessions, oldest first."""

    question_id: str
    question: str
    scores: list[float] = field(default_factory=list)


class Catalog(Protocol):
    """Banks to choose from and sessions to look back at."""

    def banks(self) -> Sequence[BankChoice]: ...
    def sessions(self) -> Sequence[SessionRow]: ...
    def load_report(self, ref: str) -> tuple[Report, tuple[Question, ...]]:
        """The report of a past session and its questions (for key point texts)."""
        ...
