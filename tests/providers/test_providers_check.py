"""`interviewer providers` and `providers check` against a 127.0.0.1 server the test starts.

The server speaks enough of the OpenAI-compatible API (GET /v1/models, Ollama's /api/tags,
POST /v1/chat/completions) to be listed, detected and graded; it rejects json_schema with a 400,
as many local servers do, so the check must name the next rung.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from interviewer import cli
from interviewer.errors import ExitCode
from interviewer.providers import check

SECRET = "sk-test-providers-check-SECRET-0123"
GRADE = {
    "verdicts": {"tls": {"verdict": "covered", "evidence": "encrypts the connection with TLS"}},
    "strengths": ["Names TLS."],
    "gaps": [],
    "feedback": "Good: you named TLS.",
}


@dataclass
class FakeServer:
    url: str = ""
    port: int = 0
    models: list[str] = field(default_factory=lambda: ["tiny-model", "other-model"])
    rejects: tuple[str, ...] = ("json_schema",)
    chats: list[dict[str, Any]] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)
    delay: float = 0.0
    """Seconds each GET waits before it answers (a busy server, or a loaded machine)."""


class _Handler(BaseHTTPRequestHandler):
    state: FakeServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self.wfile.write(data)

    def do_GET(self) -> None:
        self.state.auth.append(self.headers.get("Authorization", ""))
        time.sleep(self.state.delay)
        if self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": m} for m in self.state.models]})
        elif self.path == "/api/tags":
            self._json(200, {"models": [{"name": "ollama-only:7b"}]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.state.chats.append(body)
        kind = (body.get("response_format") or {}).get("type", "")
        if kind in self.state.rejects:
            self._json(400, {"error": {"message": f"response_format {kind} is not supported"}})
            return
        message = {"role": "assistant", "content": json.dumps(GRADE)}
        self._json(
            200,
            {
                "id": "c1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            },
        )


@pytest.fixture
def server() -> Iterator[FakeServer]:
    state = FakeServer()
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.port = httpd.server_address[1]
    state.url = f"http://127.0.0.1:{state.port}/v1"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _flat(out: str) -> str:
    """Output with runs of spaces collapsed (the column widths are not the point)."""
    return "\n".join(" ".join(line.split()) for line in out.splitlines())


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port that refuses connections for the whole test: bound, never listening. A port
    merely free when asked could meanwhile be taken by a server another xdist worker starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def _config(tmp_path: Path, url: str, model: str = "tiny-model", key_env: str = "") -> Path:
    path = tmp_path / "config.toml"
    lines = ["[providers.loc]", 'kind = "openai"', f'base_url = "{url}"', f'model = "{model}"']
    if key_env:
        lines.append(f'api_key_env = "{key_env}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_real_ports(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    # The usual ports may have a real server on this machine: tests name their own.
    monkeypatch.setattr(check, "LOCAL_SERVERS", {closed_port: "ollama"})


def test_listing_names_the_key_variable_never_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    config = _config(tmp_path, "http://127.0.0.1:9/v1", key_env="OPENAI_API_KEY")
    assert cli.main(["providers", "--config", str(config)]) == ExitCode.FINISHED
    out = _flat(capsys.readouterr().out)
    assert SECRET not in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "key set in $OPENAI_API_KEY" in rows["openai"]
    assert "key set in $OPENAI_API_KEY" in rows["loc"]
    assert "missing: set $ANTHROPIC_API_KEY" in rows["anthropic"]
    assert "(provider+grader)" in rows["offline"]


def test_missing_key_fails_without_a_request(
    tmp_path: Path,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("LOC_KEY", raising=False)
    config = _config(tmp_path, server.url, key_env="LOC_KEY")
    code = cli.main(["providers", "check", "loc", "--config", str(config)])
    assert code == ExitCode.PROVIDER_FAILED
    assert "FAIL key missing: set $LOC_KEY" in _flat(capsys.readouterr().out)
    assert server.auth == [] and server.chats == []


def test_unreachable_server_fails_reachability(
    tmp_path: Path, closed_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, f"http://127.0.0.1:{closed_port}/v1")
    code = cli.main(["providers", "check", "loc", "--config", str(config)])
    out = _flat(capsys.readouterr().out)
    assert code == ExitCode.PROVIDER_FAILED
    assert "OK key" in out
    assert "FAIL reachable cannot reach 127.0.0.1" in out
    assert "structured" not in out


def test_model_not_served_is_named_with_what_is(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, server.url, model="absent-model")
    code = cli.main(["providers", "check", "loc", "--config", str(config)])
    out = _flat(capsys.readouterr().out)
    assert code == ExitCode.PROVIDER_FAILED
    assert "FAIL model" in out and "absent-model is not in the server's list" in out
    assert "tiny-model, other-model" in out
    assert server.chats == []  # no grading request for a model the server does not have


def test_check_names_the_rung_that_works_and_sends_the_key(
    tmp_path: Path,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOC_KEY", SECRET)
    config = _config(tmp_path, server.url, key_env="LOC_KEY")
    code = cli.main(["providers", "check", "loc", "--config", str(config)])
    out = _flat(capsys.readouterr().out)
    assert code == ExitCode.FINISHED, out
    assert SECRET not in out
    assert "OK reachable" in out and "lists 2 models" in out
    assert "OK model tiny-model is served" in out
    assert "OK structured json_object works" in out
    assert "OK latency" in out and "OK grading" in out
    # One request per rung until one works, no retries: json_schema (400), then json_object.
    formats = [chat["response_format"]["type"] for chat in server.chats]
    assert formats == ["json_schema", "json_object"]
    assert server.auth == [f"Bearer {SECRET}"]


def test_no_call_sends_no_model_request(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, server.url)
    code = cli.main(["providers", "check", "loc", "--no-call", "--config", str(config)])
    assert code == ExitCode.FINISHED
    assert "SKIP structured not tried (--no-call)" in _flat(capsys.readouterr().out)
    assert server.chats == []


def test_server_that_ignores_tools_ends_on_the_prompt_rung(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.rejects = ("json_schema", "json_object")  # and it answers tools with prose JSON
    config = _config(tmp_path, server.url)
    assert cli.main(["providers", "check", "loc", "--config", str(config)]) == 0
    assert "OK structured prompt works" in _flat(capsys.readouterr().out)
    assert [bool(chat.get("tools")) for chat in server.chats] == [False, False, True, False]


def test_no_rung_works_fails(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.rejects = ("json_schema", "json_object", "")
    config = _config(tmp_path, server.url)
    code = cli.main(["providers", "check", "loc", "--config", str(config)])
    assert code == ExitCode.PROVIDER_FAILED
    assert "FAIL structured" in _flat(capsys.readouterr().out)


def test_config_given_before_check_is_kept(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, server.url)
    code = cli.main(["providers", "--config", str(config), "check", "loc", "--no-call"])
    assert code == ExitCode.FINISHED
    assert "OK model tiny-model is served" in _flat(capsys.readouterr().out)


def test_offline_checks_trivially(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["providers", "check", "offline"]) == ExitCode.FINISHED
    assert "OK ready no key, no network: ready" in _flat(capsys.readouterr().out)


def test_unknown_profile_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["providers", "check", "nope"]) == ExitCode.BAD_INPUT
    assert "unknown provider 'nope'" in capsys.readouterr().err


def test_local_server_detected_with_models_and_a_profile(
    server: FakeServer,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    nobody = closed_port
    found = asyncio.run(check.detect_local({server.port: "ollama", nobody: "vllm"}))
    assert [(s.kind, s.port) for s in found] == [("ollama", server.port)]
    assert found[0].models == ("tiny-model", "other-model", "ollama-only:7b")
    monkeypatch.setattr(check, "LOCAL_SERVERS", {server.port: "lmstudio", nobody: "vllm"})
    assert cli.main(["providers"]) == ExitCode.FINISHED
    out = _flat(capsys.readouterr().out)
    assert f"Found lmstudio at {server.url}: tiny-model, other-model" in out
    assert (
        f'[providers.lmstudio-local]\nkind = "openai"\nbase_url = "{server.url}"\n'
        'model = "tiny-model"'
    ) in out


def test_detection_in_the_suite_waits_for_a_server_slower_than_the_usual_timeout(
    server: FakeServer,
) -> None:
    # A server thread in a loaded CI worker can take longer than the 0.3 s that is plenty on a
    # quiet machine: the suite's PROBE_TIMEOUT_S (tests/conftest.py) must reach detect_local.
    server.delay = 2 * 0.3
    found = asyncio.run(check.detect_local({server.port: "vllm"}))
    assert [(s.kind, s.models) for s in found] == [("vllm", ("tiny-model", "other-model"))]


def test_detection_gives_up_on_a_server_slower_than_its_timeout(server: FakeServer) -> None:
    server.delay = 1.0
    assert asyncio.run(check.detect_local({server.port: "vllm"}, timeout_s=0.05)) == []


def test_a_detected_server_a_profile_already_uses_is_named_not_pasted(
    tmp_path: Path,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(check, "LOCAL_SERVERS", {server.port: "vllm"})
    config = _config(tmp_path, server.url)
    assert cli.main(["providers", "--config", str(config)]) == ExitCode.FINISHED
    out = _flat(capsys.readouterr().out)
    assert f"Found vllm at {server.url}" in out
    assert "Profile loc points there: --provider loc" in out
    assert "[providers.vllm-local]" not in out
