"""Fitting a DataTable's columns to the width it has: the one place that decides which columns a
narrow terminal drops, how wide the rest are, and how a cut cell ends ("…")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

ELLIPSIS = "…"
# DataTable pads every cell with one space on each side.
_PADDING = 2


@dataclass(frozen=True)
class Column:
    """One column: `rank` 0 is the most important (dropped last); a column shrinks to no less
    than `min_width` cells; `grow` columns take the width left over (titles, questions)."""

    label: str
    rank: int
    min_width: int
    grow: bool = False


def fit(columns: Sequence[Column], rows: Sequence[Sequence[Text]], width: int) -> list[int | None]:
    """Each column's width in cells, or None for a dropped column. Columns are dropped least
    important first until the rest fit at their minimum widths; then each shown column gets its
    natural width (its widest cell or label), and the growing columns give up cells down to their
    minimum when the natural widths do not fit."""
    natural = [max([len(c.label), *(r[i].cell_len for r in rows)]) for i, c in enumerate(columns)]
    floor = [
        min(c.min_width, n) if not c.grow else c.min_width
        for c, n in zip(columns, natural, strict=True)
    ]
    shown = set(range(len(columns)))
    by_rank = sorted(shown, key=lambda i: (-columns[i].rank, -i))

    def need(widths: Sequence[int]) -> int:
        return sum(widths[i] + _PADDING for i in shown)

    for index in by_rank:
        if need(floor) <= width or len(shown) == 1:
            break
        shown.discard(index)
    widths = [natural[i] if i in shown else 0 for i in range(len(columns))]
    spare = width - need(widths)
    if spare < 0:
        # Growing columns give up cells first, then the others; within each, the least
        # important first; none below its floor.
        order = sorted(shown, key=lambda i: (not columns[i].grow, -columns[i].rank, -i))
        for i in order:
            cut = min(-spare, widths[i] - floor[i])
            widths[i] -= cut
            spare += cut
            if spare >= 0:
                break
    return [max(widths[i], 1) if i in shown else None for i in range(len(columns))]


def truncate(cell: Text, width: int) -> Text:
    """The cell cut to `width` cells, ending in an ellipsis when anything was cut."""
    if cell.cell_len <= width:
        return cell
    cut = cell.copy()
    cut.truncate(width, overflow="ellipsis")
    return cut


def fill(
    table: DataTable[Text],
    columns: Sequence[Column],
    rows: Sequence[Sequence[Text]],
    keys: Sequence[str] | None,
    width: int,
) -> list[int | None]:
    """Rebuild `table` for `width` cells: the fitted columns, each cell cut with an ellipsis. The
    cursor row is kept. Returns the widths `fit` chose."""
    widths = fit(columns, rows, width)
    cursor = table.cursor_row
    table.clear(columns=True)
    for column, w in zip(columns, widths, strict=True):
        if w is not None:
            table.add_column(column.label, width=w)
    for index, row in enumerate(rows):
        cells = [truncate(cell, w) for cell, w in zip(row, widths, strict=True) if w is not None]
        table.add_row(*cells, key=keys[index] if keys else None)
    if rows:
        table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
    return widths


def available_width(screen_width: int) -> int:
    """The cells a full-width table (margin 0 1) has for its columns, a scrollbar kept aside."""
    return max(screen_width - 4, 10)


def hidden_note(columns: Sequence[Column], widths: Sequence[int | None]) -> str:
    """A hint naming the columns this width hides, or "" when all show."""
    hidden = [c.label for c, w in zip(columns, widths, strict=True) if w is None]
    return (
        f"Hidden at this width (widen the window to see them): {', '.join(hidden)}."
        if hidden
        else ""
    )
