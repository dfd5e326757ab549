"""What the TUI needs from the rest of the program: the Start screen's choice, the interview
factory, the catalog of banks and past sessions, as a small protocol, and the provider checks
the Start screen runs.

The interview itself is the engine's `Interview`, used directly (tests drive the real engine over
a scripted provider). The catalog is a protocol because it has two implementations:
`interviewer.tui.backend.JournalCatalog` reads the real banks and journals, tests hold one in
memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from interviewer.domain import Difficulty

if TYPE_CHECKING:
    # Types only: the Start screen imports this module, and the engine loads after it is drawn.
    from interviewer.domain import Question
    from interviewer.engine.session import Interview
    from interviewer.report import Report

if TYPE_CHECKING:
    from interviewer.config import ProviderProfile, Settings
    from interviewer.providers.check import LocalServer, Verdict

Mode = Literal["interview", "practice"]


@dataclass(frozen=True)
class SessionProvider:
    """A provider chosen on the Start screen for this run of the app only (a local server found
    on its usual port): profile `name` is `profile`, for probes and grading alike. Never written
    to the config file."""

    name: str
    profile: ProviderProfile

    def applied(self, settings: Settings) -> Settings:
        return settings.using(self.name, self.profile)


@dataclass(frozen=True)
class StartChoice:
    """What the Start screen asks for: a new session, or `resume` an unfinished one."""

    bank: str
    difficulty: tuple[Difficulty, ...] = ()
    count: int = 5
    mode: Mode = "interview"
    resume: str | None = None
    provider: SessionProvider | None = None
    """The provider chosen on the Start screen, when it is not the configured one."""


InterviewFactory = Callable[[StartChoice], Awaitable["Interview"]]


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

    def discard(self, ref: str) -> Path:
        """Take an unfinished session out of the list (its files are moved, not deleted);
        return where they went. Raises `InterviewerError` or `OSError` when it cannot."""
        ...


async def check_without_call(settings: Settings, name: str) -> Sequence[Verdict]:
    """`interviewer providers check NAME --no-call`."""
    from interviewer.providers.check import check_profile

    return await check_profile(settings, name, call=False)


async def detect_usual(ports: Mapping[int, str] | None) -> Sequence[LocalServer]:
    from interviewer.providers.check import detect_local

    return await detect_local(ports)


@dataclass(frozen=True)
class ProviderProbes:
    """How the Start screen finds out whether a provider is ready and which local servers run
    (`tui.widgets.provider_status`): the real checks on the usual ports unless a test passes
    its own."""

    # Coroutines, not just awaitables: each runs in its own event loop in a worker thread.
    check: Callable[[Settings, str], Coroutine[object, None, Sequence[Verdict]]] = (
        check_without_call
    )
    detect: Callable[[Mapping[int, str] | None], Coroutine[object, None, Sequence[LocalServer]]] = (
        detect_usual
    )
    local_ports: Mapping[int, str] | None = None
    """Port -> server kind; None: `providers.check.LOCAL_SERVERS`; empty: no detection."""
