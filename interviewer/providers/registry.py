"""Build the provider a profile names. The only place that maps a profile kind to a class, and
the reason SDK imports stay lazy: each branch imports its module only when taken."""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.providers.base import Provider, Role

if TYPE_CHECKING:
    from interviewer.config import Settings


def build_provider(settings: Settings, name: str, role: Role) -> Provider:
    """Build profile `name` for `role`, wrapped in the recorder when `[record] dir` is set."""
    profile = settings.profile(name)
    provider: Provider
    if profile.kind == "offline":
        from interviewer.providers.offline import OfflineProvider

        provider = OfflineProvider()
    elif profile.kind == "replay":
        from interviewer.providers.replay import ReplayProvider

        provider = ReplayProvider.from_profile(name, profile, role)
    elif profile.kind == "openai":
        from interviewer.providers.openai import OpenAIProvider

        provider = OpenAIProvider(name, profile, role, settings.interview)
    else:
        from interviewer.providers.anthropic import AnthropicProvider

        provider = AnthropicProvider(name, profile, role, settings.interview)
    if settings.record.dir is not None and profile.kind != "replay":
        from interviewer.providers.record import RecordingProvider

        provider = RecordingProvider(provider, settings.record.dir, profile=profile, role=role)
    return provider


def build_pair(settings: Settings) -> tuple[Provider, Provider]:
    """(interviewer, grader). The same object when both roles use one profile."""
    interviewer = build_provider(settings, settings.provider, "interviewer")
    grader_name = settings.grader_provider or settings.provider
    if grader_name == settings.provider:
        return interviewer, interviewer
    return interviewer, build_provider(settings, grader_name, "grader")
