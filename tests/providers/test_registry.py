"""build_provider / build_pair close every client they built when a later step fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interviewer.config import ProviderProfile, RecordSettings, Settings
from interviewer.errors import ConfigError, FixtureError, ProviderError
from interviewer.providers import openai as openai_module
from interviewer.providers.openai import OpenAIProvider
from interviewer.providers.record import RecordingProvider
from interviewer.providers.registry import build_pair, build_provider
from tests.providers.support import OPENAI_KEY

BUILT: list[SpyProvider] = []


class SpyProvider(OpenAIProvider):
    """An OpenAIProvider that remembers it was built and whether its client was closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_closed = False
        BUILT.append(self)

    async def _close_client(self) -> None:
        self.client_closed = True
        await super()._close_client()


@pytest.fixture(autouse=True)
def _spy(monkeypatch: pytest.MonkeyPatch) -> None:
    BUILT.clear()
    monkeypatch.setattr(openai_module, "OpenAIProvider", SpyProvider)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


def unclosed() -> list[SpyProvider]:
    return [provider for provider in BUILT if not provider.client_closed]


def test_a_record_folder_that_cannot_be_created_leaks_no_client(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    settings = Settings(provider="openai", record=RecordSettings(dir=blocker / "fixtures"))
    with pytest.raises(FixtureError, match="cannot create the --record folder"):
        build_provider(settings, "openai", "interviewer")
    assert unclosed() == []


def test_recording_still_wraps_the_provider(tmp_path: Path) -> None:
    settings = Settings(provider="openai", record=RecordSettings(dir=tmp_path / "rec"))
    provider = build_provider(settings, "openai", "interviewer")
    assert isinstance(provider, RecordingProvider)
    assert isinstance(provider.inner, SpyProvider)
    assert (tmp_path / "rec").is_dir()


def test_a_grader_without_its_key_closes_the_interviewer() -> None:
    settings = Settings(provider="openai", grader_provider="anthropic")
    with pytest.raises(ProviderError, match="ANTHROPIC_API_KEY"):
        build_pair(settings)
    assert len(BUILT) == 1
    assert unclosed() == []


def test_a_grader_whose_fixtures_are_missing_closes_the_interviewer(tmp_path: Path) -> None:
    replay = ProviderProfile(kind="replay", fixtures=tmp_path / "missing")
    settings = Settings(provider="openai", grader_provider="judge", providers={"judge": replay})
    with pytest.raises(FixtureError):
        build_pair(settings)
    assert len(BUILT) == 1
    assert unclosed() == []


async def test_inside_an_event_loop_the_close_is_still_done() -> None:
    import asyncio

    settings = Settings(provider="openai", grader_provider="anthropic")
    with pytest.raises(ProviderError):
        build_pair(settings)
    await asyncio.sleep(0)  # the close was scheduled on this loop
    assert len(BUILT) == 1
    assert unclosed() == []


def test_an_unknown_grader_profile_builds_nothing() -> None:
    with pytest.raises(ConfigError, match="unknown provider 'nope'"):
        build_pair(Settings(provider="openai", grader_provider="nope"))
    assert BUILT == []


def test_one_profile_for_both_roles_is_one_provider() -> None:
    interviewer, grader = build_pair(Settings(provider="openai"))
    assert interviewer is grader
    assert len(BUILT) == 1
