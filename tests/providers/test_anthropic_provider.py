"""AnthropicProvider over a scripted HTTP transport: streaming, caching, usage, the ladder."""

from __future__ import annotations

import json

import pytest

from interviewer.errors import ProviderError
from interviewer.providers.anthropic import AnthropicProvider, cache_minimum_tokens
from interviewer.providers.base import ProbeDone, TextDelta, collect_grade, collect_probe
from interviewer.providers.pricing import Tokens, cost
from tests.providers.support import (
    ANTHROPIC_KEY,
    QUESTION,
    Server,
    Sleeps,
    anthropic_frames,
    anthropic_message,
    anthropic_provider,
    anthropic_stream,
    broken_after,
    good_grade,
    grade_request,
    json_response,
    probe_request,
    profile,
    sse,
    sse_response,
)

OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-ambient-must-not-be-used")


async def test_probe_streams_text_and_usage_with_cache_reads() -> None:
    server = Server().add(
        anthropic_stream(
            ["Suppose a retrieved page ", "says to email the data out: ", "what stops it?"],
            input_tokens=40,
            output_tokens=21,
            cache_read=1200,
        )
    )
    provider = anthropic_provider(server)
    events = [e async for e in provider.probe(probe_request())]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert done.text == "Suppose a retrieved page says to email the data out: what stops it?"
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == done.text
    assert done.usage.input_tokens == 1240  # uncached 40 + cache reads 1200
    assert done.usage.cached_tokens == 1200
    assert done.usage.output_tokens == 21
    assert done.usage.cost_usd == pytest.approx((40 * 1.0 + 1200 * 0.5 + 21 * 2.0) / 1e6)
    request = server.requests[0]
    assert request.url.path == "/v1/messages"
    assert request.headers["authorization"] == f"Bearer {ANTHROPIC_KEY}"
    body = server.bodies()[0]
    assert body["stream"] is True
    assert body["max_tokens"] == 1024
    assert body["system"][0]["type"] == "text"
    assert [m["role"] for m in body["messages"]] == ["user"]


async def test_cache_control_only_on_a_system_prompt_long_enough_to_cache() -> None:
    assert cache_minimum_tokens("claude-haiku-4-5") == 4096
    assert cache_minimum_tokens("claude-opus-4-6") == 4096
    assert cache_minimum_tokens("claude-opus-4-5-20251101") == 4096
    assert cache_minimum_tokens("claude-sonnet-4-6") == 1024
    assert cache_minimum_tokens("claude-opus-4-1") == 1024
    assert cache_minimum_tokens("claude-3-5-haiku-latest") == 2048
    server = Server().add(anthropic_stream(["Why?"]), anthropic_stream(["Why?"]))
    short = anthropic_provider(server)
    await collect_probe(short.probe(probe_request()))
    assert "cache_control" not in server.bodies()[0]["system"][0]
    # A model with a 1024-token minimum, and a probe system prompt over 4096 characters (the
    # probe's system holds the instructions and the question only: a long question makes it long).
    request = probe_request()
    long_request = type(request)(
        question=QUESTION.model_copy(update={"text": QUESTION.text + " In depth." * 400}),
        exchanges=request.exchanges,
        target_key_point_ids=request.target_key_point_ids,
        probe_number=1,
    )
    sonnet = anthropic_provider(server, model="claude-sonnet-4-6")
    await collect_probe(sonnet.probe(long_request))
    body = server.bodies()[1]
    assert len(body["system"][0]["text"]) >= 4096
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    # Only the system block is marked: the transcript's fence is new in every request.
    assert "cache_control" not in json.dumps(body["messages"])


async def test_cache_minimum_counts_the_tool_definition_before_the_system_block() -> None:
    # Anthropic caches tools, then system: on the tool rung the grading schema is part of the
    # prefix the system block's breakpoint ends.
    server = Server().add(
        anthropic_message(text=json.dumps(good_grade())),
        anthropic_message(tool_input=good_grade()),
    )
    # A system prompt of about 3,300 characters: short of 1024 tokens alone, not with the tool.
    longer = QUESTION.model_copy(update={"text": QUESTION.text + " More." * 400})
    request = type(grade_request())(question=longer, exchanges=grade_request().exchanges)
    schema_rung = anthropic_provider(server, model="claude-sonnet-4-6")
    await collect_grade(schema_rung.grade(request))
    tool_rung = anthropic_provider(server, model="claude-sonnet-4-6", structured_output="tool")
    await collect_grade(tool_rung.grade(request))
    plain, with_tool = server.bodies()
    system = len(plain["system"][0]["text"])
    assert system < 4096 <= system + len(json.dumps(with_tool["tools"]))
    assert "cache_control" not in plain["system"][0]
    assert with_tool["system"][0]["cache_control"] == {"type": "ephemeral"}


async def test_overloaded_529_is_retried_with_backoff() -> None:
    sleeps = Sleeps()
    server = Server().add(
        json_response(OVERLOADED, status=529),
        json_response(OVERLOADED, status=529),
        anthropic_stream(["What else?"]),
    )
    done = await collect_probe(anthropic_provider(server, sleeps).probe(probe_request()))
    assert done.text == "What else?"
    assert len(server.requests) == 3
    assert len(sleeps.waits) == 2
    assert 0.25 <= sleeps.waits[0] <= 0.5 and 0.5 <= sleeps.waits[1] <= 1.0


async def test_overloaded_until_retries_run_out_is_a_one_line_error() -> None:
    sleeps = Sleeps()
    server = Server().add(*[json_response(OVERLOADED, status=529) for _ in range(3)])
    provider = anthropic_provider(server, sleeps, max_retries=2)
    with pytest.raises(ProviderError) as caught:
        await collect_probe(provider.probe(probe_request()))
    assert len(server.requests) == 3
    assert len(sleeps.waits) == 2
    assert caught.value.retryable
    message = str(caught.value)
    assert "529" in message and "Overloaded" in message and "3 attempts" in message
    assert "\n" not in message


async def test_error_frame_after_http_200_before_text_is_retried() -> None:
    frames = [*anthropic_frames(["unused"])[:1], ("error", OVERLOADED)]
    server = Server().add(sse_response(sse(frames)), anthropic_stream(["Say more?"]))
    done = await collect_probe(anthropic_provider(server).probe(probe_request()))
    assert done.text == "Say more?"
    assert not done.interrupted
    assert len(server.requests) == 2


async def test_error_frame_after_text_keeps_partial_marked_interrupted() -> None:
    # Nine words: past the giveaway check's hold-back, so the first words were shown.
    texts = ["How would you test that ", "the tool calls are ", "checked"]
    frames = [*anthropic_frames(texts)[:6], ("error", OVERLOADED)]
    server = Server().add(sse_response(sse(frames)))
    events = [e async for e in anthropic_provider(server).probe(probe_request())]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert done.interrupted
    assert done.text == "How would you test that the tool calls are checked"
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == done.text
    assert len(server.requests) == 1


async def test_dropped_connection_after_text_is_interrupted() -> None:
    first = sse(anthropic_frames(["Walk me through ", "how you would log every tool call "])[:5])
    server = Server().add(sse_response(broken_after(first)))
    done = await collect_probe(anthropic_provider(server).probe(probe_request()))
    assert done.interrupted
    assert done.text == "Walk me through how you would log every tool call "
    assert len(server.requests) == 1


async def test_grade_output_config_rung() -> None:
    server = Server().add(anthropic_message(text=json.dumps(good_grade())))
    done = await collect_grade(anthropic_provider(server).grade(grade_request()))
    assert [v.key_point_id for v in done.output.verdicts] == ["separate", "tools", "layers"]
    assert done.usage.input_tokens == 1000 and done.usage.cached_tokens == 900
    body = server.bodies()[0]
    output_format = body["output_config"]["format"]
    assert output_format["type"] == "json_schema"
    assert "score" not in json.dumps(output_format["schema"])
    assert body["max_tokens"] == 1024
    assert "tools" not in body


async def test_grade_tool_rung() -> None:
    server = Server().add(anthropic_message(tool_input=good_grade()))
    provider = anthropic_provider(server, structured_output="tool")
    done = await collect_grade(provider.grade(grade_request()))
    assert done.output.feedback.startswith("Good start")
    body = server.bodies()[0]
    assert body["tool_choice"] == {"type": "tool", "name": "submit_grade"}
    assert body["tools"][0]["input_schema"]["additionalProperties"] is False
    assert "output_config" not in body


async def test_grade_prompt_rung() -> None:
    server = Server().add(anthropic_message(text="Sure.\n" + json.dumps(good_grade())))
    provider = anthropic_provider(server, structured_output="prompt")
    done = await collect_grade(provider.grade(grade_request()))
    assert len(done.output.verdicts) == 3
    body = server.bodies()[0]
    assert "output_config" not in body and "tools" not in body
    assert "Reply with one JSON object" in body["system"][0]["text"]


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"type": "error", "error": {"type": "authentication_error", "message": "x"}}, "401"),
        (404, {"type": "error", "error": {"type": "not_found_error", "message": "model"}}, "404"),
        (
            400,
            {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}},
            "400",
        ),
        (403, {"type": "error", "error": {"type": "permission_error", "message": "no"}}, "403"),
    ],
)
async def test_client_errors_are_not_retried(status: int, body: object, expected: str) -> None:
    sleeps = Sleeps()
    server = Server().add(json_response(body, status=status))
    with pytest.raises(ProviderError) as caught:
        await collect_probe(anthropic_provider(server, sleeps).probe(probe_request()))
    assert len(server.requests) == 1
    assert sleeps.waits == []
    assert expected in str(caught.value)
    assert "--provider offline" in str(caught.value) or status == 400
    assert ANTHROPIC_KEY not in str(caught.value)


def test_explicit_key_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_ANTHROPIC_KEY")
    with pytest.raises(ProviderError, match="TEST_ANTHROPIC_KEY"):
        AnthropicProvider("claude", profile("anthropic"), "grader")


def test_repr_hides_key() -> None:
    provider = anthropic_provider(Server())
    assert ANTHROPIC_KEY not in repr(provider)
    assert provider.name == "anthropic:claude-haiku-4-5"
    assert not provider.is_local


def test_cost_counts_cache_reads_cheap_and_cache_writes_at_a_premium() -> None:
    usage = cost(Tokens(input=1000, output=10, cached=100, cache_write=800), profile("anthropic"))
    # 100 plain at 1.0, 100 cached at 0.5, 800 written at 1.25, 10 out at 2.0 (per million)
    assert usage.cost_usd == pytest.approx((100 + 50 + 1000 + 20) / 1e6)
    assert usage.calls == 1 and usage.cache_write_tokens == 800
