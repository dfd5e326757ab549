"""Where headless answers come from: a JSONL file, checked whole before anything starts, or the
terminal, read so that Ctrl+C keeps every character typed (the line without its Enter too)."""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from interviewer.errors import AnswerError
from interviewer.headless.interrupts import Interrupts
from interviewer.text.sanitize import clean_for_terminal


def require_text(text: str, where: str) -> str:
    """`text`, unless it holds a lone surrogate (a bad `\\ud800` escape, or invalid UTF-8 that
    Python smuggled in), which no journal, terminal or provider can take as it is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AnswerError(
            f"{where}: not valid text (invalid UTF-8 or a lone surrogate at character "
            f"{exc.start + 1}); save it as UTF-8 and remove that character"
        ) from None
    return text


def answers_from_file(path: Path) -> Iterator[str]:
    """Each line is {"text": "..."}; blank lines are ignored. Errors name the file and line.

    The whole file is checked here, before any session exists: a typo on line 9 must neither be
    found after eight answers were spent nor leave an unfinished session behind."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswerError(f"{path}: cannot read answers file: {exc}") from None
    parsed: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AnswerError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise AnswerError(
                f'{path}:{number}: expected an object with a string "text", e.g. {{"text": "..."}}'
            )
        parsed.append(require_text(item["text"], f"{path}:{number}"))
    return iter(parsed)


class AnswerInterrupted(KeyboardInterrupt):
    """Ctrl+C while an answer was being typed; carries what was typed so far."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class LineReader:
    """Lines typed at the terminal (or piped in) that keep the unfinished one: after Ctrl+C,
    `partial` is the line typed so far without its Enter, which `readline()` would drop.

    At an interactive terminal GNU readline holds that line (`get_line_buffer`), and gives line
    editing too; on a pipe or file we read the descriptor ourselves and keep our own buffer."""

    def __init__(self, stdin: TextIO) -> None:
        self._stdin = stdin
        self.partial = ""
        self._text = ""
        self._eof = False
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        try:
            self._fd: int | None = stdin.fileno()
        except (AttributeError, OSError, ValueError):
            self._fd = None  # an in-memory stream (tests): its readline() loses nothing
        self._readline = _readline_module() if self._uses_input() else None

    def _uses_input(self) -> bool:
        # input() edits with readline only when both ends are the real terminal.
        return self._stdin is sys.stdin and sys.stdin.isatty() and sys.stdout.isatty()

    def readline(self, interrupts: Interrupts | None = None) -> str:
        """The next line with its newline; "" at end of input. Ctrl+C comes through
        `interrupts` (see `headless.interrupts`): as KeyboardInterrupt, with `partial` set."""
        interrupts = interrupts or Interrupts()
        self.partial = ""
        if self._readline is not None:
            return self._input(interrupts)
        if self._fd is None:
            return self._stdin.readline()
        while "\n" not in self._text and not self._eof:
            try:
                interrupts.wait_readable(self._fd)
            except KeyboardInterrupt:
                self.partial = self._text
                raise
            chunk = os.read(self._fd, 4096)
            self._eof = not chunk
            self._text += self._decoder.decode(chunk, final=self._eof)
        line, newline, self._text = self._text.partition("\n")
        return line + newline

    def _input(self, interrupts: Interrupts) -> str:
        readline = self._readline
        assert readline is not None
        history = readline.get_current_history_length
        before = history()
        try:
            with interrupts.raising():
                line = input()
        except EOFError:
            return ""
        except KeyboardInterrupt:
            if history() > before:
                # Pressed just after Enter: input() had returned the line, which readline put
                # in its history on the way out.
                self.partial = readline.get_history_item(history()) or ""
            else:
                self.partial = readline.get_line_buffer()
            raise
        return line + "\n"


def _readline_module() -> Any:
    try:
        import readline
    except ImportError:  # Windows, or a Python built without it
        return None
    return readline


def _read_answer(lines: LineReader, out: TextIO, draft: str | None = None) -> str | None:
    """One answer, or None at EOF with nothing typed; `draft` when an empty line is entered first
    with a draft on offer. Raises AnswerInterrupted on Ctrl+C, with every character typed."""
    typed: list[str] = []
    confirming = False
    interrupts = Interrupts()
    try:
        with interrupts.installed():
            while True:
                line = lines.readline(interrupts)
                if line == "":
                    answer = "\n".join(typed) if typed else None
                    break
                if line.strip():
                    typed.append(line.rstrip("\n"))
                    continue
                if not typed and draft is not None:
                    answer = draft
                    break
                if typed or confirming:
                    answer = "\n".join(typed)
                    break
                confirming = True
                out.write(
                    "(empty answer: press Enter again to skip this question, or type your answer)\n"
                )
                out.flush()
            # A press with the answer complete still stops the session; the answer is kept.
            interrupts.check()
            return answer
    except KeyboardInterrupt:
        partial = [lines.partial] if lines.partial.strip() else []
        raise AnswerInterrupted("\n".join(typed + partial)) from None


class TerminalAnswers:
    """Answers typed at the terminal; a blank line ends an answer, EOF ends the session.

    A blank line with nothing typed asks first: a second blank line skips the prompt, so a
    stray Enter does not throw a question away. Ctrl+C raises AnswerInterrupted with what was
    typed so far, so the caller can keep it. `draft`, when set, is offered before the next
    answer: an empty line sends it as it is, typing replaces it."""

    def __init__(self, stdin: TextIO, out: TextIO) -> None:
        self._lines = LineReader(stdin)
        self._out = out
        self.draft: str | None = None

    def __iter__(self) -> TerminalAnswers:
        return self

    def __next__(self) -> str:
        out = self._out
        if self.draft is not None:
            quoted = "\n".join(f"> {line}" for line in self.draft.splitlines())
            out.write(
                "\nAn answer you had not sent last time was saved:\n"
                f"{clean_for_terminal(quoted)}\n"
                "Press Enter on an empty line to send it as it is, or type a new answer to "
                "replace it.\n"
            )
        out.write("\nYour answer (finish with a blank line; Ctrl+D to stop):\n")
        out.flush()
        answer = _read_answer(self._lines, out, self.draft)
        if answer is None:
            raise StopIteration
        return answer


def answers_from_terminal(stdin: TextIO, out: TextIO) -> TerminalAnswers:
    """Read answers typed at the terminal (see `TerminalAnswers`)."""
    return TerminalAnswers(stdin, out)
