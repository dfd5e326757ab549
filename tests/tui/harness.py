"""Build the app for tests: the real engine over a scripted provider, a fixed clock, an
in-memory catalog, and `wait_until` instead of bare pauses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from interviewer.config import InterviewSettings, Settings
from interviewer.domain import GraderOutput, Question
from interviewer.engine.events import Event
from interviewer.engine.session import Interview
from interviewer.errors import ProviderError
from interviewer.report import Report
from interviewer.tui.app import InterviewerApp, build_app
from interviewer.tui.ports import BankChoice, SessionRow, StartChoice
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.editor import AnswerEditor
from tests.fakes import ScriptedProvider, make_question, verdicts_covering

FIXED_NOW = 1_000.0
ANSWER = (
    "I would keep system instructions apart from retrieved content and treat every document "
    "as untrusted data. Every tool call gets its own authorisation check."
)
EVIDENCE = "Every tool call gets its own authorisation check."


def fixed_clock() -> float:
    return FIXED_NOW


def probe_first_two(question: Question, text: str) -> tuple[str, ...]:
    """Coverage estimate for tests: the first two key points always look missing."""
    return tuple(p.id for p in question.key_points[:2])


def nothing_missing(question: Question, text: str) -> tuple[str, ...]:
    return ()


def grade_for(
    question: Question, covered: int = 3, feedback: str = "Good structure."
) -> GraderOutput:
    return GraderOutput(
        verdicts=verdicts_covering(question, EVIDENCE, covered),
        strengths=("Clear separation of data and instructions",),
        gaps=("No mention of monitoring",),
        feedback=feedback,
    )


@dataclass
class MemoryCatalog:
    """Banks and past sessions held in memory; reports come from journals in `journal_dir`."""

    bank_list: list[BankChoice] = field(
        default_factory=lambda: [BankChoice("test-bank", "Test bank", 3)]
    )
    rows: list[SessionRow] = field(default_factory=list)
    reports: dict[str, tuple[Report, tuple[Question, ...]]] = field(default_factory=dict)

    def banks(self) -> Sequence[BankChoice]:
        return self.bank_list

    def sessions(self) -> Sequence[SessionRow]:
        return self.rows

    def load_report(self, ref: str) -> tuple[Report, tuple[Question, ...]]:
        return self.reports[ref]

    def discard(self, ref: str) -> Path:
        self.rows = [r for r in self.rows if r.ref != ref]
        return Path("discarded") / ref


@dataclass
class EngineHarness:
    """Makes real `Interview`s over one scripted provider, journaled under `tmp`."""

    tmp: Path
    provider: ScriptedProvider = field(default_factory=ScriptedProvider)
    questions: int = 2
    max_probes: int = 1
    missing: Callable[[Question, str], tuple[str, ...]] = probe_first_two
    grader: ScriptedProvider | None = None
    offline: ScriptedProvider | None = None
    interview_type: type[Interview] = Interview
    """A test's subclass of the real engine, to stall or break one of its calls."""
    built: list[Interview] = field(default_factory=list)
    choices: list[StartChoice] = field(default_factory=list)

    def question_list(self) -> list[Question]:
        return [make_question(f"q{i}") for i in range(1, self.questions + 1)]

    async def __call__(self, choice: StartChoice) -> Interview:
        self.choices.append(choice)
        if choice.resume is not None:
            interview = self.interview_type.resume(
                Path(choice.resume),
                interviewer=self.provider,
                grader=self.grader or self.provider,
                offline=self.offline,
                missing=self.missing,
            )
        else:
            settings = InterviewSettings(
                max_probes=self.max_probes, min_answer_words=5, mode=choice.mode
            )
            interview = self.interview_type.new(
                settings,
                "test-bank",
                self.question_list()[: choice.count],
                interviewer=self.provider,
                grader=self.grader or self.provider,
                offline=self.offline,
                journal_dir=self.tmp / "sessions",
                missing=self.missing,
            )
        self.built.append(interview)
        return interview


def make_app(
    harness: EngineHarness,
    *,
    catalog: MemoryCatalog | None = None,
    settings: Settings | None = None,
    resume: str | None = None,
) -> InterviewerApp:
    return build_app(
        settings or Settings(),
        interview_factory=harness,
        catalog=catalog or MemoryCatalog(),
        clock=fixed_clock,
        resume=resume,
    )


WAIT_LIMIT_S = 60.0
"""How long `wait_until` lets the app run. A deadline, not a pace: a passing test never waits
for it. Generous because CI runs the suite on a loaded 2-core machine, where a replay that takes
1 s alone took over 10 s (the old limit) to lay out its eleven events."""


async def wait_until(
    pilot: Pilot[Any],
    predicate: Callable[[], bool],
    *,
    limit: float = WAIT_LIMIT_S,
    what: str = "",
    settle: bool = True,
) -> None:
    """Let the app run until `predicate()` holds; fail with `what` after `limit` seconds.
    `settle=False` polls without `pilot.pause`, whose wait covers the current screen's
    widgets: for a wait that ends with that screen going away."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for: {what or predicate}")
        await (pilot.pause(0.01) if settle else asyncio.sleep(0.01))


def started_at() -> datetime:
    return datetime(2026, 1, 2, 9, 30, tzinfo=UTC)


def engine_idle(app: InterviewerApp) -> bool:
    """No engine call is running (or the one running waits for the feedback screen), and no
    interview is being opened (until that ends, the interview screen may not have started its
    first engine call yet)."""
    from interviewer.tui.screens.feedback import FeedbackScreen

    if isinstance(app.screen, FeedbackScreen):
        return True
    return not any(w.group in ("engine", "open") and not w.is_finished for w in app.workers)


def screen_text(app: InterviewerApp) -> str:
    """The characters on screen, line by line, as the compositor would draw them."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def terminal_output(app: InterviewerApp) -> str:
    """Exactly what the driver would write to the terminal for a full redraw."""
    from textual._compositor import LayoutUpdate

    update = app.screen._compositor.render_update(full=True)
    assert isinstance(update, LayoutUpdate)
    return update.render_segments(app.console)


def notifications(app: InterviewerApp) -> list[str]:
    return [n.message for n in app._notifications]


async def start_interview(pilot: Pilot[int], app: InterviewerApp) -> InterviewScreen:
    """Press Start on the Start screen and wait until the first question is asked."""
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
    screen = app.screen
    assert isinstance(screen, InterviewScreen)
    await wait_until(pilot, lambda: engine_idle(app), what="first question")
    return screen


async def send(pilot: Pilot[int], app: InterviewerApp, text: str = ANSWER) -> None:
    """Type `text` as the answer, send it, and wait until the engine has replied."""
    app.screen.query_one(AnswerEditor).load_text(text)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: engine_idle(app), what="engine reply")


class FailingOnce(Interview):
    """The real engine; its first submit fails before the engine accepts the answer."""

    failed = False

    def submit(self, answer: str) -> AsyncIterator[Event]:
        if not self.failed:
            self.failed = True
            return self._fail()
        return super().submit(answer)

    async def _fail(self) -> AsyncIterator[Event]:
        raise ProviderError("connection refused by 127.0.0.1:9: start the server or switch")
        yield  # pragma: no cover
