"""Issue 13, item 6 under Pilot: probe-skip wording, the acknowledgement between questions, the
pinned question, the live character count, ctrl+e in $EDITOR."""

from __future__ import annotations

import contextlib
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Select

from interviewer.tui.app import InterviewerApp
from interviewer.tui.screens.confirm import SkipConfirmScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.conversation import Conversation
from interviewer.tui.widgets.editor import AnswerEditor
from interviewer.tui.widgets.safe import SafeStatic
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

SIZE = (100, 36)


def dialog_text(app: InterviewerApp) -> str:
    return str(app.screen.query_one("#question", SafeStatic).render())


async def test_skipping_a_probe_says_only_the_probe_is_skipped(harness: EngineHarness) -> None:
    harness.questions = 1
    harness.provider.enqueue_probe("What about ", "monitoring?")
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await start_interview(pilot, app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SkipConfirmScreen), what="ask")
        assert "Skip this question (it scores 0)?" in dialog_text(app)
        await pilot.press("escape")
        await send(pilot, app)  # the answer; a probe follows
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SkipConfirmScreen), what="ask")
        text = dialog_text(app)
        assert "Skip this follow-up?" in text and "scores 0" not in text
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: engine_idle(app), what="graded")
    report = harness.built[0].report()
    evaluation = report.questions[0].evaluation
    assert evaluation is not None and evaluation.score > 0  # graded on the first answer


async def test_interview_mode_acknowledges_each_answer_and_pins_the_question(
    harness: EngineHarness,
) -> None:
    harness.max_probes = 0
    questions = harness.question_list()
    harness.provider.enqueue_grade(grade_for(questions[0]))
    app = make_app(harness)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_interview(pilot, app)
        await send(pilot, app)
        conversation = screen.query_one(Conversation)
        notes = [str(n.render()) for n in conversation.query(".note").results(SafeStatic)]
        assert notes == ["✓ Your answer to question 1 is recorded. Feedback comes at the end."]
        # A long answer in the editor and a long transcript leave the question in view.
        for _ in range(12):
            await conversation.add_answer(ANSWER)
        conversation.scroll_end(animate=False)
        await pilot.pause()
        assert questions[1].text[:30] in screen_text(app)
        pinned = screen.query_one("#question", SafeStatic)
        assert pinned.region.y < conversation.region.y


async def test_a_skipped_question_is_acknowledged_as_skipped(harness: EngineHarness) -> None:
    harness.max_probes = 0
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SkipConfirmScreen), what="ask")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and engine_idle(app), what="next")
        assert "✓ Question 1 skipped." in screen_text(app)


async def test_practice_mode_needs_no_acknowledgement(harness: EngineHarness) -> None:
    harness.max_probes = 0
    questions = harness.question_list()
    harness.provider.enqueue_grade(grade_for(questions[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#mode", Select).value = "practice"
        screen = await start_interview(pilot, app)
        await send(pilot, app)
        await pilot.press("escape")  # the feedback screen is the acknowledgement
        await wait_until(pilot, lambda: app.screen is screen, what="question 2")
        assert not screen.query_one(Conversation).query(".note")


async def test_the_character_count_runs_live_against_the_cap(harness: EngineHarness) -> None:
    harness.max_probes = 0
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        cap = harness.built[0].header.max_answer_chars
        assert str(editor.border_subtitle) == f"0 / {cap:,} characters"
        await pilot.press(*"twelve chars")
        assert str(editor.border_subtitle) == f"12 / {cap:,} characters"
        editor.load_text("x" * (cap + 5))
        await pilot.pause()
        assert str(editor.border_subtitle).startswith(f"{cap + 5:,} / {cap:,} characters: ")
        assert editor.has_class("-over-cap")


EDITOR_SCRIPT = """
import sys
path = sys.argv[-1]
text = open(path, encoding="utf-8").read()
open(path, "w", encoding="utf-8").write(text + " and edited outside\\n")
"""


@pytest.fixture
def no_suspend(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test terminal cannot hand itself over; the editor runs all the same.
    monkeypatch.setattr(InterviewerApp, "suspend", lambda self: contextlib.nullcontext())


async def test_ctrl_e_edits_the_answer_in_editor(
    harness: EngineHarness,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_suspend: None,
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT)
    seen: list[int] = []
    real_call = subprocess.call

    def call(command: list[str]) -> int:
        seen.append(stat.S_IMODE(Path(command[-1]).stat().st_mode))
        return int(real_call(command))

    monkeypatch.setattr("interviewer.tui.external_editor.subprocess.call", call)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        editor.load_text("My answer")
        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: "edited outside" in editor.text, what="edited")
        assert editor.text == "My answer and edited outside"
        assert editor.has_focus
    assert seen == [0o600]
    drafts = Path(str(harness.tmp)) / "data" / "drafts"
    assert not list(drafts.glob(".answer-*"))  # the temporary file is gone


@pytest.mark.parametrize(
    ("editor_value", "expected"),
    [
        ("", "Set $EDITOR"),
        ("no-such-editor-xyz", "'no-such-editor-xyz' was not found"),
        (f"{sys.executable} -c 'raise SystemExit(3)'", "exited with status 3"),
    ],
)
async def test_a_missing_or_failing_editor_leaves_the_answer_and_says_why(
    harness: EngineHarness,
    monkeypatch: pytest.MonkeyPatch,
    no_suspend: None,
    editor_value: str,
    expected: str,
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor_value)
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        editor = screen.query_one(AnswerEditor)
        editor.load_text("Keep me")
        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: any(expected in n for n in notifications(app)))
        assert editor.text == "Keep me"
        assert isinstance(app.screen, InterviewScreen)
        message = next(n for n in notifications(app) if expected in n)
        assert "\n" not in message and "unchanged" in message
