"""Shared fixtures for the whole suite. Keep this file small and generic."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from interviewer.providers import check
from interviewer.providers.replay import ReplayProvider
from tests.network import NetworkGuard

ReplayFactory = Callable[..., ReplayProvider]
_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Lets fixtures see whether the test body failed (their teardown checks are noise then).
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def network_guard(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[NetworkGuard]:
    """Every test: no connection past loopback (see tests/network.py), even a swallowed one."""
    guard = NetworkGuard()
    guard.install(monkeypatch)
    yield guard
    if not request.node.stash.get(_CALL_FAILED, False):
        guard.verify()


@pytest.fixture(autouse=True)
def patient_local_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test: detecting a local server waits 30 s per port, not the 0.3 s a quiet machine
    needs. The servers the tests start are threads in a loaded CI worker, and one that answered
    a moment late read as no server at all. A closed port still refuses at once."""
    monkeypatch.setattr(check, "PROBE_TIMEOUT_S", 30.0)


@pytest.fixture
def replay_provider(request: pytest.FixtureRequest) -> Iterator[ReplayFactory]:
    """Build replay providers over fixture folders; the test fails if any fixture goes unplayed.

    Usage: ``provider = replay_provider(tmp_path / "rec", match="strict", sleep=fake_sleep)``
    (keyword arguments as `ReplayProvider.from_directory`).
    """
    built: list[ReplayProvider] = []

    def factory(directory: Path | str, **options: Any) -> ReplayProvider:
        provider = ReplayProvider.from_directory(Path(directory), **options)
        built.append(provider)
        return provider

    yield factory
    leftover = [fixture for provider in built for fixture in provider.unplayed()]
    if leftover and not request.node.stash.get(_CALL_FAILED, False):
        pytest.fail(
            f"replay fixtures left unplayed: {', '.join(leftover)} "
            "(the test asked fewer questions than were recorded)",
            pytrace=False,
        )
