"""Widgets that show untrusted text (candidate, model, bank, journal) without acting on it.

Every string is passed through `interviewer.text.sanitize` and becomes a literal `Content`, never
Textual/Rich markup; Markdown gets sanitised source and its links only raise a notification.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Markdown, Static

from interviewer.text.markdown import escape_markdown
from interviewer.text.sanitize import clean_for_terminal, clean_line

__all__ = ["SafeMarkdown", "SafeStatic", "escape_markdown"]


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


class SafeMarkdown(Markdown):
    """Markdown from sanitised source whose links are never opened: a click only says where the
    link points, so a model cannot send the candidate anywhere."""

    def __init__(self, markdown: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(clean_for_terminal(markdown), id=id, classes=classes, open_links=False)

    async def set_source(self, markdown: str) -> None:
        await self.update(clean_for_terminal(markdown))

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.notify(
            f"Links are not opened from here. It points to: {clean_line(event.href)}",
            title="Link",
            markup=False,
        )
