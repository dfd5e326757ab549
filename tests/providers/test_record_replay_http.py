"""Record through the real SDK providers against a local server on 127.0.0.1, then replay.

The server speaks just enough of OpenAI Chat Completions and Anthropic Messages (JSON and SSE
streams) for a probe (streamed) and a grading call (non-stream, structured output). A real-looking
key is set in the environment and sent to the server, and no fixture may contain it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from interviewer.config import ProviderProfile, RecordSettings, Settings
from interviewer.domain import Exchange
from interviewer.providers.base import (
    GradeDone,
    GradeEvent,
    GradeRequest,
    ProbeDone,
    ProbeEvent,
    ProbeRequest,
    Provider,
    TextDelta,
)
from interviewer.providers.record import RecordingProvider
from interviewer.providers.registry import build_pair, build_provider
from interviewer.providers.replay import ReplayProvider
from tests.conftest import ReplayFactory
from tests.fakes import make_question

QUESTION = make_question("prompt-injection")
ANSWER = "I would separate instructions from data and authorise every tool call the model makes."
PROBE_CHUNKS = ("Which tool calls ", "would you let the model ", "make without asking?")
GRADE = {
    "verdicts": [
        {
            "key_point_id": "kp1",
            "verdict": "covered",
            "evidence": "separate instructions from data",
        },
        {"key_point_id": "kp2", "verdict": "partial", "evidence": "authorise every tool call"},
        {"key_point_id": "kp3", "verdict": "missed", "evidence": ""},
        {"key_point_id": "kp4", "verdict": "missed", "evidence": ""},
        {"key_point_id": "kp5", "verdict": "missed", "evidence": ""},
    ],
    "strengths": ["Names the core defence."],
    "gaps": ["Nothing on monitoring."],
    "feedback": "A solid start; say how you would detect an attack that got through.",
}
OPENAI_KEY = "sk-proj-R3alLook1ngK3yAbCdEfGhIjKlMnOpQrStUvWx0123"
ANTHROPIC_KEY = "sk-ant-api03-R3alLook1ngK3yAbCdEfGhIjKlMnOp-QrStUvWx0123"

# Broader than the recorder's own check: header and field names must not appear either.
LEAK_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9_-]{8,}"),
    re.compile(r"Bearer", re.IGNORECASE),
    re.compile(r"x-api-key|api[_-]key|authorization|cookie|openai-organi[sz]ation", re.IGNORECASE),
    re.compile(r"\borg-[A-Za-z0-9]{8,}"),
    re.compile(r"127\.0\.0\.1"),
)


def assert_no_secrets(folder: Path, *values: str) -> None:
    files = sorted(folder.iterdir())
    assert files, "nothing was recorded"
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in LEAK_PATTERNS:
            assert not pattern.search(text), f"{path.name}: {pattern.pattern}"
        for value in values:
            assert value not in text, f"{path.name} holds a key"


def first_line(folder: Path) -> str:
    return sorted(folder.iterdir())[0].read_text("utf-8").splitlines()[0]


@dataclass
class Captured:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class LocalLLM:
    """What the handler serves and saw."""

    requests: list[Captured] = field(default_factory=list)
    url: str = ""


class _Handler(BaseHTTPRequestHandler):
    state: ClassVar[LocalLLM]

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.state.requests.append(
            Captured(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        if self.path == "/v1/chat/completions":
            self._openai(body)
        elif self.path == "/v1/messages":
            self._anthropic(body)
        else:
            self._send_json({"error": {"message": "not found"}}, status=404)

    def _send_json(self, payload: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, frames: list[tuple[str | None, dict[str, Any] | str]]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        for event, data in frames:
            text = data if isinstance(data, str) else json.dumps(data)
            head = f"event: {event}\n" if event else ""
            self.wfile.write(f"{head}data: {text}\n\n".encode())
            self.wfile.flush()

    def _openai(self, body: dict[str, Any]) -> None:
        model = body["model"]
        usage = {
            "prompt_tokens": 812,
            "completion_tokens": 19,
            "total_tokens": 831,
            "prompt_tokens_details": {"cached_tokens": 512},
        }
        if body.get("stream"):
            base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": model}
            frames: list[tuple[str | None, dict[str, Any] | str]] = []
            for text in PROBE_CHUNKS:
                delta = {"index": 0, "delta": {"content": text}, "finish_reason": None}
                frames.append((None, {**base, "choices": [delta]}))
            end = {"index": 0, "delta": {}, "finish_reason": "stop"}
            frames += [
                (None, {**base, "choices": [end]}),
                (None, {**base, "choices": [], "usage": usage}),
                (None, "[DONE]"),
            ]
            self._sse(frames)
            return
        message = {"role": "assistant", "content": json.dumps(GRADE)}
        self._send_json(
            {
                "id": "c2",
                "object": "chat.completion",
                "created": 1,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": usage,
            }
        )

    def _anthropic(self, body: dict[str, Any]) -> None:
        model = body["model"]
        usage = {
            "input_tokens": 300,
            "output_tokens": 1,
            "cache_read_input_tokens": 500,
            "cache_creation_input_tokens": 0,
        }
        message = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage,
        }
        if body.get("stream"):
            frames: list[tuple[str | None, dict[str, Any] | str]] = [
                ("message_start", {"type": "message_start", "message": message}),
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    },
                ),
                ("ping", {"type": "ping"}),
            ]
            for text in PROBE_CHUNKS:
                delta = {"type": "text_delta", "text": text}
                frames.append(
                    (
                        "content_block_delta",
                        {"type": "content_block_delta", "index": 0, "delta": delta},
                    )
                )
            frames += [
                ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                (
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                        "usage": {"output_tokens": 21},
                    },
                ),
                ("message_stop", {"type": "message_stop"}),
            ]
            self._sse(frames)
            return
        content = [{"type": "text", "text": json.dumps(GRADE)}]
        self._send_json({**message, "content": content, "stop_reason": "end_turn"})


@pytest.fixture
def local_llm() -> Iterator[LocalLLM]:
    state = LocalLLM()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-AbCdEfGhIjKlMnOpQrStUv12")


def profile_for(kind: str, server: LocalLLM) -> ProviderProfile:
    if kind == "openai":
        return ProviderProfile(
            kind="openai",
            model="gpt-4o-mini",
            base_url=f"{server.url}/v1",
            api_key_env="TEST_OPENAI_KEY",
            max_retries=0,
            price_input_per_mtok=0.15,
            price_output_per_mtok=0.6,
        )
    return ProviderProfile(
        kind="anthropic",
        model="claude-haiku-4-5",
        base_url=server.url,
        api_key_env="TEST_ANTHROPIC_KEY",
        max_retries=0,
        price_input_per_mtok=1.0,
        price_output_per_mtok=5.0,
    )


def probe_request() -> ProbeRequest:
    exchanges = (Exchange(kind="question", prompt=QUESTION.text, answer=ANSWER),)
    return ProbeRequest(
        question=QUESTION, exchanges=exchanges, target_key_point_ids=("kp3",), probe_number=1
    )


def grade_request() -> GradeRequest:
    exchanges = (Exchange(kind="question", prompt=QUESTION.text, answer=ANSWER),)
    return GradeRequest(question=QUESTION, exchanges=exchanges)


async def run(provider: Provider) -> tuple[list[ProbeEvent], list[GradeEvent]]:
    probe = [event async for event in provider.probe(probe_request())]
    grade = [event async for event in provider.grade(grade_request())]
    return probe, grade


@pytest.mark.usefixtures("keys")
@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_record_through_the_sdk_then_replay_identically(
    kind: str, local_llm: LocalLLM, tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    profile = profile_for(kind, local_llm)
    settings = Settings(
        provider="local", providers={"local": profile}, record=RecordSettings(dir=tmp_path)
    )
    recorder, grader = build_pair(settings)
    assert isinstance(recorder, RecordingProvider)
    assert grader is recorder
    probe_events, grade_events = await run(recorder)
    await recorder.aclose()

    # The exchange really went through the SDK, with the key, to the local server.
    assert [r.body.get("stream", False) for r in local_llm.requests] == [True, False]
    if kind == "openai":
        assert local_llm.requests[0].headers["authorization"] == f"Bearer {OPENAI_KEY}"
        assert local_llm.requests[1].body["response_format"]["type"] == "json_schema"
    else:
        sent = local_llm.requests[0].headers
        assert ANTHROPIC_KEY in (sent.get("x-api-key", ""), sent.get("authorization", "")[7:])
        assert local_llm.requests[1].body["output_config"]["format"]["type"] == "json_schema"
    probe_done = probe_events[-1]
    assert isinstance(probe_done, ProbeDone)
    assert probe_done.text == "".join(PROBE_CHUNKS)
    assert probe_done.usage.input_tokens == 812 if kind == "openai" else 800
    assert "".join(e.text for e in probe_events if isinstance(e, TextDelta)) == probe_done.text
    grade_done = grade_events[-1]
    assert isinstance(grade_done, GradeDone)
    assert grade_done.output.feedback == GRADE["feedback"]
    assert grade_done.output.strengths == ("Names the core defence.",)
    assert [(v.key_point_id, v.verdict.value) for v in grade_done.output.verdicts] == [
        ("kp1", "covered"),
        ("kp2", "partial"),
        ("kp3", "missed"),
        ("kp4", "missed"),
        ("kp5", "missed"),
    ]
    assert grade_done.output.verdicts[0].evidence == "separate instructions from data"
    assert grade_done.usage.cost_usd > 0

    assert_no_secrets(tmp_path, OPENAI_KEY, ANTHROPIC_KEY, "AbCdEfGhIjKlMnOpQrStUv12")
    header = json.loads(first_line(tmp_path))
    assert (header["kind"], header["model"], header["role"]) == (
        kind,
        profile.model,
        "interviewer",
    )

    seen = len(local_llm.requests)
    replay = replay_provider(tmp_path)
    assert await run(replay) == (probe_events, grade_events)
    assert len(local_llm.requests) == seen


@pytest.mark.usefixtures("keys")
async def test_replay_profile_built_by_the_registry_answers_without_the_server(
    local_llm: LocalLLM, tmp_path: Path
) -> None:
    profile = profile_for("openai", local_llm)
    from interviewer.providers.openai import OpenAIProvider

    inner = OpenAIProvider("local", profile, "grader")
    recorder = RecordingProvider(inner, tmp_path, profile=profile, role="grader")
    recorded = await run(recorder)
    await recorder.aclose()
    settings = Settings(
        provider="rep",
        providers={"rep": ProviderProfile(kind="replay", fixtures=tmp_path)},
        record=RecordSettings(dir=tmp_path / "not-used"),
    )
    replay = build_provider(settings, "rep", "interviewer")
    assert isinstance(replay, ReplayProvider)  # a replay is never wrapped in a recorder
    seen = len(local_llm.requests)
    assert await run(replay) == recorded
    assert len(local_llm.requests) == seen
    assert replay.unplayed() == []
    assert_no_secrets(tmp_path, OPENAI_KEY)
