"""The footer every screen shows: Textual's `Footer`, rebuilt only when the keys it shows change.

Textual's footer removes and mounts all its keys again on every bindings signal: each focus
move, each screen pushed, each `refresh_bindings` (the interview screen's busy flag). Opening a
screen sends several in a row, and each rebuild restyles every key: measured on the Start
screen, five rebuilds before the first frame for keys that never changed. This one coalesces
the signals that arrive before the next refresh into one look at the keys, and rebuilds only
when what it would show differs from what it shows.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

KeysShown = tuple[tuple[object, ...], ...]


class KeysFooter(Footer):
    """`Footer`, rebuilt only when the keys it shows (see `keys_shown`) change."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: KeysShown | None = None
        self._looking = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Footer's own checks (app focus, attached, its screen), then at most one pending look.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._looking:
            self._looking = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._looking = False
        if not self.is_attached:
            return
        shown = self.keys_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()

    def keys_shown(self) -> KeysShown:
        """Everything `Footer.compose` draws from: each shown binding with its state, and
        the command palette's key."""
        app = self.app
        return (
            (self.show_command_palette, app.ENABLE_COMMAND_PALETTE),
            *(
                (
                    key,
                    binding.action,
                    binding.description,
                    binding.group,
                    app.get_key_display(binding),
                    enabled,
                    tooltip,
                    binding.show,
                )
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == app.COMMAND_PALETTE_BINDING
            ),
        )
