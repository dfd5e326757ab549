"""Letters typed while F1 help or the quit question is open over the answer are never lost:
the dialog's own keys act on it, anything else closes it and goes on into the answer."""

from __future__ import annotations

from pathlib import Path

from textual import events

from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.help import HelpScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.editor import AnswerEditor
from tests.tui.harness import EngineHarness, make_app, start_interview, wait_until

SIZE = (100, 36)


def keys(text: str) -> list[str]:
    return ["space" if c == " " else c for c in text]


async def test_typing_on_after_f1_closes_help_and_lands_in_the_answer(tmp_path: Path) -> None:
    app = make_app(EngineHarness(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        await pilot.press(*keys("I would"))
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.press(*keys(" log every tool call"))
        await wait_until(pilot, lambda: app.screen is screen, what="help closed")
        await wait_until(pilot, lambda: editor.text.endswith("call"), what="typed text")
        assert editor.text == "I would log every tool call"
        await pilot.press(*keys(" too"))
        assert editor.text == "I would log every tool call too"
        assert screen.focused is editor


async def test_a_paste_into_help_lands_in_the_answer(tmp_path: Path) -> None:
    app = make_app(EngineHarness(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        app.screen.post_message(events.Paste("pasted words"))
        # Not settling: the pause would wait on the help's widgets, gone with it.
        await wait_until(
            pilot, lambda: app.screen is screen and bool(editor.text), what="paste", settle=False
        )
        assert app.screen is screen
        assert editor.text == "pasted words"


async def test_helps_own_keys_close_it_and_the_answer_is_intact(tmp_path: Path) -> None:
    app = make_app(EngineHarness(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        await pilot.press(*keys("half an answer"))
        for close in ("escape", "q", "f1"):
            await pilot.press("f1")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
            await pilot.press(close)
            await wait_until(pilot, lambda: app.screen is screen, what=f"closed by {close}")
            assert editor.text == "half an answer"
        await pilot.press(*keys(" goes on"))
        assert editor.text == "half an answer goes on"


async def test_typing_on_after_ctrl_q_stays_and_lands_in_the_answer(tmp_path: Path) -> None:
    app = make_app(EngineHarness(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        await pilot.press(*keys("half"))
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press(*keys("-written thought"))  # no y or n in it: those are the dialog's
        await wait_until(pilot, lambda: app.screen is screen, what="dialog closed")
        await wait_until(pilot, lambda: editor.text.endswith("thought"), what="typed text")
        assert editor.text == "half-written thought"
        assert app.is_running

        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("n")  # the dialog's own key: stay, and the answer is as it was
        await wait_until(pilot, lambda: app.screen is screen, what="stayed")
        assert editor.text == "half-written thought" and app.is_running


async def test_away_from_text_being_written_help_ignores_letters_as_modals_do(
    tmp_path: Path,
) -> None:
    app = make_app(EngineHarness(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        await pilot.press("f1")  # the focus is on the Start button, no text is being written
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.press("x", "z")
        assert isinstance(app.screen, HelpScreen)
        assert not isinstance(app.screen, InterviewScreen)
