"""Widgets that show untrusted text (candidate, model, bank, journal) without acting on it.

Every string is passed through `interviewer.text.sanitize` and becomes a literal `Content`, never
Textual/Rich markup. Markdown is `safe_markdown`'s: Textual's Markdown widget brings its parser
and a highlighter with it, which the Start screen must not wait for.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from interviewer.text.markdown import escape_markdown
from interviewer.text.sanitize import clean_for_terminal, clean_line

__all__ = ["SafeStatic", "escape_markdown", "plain", "plain_line"]


def plain(text: str) -> Content:
    """Literal, sanitised content: `[@click=...]` stays text."""
    return Content(clean_for_terminal(text))


def plain_line(text: str) -> Content:
    return Content(clean_line(text))


class SafeStatic(Static):
    """A Static whose text is always literal and sanitised."""

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(plain(text), id=id, classes=classes, markup=False)

    def set_text(self, text: str) -> None:
        self.update(plain(text))
