"""Build the provider a profile names. The only place that maps a profile kind to a class, and
the reason SDK imports stay lazy: each branch imports its module only when taken."""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING

from interviewer.providers.base import Provider, Role

if TYPE_CHECKING:
    from interviewer.config import Settings

_CLOSING: set[asyncio.Task[None]] = set()
"""Closes scheduled by `_discard` inside a running loop (a task needs a strong reference)."""


def build_provider(settings: Settings, name: str, role: Role) -> Provider:
    """Build profile `name` for `role`, wrapped in the recorder when `[record] dir` is set."""
    profile = settings.profile(name)
    record = settings.record.dir if profile.kind != "replay" else None
    if record is not None:
        from interviewer.providers.record import record_folder

        # Before the inner provider exists: a folder we cannot create must not leak its client.
        record_folder(record)
    provider: Provider
    if profile.kind == "offline":
        from interviewer.providers.offline import OfflineProvider

        provider = OfflineProvider()
    elif profile.kind == "replay":
        from interviewer.providers.replay import ReplayProvider

        provider = ReplayProvider.from_profile(name, profile, role)
    elif profile.kind == "openai":
        from interviewer.providers.openai import OpenAIProvider

        provider = OpenAIProvider(name, profile, role)
    else:
        from interviewer.providers.anthropic import AnthropicProvider

        provider = AnthropicProvider(name, profile, role)
    if record is not None:
        from interviewer.providers.record import RecordingProvider

        try:
            provider = RecordingProvider(provider, record, profile=profile, role=role)
        except BaseException:
            _discard(provider)
            raise
    return provider


MODULES = {
    "offline": "interviewer.providers.offline",
    "replay": "interviewer.providers.replay",
    "openai": "interviewer.providers.openai",
    "anthropic": "interviewer.providers.anthropic",
}
"""The module of each profile kind, as `build_provider`'s branches import them."""


def preload(settings: Settings) -> None:
    """Import the modules `build_pair(settings)` will need (an SDK import can take a large part
    of a second), without building anything: a front end calls it ahead, in a thread."""
    names = {settings.provider, settings.grader_profile_name}
    kinds = {settings.profile(name).kind for name in names}
    for kind in sorted(kinds):
        importlib.import_module(MODULES[kind])
    if settings.record.dir is not None:
        importlib.import_module("interviewer.providers.record")


def build_pair(settings: Settings) -> tuple[Provider, Provider]:
    """(interviewer, grader). The same object when both roles use one profile."""
    grader_name = settings.grader_profile_name
    settings.profile(grader_name)  # an unknown grader profile fails before anything is built
    interviewer = build_provider(settings, settings.provider, "interviewer")
    if grader_name == settings.provider:
        return interviewer, interviewer
    try:
        grader = build_provider(settings, grader_name, "grader")
    except BaseException:
        _discard(interviewer)
        raise
    return interviewer, grader


def _discard(provider: Provider) -> None:
    """Close a provider whose build could not be completed. Building is sync and closing async:
    outside an event loop the close runs now; inside one it is scheduled on that loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(provider.aclose())
        return
    task = loop.create_task(provider.aclose())
    _CLOSING.add(task)
    task.add_done_callback(_CLOSING.discard)
