"""Nothing typed is lost, and nothing sent comes back: the draft file mirrors the editor."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from interviewer.engine.events import Event
from interviewer.engine.session import Interview
from interviewer.engine.state import load_state
from interviewer.tui.app import InterviewerApp
from interviewer.tui.drafts import DraftMirror, DraftStore
from interviewer.tui.ports import StartChoice
from interviewer.tui.screens.confirm import ConfirmScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.conversation import Conversation
from interviewer.tui.widgets.editor import AnswerEditor
from tests.tui.harness import (
    ANSWER,
    EngineHarness,
    engine_idle,
    grade_for,
    make_app,
    send,
    start_interview,
    wait_until,
)
from tests.tui.test_flow import SIZE


class Gated(Interview):
    """The real engine, whose `submit` waits for `gate` before the engine sees the answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = asyncio.Event()

    async def submit(self, answer: str) -> AsyncIterator[Event]:
        await self.gate.wait()
        async for event in super().submit(answer):
            yield event


def gated_app(harness: EngineHarness) -> tuple[InterviewerApp, list[Gated]]:
    harness.interview_type = Gated
    gated: list[Gated] = []

    async def factory(choice: StartChoice) -> Interview:
        interview = await harness(choice)
        assert isinstance(interview, Gated)
        gated.append(interview)
        return interview

    app = make_app(harness)
    app._factory = factory
    return app, gated


def draft_file(home: Path, interview: Interview) -> Path:
    return home / "data" / "drafts" / f"{interview.session_id}.txt"


def answers_on_record(interview: Interview) -> list[str]:
    return [a for item in load_state(interview.journal_path).opened for a in item.answers]


async def quit_confirmed(pilot: Pilot[int], app: InterviewerApp) -> None:
    await pilot.press("ctrl+q")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
    await pilot.press("y")
    await wait_until(pilot, lambda: not app.is_running, what="exit")


async def test_quit_before_the_first_token_does_not_offer_the_sent_answer_again(
    harness: EngineHarness, home: Path
) -> None:
    harness.provider.hang_after_chunks = 0
    harness.provider.enqueue_probe("Tell me more")
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        screen.query_one(AnswerEditor).load_text(ANSWER)
        await pilot.press("ctrl+s")
        interview = harness.built[0]
        # Journaled, and the probe has not produced a single token yet.
        await wait_until(pilot, lambda: interview.current_prompt is None, what="journaled")
        assert screen.busy
        await quit_confirmed(pilot, app)
    assert answers_on_record(interview) == [ANSWER]
    assert not draft_file(home, interview).exists()

    harness.provider.hang_after_chunks = None
    resumed = make_app(harness, resume=str(interview.journal_path))
    async with resumed.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(resumed.screen, InterviewScreen), what="resume")
        await wait_until(pilot, lambda: engine_idle(resumed), what="resumed probe")
        await pilot.pause()
        assert resumed.screen.query_one(AnswerEditor).text == ""


async def test_text_typed_while_the_model_replies_stays_and_the_sent_answer_leaves(
    harness: EngineHarness, home: Path
) -> None:
    harness.provider.enqueue_probe("Which ", "controls?")
    app, gated = gated_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        editor.load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.busy, what="sending")
        editor.move_cursor(editor.document.end)
        editor.focus()
        await pilot.press("enter", "n", "e", "x", "t")

        gated[0].gate.set()
        await wait_until(pilot, lambda: engine_idle(app) and not screen.busy, what="probe")
        assert editor.text == "\nnext"
        assert editor.cursor_location == (1, 4)  # still where the candidate was typing
        answers = [c for c in screen.query_one(Conversation).children if c.has_class("answer")]
        assert len(answers) == 1
        assert answers_on_record(gated[0]) == [ANSWER]
        # The draft on disk holds only what was not sent.
        draft = draft_file(home, gated[0])
        await wait_until(pilot, lambda: draft.exists() and draft.read_text() == "\nnext")


async def test_typing_is_saved_to_disk_without_quitting_and_kept_until_sent(
    harness: EngineHarness, home: Path
) -> None:
    harness.max_probes = 0
    questions = harness.question_list()
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        screen.query_one(AnswerEditor).focus()
        await pilot.press(*"half an idea")
        interview = harness.built[0]
        draft = draft_file(home, interview)
        # A kill -9 from here on finds the text on disk: no clean quit needed.
        await wait_until(
            pilot,
            lambda: draft.exists() and draft.read_text() == "half an idea",
            what="autosave",
        )
        assert stat.S_IMODE(draft.stat().st_mode) == 0o600
        await pilot.press(*" and more")
        await wait_until(
            pilot, lambda: draft.read_text() == "half an idea and more", what="second save"
        )
        app.exit(0)  # not the quit action: nothing saved at quit time helps here

    harness.provider.enqueue_grade(grade_for(questions[0]))
    resumed = make_app(harness, resume=str(interview.journal_path))
    async with resumed.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(resumed.screen, InterviewScreen), what="resume")
        await wait_until(pilot, lambda: engine_idle(resumed), what="question")
        editor = resumed.screen.query_one(AnswerEditor)
        await wait_until(pilot, lambda: editor.text == "half an idea and more", what="restored")
        # Loading the draft does not remove it: a crash now would otherwise lose it.
        assert draft.read_text() == "half an idea and more"

        await send(pilot, resumed, ANSWER)
        await wait_until(pilot, lambda: not draft.exists(), what="draft removed once sent")
        assert answers_on_record(interview) == [ANSWER]


async def test_draft_writes_land_in_order_and_a_failing_disk_is_reported_once(
    tmp_path: Path,
) -> None:
    store = DraftStore(lambda: tmp_path / "drafts")
    editor = ["", ""]
    errors: list[BaseException] = []
    mirror = DraftMirror(store, "s1", lambda: editor[0], errors.append)
    for i in range(30):
        editor[0] = f"text {i}"
        mirror.save()
    await mirror.flush()
    assert store.load("s1") == "text 29"
    assert stat.S_IMODE(store.path("s1").stat().st_mode) == 0o600
    editor[0] = "  \n"
    await mirror.flush()
    assert not store.path("s1").exists()

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the drafts folder should be")
    failing = DraftMirror(DraftStore(lambda: blocked), "s1", lambda: editor[0], errors.append)
    for i in range(3):
        editor[0] = f"attempt {i}"
        await failing.flush()
    assert len(errors) == 1 and isinstance(errors[0], OSError)
    store.close()


def test_a_session_id_cannot_name_a_draft_outside_the_drafts_folder(tmp_path: Path) -> None:
    store = DraftStore(lambda: tmp_path / "drafts")
    for hostile in ("../../etc/passwd", "..\\x", "a/b\x1b[31m"):
        assert store.path(hostile).parent == tmp_path / "drafts"
