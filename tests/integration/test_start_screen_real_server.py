"""The TUI's Start screen against the real llama.cpp server: the configured profile's status
line, and the server found on an (injected) usual port offered and used with one key."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from interviewer.config import Settings, load_config
from tests.integration.conftest import PROFILE, LlmServer

pytestmark = pytest.mark.integration
SIZE = (120, 40)


async def test_the_configured_server_is_checked_without_a_model_call(
    llm_server: LlmServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviewer.tui.app import build_app
    from interviewer.tui.ports import ProviderProbes
    from interviewer.tui.widgets.provider_status import ProviderStatus
    from tests.tui.harness import wait_until

    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    settings, _ = load_config(llm_server.config(tmp_path), environ={})
    before = len(llm_server.statuses())
    app = build_app(settings, probes=ProviderProbes(local_ports={}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(ProviderStatus)), what="start")
        status = app.screen.query_one(ProviderStatus)
        await wait_until(pilot, lambda: status.settled, what="the check")
        (line,) = status.lines
    assert re.fullmatch(
        rf"● {PROFILE}: {re.escape(llm_server.model)} \(OpenAI-compatible server at "
        r"127\.0\.0\.1:\d+\) — no key needed, reachable \(\d+ ms\), model served",
        line,
    ), line
    assert llm_server.statuses()[before:] == []  # the model list only: no chat request


async def test_the_server_on_its_port_is_offered_and_l_uses_it(
    llm_server: LlmServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviewer.tui.app import build_app
    from interviewer.tui.ports import ProviderProbes
    from interviewer.tui.widgets.provider_status import ProviderStatus
    from tests.tui.harness import wait_until

    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    port = urlsplit(llm_server.base_url).port
    assert port is not None
    app = build_app(Settings(), probes=ProviderProbes(local_ports={port: "llamacpp"}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(ProviderStatus)), what="start")
        status = app.screen.query_one(ProviderStatus)
        await wait_until(pilot, lambda: status.offer is not None, what="the offer")
        assert status.offer is not None
        assert status.offer.line().startswith(f"Local llama.cpp at 127.0.0.1:{port} with 1 model")
        await pilot.press("l")
        await wait_until(pilot, lambda: status.settled, what="the check")
        (line,) = status.lines
        assert line.startswith(f"● llamacpp-local: {llm_server.model} ")
        assert "reachable" in line and "model served" in line
    assert app.settings.provider == "llamacpp-local"
