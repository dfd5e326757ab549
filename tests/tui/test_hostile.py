"""Hostile text from the candidate, the model and a bank file reaches the screen inert.

"Inert" is checked on what the terminal would receive: the compositor's segments hold no control
character, the bytes written for a full redraw carry none of the payloads, markup shows as text
and clicking it does nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot

from interviewer.domain import Exchange, GraderOutput, KeyPointVerdict, Question, Usage, Verdict
from interviewer.report import QuestionReport, Report, export_report
from interviewer.text.sanitize import clean_for_terminal
from interviewer.tui.app import InterviewerApp
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.widgets.editor import AnswerEditor
from tests.fakes import make_question
from tests.tui.harness import (
    ANSWER,
    EngineHarness,
    engine_idle,
    make_app,
    notifications,
    screen_text,
    terminal_output,
    wait_until,
)

CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
TITLE = "\x1b]0;pwned-title\x1b\\"
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b2J"
LINK_MARKUP = "[link=https://evil.example/x]click me[/link]"
CLICK_MARKUP = "[@click=app.quit]quit now[/]"
BIDI = "\u202eexe.txt\u2066x\u2069"
ZERO_WIDTH = "a\u200bb\u200dc\ufeffd"
TAGS = "".join(chr(0xE0000 + ord(c)) for c in "hi")
HOSTILE = (
    f"My answer {CLIPBOARD}{TITLE}{CLEAR}{C1_CSI} {LINK_MARKUP} {CLICK_MARKUP} "
    f"{BIDI} {ZERO_WIDTH} {TAGS} end."
)
PAYLOADS = ("\x1b]52", "pwned-title", "\x1b[2J", "\x07", "\x9b", "ZWNobyBwd25lZA", "\x1b]8;")
SIZE = (120, 50)


def assert_inert(app: InterviewerApp) -> None:
    text = screen_text(app)
    cells = text.replace("\n", "")  # screen_text's own line breaks
    bad = sorted({f"U+{ord(c):04X}" for c in cells if ord(c) < 32 or 0x7F <= ord(c) < 0xA0})
    assert not bad, f"control characters on screen: {bad}"
    for invisible in ("\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", chr(0xE0068)):
        assert invisible not in text
    output = terminal_output(app)
    for payload in PAYLOADS:
        assert payload not in output, f"{payload!r} reached the terminal"


def hostile_question() -> Question:
    base = make_question("q1")
    return base.model_copy(update={"text": f"Bank says {TITLE}{CLICK_MARKUP} {BIDI}?"})


def hostile_grade(question: Question) -> GraderOutput:
    first = question.key_points[0].id
    return GraderOutput(
        verdicts=(
            KeyPointVerdict(key_point_id=first, verdict=Verdict.COVERED, evidence="My answer"),
            *(
                KeyPointVerdict(key_point_id=p.id, verdict=Verdict.MISSED)
                for p in question.key_points[1:]
            ),
        ),
        strengths=(f"Strength {CLIPBOARD}{CLICK_MARKUP}",),
        gaps=(f"Gap {CLEAR}{LINK_MARKUP}",),
        feedback=f"Feedback {TITLE} see [the docs](https://evil.example/docs) {BIDI}",
    )


class HostileHarness(EngineHarness):
    def question_list(self) -> list[Question]:
        return [hostile_question()]


async def find_and_click(pilot: Pilot[int], app: InterviewerApp, needle: str) -> None:
    for y, line in enumerate(screen_text(app).splitlines()):
        x = line.find(needle)
        if x >= 0:
            await pilot.click(offset=(x + 1, y))
            return
    raise AssertionError(f"{needle!r} is not on screen")


async def test_hostile_answer_model_and_bank_text_reach_the_screen_inert(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = HostileHarness(home, questions=1, max_probes=1)
    question = hostile_question()
    # The model's probe splits the escape sequences across chunks.
    harness.provider.enqueue_probe(
        "Probe \x1b]52;c;", "ZWNobyBwd25lZA==\x07 ", CLICK_MARKUP, " [a link](https://evil.example)",
        " \x1b[", "2J", BIDI,
    )  # fmt: skip
    harness.provider.enqueue_grade(hostile_grade(question))
    opened: list[str] = []
    app = make_app(harness)
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
        await wait_until(pilot, lambda: engine_idle(app), what="question")
        assert_inert(app)
        assert "<U+202E>" in screen_text(app)  # the bank's bidi override is shown, not obeyed

        # Pasted into the editor: the sanitiser runs before the editor draws anything.
        editor = app.screen.query_one(AnswerEditor)
        editor.post_message(events.Paste(HOSTILE))
        await wait_until(pilot, lambda: "My answer" in editor.text, what="paste")
        assert "\x1b" not in editor.text and "\x9b" not in editor.text
        assert_inert(app)

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: engine_idle(app), what="probe")
        text = screen_text(app)
        assert CLICK_MARKUP in text  # literal, twice: in the answer and in the probe
        assert LINK_MARKUP in text
        assert "<U+200B>" in text and "<U+E0068>" in text
        assert "ZWNobyBwd25lZA" not in text  # the split OSC 52 payload never showed
        assert_inert(app)

        # Clicking the literal click-markup does nothing; clicking the model's link only says
        # where it points.
        await find_and_click(pilot, app, "[@click=app.quit]")
        await pilot.pause()
        assert app.is_running
        await find_and_click(pilot, app, "a link")
        await wait_until(
            pilot, lambda: any("evil.example" in n for n in notifications(app)), what="link note"
        )
        assert opened == []

        editor.load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        assert_inert(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        await pilot.press("s")
        await wait_until(pilot, lambda: "Sample answer" in screen_text(app), what="sample")
        text = screen_text(app)
        assert "Strength" in text and "Gap" in text and "Feedback" in text
        assert_inert(app)
        await find_and_click(pilot, app, "the docs")
        await pilot.pause()
        assert opened == []
        assert app.is_running


def test_exported_markdown_is_sanitised_and_json_escapes_controls(home: Path) -> None:
    question = hostile_question()
    report = Report(
        session_id="s1",
        bank_id="b",
        mode="interview",
        interviewer="fake",
        grader="fake",
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        finished_at=None,
        finished=False,
        questions=(
            QuestionReport(
                question_id=question.id,
                question=question.text,
                difficulty=question.difficulty,
                exchanges=(Exchange(kind="question", prompt=question.text, answer=HOSTILE),),
                probes=(),
                evaluation=None,
                duration_s=1.0,
                usage=Usage(),
            ),
        ),
        overall_score=None,
        usage=Usage(),
    )
    markdown = export_report(report, "md").read_text()
    assert markdown == clean_for_terminal(markdown)
    assert "\x1b" not in markdown and "<U+202E>" in markdown
    data = export_report(report, "json").read_text()
    assert "\x1b" not in data and "\\u001b" in data
