"""Drive Textual's command palette from Pilot: list what it offers, run one command by name."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from tests.tui.harness import wait_until


def _options(pilot: Pilot[int]) -> list[str]:
    screen = pilot.app.screen
    if not isinstance(screen, CommandPalette):
        return []
    listed = screen.query_one(CommandList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


async def open_palette(pilot: Pilot[int]) -> list[str]:
    """Press ctrl+p and return the commands it lists before anything is typed."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), what="palette")
    # The providers answer one after another; Textual marks the palette -ready once the search
    # has gathered them all (a fixed pause could end first on a loaded machine).
    await wait_until(pilot, lambda: pilot.app.screen.has_class("-ready"), what="palette commands")
    return _options(pilot)


async def run_command(pilot: Pilot[int], name: str, *, opens_palette: bool = False) -> None:
    """Open the palette, type `name`, and run the best match (which must be `name`).
    `opens_palette`: the command opens a palette of its own (Theme does)."""
    await open_palette(pilot)
    first = pilot.app.screen
    await pilot.press(*name)
    await wait_until(
        pilot,
        lambda: bool(_options(pilot)) and _options(pilot)[0].startswith(name),
        what=f"palette match for {name!r}",
    )
    await pilot.press("enter")
    if opens_palette:
        await wait_until(pilot, lambda: pilot.app.screen is not first, what="next palette")
        return
    await wait_until(
        pilot, lambda: not isinstance(pilot.app.screen, CommandPalette), what="palette closed"
    )
