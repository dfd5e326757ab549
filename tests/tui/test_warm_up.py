"""The launch loads only what the Start screen draws; the rest loads in a background warm-up
while the Start screen is shown, and Start pressed before the warm-up ends waits for it."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from pathlib import Path

from interviewer.engine.session import Interview
from interviewer.tui.ports import StartChoice
from interviewer.tui.warm_up import warm_up
from tests.tui.harness import EngineHarness, make_app, wait_until

SIZE = (100, 36)

LATER = (
    "interviewer.engine.session",
    "interviewer.grading.score",
    "interviewer.tui.screens.interview",
    "interviewer.tui.screens.feedback",
    "interviewer.tui.screens.history",
    "interviewer.tui.screens.report",
    # Markdown (its parser, a highlighter) is drawn only after the Start screen.
    "interviewer.tui.widgets.safe_markdown",
    "textual.widgets._markdown",
    "markdown_it",
)


def test_the_launch_path_does_not_import_the_engine_or_the_later_screens() -> None:
    code = (
        "import sys\n"
        "from interviewer.config import Settings\n"
        "from interviewer.tui.app import build_app\n"
        "build_app(Settings())\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(out.split())
    assert "interviewer.tui.screens.start" in loaded
    assert not loaded & set(LATER)


def test_what_the_warm_up_loaded_is_set_aside_from_the_garbage_collector_once() -> None:
    gc.unfreeze()  # as in a fresh process
    warm_up(None)()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the modules loaded so far, at least
    later = [[n] for n in range(5000)]  # objects made after the warm-up stay collectable
    warm_up(None)()  # a second app in the same process freezes nothing more
    assert gc.get_freeze_count() == frozen
    assert later


class SlowWarmUp(EngineHarness):
    """A factory whose warm-up runs until the test releases it."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.release = threading.Event()
        self.warming = threading.Event()
        self.warm_finished = False
        self.opened_while_warming = False

    def warm_up(self) -> None:
        self.warming.set()
        self.release.wait(10)
        self.warm_finished = True

    async def __call__(self, choice: StartChoice) -> Interview:
        self.opened_while_warming = not self.warm_finished
        return await super().__call__(choice)


async def test_start_pressed_before_the_warm_up_ends_waits_for_it(tmp_path: Path) -> None:
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.screens.start import StartScreen

    harness = SlowWarmUp(tmp_path)
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        await wait_until(pilot, harness.warming.is_set, what="warm-up running")
        await pilot.press("ctrl+s")
        # Still on the Start screen, saying it prepares (once it takes a moment: see
        # `PREPARING_SHOWN_AFTER_S`); nothing opened beside the warm-up.
        await wait_until(
            pilot,
            lambda: "Preparing" in str(app.screen.query_one("#start").render()),
            what="preparing",
        )
        await pilot.pause(0.1)
        assert isinstance(app.screen, StartScreen)
        assert not harness.built
        assert "Preparing" in str(app.screen.query_one("#start").render())
        harness.release.set()
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, InterviewScreen) and app.screen.question_shown,
            what="first question",
        )
        assert harness.warm_finished and not harness.opened_while_warming


async def test_a_failing_warm_up_does_not_stop_the_interview(tmp_path: Path) -> None:
    from interviewer.tui.screens.interview import InterviewScreen

    class Broken(EngineHarness):
        def warm_up(self) -> None:
            raise RuntimeError("model files missing")

    harness = Broken(tmp_path)
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#start")), what="start")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, InterviewScreen) and app.screen.question_shown,
            what="first question",
        )
        assert app.is_running


def test_the_factory_warm_up_compiles_the_chosen_banks_concept_terms() -> None:
    from interviewer.bank.loader import find_bank
    from interviewer.config import Settings
    from interviewer.grading import lexicon
    from interviewer.tui.backend import EngineFactory

    settings = Settings()
    lexicon._by_value.cache_clear()
    EngineFactory(settings).warm_up()
    compiled = lexicon._by_value.cache_info().misses
    assert compiled == 1
    # The first answer's grading (another copy of the bank, equal in value) compiles nothing.
    vocabulary = find_bank(settings.interview.bank).questions[0].concepts
    lexicon.concepts(vocabulary, "We hash every dataset.")
    assert lexicon._by_value.cache_info().misses == compiled
