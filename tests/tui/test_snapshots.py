"""Snapshots of every screen at 80x24 and 120x40, from the app factory with scripted providers
and a fixed clock (and the playback app from a fixed journal).

Update after an intended visual change with `pytest tests/tui --snapshot-update` and review the
SVGs in tests/tui/__snapshots__ before committing them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from interviewer.config import InterviewSettings, Settings
from interviewer.domain import Exchange, Usage
from interviewer.journal import read_records
from interviewer.providers.check import LocalServer, Verdict
from interviewer.report import QuestionReport, Report
from interviewer.tui.app import InterviewerApp
from interviewer.tui.playback_app import PlaybackApp
from interviewer.tui.ports import ProviderProbes, SessionRow
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.history import HistoryScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.widgets.editor import AnswerEditor
from interviewer.tui.widgets.provider_status import ProviderStatus
from tests.fakes import make_question
from tests.tui.harness import (
    ANSWER,
    EngineHarness,
    MemoryCatalog,
    engine_idle,
    grade_for,
    make_app,
    wait_until,
)
from tests.tui.test_playback_app import write_journal

SnapCompare = Callable[..., bool]
# The smallest terminal the layouts must hold at, and a roomy one.
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
Size = tuple[int, int]


@pytest.fixture(autouse=True)
def fixed_session_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "interviewer.engine.session.new_session_id", lambda: "20260102-093000-abc123"
    )


def fixed_report(session_id: str, day: int, scores: list[float | None]) -> Report:
    questions = [make_question(f"q{i}") for i in range(1, len(scores) + 1)]
    items = []
    for question, score in zip(questions, scores, strict=True):
        grade = grade_for(question)
        evaluation = None
        if score is not None:
            from interviewer.domain import Evaluation

            evaluation = Evaluation(
                question_id=question.id,
                score=score,
                verdicts=grade.verdicts,
                strengths=grade.strengths,
                gaps=grade.gaps,
                feedback=grade.feedback,
                grader="fake",
            )
        items.append(
            QuestionReport(
                question_id=question.id,
                question=question.text,
                difficulty=question.difficulty,
                exchanges=(Exchange(kind="question", prompt=question.text, answer=ANSWER),),
                probes=(),
                evaluation=evaluation,
                duration_s=95.0,
                usage=Usage(input_tokens=1200, output_tokens=300, cost_usd=0.0004, calls=2),
            )
        )
    graded = [s for s in scores if s is not None]
    return Report(
        session_id=session_id,
        bank_id="test-bank",
        mode="interview",
        interviewer="openai:gpt-4o-mini",
        grader="openai:gpt-4o-mini",
        started_at=datetime(2026, 1, day, 9, 30, tzinfo=UTC),
        finished_at=datetime(2026, 1, day, 9, 45, tzinfo=UTC),
        finished=None not in scores,
        questions=tuple(items),
        overall_score=round(sum(graded) / len(graded), 1) if graded else None,
        usage=Usage(input_tokens=3600, output_tokens=900, cost_usd=0.0012, calls=6),
    )


def catalog_with_history() -> MemoryCatalog:
    catalog = MemoryCatalog()
    history: list[tuple[int, list[float | None]]] = [
        (3, [4.0, 5.5]),
        (5, [6.0, 7.5]),
        (9, [8.5, None]),
    ]
    for day, scores in history:
        report = fixed_report(f"s{day}", day, scores)
        questions = tuple(make_question(f"q{i}") for i in (1, 2))
        catalog.reports[f"s{day}"] = (report, questions)
        catalog.rows.append(
            SessionRow(
                id=f"s{day}",
                started_at=report.started_at,
                bank_id="test-bank",
                provider="openai:gpt-4o-mini",
                finished=report.finished,
                overall_score=report.overall_score,
                ref=f"s{day}",
                answered=sum(1 for s in scores if s is not None),
                total=2,
            )
        )
    return catalog


def app_for(home: Path, *, catalog: MemoryCatalog | None = None) -> InterviewerApp:
    harness = EngineHarness(home, questions=2, max_probes=1)
    questions = harness.question_list()
    harness.provider.enqueue_probe("Good. ", "How would you **detect** ", "misuse in production?")
    harness.provider.enqueue_grade(grade_for(questions[0], feedback="A clear, *layered* answer."))
    # Questions = the harness's two: more would (rightly) show the "Fewer questions" notice.
    settings = Settings(interview=InterviewSettings(count=harness.questions))
    return make_app(harness, catalog=catalog or catalog_with_history(), settings=settings)


async def begin(pilot: Pilot[int]) -> None:
    app = pilot.app
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
    await wait_until(pilot, lambda: engine_idle(app), what="question")  # type: ignore[arg-type]
    app.screen.query_one(AnswerEditor).cursor_blink = False


async def answer(pilot: Pilot[int], text: str = ANSWER) -> None:
    app = pilot.app
    app.screen.query_one(AnswerEditor).load_text(text)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: engine_idle(app), what="reply")  # type: ignore[arg-type]
    await pilot.pause()


@SIZES
def test_start_screen(snap_compare: SnapCompare, home: Path, size: Size) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await wait_until(pilot, lambda: bool(pilot.app.screen.query("#unfinished")))

    assert snap_compare(app_for(home), terminal_size=size, run_before=run_before)


async def _fixed_check(settings: Settings, name: str) -> list[Verdict]:
    if name == "anthropic":
        return [Verdict("key", "fail", "missing: set $ANTHROPIC_API_KEY")]
    return [
        Verdict("key", "ok", "key set in $OPENAI_API_KEY"),
        Verdict("reachable", "ok", "api.openai.com lists 90 models", 0.12),
        Verdict("model", "ok", "gpt-4o-mini is served"),
    ]


async def _fixed_servers(ports: Mapping[int, str] | None) -> list[LocalServer]:
    return [LocalServer("llamacpp", 8080, ("smollm2-135m-instruct",))]


@SIZES
def test_start_screen_provider_status(snap_compare: SnapCompare, home: Path, size: Size) -> None:
    """Both roles checked (one ready, one failing) and a local server offered."""
    harness = EngineHarness(home, questions=2)
    settings = Settings(
        provider="openai",
        grader_provider="anthropic",
        interview=InterviewSettings(count=harness.questions),
    )
    app = make_app(harness, settings=settings)
    app._probes = ProviderProbes(check=_fixed_check, detect=_fixed_servers, local_ports=None)

    async def run_before(pilot: Pilot[int]) -> None:
        status = pilot.app.screen.query_one(ProviderStatus)
        await wait_until(pilot, lambda: status.settled and status.offer is not None)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_interview_screen_with_a_streamed_probe(
    snap_compare: SnapCompare, home: Path, size: Size
) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await begin(pilot)
        await answer(pilot)
        pilot.app.screen.query_one(AnswerEditor).load_text("Rate limits and anomaly alerts")

    assert snap_compare(app_for(home), terminal_size=size, run_before=run_before)


@SIZES
def test_feedback_screen_in_practice_mode(
    snap_compare: SnapCompare, home: Path, size: Size
) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        pilot.app.screen.query_one("#mode", Select).value = "practice"
        await begin(pilot)
        await answer(pilot)
        await answer(pilot)
        await wait_until(
            pilot, lambda: isinstance(pilot.app.screen, FeedbackScreen), what="feedback"
        )
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(app_for(home), terminal_size=size, run_before=run_before)


@SIZES
def test_history_screen_with_progress(snap_compare: SnapCompare, home: Path, size: Size) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
        await wait_until(
            pilot,
            lambda: pilot.app.screen.query_one("#progress").row_count == 2,  # type: ignore[attr-defined]
        )

    assert snap_compare(app_for(home), terminal_size=size, run_before=run_before)


@SIZES
def test_report_screen(snap_compare: SnapCompare, home: Path, size: Size) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ReportScreen))

    assert snap_compare(app_for(home), terminal_size=size, run_before=run_before)


@SIZES
def test_help_screen(snap_compare: SnapCompare, home: Path, size: Size) -> None:
    assert snap_compare(app_for(home), terminal_size=size, press=["f1"])


@SIZES
def test_quit_confirmation(snap_compare: SnapCompare, home: Path, size: Size) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await begin(pilot)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))

    assert snap_compare(
        app_for(home, catalog=MemoryCatalog()), terminal_size=size, run_before=run_before
    )


@SIZES
def test_playback_app(snap_compare: SnapCompare, tmp_path: Path, size: Size) -> None:
    app = PlaybackApp(read_records(write_journal(tmp_path)), clock=lambda: 0.0)

    async def run_before(pilot: Pilot[int]) -> None:
        await wait_until(pilot, lambda: app.finished, what="replay finished")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
