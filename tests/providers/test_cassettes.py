"""Real recorded OpenAI, Anthropic, Ollama and OpenRouter exchanges, replayed through our
providers with the SDKs' own HTTP clients: our parsing of real responses, usage included."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from interviewer.errors import ProviderError
from interviewer.prompts import ChatMessage
from interviewer.providers.anthropic import AnthropicProvider
from interviewer.providers.base import ProbeDone, TextDelta, collect_probe
from interviewer.providers.openai import OpenAIProvider
from interviewer.providers.pricing import Tokens
from interviewer.providers.structured import extract_json, grade_schema
from tests.providers.cassettes import CASSETTES, replayer, serializer_for
from tests.providers.support import QUESTION, Sleeps, probe_request, profile

MESSAGES = [ChatMessage("user", "hello")]
SCHEMA = grade_schema(QUESTION)


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-replay")
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", "sk-ant-replay")


@contextmanager
def cassette(name: str, *, bodies: bool = True) -> Iterator[Any]:
    assert (CASSETTES / name).is_file()
    recorder = replayer(bodies=bodies)
    with recorder.use_cassette(name, serializer=serializer_for(name)) as tape:
        yield tape
    assert tape.all_played, f"{name}: interactions left unplayed"


def openai(**changes: Any) -> OpenAIProvider:
    return OpenAIProvider("openai", profile("openai", **changes), "interviewer", sleep=Sleeps())


async def test_openai_json_schema_completion() -> None:
    provider = openai(model="gpt-4o-2024-08-06")
    with cassette("openai_chat_nonstream_parse_json_schema.yaml"):
        reply = await provider._complete("system", MESSAGES, "json_schema", SCHEMA, 1024)
        raw, tokens = reply.text, reply.tokens
    await provider.aclose()
    assert extract_json(raw)["final_answer"] == "x = -\\frac{29}{8}"
    assert tokens == Tokens(input=127, output=93, cached=0)


async def test_openai_stream_with_include_usage() -> None:
    provider = openai()
    # recorded from pydantic-ai's tool-call requests: no body of ours has that shape
    with cassette("openai_chat_stream_include_usage.pydantic-ai.yaml", bodies=False):
        # 1st interaction: a tool-call stream with no text, then the usage-only final chunk
        pieces = [piece async for piece in provider._stream("system", MESSAGES)]
        # 2nd interaction: text, streamed through the whole probe path
        events = [event async for event in provider.probe(probe_request())]
    await provider.aclose()
    assert pieces == [Tokens(input=53, output=15, cached=0)]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert "London" in done.text
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == done.text
    assert not done.interrupted
    assert done.usage.input_tokens == 78 and done.usage.output_tokens == 9
    assert done.usage.cost_usd == pytest.approx((78 * 1.0 + 9 * 2.0) / 1e6)


async def test_ollama_json_schema_completion() -> None:
    provider = openai(base_url="http://localhost:11434/v1", api_key_env=None, model="qwen3:0.6b")
    assert provider.is_local
    with cassette("ollama_local_chat_json_schema.pydantic-ai.yaml"):
        reply = await provider._complete("system", MESSAGES, "json_schema", SCHEMA, 1024)
        raw, tokens = reply.text, reply.tokens
    await provider.aclose()
    assert extract_json(raw) == {"city": "Paris", "country": "France"}
    assert tokens == Tokens(input=136, output=15, cached=0)


async def test_openrouter_429_is_retried_then_reported() -> None:
    sleeps = Sleeps()
    provider = OpenAIProvider(
        "openrouter",
        profile(
            "openai",
            base_url="https://openrouter.ai/api/v1",
            api_key_env="TEST_OPENAI_KEY",
            model="google/gemini-2.0-flash-exp:free",
            max_retries=2,
        ),
        "interviewer",
        sleep=sleeps,
    )
    with (
        # recorded from a non-streamed request; our probe streams
        cassette("openrouter_429_rate_limited.pydantic-ai.yaml", bodies=False),
        pytest.raises(ProviderError) as caught,
    ):
        await collect_probe(provider.probe(probe_request()))
    await provider.aclose()
    assert len(sleeps.waits) == 2  # no Retry-After: our own backoff
    assert 0.25 <= sleeps.waits[0] <= 0.5 and 0.5 <= sleeps.waits[1] <= 1.0
    message = str(caught.value)
    assert "openrouter.ai HTTP 429" in message and "3 attempts" in message


async def test_anthropic_stream() -> None:
    recorded_model = profile("anthropic", model="claude-haiku-4-5-20251001")
    provider = AnthropicProvider("anthropic", recorded_model, "interviewer", sleep=Sleeps())
    with cassette("anthropic_messages_stream.yaml"):
        done = await collect_probe(provider.probe(probe_request()))
    await provider.aclose()
    assert done.text == "Hello"
    assert done.usage.input_tokens == 10 and done.usage.output_tokens == 4
    assert done.usage.cached_tokens == 0 and done.usage.cache_write_tokens == 0


async def test_anthropic_structured_completion() -> None:
    provider = AnthropicProvider("anthropic", profile("anthropic"), "grader", sleep=Sleeps())
    # recorded with the beta `output_format`; we send the GA `output_config.format`
    with cassette("anthropic_messages_nonstream_structured_output.yaml", bodies=False):
        reply = await provider._complete("system", MESSAGES, "json_schema", SCHEMA, 1024)
        raw, tokens = reply.text, reply.tokens
    await provider.aclose()
    assert extract_json(raw)["rating"] == 7
    assert tokens == Tokens(input=222, output=39, cached=0, cache_write=0)


def test_body_shape_matching_catches_a_request_that_differs_from_the_recording() -> None:
    from tests.providers.cassettes import request_shape

    recorded: dict[str, Any] = {
        "model": "gpt-4o-2024-08-06",
        "messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "y"}],
        "response_format": {"type": "json_schema", "json_schema": {}},
    }
    ours = {**recorded, "messages": recorded["messages"][1:], "max_completion_tokens": 1024}
    assert request_shape(ours) == request_shape(recorded)
    assert request_shape({**ours, "response_format": {"type": "json_object"}}) != (
        request_shape(recorded)
    )
    assert request_shape({**ours, "model": "gpt-4o-mini"}) != request_shape(recorded)
    empty_turn = {**ours, "messages": [*ours["messages"], {"role": "assistant", "content": None}]}
    assert request_shape(empty_turn) != request_shape(recorded)
