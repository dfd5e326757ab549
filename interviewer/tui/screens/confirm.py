"""A yes/no question in a modal box, and the one asked before an empty answer is skipped."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button

from interviewer.tui.typing_on import own_keys, pass_on
from interviewer.tui.widgets.footer import KeysFooter
from interviewer.tui.widgets.safe import SafeStatic


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question. With a `typing_target` (the dialog opened over an answer being
    written), any other letter typed or pasted answers "no" and goes on into the target (see
    `typing_on`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]
    YES_KEY = "y"
    NO_KEY = "n"

    def __init__(
        self,
        question: str,
        *,
        yes: str = "Yes",
        no: str = "No",
        typing_target: Widget | None = None,
    ) -> None:
        super().__init__()
        self._question = question
        self._yes = yes
        self._no = no
        self._typing_target = typing_target
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield SafeStatic(self._question, id="question")
            with Horizontal(id="buttons"):
                yield Button(f"{self._yes} ({self.YES_KEY})", id="yes", variant="primary")
                yield Button(f"{self._no} ({self.NO_KEY})", id="no")
        # Its own footer: the one below would list the keys of the screen underneath.
        yield KeysFooter()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        if not self._answered:  # once: keys typed on may still be queued behind the answer
            self._answered = True
            self.dismiss(value)

    def on_key(self, event: events.Key) -> None:
        if pass_on(event, self._typing_target, own_keys(self.BINDINGS)):
            self.action_answer(False)

    def on_paste(self, event: events.Paste) -> None:
        if pass_on(event, self._typing_target, frozenset()):
            self.action_answer(False)


def skip_question(*, probe: bool) -> str:
    """What skipping an empty answer means: a skipped follow-up costs only the follow-up."""
    if probe:
        what = "Skip this follow-up? The question is graded on what you have already said."
    else:
        what = "Skip this question (it scores 0)?"
    return f"Your answer is empty. {what} Typing goes on into your answer."


class SkipConfirmScreen(ConfirmScreen, inherit_bindings=False):
    """ "Skip this empty answer?", asked while the candidate may still be typing.

    Letters are no answer here: "y" in a word typed on would skip the question, and whatever
    else was typed would land in the dialog and be lost. So only ctrl+s (again) skips and Esc
    keeps writing; any typed key or paste closes the dialog and goes on into `editor`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "answer(True)", "Skip the question"),
        Binding("escape", "answer(False)", "Keep writing"),
    ]
    YES_KEY = "ctrl+s"
    NO_KEY = "Esc"

    def __init__(self, question: str, editor: Widget) -> None:
        super().__init__(question, yes="Skip", no="Keep writing", typing_target=editor)
        self._editor = editor

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":  # typing too: it would press the focused Skip button
            event.stop()
            event.prevent_default()
            self.action_answer(False)
            self._editor.post_message(events.Key(event.key, event.character))
            return
        super().on_key(event)
