"""The footer is rebuilt once per change of the keys it shows, not on every bindings signal."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Button, Footer
from textual.widgets._footer import FooterKey

from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.footer import KeysFooter
from tests.tui.harness import EngineHarness, make_app, wait_until


def footer_text(screen: Screen[Any]) -> list[str]:
    return [key.description for key in screen.query(FooterKey)]


async def test_moving_the_focus_between_widgets_with_the_same_keys_keeps_the_footer(
    harness: EngineHarness,
) -> None:
    app = make_app(harness)
    async with app.run_test(size=(100, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        await wait_until(pilot, lambda: "Start interview" in footer_text(app.screen), what="keys")
        keys = list(app.screen.query(FooterKey))
        assert isinstance(app.screen.focused, Button)
        await pilot.press("tab")  # Start -> History: both buttons, the same keys
        await pilot.pause()
        assert app.screen.focused is not None and app.screen.focused.id == "history"
        assert list(app.screen.query(FooterKey)) == keys  # the same widgets: not rebuilt


class Toggling(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "always", "Always"),
        Binding("s", "stop", "Stop reply"),
    ]
    busy = False

    def compose(self) -> ComposeResult:
        yield KeysFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.busy if action == "stop" else True

    def action_always(self) -> None:
        return None

    def action_stop(self) -> None:
        return None


class ToggleApp(App[int]):
    def on_mount(self) -> None:
        self.push_screen(Toggling())


async def test_keys_that_change_are_shown_and_signals_in_a_row_rebuild_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rebuilds = 0
    recompose = Footer.recompose

    async def counting(self: Footer) -> None:
        nonlocal rebuilds
        rebuilds += 1
        await recompose(self)

    app = ToggleApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, Toggling), what="screen")
        screen = app.screen
        assert isinstance(screen, Toggling)
        await wait_until(pilot, lambda: "Always" in footer_text(screen), what="first keys")
        assert "Stop reply" not in footer_text(screen)
        monkeypatch.setattr(Footer, "recompose", counting)
        screen.busy = True
        for _ in range(5):  # e.g. focus moves and a busy flag, before the next frame
            screen.refresh_bindings()
        await wait_until(pilot, lambda: "Stop reply" in footer_text(screen), what="stop key")
        await pilot.pause()
        assert rebuilds == 1
        screen.refresh_bindings()  # nothing changed: nothing rebuilt
        await pilot.pause()
        assert rebuilds == 1
        screen.busy = False
        screen.refresh_bindings()
        await wait_until(
            pilot, lambda: "Stop reply" not in footer_text(screen), what="stop key gone"
        )
        assert rebuilds == 2
