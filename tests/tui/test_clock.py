"""The status bar's clocks on resume continue from the journal instead of starting at 0."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot

from interviewer.config import InterviewSettings, Settings
from interviewer.tui.app import InterviewerApp, build_app
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.editor import AnswerEditor
from interviewer.tui.widgets.status import StatusBar
from tests.tui.harness import EngineHarness, MemoryCatalog, engine_idle, make_app, wait_until

SIZE = (120, 36)
T0 = 1_700_000_000.0
NOW = 5_000.0


def status(app: InterviewerApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


def retime(journal: Path, offsets: list[float]) -> None:
    """Give the journal's records the times T0 + offset, in order (as if written back then)."""
    lines = journal.read_text().splitlines()
    assert len(lines) == len(offsets), lines
    records = [json.loads(line) for line in lines]
    for record, offset in zip(records, offsets, strict=True):
        record["t"] = T0 + offset
    journal.write_text("".join(json.dumps(r) + "\n" for r in records))


async def quit_keeping(pilot: Pilot[int], app: InterviewerApp) -> None:
    await pilot.press("ctrl+q")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
    await pilot.press("y")
    await wait_until(pilot, lambda: not app.is_running, what="exit")


async def test_resumed_session_continues_both_clocks_from_the_journal(
    harness: EngineHarness,
) -> None:
    harness.questions = 1
    harness.provider.enqueue_probe("Which ", "controls?")
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
        await wait_until(pilot, lambda: engine_idle(app), what="question")
        app.screen.query_one(AnswerEditor).load_text("First answer with enough words to count.")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: engine_idle(app), what="probe")
        await quit_keeping(pilot, app)
    journal = harness.built[0].journal_path
    # Header, question opened 30 s in, answer at 2:00, the decision to probe (assessment
    # record) at 2:02, probe at 2:05 (the last record).
    retime(journal, [0, 30, 120, 122, 125])

    settings = Settings(interview=InterviewSettings(question_time_limit_s=300))
    now = [NOW]
    resumed = build_app(
        settings,
        interview_factory=harness,
        catalog=MemoryCatalog(),
        clock=lambda: now[0],
        resume=str(journal),
    )
    async with resumed.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(resumed.screen, InterviewScreen), what="resume")
        await wait_until(pilot, lambda: engine_idle(resumed), what="resumed question")
        resumed.screen.query_one(StatusBar).refresh_status()
        shown = status(resumed)
        # 2:05 spent in the session, 1:35 of them on this question (5:00 limit: 3:25 left); the
        # time the app was closed (years, by these timestamps) counts for neither.
        assert "elapsed 2:05" in shown, shown
        assert "question 3:25 left" in shown, shown
        # And they run on from there with the app's clock.
        now[0] += 10
        resumed.screen.query_one(StatusBar).refresh_status()
        assert "elapsed 2:15" in status(resumed)
        assert "question 3:15 left" in status(resumed)
