"""Ctrl+C while an answer is typed is never lost and never loses text: a press between two
reads is taken at the next wait, a press after the closing blank line keeps the answer, and a
press the blocking wait missed (caught before the wait began) is sent again until it lands."""

from __future__ import annotations

import io
import os
import select
import signal
import threading
from collections.abc import Iterator
from typing import TextIO

import pytest

from interviewer.headless.answers import AnswerInterrupted, LineReader, _read_answer
from interviewer.headless.interrupts import Interrupts


class PressAfter(LineReader):
    """Presses Ctrl+C (a real SIGINT) just after the line `after` was read and returned."""

    def __init__(self, stdin: TextIO, after: str) -> None:
        super().__init__(stdin)
        self.after = after

    def readline(self, interrupts: Interrupts | None = None) -> str:
        line = super().readline(interrupts)
        if line == self.after:
            os.kill(os.getpid(), signal.SIGINT)
        return line


@pytest.fixture
def typed() -> Iterator[tuple[TextIO, int]]:
    read_end, write_end = os.pipe()
    with open(read_end, encoding="utf-8") as stdin:
        yield stdin, write_end
    os.close(write_end)


def test_a_press_between_two_reads_keeps_every_line(typed: tuple[TextIO, int]) -> None:
    stdin, write_end = typed
    os.write(write_end, b"first line\nhalf a second")
    with pytest.raises(AnswerInterrupted) as caught:
        _read_answer(PressAfter(stdin, "first line\n"), io.StringIO())
    assert caught.value.text == "first line\nhalf a second"


def test_a_press_after_the_closing_blank_line_stops_and_keeps_the_answer(
    typed: tuple[TextIO, int],
) -> None:
    stdin, write_end = typed
    os.write(write_end, b"the whole answer\n\n")
    with pytest.raises(AnswerInterrupted) as caught:
        _read_answer(PressAfter(stdin, "\n"), io.StringIO())
    assert caught.value.text == "the whole answer"


def test_the_handler_and_wakeup_pipe_are_put_back(typed: tuple[TextIO, int]) -> None:
    stdin, write_end = typed
    os.write(write_end, b"an answer\n\n")
    before = signal.getsignal(signal.SIGINT)
    assert _read_answer(LineReader(stdin), io.StringIO()) == "an answer"
    assert signal.getsignal(signal.SIGINT) is before
    assert signal.set_wakeup_fd(-1) == -1


def test_a_press_the_wait_missed_is_sent_again_until_it_lands() -> None:
    # What GNU readline's wait sees when Ctrl+C comes just before it blocks: the C handler has
    # run (its byte is in the wakeup pipe) but the wait was not interrupted. A select on a pipe
    # nobody writes stands in for readline's own select.
    never, unblock = os.pipe()
    interrupts = Interrupts()
    rescue = threading.Timer(30, os.write, (unblock, b"x"))  # fail, don't hang, if not woken
    try:
        with interrupts.installed():
            threading.Timer(0.2, os.write, (interrupts._wakeup[1], b"\x02")).start()
            rescue.start()
            with pytest.raises(KeyboardInterrupt), interrupts.raising():
                select.select([never], [], [])
        assert interrupts.pressed
    finally:
        rescue.cancel()
        os.close(never)
        os.close(unblock)


def test_off_the_main_thread_answers_are_read_without_a_handler(
    typed: tuple[TextIO, int],
) -> None:
    stdin, write_end = typed
    os.write(write_end, b"from a thread\n\n")
    got: list[str | None] = []
    worker = threading.Thread(
        target=lambda: got.append(_read_answer(LineReader(stdin), io.StringIO()))
    )
    worker.start()
    worker.join(30)
    assert got == ["from a thread"]


def test_other_signals_read_from_the_wakeup_pipe_go_on_to_the_one_set_before() -> None:
    # An event loop that set a wakeup fd still hears of the signals that came while an answer
    # was read (SIGINT was the reader's own).
    loops, loop_end = os.pipe()
    os.set_blocking(loop_end, False)
    os.set_blocking(loops, False)  # nothing forwarded fails the read instead of hanging
    nothing_typed, typing = os.pipe()
    previous = signal.set_wakeup_fd(loop_end)
    usr1 = signal.signal(signal.SIGUSR1, lambda signum, frame: None)
    interrupts = Interrupts()
    try:
        with interrupts.installed():
            os.kill(os.getpid(), signal.SIGUSR1)
            os.kill(os.getpid(), signal.SIGINT)
            with pytest.raises(KeyboardInterrupt):
                interrupts.wait_readable(nothing_typed)
        assert signal.set_wakeup_fd(previous) == loop_end
        assert os.read(loops, 16) == bytes([signal.SIGUSR1])
    finally:
        signal.set_wakeup_fd(previous)
        signal.signal(signal.SIGUSR1, usr1)
        for fd in (loops, loop_end, nothing_typed, typing):
            os.close(fd)
