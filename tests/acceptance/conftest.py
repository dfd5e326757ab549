"""Acceptance-test fixtures: each test gets its own data dir, as a fresh user would have."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer import paths


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    return tmp_path / "home"
