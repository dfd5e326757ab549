"""Markdown from untrusted text (model replies, feedback): sanitised source, links never opened.

Apart from `safe`, because Textual's Markdown widget imports its parser and a highlighter: the
screens that draw Markdown come after the Start screen, and the launch does not pay for them.
"""

from __future__ import annotations

from textual.widgets import Markdown

from interviewer.text.sanitize import clean_for_terminal, clean_line


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
