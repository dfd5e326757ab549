"""Textual conventions (issue 13, item 1): the command palette with the app's own commands, the
theme remembered, ctrl+c copies and ctrl+q quits, F1/F2/ctrl+p on every screen, and the footer
of the screen on top."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.screen import Screen
from textual.selection import SELECT_ALL
from textual.widgets import Footer, Select
from textual.widgets.text_area import Selection as EditorSelection

from interviewer import paths
from interviewer.tui.app import InterviewerApp
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.help import HelpScreen
from interviewer.tui.screens.history import HistoryScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.conversation import Conversation
from interviewer.tui.widgets.editor import AnswerEditor
from interviewer.tui.widgets.safe import SafeStatic
from tests.tui.harness import (
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


async def test_palette_offers_the_apps_commands_beside_textuals_and_runs_them(
    harness: EngineHarness, home: Path
) -> None:
    harness.questions = 1
    harness.max_probes = 0
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        offered = await open_palette(pilot)
        for name in ("Start an interview", "History", "Help", "Theme", "Quit", "Keys"):
            assert any(o.startswith(name) for o in offered), (name, offered)
        assert not any(o.startswith("Export") for o in offered)  # no report on screen
        await pilot.press("escape")

        await run_command(pilot, "Start an interview")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="started")
        await wait_until(pilot, lambda: engine_idle(app), what="first question")
        assert not any(o.startswith("Start") for o in await open_palette(pilot))
        await pilot.press("escape")
        await send(pilot, app)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        report = app.screen
        assert isinstance(report, ReportScreen)

        await run_command(pilot, "Export Markdown")
        await run_command(pilot, "Export JSON")
        assert [p.suffix for p in report.exported] == [".md", ".json"]

        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        await run_command(pilot, "Show sample answer")
        feedback = app.screen
        assert isinstance(feedback, FeedbackScreen)
        await wait_until(pilot, lambda: feedback.sample_shown, what="sample")

        await run_command(pilot, "Help")
        assert isinstance(app.screen, HelpScreen)


async def test_the_palettes_quit_asks_first_during_an_interview(harness: EngineHarness) -> None:
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        await run_command(pilot, "Quit")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert app.is_running
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, what="exit")


async def test_the_theme_chosen_in_the_palette_is_remembered_in_a_private_file(
    harness: EngineHarness, home: Path
) -> None:
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme != "nord"
        await run_command(pilot, "Theme", opens_palette=True)
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="themes")
        await pilot.press(*"nord")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "nord", what="theme changed")
        prefs = paths.ui_prefs_file()
        await wait_until(pilot, prefs.exists, what="theme saved")
    assert json.loads(prefs.read_text()) == {"theme": "nord"}
    assert stat.S_IMODE(prefs.stat().st_mode) == 0o600

    again = make_app(harness)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"theme": "no-such-theme"}', "key 'theme' names no known theme"),
        ("{not json", "unreadable"),
    ],
)
async def test_a_broken_theme_file_names_itself_and_the_app_starts_anyway(
    harness: EngineHarness, home: Path, content: str, said: str
) -> None:
    prefs = paths.ui_prefs_file()
    prefs.parent.mkdir(parents=True)
    prefs.write_text(content)
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot,
            lambda: any(str(prefs) in n for n in notifications(app)),
            what="the warning that names the preferences file",
        )
        assert app.theme == "textual-dark"
        warned = [n for n in notifications(app) if str(prefs) in n]
        assert len(warned) == 1 and said in warned[0] and "\n" not in warned[0]
        assert isinstance(app.screen, StartScreen)


async def test_ctrl_c_copies_the_selection_in_the_editor_and_the_conversation(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await send(pilot, app)
        editor = screen.query_one(AnswerEditor)
        editor.load_text("first line\nsecond line")
        editor.selection = EditorSelection((1, 0), (1, 6))
        await pilot.press("ctrl+c")
        assert app.clipboard == "second"
        assert editor.text == "first line\nsecond line"

        note = screen.query_one(Conversation).query_one(".note", SafeStatic)
        await pilot.press("ctrl+l")
        screen.selections = {note: SELECT_ALL}  # what a mouse drag over it leaves
        await pilot.press("ctrl+c")
        assert "answer to question 1 is recorded" in app.clipboard
        await pilot.pause()
        assert app.is_running and app.screen is screen  # no quit dialog


async def test_f1_f2_and_ctrl_p_work_on_every_screen(harness: EngineHarness) -> None:
    harness.questions = 1
    harness.max_probes = 0
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)

    async def keys_work_here(kind: type[Screen[None]]) -> None:
        assert isinstance(app.screen, kind)
        here = app.screen
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what=f"help {kind}")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is here, what="help closed")
        await open_palette(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is here, what="palette closed")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        if kind is not HistoryScreen:
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is here, what="history closed")

    async with app.run_test(size=SIZE) as pilot:
        pilot.app.screen.query_one("#mode", Select).value = "practice"
        await keys_work_here(StartScreen)
        await start_interview(pilot, app)
        await keys_work_here(InterviewScreen)
        await send(pilot, app)
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        await keys_work_here(FeedbackScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        await keys_work_here(ReportScreen)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        await keys_work_here(HistoryScreen)


def bottom_line(app: InterviewerApp) -> str:
    return screen_text(app).splitlines()[-1]


async def test_the_footer_lists_the_keys_of_the_screen_on_top(harness: EngineHarness) -> None:
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        # The footer draws a frame after the screen: wait for it rather than for a fixed pause.
        await wait_until(pilot, lambda: "Send answer" in bottom_line(app), what="footer")
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        assert app.screen.query(Footer)
        await wait_until(
            pilot,
            lambda: "Close help" in bottom_line(app) and "Send answer" not in bottom_line(app),
            what="help footer",
        )
        await pilot.press("escape")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await wait_until(
            pilot,
            lambda: "Yes" in bottom_line(app) and "Send answer" not in bottom_line(app),
            what="confirm footer",
        )
