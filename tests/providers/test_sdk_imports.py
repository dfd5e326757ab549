"""SDKs load only with the provider that needs them (the registry imports providers lazily)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def sdks_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name for name in out.split() if name in ("openai", "anthropic")}


def test_shared_provider_code_loads_no_sdk() -> None:
    code = "\n".join(
        f"import {name}"
        for name in (
            "interviewer.prompts",
            "interviewer.prompts",
            "interviewer.providers.remote",
            "interviewer.providers.retry",
            "interviewer.providers.structured",
            "interviewer.providers.giveaway",
            "interviewer.providers.errors_map",
            "interviewer.providers.registry",
        )
    )
    assert sdks_after(code) == set()


@pytest.mark.parametrize(("module", "sdk"), [("openai", "openai"), ("anthropic", "anthropic")])
def test_each_provider_loads_only_its_sdk(module: str, sdk: str) -> None:
    assert sdks_after(f"import interviewer.providers.{module}") == {sdk}


@pytest.mark.parametrize(
    ("provider", "grader", "sdks"),
    [
        ("offline", "offline", set()),
        ("openai", "offline", {"openai"}),
        ("offline", "anthropic", {"anthropic"}),
    ],
)
def test_preload_imports_the_sdks_of_the_chosen_profiles_and_builds_nothing(
    provider: str, grader: str, sdks: set[str]
) -> None:
    code = (
        "from interviewer.config import Settings\n"
        "from interviewer.providers.registry import preload\n"
        f"preload(Settings(provider={provider!r}, grader_provider={grader!r}))"
    )
    # No key is set and no client is made: loading modules needs neither.
    assert sdks_after(code) == sdks
