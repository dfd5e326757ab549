"""Layouts that hold at 80x24 and on wide terminals: fitted table columns with ellipses, the
unfinished sessions above the fold, and a capped reading width."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

from interviewer.providers.check import LocalServer
from interviewer.tui.ports import ProviderProbes
from interviewer.tui.screens.history import HistoryScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.widgets.columns import Column, fit, truncate
from interviewer.tui.widgets.provider_status import ProviderStatus
from tests.tui.harness import screen_text, wait_until
from tests.tui.test_snapshots import answer, app_for, begin, catalog_with_history

COLUMNS = (
    Column("Name", 0, 6, grow=True),
    Column("Score", 1, 5),
    Column("Extra", 5, 5),
    Column("Note", 3, 4),
)
ROWS = [[Text("a fairly long name of a thing"), Text("7.5"), Text("extra"), Text("note")]]


def test_every_column_shows_at_its_natural_width_when_there_is_room() -> None:
    assert fit(COLUMNS, ROWS, 200) == [29, 5, 5, 4]


def test_the_growing_column_shrinks_before_any_column_is_dropped() -> None:
    widths = fit(COLUMNS, ROWS, 40)
    assert None not in widths
    assert sum(w + 2 for w in widths if w is not None) == 40
    assert widths[1:] == [5, 5, 4]


def test_the_least_important_column_goes_first_then_the_next() -> None:
    # Floors: 6 + 5 + 5 + 4, plus two cells of padding each = 28.
    assert fit(COLUMNS, ROWS, 27)[2] is None
    assert fit(COLUMNS, ROWS, 27)[3] is not None
    narrow = fit(COLUMNS, ROWS, 15)  # 6 + 5 + padding
    assert narrow[2] is None and narrow[3] is None
    assert narrow[0] is not None and narrow[1] is not None


def test_a_cut_cell_ends_in_an_ellipsis_and_a_short_one_is_untouched() -> None:
    assert truncate(Text("abcdefghij"), 5).plain == "abcd…"
    assert truncate(Text("abc"), 5).plain == "abc"


async def open_report(pilot: Pilot[int], app: App[int]) -> None:
    await pilot.press("f2")
    await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
    await pilot.press("down", "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen))
    await pilot.pause()


def header(app: App[int]) -> list[str]:
    table = app.screen.query_one("#questions", DataTable)
    return [str(c.label) for c in table.ordered_columns]


async def test_the_report_keeps_every_column_at_80_columns_and_cuts_titles_with_ellipses(
    home: Path,
) -> None:
    app = app_for(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_report(pilot, app)
        text = screen_text(app)
        for label in ("Question", "Score", "Time", "Tokens", "Cost"):
            assert label in text, label
        assert "…" in text  # the question titles do not fit whole
        assert not app.screen.query_one("#hidden-columns").display


async def test_the_report_refits_on_resize_and_says_which_columns_it_hides(home: Path) -> None:
    app = app_for(home)
    async with app.run_test(size=(200, 40)) as pilot:
        await open_report(pilot, app)
        assert "Cost" in header(app)
        assert "Hidden at this width" not in screen_text(app)
        await pilot.resize_terminal(50, 24)
        await pilot.pause()
        await pilot.pause()
        assert "Cost" not in header(app)
        assert {"Question", "Score"} <= set(header(app))
        assert "Hidden at this width" in screen_text(app)
        assert "Cost" in screen_text(app)  # named in the hint


async def test_history_shows_the_trend_and_scores_at_80_columns(home: Path) -> None:
    app = app_for(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        progress = app.screen.query_one("#progress", DataTable)
        await wait_until(pilot, lambda: progress.row_count == 2)
        await pilot.pause()
        text = screen_text(app)
        for label in ("Attempts", "Last", "Best", "Trend"):
            assert label in text, label
        assert any(block in text for block in "▁▂▃▄▅▆▇█")


async def test_the_start_screen_shows_unfinished_sessions_above_the_fold_at_80x24(
    home: Path,
) -> None:
    catalog = catalog_with_history()
    app = app_for(home, catalog=catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#unfinished")))
        await pilot.pause()
        text = screen_text(app)
        assert "1 unfinished session" in text
        assert "1 / 2" in text  # the row itself, not only the heading
        assert "Start (ctrl+s)" in text


async def test_with_several_unfinished_sessions_start_stays_above_the_fold_at_80x24(
    home: Path,
) -> None:
    catalog = catalog_with_history()
    unfinished = next(r for r in catalog.rows if not r.finished)
    for i in range(2, 4):
        catalog.rows.append(dataclasses.replace(unfinished, id=f"u{i}", ref=f"u{i}", answered=0))
    app = app_for(home, catalog=catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#unfinished")))
        await wait_until(pilot, lambda: "1 shown" in screen_text(app), what="rows fitted")
        text = screen_text(app)
        assert "3 unfinished sessions, 1 shown" in text and "F2 History" in text
        assert "Start (ctrl+s)" in text
        assert app.screen.max_scroll_y == 0  # nothing below the fold
        await pilot.resize_terminal(120, 40)
        await wait_until(
            pilot, lambda: "3 unfinished sessions (ctrl+r" in screen_text(app), what="all rows"
        )
        await wait_until(  # the rows are drawn a frame after the heading
            pilot,
            lambda: screen_text(app).count("1 / 2") + screen_text(app).count("0 / 2") == 3,
            what="all three rows drawn",
        )


async def test_the_transcript_reads_at_a_capped_centred_width_on_a_wide_terminal(
    home: Path,
) -> None:
    app = app_for(home)
    async with app.run_test(size=(220, 40)) as pilot:
        await begin(pilot)
        await answer(pilot)
        question = app.screen.query_one("#question")
        assert question.size.width <= 100
        assert question.region.x > 50  # centred, not hugging the left edge
        bubbles = list(app.screen.query_one("#conversation").children)
        assert bubbles and max(b.size.width for b in bubbles) <= 100


async def test_the_answer_editor_keeps_the_reading_width_of_the_question(home: Path) -> None:
    app = app_for(home)
    async with app.run_test(size=(220, 40)) as pilot:
        await begin(pilot)
        await pilot.pause()
        question = app.screen.query_one("#question").region
        editor = app.screen.query_one("#answer").region
        # One measure for everything read and written, centred alike.
        assert editor.width == question.width <= 100
        assert editor.x == question.x > 50
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.query_one("#answer").region.width > 70  # narrow: the whole width


def test_the_less_important_of_two_growing_columns_gives_up_its_cells_first() -> None:
    columns = (Column("Bank", 1, 4, grow=True), Column("Provider", 5, 4, grow=True))
    rows = [[Text("test-bank"), Text("openai:gpt-4o-mini")]]
    assert fit(columns, rows, 9 + 2 + 10 + 2) == [9, 10]


async def test_a_local_server_offer_does_not_push_start_below_the_fold_at_80x24(
    home: Path,
) -> None:
    catalog = catalog_with_history()
    unfinished = next(r for r in catalog.rows if not r.finished)
    for i in range(2, 4):
        catalog.rows.append(dataclasses.replace(unfinished, id=f"u{i}", ref=f"u{i}", answered=0))

    async def detect(ports: Mapping[int, str] | None) -> Sequence[LocalServer]:
        return [LocalServer(kind="llamacpp", port=8080, models=("smollm2",))]

    app = app_for(home, catalog=catalog)
    app._probes = ProviderProbes(detect=detect, local_ports={8080: "llamacpp"})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot, lambda: app.screen.query_one(ProviderStatus).offer is not None, what="offer"
        )
        await wait_until(pilot, lambda: app.screen.max_scroll_y == 0, what="rows fitted again")
        text = screen_text(app)
        assert "Start (ctrl+s)" in text and "3 unfinished sessions" in text
