"""The Start screen's provider status and the local server it offers, against 127.0.0.1 servers
the tests start (the detection ports are injected: the usual ones may be in use here)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from interviewer.config import ProviderProfile, Settings
from interviewer.providers.check import LocalServer, Verdict
from interviewer.tui.backend import EngineFactory
from interviewer.tui.ports import ProviderProbes, SessionProvider, StartChoice
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.provider_status import ProviderStatus, local_offer
from tests.tui.harness import (
    EngineHarness,
    make_app,
    notifications,
    start_interview,
    wait_until,
)

SIZE = (120, 40)


@dataclass
class ModelServer:
    """An OpenAI-compatible server that lists models; `gate` holds every reply until set."""

    port: int = 0
    models: list[str] = field(default_factory=lambda: ["tiny-model", "other-model"])
    gate: threading.Event = field(default_factory=threading.Event)
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


class _Handler(BaseHTTPRequestHandler):
    state: ModelServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.state.requests.append(self.path)
        self.state.gate.wait(10)
        if self.path != "/v1/models":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps({"object": "list", "data": [{"id": m} for m in self.state.models]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data.encode())


@pytest.fixture
def server() -> Iterator[ModelServer]:
    state = ModelServer()
    state.gate.set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), {"state": state}))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield state
    state.gate.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def local_profile(url: str, model: str = "tiny-model") -> Settings:
    return Settings.model_validate(
        {
            "provider": "loc",
            "providers": {"loc": {"kind": "openai", "base_url": url, "model": model}},
        }
    )


def status_of(app: Any) -> ProviderStatus:
    return app.screen.query_one(ProviderStatus)  # type: ignore[no-any-return]


def offer_text(app: Any) -> str:
    status = status_of(app)
    return status.offer.line() if status.offer else ""


async def test_offline_is_ready_at_once_and_never_checked(harness: EngineHarness) -> None:
    checked: list[str] = []

    async def check(settings: Settings, name: str) -> Sequence[Verdict]:
        checked.append(name)
        return []

    app = make_app(harness)
    app._probes = ProviderProbes(check=check, local_ports={})
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        # The very first frame: no worker has had a chance to run.
        assert status_of(app).lines == ["● offline (embedded grader, no network, no key) — ready"]
        assert status_of(app).settled
        await pilot.pause(0.1)
    assert checked == []


async def test_a_missing_key_says_which_variable_and_what_to_do(
    harness: EngineHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    app = make_app(harness, settings=Settings(provider="openai"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: status_of(app).settled, what="the check")
        assert status_of(app).lines == [
            "✘ openai: gpt-4o-mini (OpenAI API) — OPENAI_API_KEY is not set: export it or "
            "choose another provider"
        ]
        line = next(iter(status_of(app).query(".-fail")), None)
        assert line is not None  # drawn as an error


async def test_a_reachable_server_shows_its_latency(
    harness: EngineHarness, server: ModelServer
) -> None:
    app = make_app(harness, settings=local_profile(server.url))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: status_of(app).settled, what="the check")
        (line,) = status_of(app).lines
        expected = (
            rf"● loc: tiny-model \(OpenAI-compatible server at 127\.0\.0\.1:{server.port}\) — "
            r"no key needed, reachable \(\d+ ms\), model served"
        )
        assert re.fullmatch(expected, line), line
    assert server.requests == ["/v1/models"]  # the --no-call level: no model call


async def test_a_model_the_server_lacks_fails_naming_what_it_serves(
    harness: EngineHarness, server: ModelServer
) -> None:
    app = make_app(harness, settings=local_profile(server.url, model="absent"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: status_of(app).settled, what="the check")
        (line,) = status_of(app).lines
        assert line.startswith("✘ loc: absent")
        assert "absent is not in the server's list (tiny-model, other-model)" in line


async def test_a_slow_server_never_holds_the_start_screen(
    harness: EngineHarness, server: ModelServer
) -> None:
    server.gate.clear()  # the server takes the request and does not answer yet
    harness.max_probes = 0
    app = make_app(harness, settings=local_profile(server.url))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(server.requests), what="the check's request")
        assert status_of(app).lines[0].endswith("— checking…")
        # The form works meanwhile: the interview opens while the check still waits.
        await start_interview(pilot, app)
        assert status_of(app.screen_stack[1]).lines[0].endswith("— checking…")
        server.gate.set()


async def test_a_local_server_is_offered_and_one_key_uses_it_for_this_session(
    harness: EngineHarness, server: ModelServer, home: Path
) -> None:
    harness.max_probes = 0
    app = make_app(harness)
    app._probes = ProviderProbes(local_ports={server.port: "llamacpp"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(offer_text(app)), what="the offer")
        assert offer_text(app) == (
            f"Local llama.cpp at 127.0.0.1:{server.port} with 2 models — press l to use it for "
            "this session"
        )
        assert "press l" in "\n".join(
            str(s.render()) for s in app.screen.query("#local-offer").results()
        )
        await pilot.press("l")
        await wait_until(pilot, lambda: status_of(app).settled, what="the new check")
        (line,) = status_of(app).lines
        assert line.startswith(
            f"● llamacpp-local: tiny-model (OpenAI-compatible server at 127.0.0.1:{server.port})"
        )
        assert "reachable" in line
        assert offer_text(app) == ""  # in use now: nothing more to offer
        assert app.settings.provider == "llamacpp-local"
        assert any("Your config file is unchanged" in n for n in notifications(app))
        await start_interview(pilot, app)
    chosen = harness.choices[-1].provider
    assert chosen is not None and chosen.name == "llamacpp-local"
    assert chosen.profile.base_url == server.url and chosen.profile.model == "tiny-model"
    written = await asyncio.to_thread(lambda: list(home.rglob("*.toml")))
    assert written == []  # session-only: no config file written


async def test_l_without_a_local_server_says_so(harness: EngineHarness) -> None:
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartScreen), what="start")
        await pilot.press("l")
        await wait_until(pilot, lambda: bool(notifications(app)), what="a notice")
        assert notifications(app) == ["No local server was found on its usual port."]
        assert app.settings.provider == "offline"


async def test_detection_waits_for_the_first_frame(harness: EngineHarness) -> None:
    # Launch time is benchmarked: the Start screen is drawn before any port is probed.
    app = make_app(harness)
    start_frames: list[object] = []
    frames_when_detecting: list[int] = []
    display = app._display

    def counting(screen: Any, renderable: Any) -> None:
        if isinstance(screen, StartScreen) and renderable is not None:
            start_frames.append(renderable)
        display(screen, renderable)

    async def detect(ports: Mapping[int, str] | None) -> Sequence[LocalServer]:
        frames_when_detecting.append(len(start_frames))
        return []

    app._display = counting  # type: ignore[method-assign]
    app._probes = ProviderProbes(detect=detect, local_ports={1: "ollama"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(frames_when_detecting), what="detection")
    assert frames_when_detecting[0] >= 1


def test_the_offer_skips_a_server_in_use_and_prefers_a_matching_profile() -> None:
    server = LocalServer("ollama", 11434, ("llama3.1:8b", "qwen2.5:7b"))
    in_use = Settings(provider="ollama")  # the built-in profile points there already
    assert local_offer(in_use, [server]) is None
    offer = local_offer(Settings(), [server])
    assert offer is not None and offer.existing
    assert offer.choice == SessionProvider("ollama", Settings().profile("ollama"))
    assert "use your profile ollama" in offer.line()
    other = LocalServer("vllm", 8000, ("mistral",))
    offer = local_offer(Settings(), [other])
    assert offer is not None and offer.choice.name == "vllm-local"
    assert offer.choice.profile.model == "mistral" and "with 1 model" in offer.line()
    assert local_offer(Settings(), [LocalServer("vllm", 8000, ())]) is None  # nothing to use


async def test_the_engine_is_built_for_the_session_provider(home: Path) -> None:
    profile = ProviderProfile(kind="openai", base_url="http://127.0.0.1:9/v1", model="m")
    choice = StartChoice(bank="ai-security", count=1, provider=SessionProvider("mine", profile))
    interview = await EngineFactory(Settings())(choice)
    try:
        # The profile named, for probes and grading, on screen and in the journal.
        assert (interview.interviewer_name, interview.grader_name) == ("mine:m", "mine:m")
        assert interview.header.interviewer == "mine:m"
    finally:
        await interview.aclose()
