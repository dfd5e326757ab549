"""Helpers for provider tests: a scripted HTTP transport, SSE builders, a fake sleep."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from interviewer.config import ProviderProfile
from interviewer.domain import Difficulty, Exchange, KeyPoint, Question
from interviewer.providers.anthropic import AnthropicProvider
from interviewer.providers.base import GradeRequest, ProbeRequest
from interviewer.providers.openai import OpenAIProvider

OPENAI_KEY = "sk-test-0123456789abcdef-SECRET"
ANTHROPIC_KEY = "sk-ant-test-0123456789-SECRET"

QUESTION = Question(
    id="prompt-injection",
    text="How do you defend against prompt injection in an LLM-powered application?",
    difficulty=Difficulty.HARD,
    sample_answer=(
        "I approach prompt injection as both a product design and a control problem. I assume "
        "the model cannot be trusted to distinguish instructions from malicious content on its "
        "own, so I separate system instructions from retrieved content and label untrusted "
        "inputs. I constrain the model's capabilities and put strong authorization checks "
        "around each tool call."
    ),
    key_points=(
        KeyPoint(
            id="separate",
            text="Separate trusted instructions from untrusted content and label the untrusted",
            probes=("How would you keep retrieved documents from acting as instructions?",),
        ),
        KeyPoint(
            id="tools",
            text="Constrain tools with authorization checks on every action",
            probes=("What happens when the model can call tools?",),
        ),
        KeyPoint(
            id="layers",
            text="Layered controls: output filtering, monitoring, human approval",
            probes=("What else would you put around the model?",),
        ),
    ),
)

ANSWER = (
    "I never trust the model to tell data from instructions, so retrieved pages are labelled "
    "as untrusted and kept out of the system prompt. Every tool call is checked for permission."
)


def probe_request(answer: str = ANSWER) -> ProbeRequest:
    return ProbeRequest(
        question=QUESTION,
        exchanges=(Exchange(kind="question", prompt=QUESTION.text, answer=answer),),
        target_key_point_ids=("layers",),
        probe_number=1,
    )


def grade_request(answer: str = ANSWER) -> GradeRequest:
    return GradeRequest(
        question=QUESTION,
        exchanges=(Exchange(kind="question", prompt=QUESTION.text, answer=answer),),
    )


def good_grade(**changes: Any) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "verdicts": [
            {
                "key_point_id": "separate",
                "verdict": "covered",
                "evidence": "retrieved pages are labelled as untrusted",
            },
            {
                "key_point_id": "tools",
                "verdict": "partial",
                "evidence": "Every tool call is checked for permission.",
            },
            {"key_point_id": "layers", "verdict": "missed", "evidence": ""},
        ],
        "strengths": ["Clear trust boundary"],
        "gaps": ["No monitoring"],
        "feedback": "Good start; add monitoring and human approval.",
    }
    reply.update(changes)
    return reply


Reply = httpx2.Response | Exception | Callable[[httpx2.Request], httpx2.Response]


@dataclass
class Server:
    """A scripted server behind httpx2.MockTransport: replies in order, records requests."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[httpx2.Request] = field(default_factory=list)

    def add(self, *replies: Reply) -> Server:
        self.replies.extend(replies)
        return self

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx2.Response):
            return reply(request)
        return reply

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle))

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]


@dataclass
class Sleeps:
    """An injected sleep that records the waits instead of sleeping."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def profile(kind: str, **changes: Any) -> ProviderProfile:
    base: dict[str, Any] = {
        "kind": kind,
        "model": "gpt-4o-mini" if kind == "openai" else "claude-haiku-4-5",
        "api_key_env": "TEST_OPENAI_KEY" if kind == "openai" else "TEST_ANTHROPIC_KEY",
        "price_input_per_mtok": 1.0,
        "price_output_per_mtok": 2.0,
        "price_cached_input_per_mtok": 0.5,
        "max_retries": 3,
        "retry_max_wait_s": 30,
    }
    base.update(changes)
    return ProviderProfile.model_validate(base)


def openai_provider(server: Server, sleeps: Sleeps | None = None, **changes: Any) -> OpenAIProvider:
    return OpenAIProvider(
        "openai",
        profile("openai", **changes),
        "interviewer",
        http_client=server.client(),
        sleep=sleeps or Sleeps(),
    )


def anthropic_provider(
    server: Server, sleeps: Sleeps | None = None, **changes: Any
) -> AnthropicProvider:
    return AnthropicProvider(
        "anthropic",
        profile("anthropic", **changes),
        "grader",
        http_client=server.client(),
        sleep=sleeps or Sleeps(),
    )


def json_response(body: object, status: int = 200, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, json=body, headers=headers)


def sse(frames: list[tuple[str | None, object]]) -> bytes:
    """Server-sent events: (event name or None, JSON data or a raw string)."""
    out = []
    for event, data in frames:
        text = data if isinstance(data, str) else json.dumps(data)
        out.append((f"event: {event}\n" if event else "") + f"data: {text}\n\n")
    return "".join(out).encode()


def sse_response(body: bytes | AsyncIterator[bytes]) -> httpx2.Response:
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)


def openai_chunks(
    texts: list[str], usage: dict[str, Any] | None = None
) -> list[tuple[str | None, object]]:
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini"}
    frames: list[tuple[str | None, object]] = [
        (None, {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})
    ]
    frames += [
        (None, {**base, "choices": [{"index": 0, "delta": {"content": text}}]}) for text in texts
    ]
    frames.append((None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    if usage is not None:
        frames.append((None, {**base, "choices": [], "usage": usage}))
    return frames


def openai_stream(texts: list[str], usage: dict[str, Any] | None = None) -> httpx2.Response:
    return sse_response(sse([*openai_chunks(texts, usage), (None, "[DONE]")]))


def anthropic_frames(
    texts: list[str], *, input_tokens: int = 10, output_tokens: int = 5, cache_read: int = 0
) -> list[tuple[str | None, object]]:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-4-5",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": input_tokens,
                "output_tokens": 1,
                "cache_read_input_tokens": cache_read,
                "cache_creation_input_tokens": 0,
            },
        },
    }
    frames: list[tuple[str | None, object]] = [
        ("message_start", start),
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
    frames += [
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}},
        )
        for t in texts
    ]
    frames += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return frames


def anthropic_stream(texts: list[str], **usage: int) -> httpx2.Response:
    return sse_response(sse(anthropic_frames(texts, **usage)))


def openai_completion(
    content: str | None = None,
    *,
    tool_arguments: str | None = None,
    usage: dict[str, Any] | None = None,
    finish_reason: str = "stop",
    refusal: str | None = None,
) -> httpx2.Response:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if tool_arguments is not None:
        message["tool_calls"] = [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "submit_grade", "arguments": tool_arguments},
            }
        ]
    return json_response(
        {
            "id": "c1",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
            "usage": usage
            or {
                "prompt_tokens": 1000,
                "completion_tokens": 200,
                "total_tokens": 1200,
                "prompt_tokens_details": {"cached_tokens": 400},
            },
        }
    )


def anthropic_message(
    *,
    text: str | None = None,
    tool_input: dict[str, Any] | None = None,
    stop_reason: str = "end_turn",
) -> httpx2.Response:
    content: list[dict[str, Any]] = []
    if text is not None:
        content.append({"type": "text", "text": text})
    if tool_input is not None:
        content.append(
            {"type": "tool_use", "id": "toolu_1", "name": "submit_grade", "input": tool_input}
        )
    return json_response(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-4-5",
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": 100,
                "output_tokens": 50,
                "cache_read_input_tokens": 900,
                "cache_creation_input_tokens": 0,
            },
        }
    )


async def stalled_after(first: bytes) -> AsyncIterator[bytes]:
    """A stream body that sends `first` and then goes silent."""
    yield first
    await asyncio.Event().wait()


async def broken_after(first: bytes) -> AsyncIterator[bytes]:
    """A stream body that sends `first` and then drops the connection."""
    yield first
    raise httpx2.ReadError("connection reset by peer")
