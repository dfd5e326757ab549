"""What the TUI remembers between runs: the theme chosen in the command palette.

Kept in `paths.ui_prefs_file()` (JSON, mode 0600), not in the config file: the app never writes
the config, which is the user's hand-written TOML (rewriting it would drop their comments and
order). A broken or stale file is never fatal: the app says which file and key, and starts with
Textual's default theme.
"""

from __future__ import annotations

import json
from pathlib import Path

from textual.app import App
from textual.theme import Theme

from interviewer import paths
from interviewer.text.sanitize import clean_line

THEME_KEY = "theme"


def load_theme(path: Path, known: set[str]) -> tuple[str | None, str | None]:
    """The remembered theme name (None: nothing usable) and a one-line warning, if any."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as exc:
        return None, f"{path}: unreadable ({clean_line(str(exc))}); delete it to reset the theme."
    theme = data.get(THEME_KEY) if isinstance(data, dict) else None
    if theme is None:
        return None, None
    if not isinstance(theme, str) or theme not in known:
        return None, (
            f"{path}: key {THEME_KEY!r} names no known theme ({clean_line(repr(theme))}); "
            "choose one with ctrl+p → Theme."
        )
    return theme, None


def save_theme(path: Path, theme: str) -> None:
    paths.write_private_text(path, json.dumps({THEME_KEY: theme}, indent=2) + "\n")


def remember_theme(app: App[int], path: Path | None = None) -> None:
    """Start `app` with the remembered theme and save every later change (in a thread: the
    write is fsynced). Call from `on_mount`."""
    where = path or paths.ui_prefs_file()
    theme, warning = load_theme(where, set(app.available_themes))
    if warning is not None:
        app.notify(warning, title="Theme not restored", severity="warning", markup=False)
    if theme is not None:
        app.theme = theme
    last = [app.theme]

    def saved(chosen: Theme) -> None:
        if chosen.name == last[0]:
            return  # the restore itself, or the same theme picked again
        last[0] = chosen.name
        app.run_worker(
            lambda: _save_or_warn(app, where, chosen.name),
            thread=True,
            group="prefs",
            exclusive=True,
            exit_on_error=False,
        )

    app.theme_changed_signal.subscribe(app, saved)


def _save_or_warn(app: App[int], path: Path, theme: str) -> None:
    try:
        save_theme(path, theme)
    except OSError as exc:
        app.call_from_thread(
            app.notify,
            f"Could not remember the theme in {path} ({clean_line(str(exc))}).",
            severity="warning",
            markup=False,
        )
