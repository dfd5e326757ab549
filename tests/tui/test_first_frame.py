"""What the Start screen does before its first frame: its focus goes to Start once, without
passing through the first field (each focus move restyles the widget it leaves and enters)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button

from interviewer.tui.screens.start import StartScreen
from tests.tui.harness import EngineHarness, make_app, wait_until


async def test_the_start_screen_focuses_start_and_nothing_before_it(
    harness: EngineHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    focused: list[str | None] = []
    set_focus = Screen.set_focus

    def recording(self: Screen[Any], widget: Widget | None, *args: Any, **kwargs: Any) -> None:
        if isinstance(self, StartScreen) and widget is not None:
            focused.append(widget.id)
        set_focus(self, widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "set_focus", recording)
    app = make_app(harness)
    async with app.run_test(size=(100, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        await wait_until(pilot, lambda: isinstance(app.screen.focused, Button), what="focus")
        await pilot.pause()
        assert app.screen.focused is not None and app.screen.focused.id == "start"
        assert focused == ["start"]
