"""While a provider call has produced nothing yet, the interview screen says whom it waits for,
counts the seconds and names the key that cancels (issue 11, item 5)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from interviewer.config import Settings
from interviewer.domain import GraderOutput
from interviewer.providers.base import AssessDone, AssessRequest, ProbeEvent, ProbeRequest
from interviewer.tui.app import build_app
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.activity import ActivityLine
from interviewer.tui.widgets.editor import AnswerEditor
from tests.fakes import ScriptedProvider, verdicts_covering
from tests.tui.harness import (
    ANSWER,
    EVIDENCE,
    EngineHarness,
    MemoryCatalog,
    engine_idle,
    screen_text,
    start_interview,
    wait_until,
)


@dataclass
class Clock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Gated(ScriptedProvider):
    """A provider whose probe and assessment wait until the test opens their gate."""

    probe_gate: asyncio.Event = field(default_factory=asyncio.Event)
    assess_gate: asyncio.Event = field(default_factory=asyncio.Event)
    waits: int = 0

    async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        self.waits += 1
        await self.probe_gate.wait()
        async for event in super().probe(request):
            yield event

    async def assess(self, request: AssessRequest) -> AssessDone:
        self.waits += 1
        await self.assess_gate.wait()
        return await super().assess(request)


def waiting_line(screen: InterviewScreen) -> str:
    return screen.query_one(ActivityLine).waiting_line


async def test_the_waiting_line_counts_up_and_goes_when_the_first_text_arrives(
    harness: EngineHarness,
) -> None:
    provider = Gated(label="slow:model-1")
    provider.assess_gate.set()
    question_one = harness.question_list()[0]
    provider.enqueue_assessment(GraderOutput(verdicts=verdicts_covering(question_one, EVIDENCE, 0)))
    provider.enqueue_probe("Which tools would you log?")
    harness.provider = provider
    clock = Clock()
    app = build_app(Settings(), interview_factory=harness, catalog=MemoryCatalog(), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_interview(pilot, app)
        screen.query_one(AnswerEditor).load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: provider.waits == 2, what="the probe call")
        assert waiting_line(screen) == ""  # under a second: nothing shown yet
        clock.now += 12
        await wait_until(pilot, lambda: "(12 s)" in waiting_line(screen), what="12 s")
        assert waiting_line(screen) == "waiting for slow:model-1 (12 s)… esc cancels"
        assert "waiting for slow:model-1 (12 s)… esc cancels" in screen_text(app)
        clock.now += 1
        await wait_until(pilot, lambda: "(13 s)" in waiting_line(screen), what="13 s")
        provider.probe_gate.set()
        await wait_until(pilot, lambda: engine_idle(app), what="the probe")
        # Streamed text is drawn in batches: wait for the probe to be drawn, then look.
        await wait_until(
            pilot, lambda: "Which tools would you log?" in screen_text(app), what="the probe"
        )
        assert waiting_line(screen) == ""
        assert "waiting for" not in screen_text(app)


async def test_an_assessment_shows_the_line_until_esc_cancels_it(harness: EngineHarness) -> None:
    provider = Gated(label="grader-x")
    provider.probe_gate.set()
    question_one = harness.question_list()[0]
    provider.enqueue_assessment(GraderOutput(verdicts=verdicts_covering(question_one, EVIDENCE, 0)))
    provider.enqueue_probe("What would you monitor?")
    harness.provider = provider
    clock = Clock()
    app = build_app(Settings(), interview_factory=harness, catalog=MemoryCatalog(), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_interview(pilot, app)
        screen.query_one(AnswerEditor).load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: provider.waits == 1, what="the assessment call")
        clock.now += 5
        await wait_until(pilot, lambda: "(5 s)" in waiting_line(screen), what="5 s")
        assert waiting_line(screen) == "waiting for grader-x (5 s)… esc cancels"
        await pilot.press("escape")
        # the offline estimate decides the follow-up, which is asked
        await wait_until(pilot, lambda: engine_idle(app), what="the probe after the cancel")
        assert waiting_line(screen) == ""
        assert "waiting for" not in screen_text(app)
        interview = harness.built[0]
        prompt = interview.current_prompt
        assert prompt is not None and prompt != question_one.text
        assert prompt in screen_text(app)
