"""Pasted text reaches the app as one paste of plain text, whatever it holds.

Textual 8.2's input parser reads an ESC inside a bracketed paste as the start of an escape
sequence: what follows it, up to the next ESC, leaves the paste and is sent as key presses
ahead of the rest of it ("\\r" as Enter, "\\x03" as ctrl+c, "\\x13" as ctrl+s: one paste
skipped a question), and the paste arrives cut and out of order. Sanitising the Paste event
is too late for that, so `PasteGuard` cleans the raw input between the paste markers before
the parser sees it: the parser then gets no ESC until the real end marker, and the app one
Paste event whose text has no escape sequence or control character (newlines and tabs stay;
see `clean_for_terminal`). Outside a paste the input passes through untouched and at once, so
a lone Esc key is not held back.

Only the POSIX driver (`LinuxDriver`, macOS too) is guarded; `InterviewerApp.get_driver_class`
picks `GuardedLinuxDriver` in its place. Import this module only where that driver exists.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Iterable

from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from interviewer.text.sanitize import clean_for_terminal

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


def _held_prefix(text: str, marker: str) -> int:
    """Length of the longest end of `text` that may be the start of `marker` cut by a read."""
    for size in range(min(len(text), len(marker) - 1), 0, -1):
        if marker.startswith(text[-size:]):
            return size
    return 0


class PasteGuard:
    """Rewrites raw terminal input so that every bracketed paste holds only clean text."""

    def __init__(self) -> None:
        self._in_paste = False
        self._paste: list[str] = []
        self._tail = ""
        """Outside a paste: the last characters passed on, to find a start marker cut by a
        read. Inside: a possible start of the end marker, held back."""

    def feed(self, data: str) -> str:
        out: list[str] = []
        while data:
            if self._in_paste:
                text = self._tail + data
                end = text.find(PASTE_END)
                if end == -1:
                    held = _held_prefix(text, PASTE_END)
                    self._paste.append(text[: len(text) - held])
                    self._tail = text[len(text) - held :]
                    break
                self._paste.append(text[:end])
                out.append(clean_for_terminal("".join(self._paste)) + PASTE_END)
                self._in_paste, self._paste, self._tail = False, [], ""
                data = text[end + len(PASTE_END) :]
            else:
                # The tail was passed on already: only look for a marker that ends in `data`.
                text = self._tail + data
                start = text.find(PASTE_START)
                if start == -1:
                    out.append(data)
                    self._tail = text[-(len(PASTE_START) - 1) :]
                    break
                cut = start + len(PASTE_START) - len(self._tail)
                out.append(data[:cut])
                self._in_paste, self._tail = True, ""
                data = data[cut:]
        return "".join(out)

    def flush(self) -> str:
        """At the end of input: an unfinished paste, cleaned (the parser drops it, as before)."""
        if not self._in_paste:
            return ""
        text = clean_for_terminal("".join(self._paste) + self._tail)
        self._in_paste, self._paste, self._tail = False, [], ""
        return text


class GuardedParser(XTermParser):
    """Textual's parser behind a `PasteGuard`."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._guard = PasteGuard()

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input
            if rest := self._guard.flush():
                yield from super().feed(rest)
            yield from super().feed("")
            return
        if cleaned := self._guard.feed(data):
            yield from super().feed(cleaned)


class GuardedLinuxDriver(LinuxDriver):
    """`LinuxDriver` reading its input through a `GuardedParser`.

    The input loop is `LinuxDriver.run_input_thread` of Textual 8.2 with the parser swapped:
    the driver builds its parser inside that method, so there is no smaller seam."""

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = GuardedParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for last, (_key, mask) in loop_last(events):
                if mask & selectors.EVENT_READ:
                    data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not data:
                        break
                    for message in parser.feed(data):
                        self.process_message(message)
            for message in parser.tick():
                self.process_message(message)

        try:
            while not self.exit_event.is_set():
                process(selector.select(0.1))
            selector.unregister(self.fileno)
            process(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _message in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
