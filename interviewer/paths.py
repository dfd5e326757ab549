"""Every on-disk location in one place. `INTERVIEWER_HOME` moves them all (tests use it)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "INTERVIEWER_HOME"
ENV_CONFIG = "INTERVIEWER_CONFIG"
APP_NAME = "interviewer"


def _home() -> Path | None:
    value = os.environ.get(ENV_HOME)
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def default_config_file() -> Path:
    return config_dir() / "config.toml"


def sessions_dir() -> Path:
    """Where session journals (one JSONL file per session) live."""
    return data_dir() / "sessions"


def drafts_dir() -> Path:
    """Unsent answer text, one file per session (`<session id>.txt`), restored on resume."""
    return data_dir() / "drafts"


def reports_dir() -> Path:
    """Where the TUI exports session reports (`<session id>.md` / `.json`)."""
    return data_dir() / "reports"


def discarded_dir() -> Path:
    """Unfinished sessions discarded from History: their journals and drafts, moved here rather
    than deleted (delete this folder to free the space for good)."""
    return data_dir() / "discarded"


def ui_prefs_file() -> Path:
    """Choices made in the TUI itself (the theme), remembered across runs. Not the config file:
    that one is the user's own, hand-written TOML, which the app only reads."""
    return data_dir() / "ui.json"


def user_banks_dir() -> Path:
    """Banks the user imported; searched after the shipped ones."""
    return data_dir() / "banks"


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable only by the user (journals hold what the candidate typed)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write a file atomically with mode 0600: a crash leaves the old file or the new one."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
