"""Every key, per screen, read from the bindings themselves so the list cannot go stale."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Static

from interviewer.tui.typing_on import own_keys, pass_on
from interviewer.tui.widgets.footer import KeysFooter


def _rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        keys = ", ".join(k.strip() for k in binding.key.split(","))
        rows.append((keys, binding.description))
    return rows


class HelpScreen(ModalScreen[None]):
    """The keys of every screen. With a `typing_target` (help opened over an answer being
    written), other letters typed or pasted close it and go on into the target (`typing_on`)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,f1", "close", "Close help")]

    def __init__(
        self,
        sections: list[tuple[str, Iterable[BindingType]]],
        *,
        typing_target: Widget | None = None,
    ) -> None:
        super().__init__()
        self._sections = sections
        self._typing_target = typing_target
        self._dismissed = False

    def action_close(self) -> None:
        if not self._dismissed:  # once: keys typed on may still be queued behind the first
            self._dismissed = True
            self.dismiss()

    def on_key(self, event: events.Key) -> None:
        if pass_on(event, self._typing_target, own_keys(self.BINDINGS)):
            self.action_close()

    def on_paste(self, event: events.Paste) -> None:
        if pass_on(event, self._typing_target, frozenset()):
            self.action_close()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("Keys", classes="title")
            for title, bindings in self._sections:
                yield Static(Text(title), classes="section")
                table: DataTable[Text] = DataTable(show_cursor=False, zebra_stripes=True)
                table.add_columns("Key", "Action")
                for keys, description in _rows(bindings):
                    table.add_row(Text(keys), Text(description))
                yield table
            yield Static("Esc closes this help.", classes="hint")
        # Its own footer: the one below would list the keys of the screen underneath.
        yield KeysFooter()


def everywhere_keys() -> list[BindingType]:
    """Textual's own keys that work on every screen of the app."""
    return [
        Binding("ctrl+p", "", "Command palette: the app's commands, themes, keys"),
        Binding("ctrl+c", "", "Copy the selection (in the editor, or text selected by mouse)"),
    ]


def editor_keys() -> list[BindingType]:
    """The answer editor's main keys (TextArea's own bindings, described for people)."""
    return [
        Binding("ctrl+v", "", "Paste (or your terminal's paste)"),
        Binding("ctrl+z", "", "Undo"),
        Binding("ctrl+y", "", "Redo"),
        Binding("ctrl+x", "", "Cut the selection"),
        Binding("shift+arrows", "", "Select text"),
        Binding("ctrl+a,home", "", "Start of line"),
        Binding("end", "", "End of line"),
        Binding("ctrl+e", "", "Write the answer in $EDITOR"),
        Binding("ctrl+w", "", "Delete the word before the cursor"),
        Binding("ctrl+k", "", "Delete to the end of the line"),
        Binding("tab", "", "Move focus out of the editor"),
    ]


def every_screens_keys(
    app_bindings: Sequence[BindingType],
) -> list[tuple[str, Iterable[BindingType]]]:
    """The help's sections: `app_bindings` (the app's own) and every screen's keys."""
    # Here, not at the top: the app imports this module at launch, the screens come later.
    from interviewer.tui.screens.confirm import ConfirmScreen, SkipConfirmScreen
    from interviewer.tui.screens.feedback import FeedbackScreen
    from interviewer.tui.screens.history import HistoryScreen
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.screens.report import ReportScreen
    from interviewer.tui.screens.start import StartScreen

    return [
        ("Everywhere", [*app_bindings, *everywhere_keys()]),
        ("Start", StartScreen.BINDINGS),
        ("Interview", InterviewScreen.BINDINGS),
        ("Answer editor", editor_keys()),
        ("Feedback", FeedbackScreen.BINDINGS),
        ("Report", ReportScreen.BINDINGS),
        ("History", HistoryScreen.BINDINGS),
        ("Questions asked by the app", ConfirmScreen.BINDINGS),
        ("Skipping an empty answer (typing goes on)", SkipConfirmScreen.BINDINGS),
    ]
