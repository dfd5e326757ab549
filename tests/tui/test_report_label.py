"""The TUI Report screen says when its scores are the offline coverage estimate."""

from __future__ import annotations

from pathlib import Path

from interviewer.providers.offline import OfflineProvider
from tests.unit.test_honest_labels import ANSWER, BANK, QUESTION


async def test_the_tui_report_says_when_its_scores_are_estimates(tmp_path: Path) -> None:
    from textual.app import App, ComposeResult

    from interviewer.config import InterviewSettings
    from interviewer.engine.session import Interview
    from interviewer.tui.screens.report import ReportScreen

    interview = Interview.new(
        InterviewSettings(max_probes=0, min_answer_words=5),
        BANK.id,
        [QUESTION],
        interviewer=OfflineProvider(),
        grader=OfflineProvider(),
        journal_dir=tmp_path,
    )
    async for _ in interview.start():
        pass
    async for _ in interview.submit(ANSWER):
        pass
    report = interview.report()
    await interview.aclose()

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            return iter(())

        def on_mount(self) -> None:
            self.push_screen(ReportScreen(report))

    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.query("#coverage-note")
