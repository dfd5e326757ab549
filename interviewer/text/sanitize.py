"""Make untrusted text (candidate answers, model output, bank files, journals) safe to display.

Nothing here imports Textual or Rich: the headless mode and the reports use it too.

Guarantee: the output of `clean_for_terminal` contains no ESC (``\\x1b``), no C0 control other
than ``\\n`` and ``\\t``, no DEL and no C1 control (U+0080-U+009F, which a terminal may read as
8-bit CSI/OSC). Characters that change how text *looks* without being visible (bidi overrides
and isolates, zero-width characters, Unicode tag characters) are replaced by a visible marker
such as ``<U+202E>``, so a reader sees that something was there instead of being misled by it.
Markup (``[bold]``, ``[@click=...]``) is left as literal text: it is the caller's job never to
parse it, and showing it verbatim is what the candidate typed.

`INVISIBLE` is the one list of those invisible characters: the fence (`prompts.neutralise`)
drops the same ones before text reaches a model. `escape_json_document` makes a JSON report
safe to `cat` without changing what it says.
"""

from __future__ import annotations

import re

__all__ = [
    "INVISIBLE",
    "StreamCleaner",
    "clean_for_terminal",
    "clean_line",
    "drop_invisible",
    "escape_json_document",
    "visible_marker",
]

# A string sequence (OSC, DCS, SOS, PM, APC; 7-bit "ESC x" or 8-bit C1 introducer) runs to its
# terminator: BEL, ST as "ESC \" or 8-bit ST (U+009C). A terminal that meets an unterminated one
# swallows everything after it, so we drop the rest of the text too rather than guess.
_STRING_SEQUENCE = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|\Z)"
# CSI: introducer, parameter bytes, intermediate bytes, final byte (optional when cut short).
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
# Any other escape: ESC, intermediates, one final byte (ESC c reset, ESC ( B charset, ESC 7 ...);
# a lone trailing ESC matches too.
_OTHER_ESCAPE = r"\x1b[\x20-\x2f]*[\x30-\x7e]?"

_SEQUENCES = re.compile(f"{_STRING_SEQUENCE}|{_CSI}|{_OTHER_ESCAPE}", re.DOTALL)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")

# Characters a reader cannot see but that change what the text says or how it shows. One set
# for two uses: the terminal shows each as a marker (`visible_marker`), so a reader sees that
# something was there; the fence around candidate text (`prompts.neutralise`) drops them, since a
# model reads what a reviewer cannot and an answer has no legitimate use for them. Every group
# below matters to both: hidden instructions to the model, and text that misleads a reader.
INVISIBLE: frozenset[int] = frozenset(
    (
        # Bidi embeddings, overrides, isolates and marks: reorder what is shown ("Trojan
        # Source"), so text reads differently from what it says.
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200E,
        0x200F,
        0x061C,
        # Zero-width space, joiners, word joiner, BOM: split or glue words unseen, e.g. to slip
        # a phrase past a filter that looks for it.
        0x200B,
        0x200C,
        0x200D,
        0x2060,
        0xFEFF,
        0x180E,
        # Invisible math operators and the deprecated format characters: no width, no use in
        # prose; the same hiding as above.
        *range(0x2061, 0x2065),
        *range(0x206A, 0x2070),
        # Unicode tag characters: a whole invisible copy of ASCII that models read ("ASCII
        # smuggling").
        *range(0xE0000, 0xE0080),
    )
)
_DROP_INVISIBLE: dict[int, None] = dict.fromkeys(INVISIBLE)


def drop_invisible(text: str) -> str:
    """`text` without the INVISIBLE characters (for text a model reads, not a terminal)."""
    return text.translate(_DROP_INVISIBLE)


def visible_marker(codepoint: int) -> str:
    """How an invisible character is shown: ``<U+202E>``."""
    return f"<U+{codepoint:04X}>"


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x20):
        if chr(code) not in "\n\t":
            table[code] = None
    table[0x7F] = None
    for code in range(0x80, 0xA0):
        table[code] = None
    for code in INVISIBLE:
        table[code] = visible_marker(code)
    return table


_TABLE = _build_table()


def clean_for_terminal(text: str) -> str:
    """Return `text` with escape sequences and control characters removed and invisible
    characters made visible; line breaks normalised to ``\\n``. Never raises on any `str`."""
    return _clean_rest(_SEQUENCES.sub("", text))


def _clean_rest(text: str) -> str:
    """Everything after sequence removal: line breaks, surrogates, single characters."""
    text = _LINE_BREAKS.sub("\n", text)
    # Lone surrogates (from a journal's "\\ud800") cannot be encoded for the terminal.
    text = _SURROGATES.sub("\ufffd", text)
    return text.translate(_TABLE)


def _json_escape(codepoint: int) -> str:
    if codepoint > 0xFFFF:  # JSON spells an astral character as a surrogate pair
        high, low = divmod(codepoint - 0x10000, 0x400)
        return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
    return f"\\u{codepoint:04x}"


# Everything `clean_for_terminal` removes, marks or rewrites, except the newline and tab that
# indent the document (inside strings json.dumps escapes those, and every other C0, already).
_JSON_TABLE: dict[int, str] = {
    code: _json_escape(code)
    for code in (*_TABLE, 0x2028, 0x2029, *range(0xD800, 0xE000))
    if code not in (0x0A, 0x09)
}


def escape_json_document(document: str) -> str:
    """Make a JSON document (as `json.dumps(..., ensure_ascii=False)` writes it) safe to `cat`:
    every control, invisible or surrogate character is written as a ``\\uXXXX`` escape. Such
    characters only occur inside JSON strings, so the document still parses to the same value,
    exact; readable text (accents, CJK, emoji) stays as it is."""
    return document.translate(_JSON_TABLE)


def clean_line(text: str) -> str:
    """Like `clean_for_terminal`, for a one-line place (a title, a table cell, a notification
    heading): line breaks and tabs become single spaces."""
    cleaned = clean_for_terminal(text)
    return cleaned.replace("\n", " ").replace("\t", " ")


class StreamCleaner:
    """Clean text that arrives in chunks (a streamed model reply).

    An escape sequence may be split across chunks ("\\x1b]52;c;" then "payload\\x07"); cleaning
    each chunk alone would show the payload. So the tail from the last sequence introducer is held
    back until the next chunk completes it, as is a trailing "\\r" that may start a "\\r\\n".
    The concatenated output equals `clean_for_terminal` of the concatenated input once `flush`ed.
    """

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, chunk: str) -> str:
        text = self._pending + chunk
        cut = len(text)
        for match in _SEQUENCES.finditer(text):
            # A sequence that reaches the end of what we have may still be growing.
            if match.end() == len(text):
                cut = match.start()
        head = _SEQUENCES.sub("", text[:cut])
        tail = text[cut:]
        if head.endswith("\r"):
            head, tail = head[:-1], "\r" + tail
        self._pending = tail
        return _clean_rest(head)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return clean_for_terminal(text)
