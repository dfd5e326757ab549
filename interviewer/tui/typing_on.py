"""Where typing goes, so that nothing the candidate types is lost.

On the interview screen, text typed while the conversation (or nothing) has focus goes to the
answer editor (`keep_in_the_editor`). A dialog opened over text being written passes typing on
into that text: a modal that ignores the keys it does not bind is normal in Textual, and that is
how the dialogs behave elsewhere, but a candidate who hit F1 or ctrl+q by accident keeps typing,
and those letters must not vanish. So a printable key or a paste that is not one of the
dialog's own keys closes the dialog (as its "no" / "close") and goes on, in order, into the
widget the candidate was writing in (`typing_target`, `pass_on`).
"""

from __future__ import annotations

from collections.abc import Collection

from textual import events
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget


def keep_in_the_editor(
    screen: Screen[object], event: events.Key | events.Paste, *, interview_open: bool
) -> None:
    """On the interview screen, text typed or pasted while the conversation (or nothing) has
    focus goes to the editor. Focus moves here, before Textual routes this key by focus, so
    this key and every later one reach the editor in the order they came."""
    if not interview_open:
        return  # no interview screen yet (and none of its modules need loading for this)
    from textual.widgets import Input, TextArea

    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.widgets.editor import AnswerEditor

    if not isinstance(screen, InterviewScreen):
        return
    if isinstance(event, events.Key) and not event.is_printable:
        return  # PageUp, arrows, ctrl+keys: the conversation scrolls, bindings act
    if isinstance(screen.focused, Input | TextArea):
        return
    screen.set_focus(screen.query_one(AnswerEditor))


def typing_target(screen: Screen[object], *, interview_open: bool) -> Widget | None:
    """Where letters typed into a dialog opened over `screen` go on: the answer editor of the
    interview on screen, or the text field being filled in; else nowhere."""
    from textual.widgets import Input, TextArea

    if isinstance(screen.focused, Input | TextArea):
        return screen.focused
    if not interview_open:
        return None
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.widgets.editor import AnswerEditor

    return screen.query_one(AnswerEditor) if isinstance(screen, InterviewScreen) else None


def own_keys(bindings: Collection[BindingType]) -> frozenset[str]:
    """The keys a dialog's bindings take (such a key acts on the dialog, as bound)."""
    keys: set[str] = set()
    for binding in bindings:
        if isinstance(binding, Binding):
            keys.update(key.strip() for key in binding.key.split(","))
    return frozenset(keys)


def pass_on(event: events.Key | events.Paste, target: Widget | None, keys: frozenset[str]) -> bool:
    """Send `event` on into `target` when it is typing the dialog does not take; True then (the
    caller closes the dialog). Into the target's queue: behind anything still queued there, so
    everything typed lands in the order it came."""
    if target is None:
        return False
    if isinstance(event, events.Key):
        if not event.is_printable or event.key in keys:
            return False
        copy: events.Key | events.Paste = events.Key(event.key, event.character)
    else:
        copy = events.Paste(event.text)
    event.stop()
    event.prevent_default()
    target.post_message(copy)
    return True
