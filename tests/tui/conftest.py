"""TUI test fixtures: every test gets its own data dir (journals, reports, drafts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer import paths
from interviewer.providers import check
from tests.tui.harness import EngineHarness


@pytest.fixture(autouse=True)
def _never_the_users_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both apps read the remembered theme (ui.json) at start: never the developer's own.
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))


@pytest.fixture(autouse=True)
def _no_real_local_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    # The usual ports may have a real server on this machine: a test names its own.
    monkeypatch.setattr(check, "LOCAL_SERVERS", {})


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def harness(home: Path) -> EngineHarness:
    return EngineHarness(home)
