"""The answer editor: a TextArea whose pasted text is sanitised before it is shown, which takes
ctrl+s (and ctrl+e, $EDITOR) in the order the keys came, and counts characters against the cap."""

from __future__ import annotations

import contextlib

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import TextArea
from textual.widgets.text_area import Document

from interviewer.text.sanitize import clean_for_terminal

SEND_KEY = "ctrl+s"
EDIT_KEY = "ctrl+e"


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

    def __init__(self, *, id: str | None = None, max_chars: int = 0) -> None:
        """`max_chars`: the grader's cap on one answer (`[interview] max_answer_chars`), counted
        live under the box; 0 shows no count."""
        self.max_chars = max_chars
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            highlight_cursor_line=False,
            placeholder="Type or paste your answer. ctrl+s sends it.",
        )

    class EditExternally(Message):
        """ctrl+e in the editor: the screen opens the answer in $EDITOR."""

    def on_mount(self) -> None:
        self.show_count()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # Not stopped: the screen mirrors the text to the draft file too.
        self.show_count()

    def show_count(self) -> None:
        """The answer's length against the cap, counted as the grader's cut counts it."""
        if not self.max_chars:
            return
        length, cap = len(self.text), self.max_chars
        over = length > cap
        self.set_class(over, "-over-cap")
        note = f": the grader reads the first {cap:,}" if over else ""
        self.border_subtitle = Content(f"{length:,} / {cap:,} characters{note}")

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls each class's `_on_key` in turn (TextArea's next) unless prevented.
        if event.key == SEND_KEY:
            event.prevent_default()
            event.stop()
            self.post_message(self.SendRequested(self.text))
        elif event.key == EDIT_KEY:
            # TextArea's ctrl+e (end of line) stays on End.
            event.prevent_default()
            event.stop()
            self.post_message(self.EditExternally())

    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        event.stop()
        if self.read_only:
            return
        if result := self._replace_via_keyboard(clean_for_terminal(event.text), *self.selection):
            self.move_cursor(result.end_location)
            self.focus()

    def type_on(self, typed: list[events.Key | events.Paste]) -> None:
        """Keys and pastes that came before the editor was there, in order (behind anything
        already queued here)."""
        for event in typed:
            if isinstance(event, events.Paste):
                self.post_message(events.Paste(event.text))
            else:
                self.post_message(events.Key(event.key, event.character))

    def set_answer(self, text: str) -> None:
        self.load_text(clean_for_terminal(text))
        self.move_cursor(self.document.end)

    def remove_sent(self, answer: str) -> None:
        """Take a sent `answer` off the front of the text, keeping anything typed after it
        meanwhile (nothing happens when the text no longer starts with it)."""
        if not answer or not self.text.startswith(answer):
            return
        end = None
        if isinstance(self.document, Document):
            with contextlib.suppress(ValueError):
                end = self.document.get_location_from_index(len(answer))
        if end is None:
            self.set_answer(self.text[len(answer) :])
        else:
            # A delete, not a reload: the cursor stays where the candidate is typing.
            self.delete((0, 0), end)
