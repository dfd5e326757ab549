"""Where a remote provider's key comes from: the environment variable its profile names, and
nothing else. A keyless local server gets a placeholder, so a real vendor key never goes there."""

from __future__ import annotations

import os

from interviewer.config import ProviderProfile
from interviewer.errors import ProviderError

PLACEHOLDER_KEY = "not-needed"
"""Sent to a keyless OpenAI-compatible server, so the real OPENAI_API_KEY never goes there."""


def api_key(name: str, profile: ProviderProfile) -> str:
    """The key from the profile's environment variable (never from anywhere else)."""
    if profile.api_key_env:
        value = os.environ.get(profile.api_key_env, "").strip()
        if not value:
            raise ProviderError(
                f"provider {name!r} needs an API key: set the environment variable "
                f"{profile.api_key_env} (api_key_env of [providers.{name}]), or run with "
                "--provider offline (works without a key)"
            )
        return value
    if profile.base_url:
        return PLACEHOLDER_KEY
    raise ProviderError(
        f"provider {name!r} has no api_key_env: set it in [providers.{name}] to the name of the "
        "variable holding the key, or run with --provider offline (works without a key)"
    )
