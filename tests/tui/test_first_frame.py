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


async def test_the_interview_screen_is_drawn_busy_from_its_first_frame(
    harness: EngineHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It starts the engine as it mounts: drawn idle first, its editor was restyled to busy
    a frame later and back once the question was up."""
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.widgets.editor import AnswerEditor

    at_mount: list[tuple[bool, bool]] = []
    on_mount = InterviewScreen.on_mount

    def recording(self: InterviewScreen) -> None:
        at_mount.append((self.busy, self.query_one(AnswerEditor).has_class("-busy")))
        on_mount(self)

    monkeypatch.setattr(InterviewScreen, "on_mount", recording)
    app = make_app(harness)
    async with app.run_test(size=(100, 36)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#start")), what="start")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, InterviewScreen) and app.screen.question_shown,
            what="first question",
        )
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        await wait_until(pilot, lambda: not screen.busy, what="idle")
        assert at_mount == [(True, True)]
        assert not screen.query_one(AnswerEditor).has_class("-busy")


async def test_start_pressed_after_the_warm_up_opens_without_flashing_preparing(
    harness: EngineHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An opening that takes a blink does not relabel (and restyle) the Start button twice on
    its way to the question; a slow one says "Preparing…" (`test_warm_up`)."""
    from interviewer.tui.screens.interview import InterviewScreen

    labels: list[str] = []
    validate = Button.validate_label

    def recording(self: Button, label: Any) -> Any:
        labels.append(str(label))
        return validate(self, label)

    app = make_app(harness)
    async with app.run_test(size=(100, 36)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#start")), what="start")
        await wait_until(pilot, lambda: app.warm_up.finished, what="warm-up")
        monkeypatch.setattr(Button, "validate_label", recording)
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, InterviewScreen) and app.screen.question_shown,
            what="first question",
        )
        assert not [label for label in labels if "Preparing" in label]
