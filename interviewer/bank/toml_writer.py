"""Write a Bank as TOML in our bank format, by hand: the stdlib reads TOML but does not write it.

Every string is escaped so that `tomllib` gives back exactly the same value: quotes, backslashes,
control characters, CR and LF, and runs of quotes that could close a multi-line string. Sample
answers are multi-line strings wrapped with line-ending backslashes so the file stays readable.
"""

from __future__ import annotations

from collections.abc import Iterable

from interviewer.bank.check import FORMAT_VERSION, MIN_KEY_POINTS
from interviewer.domain import Bank


def dump_bank_toml(bank: Bank, *, header: str | None = None) -> str:
    """The bank in our TOML format; `tomllib.loads` gives back exactly the same strings."""
    lines = list(_comment_lines(header if header is not None else _default_header(bank)))
    lines += [
        "[bank]",
        f"id = {toml_string(bank.id)}",
        f"title = {toml_string(bank.title)}",
        f"description = {toml_string(bank.description)}",
        f"format = {FORMAT_VERSION}",
    ]
    if bank.min_key_points > MIN_KEY_POINTS:
        lines.append(f"min_key_points = {bank.min_key_points}")
    for question in bank.questions:
        lines += [
            "",
            "[[questions]]",
            f"id = {toml_string(question.id)}",
            f"difficulty = {toml_string(question.difficulty.value)}",
            f"tags = {toml_array(question.tags)}",
            f"text = {toml_string(question.text)}",
            f"sample_answer = {toml_multiline(question.sample_answer)}",
        ]
        for point in question.key_points:
            lines += [
                "",
                "[[questions.key_points]]",
                f"id = {toml_string(point.id)}",
                f"text = {toml_string(point.text)}",
                f"probes = {toml_array(point.probes)}",
            ]
            if point.examples:
                lines.append(f"examples = {toml_array(point.examples)}")
    for concept in bank.concepts:
        lines += [
            "",
            "[[concepts]]",
            f"name = {toml_string(concept.name)}",
            f"terms = {toml_array(concept.terms)}",
        ]
    return "\n".join(lines) + "\n"


def _default_header(bank: Bank) -> str:
    return (
        f"Question bank {bank.id!r} for interviewer (format {FORMAT_VERSION}).\n"
        "Key points and probes were derived automatically: review them before relying on grades.\n"
        "Key points: 1 to 8 per question, most important first; probes must not give them away.\n"
        "Add [[concepts]] tables (name, terms) so the offline grader recognises the field's\n"
        "synonyms in answers (README, Question banks).\n"
        "Check your edits with `interviewer bank validate FILE`."
    )


def _comment_lines(text: str) -> Iterable[str]:
    for line in text.splitlines():
        yield f"# {line}".rstrip()
    if text:
        yield ""


_BASIC_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _escape_char(char: str) -> str:
    if char in _BASIC_ESCAPES:
        return _BASIC_ESCAPES[char]
    code = ord(char)
    # TOML forbids raw ASCII control characters; C1 controls and line/paragraph separators are
    # legal but invisible or disruptive in an editor, so they are escaped too.
    if code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029, 0xFEFF):
        return f"\\u{code:04X}"
    return char


def toml_string(value: str) -> str:
    """A one-line TOML basic string."""
    return '"' + "".join(_escape_char(c) for c in value) + '"'


def toml_array(values: Iterable[str]) -> str:
    items = [toml_string(v) for v in values]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= 90 or not items:
        return one_line
    return "[\n" + "".join(f"    {item},\n" for item in items) + "]"


def toml_multiline(value: str, width: int = 96) -> str:
    """A multi-line basic string; long lines are wrapped with line-ending backslashes.

    A line-ending backslash drops the newline and the whitespace that follows it, so wrapping
    after a space (before a non-space) keeps the value exact while the file stays readable.
    """
    out_lines: list[str] = []
    for line in value.split("\n"):
        pieces: list[str] = []
        for i, char in enumerate(line):
            if char == '"' and (i + 1 == len(line) or line[i + 1] == '"'):
                pieces.append('\\"')  # never let quotes run into a closing """
            elif char == '"':
                pieces.append('"')
            else:
                pieces.append(_escape_char(char) if char != "\t" else "\\t")
        out_lines.extend(_wrap(pieces, line, width))
    return '"""\n' + "\n".join(out_lines) + '"""'


def _wrap(pieces: list[str], line: str, width: int) -> list[str]:
    rows: list[str] = []
    current: list[str] = []
    length = 0
    last_break = -1
    for i, piece in enumerate(pieces):
        current.append(piece)
        length += len(piece)
        # A break is safe after a single space followed by a visible character.
        if line[i] == " " and i + 1 < len(line) and not line[i + 1].isspace():
            last_break = len(current)
        if length > width and last_break > 0:
            rows.append("".join(current[:last_break]) + "\\")
            current = current[last_break:]
            length = sum(len(p) for p in current)
            last_break = -1
    rows.append("".join(current))
    return rows
