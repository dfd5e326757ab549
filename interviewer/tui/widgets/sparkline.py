"""Scores over time as a short row of block characters (fits in a table cell)."""

from __future__ import annotations

from collections.abc import Sequence

_BLOCKS = "▁▂▃▄▅▆▇█"


def spark(scores: Sequence[float], *, high: float = 10.0) -> str:
    """One block per score, 0 -> "▁", `high` -> "█"."""
    cells = []
    for score in scores:
        ratio = min(max(score / high, 0.0), 1.0)
        cells.append(_BLOCKS[round(ratio * (len(_BLOCKS) - 1))])
    return "".join(cells)
