"""Keys and pastes that arrive faster than the app handles them reach the answer in order.

A real terminal delivers a burst (fast typing, a paste, then ctrl+s at once) to the app's queue
before the editor has handled any of it; `pilot.press` waits for idle after every key, so these
tests put the whole burst on the queue first, as the input thread would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from interviewer.config import InterviewSettings, Settings
from interviewer.engine.session import Interview
from interviewer.engine.state import load_state
from interviewer.tui.app import InterviewerApp
from interviewer.tui.ports import StartChoice
from interviewer.tui.screens.confirm import SkipConfirmScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.conversation import Conversation
from interviewer.tui.widgets.editor import AnswerEditor
from tests.tui.harness import (
    EngineHarness,
    engine_idle,
    grade_for,
    make_app,
    screen_text,
    wait_until,
)

SIZE = (100, 36)
ROUNDS = 8


def burst(app: InterviewerApp, *keys: str | events.Paste) -> None:
    """Queue keys (single characters or key names) and pastes without letting the app run."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        if isinstance(key, events.Paste):
            message: events.Event = key
        elif len(key) == 1:
            message = events.Key(key if key.isalnum() else _name(key), key)
        else:
            message = events.Key(key, "\r" if key == "enter" else None)
        message.set_sender(app)
        driver.send_message(message)


def _name(char: str) -> str:
    from textual.keys import _character_to_key

    return _character_to_key(char)


def answer(round_no: int) -> str:
    return f"Answer {round_no} keeps data apart from instructions, every time."


async def open_interview(pilot: Pilot[int], app: InterviewerApp) -> None:
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
    await wait_until(pilot, lambda: engine_idle(app), what="first question")


def answers_on_record(harness: EngineHarness) -> list[list[str]]:
    state = load_state(harness.built[0].journal_path)
    return [list(q.answers) for q in state.opened]


def moved_on(app: InterviewerApp, interview: Interview, round_no: int) -> Callable[[], bool]:
    return lambda: engine_idle(app) and (interview.finished or interview.current_number > round_no)


async def run_rounds(harness: EngineHarness, keys_for: object) -> list[list[str]]:
    harness.max_probes = 0
    harness.questions = ROUNDS
    for question in harness.question_list():
        harness.provider.enqueue_grade(grade_for(question))
    app = make_app(harness, settings=Settings(interview=InterviewSettings(count=ROUNDS)))
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot, app)
        interview = harness.built[0]
        for round_no in range(1, ROUNDS + 1):
            burst(app, *keys_for(round_no), "ctrl+s")  # type: ignore[operator]
            # Until this round's answer moved the session on: on a loaded machine the burst
            # may not even be read yet, and the next one would meet the busy engine.
            await wait_until(pilot, moved_on(app, interview, round_no), what=f"answer {round_no}")
    return answers_on_record(harness)


async def test_typed_burst_then_ctrl_s_sends_exactly_what_was_typed(
    harness: EngineHarness,
) -> None:
    recorded = await run_rounds(harness, lambda n: list(answer(n)))
    assert recorded == [[answer(n)] for n in range(1, ROUNDS + 1)]


async def test_paste_then_ctrl_s_sends_exactly_what_was_pasted(harness: EngineHarness) -> None:
    recorded = await run_rounds(harness, lambda n: [events.Paste(answer(n))])
    assert recorded == [[answer(n)] for n in range(1, ROUNDS + 1)]


async def test_typing_into_the_empty_answer_dialog_goes_on_into_the_answer(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    harness.questions = 1
    typed = "yes, and nothing typed here is lost\n"
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot, app)
        screen = app.screen
        burst(app, "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SkipConfirmScreen), what="confirm")
        burst(app, *[c if c != "\n" else "enter" for c in typed], events.Paste("pasted"))
        await wait_until(pilot, lambda: app.screen is screen, what="dialog closed")
        editor = screen.query_one(AnswerEditor)
        await wait_until(pilot, lambda: editor.text.endswith("pasted"), what="typing")
        assert editor.text == typed + "pasted"
        assert harness.built[0].current_prompt is not None  # "y" skipped nothing


async def test_typing_while_the_conversation_has_focus_goes_on_into_the_answer(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    harness.questions = 1
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    typed = "Typed after scrolling up, and kept."
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot, app)
        screen = app.screen
        editor = screen.query_one(AnswerEditor)
        await pilot.press("ctrl+l", "pageup")
        assert isinstance(screen.focused, Conversation)
        await pilot.press(*typed)
        assert editor.text == typed and editor.has_focus
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: engine_idle(app), what="sent")
        assert not isinstance(app.screen, SkipConfirmScreen)  # not "Your answer is empty"
    assert answers_on_record(harness) == [[typed]]


async def test_a_burst_typed_into_the_conversation_or_nowhere_reaches_the_answer_in_order(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    harness.questions = 1
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot, app)
        screen = app.screen
        editor = screen.query_one(AnswerEditor)
        screen.set_focus(screen.query_one(Conversation))
        burst(app, "pageup", *"scrolled ", events.Paste("pasted "), *"typed")
        await wait_until(pilot, lambda: editor.text.endswith("typed"), what="typing")
        assert editor.text == "scrolled pasted typed"

        editor.load_text("")
        screen.set_focus(None)
        burst(app, *"from nowhere")
        await wait_until(pilot, lambda: editor.text == "from nowhere", what="typing")

        editor.load_text("")
        await pilot.press("tab")  # out of the editor, as TextArea's tab does here
        assert screen.focused is not editor
        burst(app, *"after tab")
        await wait_until(pilot, lambda: editor.text == "after tab", what="typing")


async def test_typing_while_the_interview_opens_lands_in_the_first_answer(
    harness: EngineHarness,
) -> None:
    harness.questions = 1
    gate = asyncio.Event()

    class Slow(EngineHarness):
        async def __call__(self, choice: StartChoice) -> Interview:
            await gate.wait()  # a model loading
            return await super().__call__(choice)

    slow = Slow(harness.tmp, provider=harness.provider, max_probes=0)
    app = make_app(slow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Preparing" in screen_text(app), what="preparing")
        burst(app, *"I start ", events.Paste("right away "), *"12")  # digits: not the count
        await pilot.pause(0.1)
        assert app.screen.query_one("#count", Input).value != "512"
        gate.set()
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="opened")
        editor = app.screen.query_one(AnswerEditor)
        await wait_until(pilot, lambda: editor.text.endswith("12"), what="typed ahead")
        assert editor.text == "I start right away 12"
        burst(app, *" and on")
        await wait_until(pilot, lambda: editor.text.endswith("on"), what="typing on")
        assert editor.text == "I start right away 12 and on"
