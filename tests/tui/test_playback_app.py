"""`interviewer replay` in the TUI: a journal (with hostile text in it) played back on screen."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Markdown, Static

from interviewer.cli import main
from interviewer.domain import Evaluation, KeyPointVerdict, Question, Verdict
from interviewer.journal import (
    AnswerGiven,
    Evaluated,
    GradingFailedRecord,
    Journal,
    ProbeGiven,
    QuestionOpened,
    SessionEnded,
    SessionStarted,
    _Record,
    read_records,
)
from interviewer.tui.playback_app import PlaybackApp
from interviewer.tui.screens.help import HelpScreen
from interviewer.tui.widgets.conversation import Conversation
from tests.fakes import make_question
from tests.tui.harness import wait_until

CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
CLICK_MARKUP = "[@click=app.quit]quit now[/]"
BIDI = "\u202eexe.txt"
HOSTILE = f"{CLIPBOARD}{CLICK_MARKUP} {BIDI}"
PAYLOADS = ("\x1b]52", "\x07", "ZWNobyBwd25lZA")
START = 1_700_000_000.0
TALL = (120, 200)

ANSWERS = ("Alpha answer about isolation.", "Bravo answer about monitoring.")
PROBES = ("Charlie probe: which tool calls?", "Delta probe: what alerts?")


def questions() -> tuple[Question, ...]:
    first = make_question("q1").model_copy(update={"text": f"Echo question {HOSTILE}?"})
    return first, make_question("q2")


def evaluation(question: Question, score: float) -> Evaluation:
    first = question.key_points[0].id
    return Evaluation(
        question_id=question.id,
        score=score,
        verdicts=(
            KeyPointVerdict(key_point_id=first, verdict=Verdict.COVERED, evidence="isolation"),
            *(
                KeyPointVerdict(key_point_id=p.id, verdict=Verdict.MISSED)
                for p in question.key_points[1:]
            ),
        ),
        strengths=(f"Foxtrot strength {CLICK_MARKUP}",),
        gaps=("Golf gap",),
        feedback=f"Hotel feedback {CLIPBOARD} see [docs](https://evil.example/x)",
        grader="offline",
    )


def timeline() -> list[tuple[float, _Record]]:
    """(seconds after the header, record), with two long thinks that max_wait must cap."""
    q1, q2 = questions()
    return [
        (1.0, QuestionOpened(question_id="q1", number=1)),
        (301.0, AnswerGiven(question_id="q1", text=f"{ANSWERS[0]} {HOSTILE}")),
        (303.0, ProbeGiven(question_id="q1", text=PROBES[0], number=1, key_point_id="kp2")),
        (306.0, AnswerGiven(question_id="q1", text="Only the ones the user may run.")),
        (306.5, Evaluated(question_id="q1", evaluation=evaluation(q1, 7.5))),
        (307.0, QuestionOpened(question_id="q2", number=2)),
        (907.0, AnswerGiven(question_id="q2", text=ANSWERS[1])),
        (909.0, ProbeGiven(question_id="q2", text=PROBES[1], number=1, key_point_id="kp2")),
        (910.0, AnswerGiven(question_id="q2", text="Spikes in refusals.")),
        (911.0, Evaluated(question_id="q2", evaluation=evaluation(q2, 4.5))),
        (911.5, SessionEnded()),
    ]


def write_journal(directory: Path, entries: list[tuple[float, _Record]] | None = None) -> Path:
    header = SessionStarted(
        t=START,
        session_id="20260102-093000-abc123",
        bank_id="ai-security",
        mode="practice",
        interviewer="openai:gpt-test",
        grader="offline",
        max_probes=1,
        min_answer_words=5,
        max_answer_chars=4000,
        questions=questions(),
    )
    journal = Journal.create(header, directory)
    for offset, record in timeline() if entries is None else entries:
        journal.append(record.model_copy(update={"t": START + offset}))
    journal.close()
    return journal.path


def screen_text(app: App[int]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def terminal_output(app: App[int]) -> str:
    from textual._compositor import LayoutUpdate

    update = app.screen._compositor.render_update(full=True)
    assert isinstance(update, LayoutUpdate)
    return update.render_segments(app.console)


def transcript(app: PlaybackApp) -> list[str]:
    """The conversation's entries in order, as their (sanitised) text."""
    entries = []
    for widget in app.query_one(Conversation).children:
        if isinstance(widget, Markdown):
            entries.append(widget.source)
        elif isinstance(widget, Static):
            entries.append(str(widget.content))
    return entries


def index_of(entries: list[str], needle: str) -> int:
    return next(i for i, entry in enumerate(entries) if needle in entry)


async def test_instant_replay_shows_everything_and_nothing_hostile_acts(tmp_path: Path) -> None:
    records = read_records(write_journal(tmp_path))
    app = PlaybackApp(records, clock=lambda: 0.0)
    async with app.run_test(size=TALL) as pilot:
        await wait_until(pilot, lambda: app.finished, what="replay finished")
        await pilot.pause()
        text = screen_text(app)
        for needle in (*ANSWERS, *PROBES, "Only the ones the user may run.", "Spikes in refusals."):
            assert needle in text
        assert "Score: 7.5 / 10" in text and "Score: 4.5 / 10" in text
        assert "Foxtrot strength" in text and "Golf gap" in text and "Hotel feedback" in text
        assert "Covered" in text and "Missed" in text and "isolation" in text
        assert "Overall score: 6.0 / 10 (2 of 2 question(s) graded; session finished)" in text
        # Markup is text, bidi is a visible marker, escapes never reach the terminal.
        assert CLICK_MARKUP in text
        assert "<U+202E>" in text and "\u202e" not in text
        cells = text.replace("\n", "")
        assert not [c for c in cells if ord(c) < 32 or 0x7F <= ord(c) < 0xA0]
        output = terminal_output(app)
        for payload in PAYLOADS:
            assert payload not in output
        # Clicking the "[@click=app.quit]" text does not quit.
        line_no, line = next((i, s) for i, s in enumerate(text.splitlines()) if "@click" in s)
        await pilot.click(offset=(line.index("quit now") + 1, line_no))
        await pilot.pause()
        assert app.is_running and app.return_code is None
        status = str(app.query_one("#status", Static).content)
        assert "session 20260102-093000-abc123" in status and "bank ai-security" in status
        assert "interviewer openai:gpt-test · grader offline" in status
        progress = str(app.query_one("#progress", Static).content)
        assert (
            progress == "Replay · Question 2 / 2 · medium · event 11 / 11 · 15:11 of 15:11 recorded"
        )


async def test_pace_waits_the_recorded_gaps_capped_and_keeps_the_order(tmp_path: Path) -> None:
    records = read_records(write_journal(tmp_path))
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    app = PlaybackApp(records, pace=True, max_wait=5.0, sleep=sleep, clock=lambda: 0.0)
    async with app.run_test(size=TALL) as pilot:
        await wait_until(pilot, lambda: app.finished, what="replay finished")
        assert waits == [1.0, 5.0, 2.0, 3.0, 0.5, 0.5, 5.0, 2.0, 1.0, 1.0, 0.5]
        entries = transcript(app)
        order = [
            "Echo question",
            ANSWERS[0],
            PROBES[0],
            "Only the ones",
            "Score: 7.5",
            "Question 2 / 2 · medium",
            ANSWERS[1],
            PROBES[1],
            "Spikes in refusals.",
            "Score: 4.5",
            "Session ended.",
            "Overall score",
        ]
        positions = [index_of(entries, needle) for needle in order]
        assert positions == sorted(positions)
        assert "Question 2 / 2 · medium" in str(app.query_one("#progress", Static).content)


async def test_space_pauses_n_and_right_step_f_finishes(tmp_path: Path) -> None:
    records = read_records(write_journal(tmp_path))
    now = [0.0]
    sleeps: list[float] = []

    async def never(seconds: float) -> None:
        """A pause that only a key ends, so each step below is the keys' doing."""
        sleeps.append(seconds)
        await asyncio.get_running_loop().create_future()

    app = PlaybackApp(records, pace=True, sleep=never, clock=lambda: now[0])
    async with app.run_test(size=TALL) as pilot:
        await wait_until(pilot, lambda: sleeps == [1.0], what="first gap")
        assert app.shown == 0
        await pilot.press("n")
        await wait_until(pilot, lambda: app.shown == 1, what="skip with n")
        await wait_until(pilot, lambda: len(sleeps) == 2, what="second gap")
        await pilot.press("right")
        await wait_until(pilot, lambda: app.shown == 2, what="skip with right")
        await wait_until(pilot, lambda: len(sleeps) == 3, what="third gap")
        # Pause 1.5 s into a 2 s gap: resuming waits only the 0.5 s left.
        now[0] = 1.5
        await pilot.press("space")
        await wait_until(pilot, lambda: app.paused, what="paused")
        assert "Paused" in screen_text(app)
        now[0] = 100.0  # time spent paused does not count
        await pilot.press("space")
        await wait_until(pilot, lambda: len(sleeps) == 4, what="rest of the gap")
        assert sleeps[2:] == [2.0, 0.5] and app.shown == 2
        # A skip while paused shows one event and stays paused.
        now[0] = 102.0
        await pilot.press("space")
        await wait_until(pilot, lambda: app.paused, what="paused again")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.shown == 3, what="step while paused")
        assert app.paused and len(sleeps) == 4
        await pilot.press("f")
        await wait_until(pilot, lambda: app.finished, what="finish")
        assert app.shown == app.total == 11 and not app.paused
        assert "Score: 4.5 / 10" in screen_text(app)
        assert app.elapsed == pytest.approx(1.5 + 2.0)
        assert "elapsed 0:03" in str(app.query_one("#status", Static).content)


async def test_help_lists_the_keys_and_ctrl_q_quits_as_in_the_main_app(tmp_path: Path) -> None:
    records = read_records(write_journal(tmp_path))
    app = PlaybackApp(records, clock=lambda: 0.0)
    async with app.run_test(size=TALL) as pilot:
        await wait_until(pilot, lambda: app.finished, what="replay finished")
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        text = screen_text(app)
        assert "Pause/resume" in text and "Next event" in text and "Show all" in text
        assert "ctrl+q" in text and "ctrl+p" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen), what="no help")
        await pilot.press("q")  # one quit key in every app: ctrl+q, not q
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running, what="quit")
    assert app.return_code == 0


async def test_an_unfinished_session_with_a_skip_a_failure_and_a_cut_reply(
    tmp_path: Path,
) -> None:
    entries: list[tuple[float, _Record]] = [
        (1.0, QuestionOpened(question_id="q1", number=1)),
        (2.0, AnswerGiven(question_id="q1", text="  ")),
        (3.0, GradingFailedRecord(question_id="q1", message=f"timeout {CLIPBOARD}")),
        (4.0, QuestionOpened(question_id="q2", number=2)),
        (5.0, AnswerGiven(question_id="q2", text=ANSWERS[1])),
        (6.0, ProbeGiven(question_id="q2", text=PROBES[1], number=1, key_point_id=None,
                         interrupted=True)),
    ]  # fmt: skip
    records = read_records(write_journal(tmp_path, entries))
    app = PlaybackApp(records, clock=lambda: 0.0)
    async with app.run_test(size=TALL) as pilot:
        await wait_until(pilot, lambda: app.finished, what="replay finished")
        await pilot.pause()
        text = screen_text(app)
        assert "(No answer: the question was skipped.)" in text
        assert "Grading failed: timeout" in text and "ZWNobyBwd25lZA" not in text
        assert text.index(PROBES[1]) < text.index("(The reply was cut short.)")
        assert "Overall score: - / 10 (0 of 2 question(s) graded; session unfinished)" in text


async def test_ctrl_q_quits_in_the_middle_of_a_pause(tmp_path: Path) -> None:
    records = read_records(write_journal(tmp_path))

    async def never(seconds: float) -> None:
        await asyncio.get_running_loop().create_future()

    app = PlaybackApp(records, pace=True, sleep=never, clock=lambda: 0.0)
    async with app.run_test(size=TALL) as pilot:
        await pilot.press("n")
        await wait_until(pilot, lambda: app.shown == 1, what="first event")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running, what="quit")
    assert app.return_code == 0 and not app.finished


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_command_opens_the_tui_on_a_terminal_and_prints_with_headless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_journal(tmp_path)
    opened: list[PlaybackApp] = []

    def run(self: PlaybackApp) -> int:
        opened.append(self)
        return 0

    monkeypatch.setattr(PlaybackApp, "run", run)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    out = _Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["replay", str(path), "--pace", "--max-wait", "2"]) == 0
    [app] = opened
    assert app.pace and app.max_wait == 2.0 and app.total == 11
    assert "Replaying session" not in out.getvalue()
    assert main(["replay", str(path), "--headless"]) == 0
    assert len(opened) == 1
    assert "Replaying session 20260102-093000-abc123" in out.getvalue()
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not a terminal: plain text too
    assert main(["replay", str(path)]) == 0
    assert len(opened) == 1
