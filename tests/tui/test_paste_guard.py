"""A paste holding escape sequences and control characters arrives as one paste of plain text.

Textual 8.2's parser, fed such a paste raw, turns what follows an ESC into key presses sent
ahead of a cut paste; these tests feed the guarded parser and driver the same raw input."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message

from interviewer.config import Settings
from interviewer.tui.app import build_app
from interviewer.tui.paste_guard import PASTE_END, PASTE_START, GuardedLinuxDriver, GuardedParser
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.editor import AnswerEditor
from tests.tui.harness import (
    WAIT_LIMIT_S,
    EngineHarness,
    MemoryCatalog,
    engine_idle,
    make_app,
    wait_until,
)

HOSTILE = "a\x1b[2Jb\x1b]0;t\x07c\rd\x03e\x13f\tg\r\nh\x1bci\x9b2Jj\x1b"
CLEAN = "abc\ndef\tg\nhij"
RAW = f"x{PASTE_START}{HOSTILE}{PASTE_END}y"


def summary(messages: Iterable[Message]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for message in messages:
        if isinstance(message, events.Paste):
            out.append(("paste", message.text))
        elif isinstance(message, events.Key):
            out.append(("key", message.key))
    return out


def parse(parser: XTermParser, chunks: Iterable[str]) -> list[tuple[str, str]]:
    messages: list[Message] = []
    for chunk in chunks:
        messages.extend(parser.feed(chunk))
    return summary(messages)


EXPECTED = [("key", "x"), ("paste", CLEAN), ("key", "y")]


def test_unguarded_parser_scrambles_the_paste() -> None:
    """The Textual bug this guards against (if it is ever fixed, the guard can go)."""
    scrambled = parse(XTermParser(), [RAW])
    assert ("key", "ctrl+s") in scrambled and ("key", "ctrl+c") in scrambled
    assert ("paste", "a") in scrambled  # the rest of the paste became the keys above


def test_paste_with_escapes_and_controls_arrives_whole_clean_and_in_order() -> None:
    assert parse(GuardedParser(), [RAW]) == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7])
def test_paste_cut_into_reads_anywhere_arrives_the_same(size: int) -> None:
    chunks = [RAW[i : i + size] for i in range(0, len(RAW), size)]
    assert parse(GuardedParser(), chunks) == EXPECTED


def test_input_outside_pastes_passes_through() -> None:
    raw = f"ab{PASTE_START}one{PASTE_END}\x1b[A{PASTE_START}two\x1b[201{PASTE_END}\r"
    assert parse(GuardedParser(), [raw]) == [
        ("key", "a"),
        ("key", "b"),
        ("paste", "one"),
        ("key", "up"),
        ("paste", "two"),
        ("key", "enter"),
    ]


async def test_a_hostile_paste_lands_in_the_editor_and_fires_no_key(
    harness: EngineHarness,
) -> None:
    harness.questions = 1
    app = make_app(harness)
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
        await wait_until(pilot, lambda: engine_idle(app), what="question")
        screen = app.screen
        messages = list(GuardedParser().feed(RAW))
        driver = app._driver
        assert driver is not None
        for message in messages:
            message.set_sender(app)
            driver.send_message(message)
        editor = screen.query_one(AnswerEditor)
        await wait_until(pilot, lambda: editor.text.endswith("y"), what="paste")
        await pilot.pause(0.1)
        assert editor.text == f"x{CLEAN}y"
        # No ctrl+s sent it, no ctrl+c asked to quit, no Enter or Esc acted.
        assert app.screen is screen and app.is_running
        assert harness.built[0].current_prompt is not None
        assert harness.provider.history == []


def test_the_app_reads_the_terminal_through_the_guard(harness: EngineHarness) -> None:
    app = build_app(Settings(), interview_factory=harness, catalog=MemoryCatalog())
    assert app.driver_class is GuardedLinuxDriver


async def test_the_guarded_driver_delivers_a_hostile_paste_as_text(harness: EngineHarness) -> None:
    app = build_app(Settings(), interview_factory=harness, catalog=MemoryCatalog())
    received: list[Message] = []
    last_key = threading.Event()

    class Recording(GuardedLinuxDriver):
        def process_message(self, message: Message) -> None:
            received.append(message)
            if ("key", "y") in summary(received):
                last_key.set()

    read_end, write_end = os.pipe()
    driver = Recording(app)
    driver.fileno = read_end
    thread = threading.Thread(target=driver.run_input_thread)
    thread.start()
    try:
        for i in range(0, len(RAW), 4):  # several writes, as a terminal may send them
            os.write(write_end, RAW[i : i + 4].encode())
        os.close(write_end)
        last_key.wait(WAIT_LIMIT_S)  # the driver reads in its own thread
    finally:
        driver.exit_event.set()
        thread.join(5)
        os.close(read_end)
    assert summary(received) == EXPECTED
