"""Issue 13, item 6 under Pilot: the resume command printed on exit, resuming and discarding
from History, provider labels that say what answers, and the notice when Questions is clamped."""

from __future__ import annotations

import stat

import pytest

from interviewer import paths
from interviewer.config import Settings
from interviewer.engine.session import Interview
from interviewer.tui.app import InterviewerApp, build_app
from interviewer.tui.backend import JournalCatalog
from interviewer.tui.ports import StartChoice
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.history import HistoryScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.provider_status import provider_label
from tests.tui.harness import (
    ANSWER,
    EngineHarness,
    engine_idle,
    grade_for,
    make_app,
    notifications,
    screen_text,
    send,
    start_interview,
    wait_until,
)
from tests.tui.palette_helpers import open_palette, run_command

SIZE = (100, 36)


async def one_answer_in(harness: EngineHarness) -> Interview:
    """An unfinished session on disk: question 1 of 2 answered and graded."""
    harness.max_probes = 0
    earlier = await harness(StartChoice(bank="test-bank", count=2))
    async for _event in earlier.start():
        pass
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    async for _event in earlier.submit(ANSWER):
        pass
    await earlier.aclose()
    return earlier


def app_on_disk(harness: EngineHarness) -> InterviewerApp:
    catalog = JournalCatalog(harness.tmp / "sessions")
    return build_app(Settings(), interview_factory=harness, catalog=catalog, clock=lambda: 0.0)


async def test_quitting_an_unfinished_session_prints_the_resume_command(
    harness: EngineHarness,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, what="exit")
    session = harness.built[0].session_id
    note = app.exit_note()
    assert note is not None and f"interviewer resume {session}" in note

    from interviewer.commands import tui_entry

    class Ran:
        def run(self) -> int:
            return 0

        exit_note = app.exit_note

    monkeypatch.setattr("interviewer.tui.app.build_app", lambda *a, **k: Ran())
    assert tui_entry.run_tui(Settings()) == 0
    assert f"Continue with: interviewer resume {session}" in capsys.readouterr().out


async def test_a_finished_session_prints_nothing_on_exit(harness: EngineHarness) -> None:
    harness.questions = 1
    harness.max_probes = 0
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        await send(pilot, app)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running, what="exit")
    assert app.exit_note() is None


async def test_enter_in_history_resumes_an_unfinished_session(harness: EngineHarness) -> None:
    earlier = await one_answer_in(harness)
    app = app_on_disk(harness)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="resumed")
        await wait_until(pilot, lambda: engine_idle(app), what="question 2")
        assert harness.choices[-1].resume == str(earlier.journal_path)
        assert "Question 2 / 2" in screen_text(app)
        assert [type(s) for s in app.screen_stack[1:]] == [StartScreen, InterviewScreen]

        # From History over the open interview: Enter on it goes back to it, not a second copy.
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="back")
        assert len(harness.built) == 2


async def test_an_unfinished_session_is_discarded_after_confirmation(
    harness: EngineHarness,
) -> None:
    earlier = await one_answer_in(harness)
    journal = earlier.journal_path
    draft = paths.drafts_dir() / f"{earlier.session_id}.txt"
    paths.write_private_text(draft, "unsent words")
    app = app_on_disk(harness)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        history = app.screen
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert "Discard the unfinished session" in screen_text(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is history, what="kept")
        assert journal.is_file()

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: not journal.exists(), what="moved")
        await wait_until(pilot, lambda: any("Discarded" in n for n in notifications(app)))
        assert isinstance(history, HistoryScreen) and history.selected() is None
    moved = paths.discarded_dir() / journal.name
    assert moved.is_file() and stat.S_IMODE(moved.stat().st_mode) == 0o600
    assert (paths.discarded_dir() / f"{journal.stem}.draft.txt").read_text() == "unsent words"
    assert not draft.exists()
    assert JournalCatalog(harness.tmp / "sessions").sessions() == []


async def test_the_open_session_and_finished_ones_are_not_discarded(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    catalog = JournalCatalog(harness.tmp / "sessions")
    app = build_app(Settings(), interview_factory=harness, catalog=catalog, clock=lambda: 0.0)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        journal = harness.built[0].journal_path
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        await pilot.press("d")
        await wait_until(
            pilot, lambda: any("This session is open" in n for n in notifications(app))
        )
        assert isinstance(app.screen, HistoryScreen)  # no dialog
        await pilot.press("escape")

        for question in harness.question_list():
            harness.provider.enqueue_grade(grade_for(question))
            await send(pilot, app)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="finished")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        await pilot.press("d")
        await wait_until(pilot, lambda: any("Only unfinished" in n for n in notifications(app)))
        assert journal.is_file()


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (
            {"kind": "openai", "model": "llama3.1:8b", "base_url": "http://localhost:11434/v1"},
            "ollama: llama3.1:8b (OpenAI-compatible server at localhost:11434)",
        ),
        (
            {"kind": "openai", "model": "m", "base_url": "https://user:pw@example.org/v1"},
            "ollama: m (OpenAI-compatible server at example.org)",
        ),
        (
            {"kind": "anthropic", "model": "claude-haiku-4-5"},
            "ollama: claude-haiku-4-5 (Anthropic API)",
        ),
    ],
)
def test_provider_labels_say_what_answers_and_how_it_is_reached(
    profile: dict[str, str], expected: str
) -> None:
    settings = Settings.model_validate({"provider": "ollama", "providers": {"ollama": profile}})
    assert provider_label(settings) == expected
    assert "(openai:" not in provider_label(settings)


async def test_asking_for_more_questions_than_the_bank_has_says_so(
    harness: EngineHarness,
) -> None:
    harness.questions = 2
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#count").value = "9"  # type: ignore[attr-defined]
        await start_interview(pilot, app)
        said = [n for n in notifications(app) if "Fewer" in n or "asked for 9" in n]
        assert said == [
            "You asked for 9 questions; the bank has 2 question(s), so this session asks 2."
        ]


async def test_no_clamp_notice_when_the_bank_is_big_enough(harness: EngineHarness) -> None:
    harness.questions = 2
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#count").value = "2"  # type: ignore[attr-defined]
        await start_interview(pilot, app)
        assert not [n for n in notifications(app) if "asked for" in n]


async def test_the_palette_resumes_from_history_and_edits_in_the_interview(
    harness: EngineHarness,
) -> None:
    await one_answer_in(harness)
    app = app_on_disk(harness)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        offered = await open_palette(pilot)
        assert any(o.startswith("Resume") for o in offered)
        assert any(o.startswith("Discard") for o in offered)
        await pilot.press("escape")
        await run_command(pilot, "Resume")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="resumed")
        await wait_until(pilot, lambda: engine_idle(app), what="question 2")
        assert any(o.startswith("Edit in $EDITOR") for o in await open_palette(pilot))


async def test_a_session_another_process_writes_is_not_moved(harness: EngineHarness) -> None:
    from interviewer.errors import JournalError
    from interviewer.journal import Journal

    earlier = await one_answer_in(harness)
    writer = Journal(earlier.journal_path)  # holds the lock, as a second interviewer would
    try:
        with pytest.raises(JournalError, match="another interviewer process"):
            JournalCatalog(harness.tmp / "sessions").discard(str(earlier.journal_path))
    finally:
        writer.close()
    assert earlier.journal_path.is_file()
    assert not paths.discarded_dir().exists() or not any(paths.discarded_dir().iterdir())
