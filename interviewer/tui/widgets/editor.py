"""The answer editor: a TextArea whose pasted text is sanitised before it is shown."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from interviewer.text.sanitize import clean_for_terminal


class AnswerEditor(TextArea):
    """Multi-line answer box. Pasted escape sequences would otherwise reach the terminal when the
    editor redraws, so paste goes through the sanitiser (typed keys are printable already)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            highlight_cursor_line=False,
            placeholder="Type or paste your answer. ctrl+s sends it.",
        )

    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        event.stop()
        if self.read_only:
            return
        if result := self._replace_via_keyboard(clean_for_terminal(event.text), *self.selection):
            self.move_cursor(result.end_location)
            self.focus()

    def set_answer(self, text: str) -> None:
        self.load_text(clean_for_terminal(text))
        self.move_cursor(self.document.end)
