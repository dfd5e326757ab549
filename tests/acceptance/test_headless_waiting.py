"""Headless mode says on stderr whom it is waiting for, and for how long (issue 11, item 5): to a
log or pipe once at 10 s and then every 30 s; on a terminal one line rewritten in place."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from interviewer.config import InterviewSettings
from interviewer.domain import GraderOutput
from interviewer.engine.session import Interview
from interviewer.headless import HeadlessRunner
from interviewer.headless.waiting import WaitLine
from interviewer.providers.base import GradeDone, GradeEvent, GradeRequest, TextDelta
from tests.fakes import ScriptedProvider, make_question, verdicts_covering

ANSWER = "I would separate instructions from data and authorise every tool call it makes."


@dataclass
class StoppedClock:
    """A fake clock moved only by the sleeps of the waiting line. After `ticks` sleeps it stops:
    the next sleep releases the slow provider and never returns, so no tick can race the end."""

    ticks: int
    now: float = 0.0
    slept: list[float] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if len(self.slept) > self.ticks:
            self.released.set()
            await asyncio.Event().wait()
        self.now += seconds


@dataclass
class SlowGrader(ScriptedProvider):
    """Grades only once the clock has let the waiting line tick."""

    clock: StoppedClock | None = None

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        assert self.clock is not None
        await self.clock.released.wait()
        question = request.question
        output = GraderOutput(verdicts=verdicts_covering(question, ANSWER, 2), feedback="Good.")
        yield TextDelta(output.feedback)
        yield GradeDone(output=output)


async def run(home: Path, *, tty: bool, ticks: int) -> tuple[str, str, StoppedClock]:
    clock = StoppedClock(ticks)
    grader = SlowGrader(label="slow:model-1", clock=clock)
    settings = InterviewSettings(count=1, max_probes=0, mode="practice")
    interview = Interview.new(
        settings, "test", [make_question()], interviewer=grader, grader=grader,
        journal_dir=home / "sessions",
    )  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    waiting = WaitLine(err, clock=lambda: clock.now, sleep=clock.sleep, tty=tty)
    runner = HeadlessRunner(interview, out, interactive=False, waiting=waiting)
    try:
        assert await runner.run(iter([ANSWER]))
    finally:
        await interview.aclose()
    return out.getvalue(), err.getvalue(), clock


async def test_a_log_gets_a_line_at_10_s_then_every_30_s(home: Path) -> None:
    out, err, clock = await run(home, tty=False, ticks=3)
    assert clock.slept[:3] == [10.0, 30.0, 30.0]
    assert err.splitlines() == [
        f"waiting for slow:model-1 ({seconds} s)… ctrl+c stops (your answers are saved)"
        for seconds in (10, 40, 70)
    ]
    assert "\r" not in err  # nothing to rewrite in a log
    assert "waiting for" not in out  # stdout keeps the interview only
    assert "Good." in out


async def test_a_terminal_gets_one_line_rewritten_and_erased_at_the_end(home: Path) -> None:
    out, err, clock = await run(home, tty=True, ticks=2)
    assert clock.slept[:2] == [3.0, 3.0]
    assert err == (
        "\r\x1b[Kwaiting for slow:model-1 (3 s)… ctrl+c stops (your answers are saved)"
        "\r\x1b[Kwaiting for slow:model-1 (6 s)… ctrl+c stops (your answers are saved)"
        "\r\x1b[K"
    )
    assert "Good." in out


async def test_a_quick_call_leaves_no_line(home: Path) -> None:
    grader = ScriptedProvider(label="quick")
    question = make_question()
    grader.enqueue_grade(GraderOutput(verdicts=verdicts_covering(question, ANSWER, 2)))
    settings = InterviewSettings(count=1, max_probes=0, mode="practice")
    interview = Interview.new(
        settings, "test", [question], interviewer=grader, grader=grader,
        journal_dir=home / "sessions",
    )  # fmt: skip
    err = io.StringIO()
    runner = HeadlessRunner(
        interview, io.StringIO(), interactive=False, waiting=WaitLine(err, tty=False)
    )
    try:
        assert await runner.run(iter([ANSWER]))
    finally:
        await interview.aclose()
    assert err.getvalue() == ""
