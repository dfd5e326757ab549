"""Untrusted text (candidate answers, model output, bank text) put inside Markdown we write: the
Feedback screen and the Markdown report.

Every character Markdown gives a meaning to is backslash-escaped, so the text shows as typed and
never becomes a heading, list, table, link, autolink, image, HTML, code or math of its own; what
`sanitize` removes (escape sequences, controls) is gone first and invisible characters show as
markers. The structure around the text (quotes, lists, headings) is the caller's.
"""

from __future__ import annotations

import re

from interviewer.text.sanitize import clean_for_terminal, clean_line

__all__ = ["escape_markdown", "escape_markdown_lines"]

# CommonMark lets any ASCII punctuation be escaped; escaping only what can start or end a
# construct keeps a report readable with `cat`. Anywhere: emphasis, code, links, HTML, headings
# (an ATX heading's closing "#"s), tables, strikethrough, entities, GitHub math, autolinks.
_ANYWHERE = frozenset("\\`*_{}[]<>#|~&$@")
# At the start of a line only: a list item, a setext underline or thematic break, a numbered
# item ("1." or "1)").
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")
# A bare URL that a GFM viewer would link ("http://", "www.").
_AUTOLINK = re.compile(r"(?i)(?<=[a-z]):(?=//)|(?<=\bwww)\.")
# The visible markers `sanitize` puts for invisible characters: inert in Markdown (no tag name
# holds "+"), and kept as they are so they read the same everywhere.
_MARKER = re.compile(r"(<U\+[0-9A-F]{4,6}>)")


def _escape(cleaned: str) -> str:
    parts = _MARKER.split(cleaned)
    for index in range(0, len(parts), 2):  # the odd ones are markers
        text = "".join(f"\\{ch}" if ch in _ANYWHERE else ch for ch in parts[index])
        parts[index] = _AUTOLINK.sub(lambda m: "\\" + m.group(0), text)
    escaped = "".join(parts)
    return _LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark = match.group(1), match.group(2)
    if mark.isdigit():  # "12." -> "12\.": the number stays, the list does not
        return indent + mark + "\\"
    return f"{indent}\\{mark}"


def escape_markdown(text: str) -> str:
    """Sanitise `text` and escape it for one line of Markdown (line breaks become spaces): a
    quoted sentence must not become a link, a heading or a table."""
    return _escape(clean_line(text))


def escape_markdown_lines(text: str) -> list[str]:
    """Sanitise `text` and escape each of its lines, for a block the caller prefixes line by
    line (a blockquote); tabs become spaces and a blank line stays blank."""
    lines = clean_for_terminal(text).replace("\t", "    ").split("\n")
    return [_escape(line) for line in lines]
