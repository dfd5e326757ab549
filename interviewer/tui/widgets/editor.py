"""The answer editor: a TextArea whose pasted text is sanitised before it is shown, and which
takes ctrl+s in the order the keys came."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from interviewer.text.sanitize import clean_for_terminal

SEND_KEY = "ctrl+s"


class AnswerEditor(TextArea):
    """Multi-line answer box. Pasted escape sequences would otherwise reach the terminal when the
    editor redraws, so paste goes through the sanitiser (typed keys are printable already).

    ctrl+s is handled here, not by a priority binding: a priority binding runs as soon as the
    app reads the key, before the keys and pastes still queued for the editor, so a fast burst
    ending in ctrl+s sent a cut answer. Here the text is taken after everything before ctrl+s
    and before anything after it."""

    class SendRequested(Message):
        """ctrl+s in the editor: `text` is the editor's text at that point of the input."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

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

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls each class's `_on_key` in turn (TextArea's next) unless prevented.
        if event.key == SEND_KEY:
            event.prevent_default()
            event.stop()
            self.post_message(self.SendRequested(self.text))

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
