"""OpenAIProvider over a scripted HTTP transport: streaming, usage, the structured ladder, keys."""

from __future__ import annotations

import json

import httpx2
import pytest

from interviewer.domain import Verdict
from interviewer.errors import GradingFailed, ProviderError
from interviewer.providers.base import (
    GradeDone,
    ProbeDone,
    TextDelta,
    collect_grade,
    collect_probe,
)
from interviewer.providers.openai import OpenAIProvider
from tests.providers.support import (
    OPENAI_KEY,
    QUESTION,
    Server,
    Sleeps,
    broken_after,
    good_grade,
    grade_request,
    json_response,
    openai_chunks,
    openai_completion,
    openai_provider,
    openai_stream,
    probe_request,
    profile,
    sse,
    sse_response,
    stalled_after,
)

USAGE = {
    "prompt_tokens": 2000,
    "completion_tokens": 30,
    "total_tokens": 2030,
    "prompt_tokens_details": {"cached_tokens": 1024},
}


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)


async def test_probe_streams_deltas_then_done_with_usage_and_cost() -> None:
    server = Server().add(
        openai_stream(["What would ", "you add ", "around the model ", "to catch abuse?"], USAGE)
    )
    provider = openai_provider(server)
    events = [event async for event in provider.probe(probe_request())]
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert done.text == "What would you add around the model to catch abuse?"
    assert "".join(deltas) == done.text
    assert len(deltas) >= 2  # streamed, not one lump
    assert not done.interrupted
    assert done.usage.input_tokens == 2000
    assert done.usage.cached_tokens == 1024
    assert done.usage.output_tokens == 30
    # (2000 - 1024) * 1.0 + 1024 * 0.5 + 30 * 2.0, per million
    assert done.usage.cost_usd == pytest.approx((976 + 512 + 60) / 1e6)
    body = server.bodies()[0]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == 1024
    assert body["messages"][0]["role"] == "system"
    assert server.requests[0].headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert server.requests[0].headers["x-stainless-retry-count"] == "0"


async def test_compatible_server_gets_max_tokens_and_placeholder_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-key-must-not-leak")
    server = Server().add(openai_stream(["Why?"]))
    provider = openai_provider(
        server, base_url="http://127.0.0.1:11434/v1", api_key_env=None, model="llama3.1:8b"
    )
    assert provider.is_local
    assert provider.name == "openai:llama3.1:8b"
    done = await collect_probe(provider.probe(probe_request()))
    assert done.text == "Why?"
    request = server.requests[0]
    assert request.url == "http://127.0.0.1:11434/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer not-needed"
    assert "sk-real" not in request.headers["authorization"]
    body = server.bodies()[0]
    assert body["max_tokens"] == 1024
    assert "max_completion_tokens" not in body


async def test_vendor_api_is_not_local() -> None:
    provider = openai_provider(Server())
    assert not provider.is_local
    assert provider.name == "openai:gpt-4o-mini"


def test_missing_key_names_variable_profile_and_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_OPENAI_KEY")
    with pytest.raises(ProviderError) as caught:
        OpenAIProvider("work", profile("openai"), "interviewer")
    message = str(caught.value)
    assert "TEST_OPENAI_KEY" in message
    assert "work" in message
    assert "--provider offline" in message
    assert "\n" not in message


def test_repr_and_errors_never_show_the_key() -> None:
    provider = openai_provider(Server())
    assert OPENAI_KEY not in repr(provider)
    assert OPENAI_KEY not in str(vars(provider).get("profile"))


async def test_stream_failing_before_first_token_is_retried() -> None:
    sleeps = Sleeps()
    server = Server().add(
        httpx2.ConnectError("connection refused"),
        json_response({"error": {"message": "boom", "type": "server_error"}}, status=500),
        openai_stream(["Tell me more?"]),
    )
    provider = openai_provider(server, sleeps)
    done = await collect_probe(provider.probe(probe_request()))
    assert done.text == "Tell me more?"
    assert len(server.requests) == 3
    assert len(sleeps.waits) == 2
    # exponential backoff with jitter: 0.5 s then 1 s ceilings, each jittered to 50-100 %
    assert 0.25 <= sleeps.waits[0] <= 0.5
    assert 0.5 <= sleeps.waits[1] <= 1.0


async def test_stream_dying_after_text_keeps_partial_marked_interrupted() -> None:
    first = sse(openai_chunks(["How would you monitor ", "the tool calls ", "and who gets"]))
    server = Server().add(sse_response(broken_after(first)))
    provider = openai_provider(server)
    events = [event async for event in provider.probe(probe_request())]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert done.interrupted
    assert done.text == "How would you monitor the tool calls and who gets"
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == done.text
    assert len(server.requests) == 1  # text was shown: no retry


async def test_stream_silent_past_idle_timeout_ends_interrupted() -> None:
    first = sse(openai_chunks(["What would you log ", "for each tool call the model makes "]))
    server = Server().add(sse_response(stalled_after(first)))
    provider = openai_provider(server, idle_timeout_s=0.05)
    done = await collect_probe(provider.probe(probe_request()))
    assert done.interrupted
    assert done.text == "What would you log for each tool call the model makes "
    assert len(server.requests) == 1


async def test_stream_silent_before_first_token_is_retried() -> None:
    sleeps = Sleeps()
    server = Server().add(
        sse_response(stalled_after(b": keep-alive\n\n")), openai_stream(["Go on?"])
    )
    provider = openai_provider(server, sleeps, first_token_timeout_s=0.05)
    done = await collect_probe(provider.probe(probe_request()))
    assert done.text == "Go on?"
    assert not done.interrupted
    assert len(server.requests) == 2


async def test_mid_stream_error_frame_before_text_is_retried() -> None:
    error = (None, {"error": {"message": "The server had an error", "type": "server_error"}})
    server = Server().add(
        sse_response(sse([error])),
        openai_stream(["And then?"]),
    )
    done = await collect_probe(openai_provider(server).probe(probe_request()))
    assert done.text == "And then?"
    assert len(server.requests) == 2


async def test_probe_that_quotes_the_sample_answer_is_regenerated() -> None:
    giveaway = (
        "Would you agree that the model cannot be trusted to distinguish instructions from "
        "malicious content on its own?"
    )
    server = Server().add(openai_stream([giveaway]), openai_stream(["What sits around the model?"]))
    events = [e async for e in openai_provider(server).probe(probe_request())]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert done.text == "What sits around the model?"
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert shown == done.text
    assert "distinguish instructions" not in shown
    # The sample answer is no longer sent with probe requests, yet the check still compares
    # every probe with it (the guard reads the question, not the prompt).
    assert len(server.requests) == 2
    assert all(QUESTION.sample_answer not in json.dumps(body) for body in server.bodies())


async def test_probe_giving_a_point_away_twice_falls_back_to_the_bank_probe() -> None:
    giveaway = "Tell me: constrain tools with authorization checks on every action, right?"
    server = Server().add(openai_stream([giveaway]), openai_stream([giveaway]))
    done = await collect_probe(openai_provider(server).probe(probe_request()))
    assert done.text == QUESTION.key_point("layers").probes[0]


async def test_empty_probe_falls_back_to_the_bank_probe() -> None:
    server = Server().add(openai_stream([]))
    done = await collect_probe(openai_provider(server).probe(probe_request()))
    assert done.text == QUESTION.key_point("layers").probes[0]


async def test_grade_json_schema_rung() -> None:
    server = Server().add(openai_completion(json.dumps(good_grade())))
    provider = openai_provider(server)
    events = [e async for e in provider.grade(grade_request())]
    assert isinstance(events[0], TextDelta)
    assert events[0].text == "Good start; add monitoring and human approval."
    done = events[-1]
    assert isinstance(done, GradeDone)
    verdicts = {v.key_point_id: v for v in done.output.verdicts}
    assert verdicts["separate"].verdict is Verdict.COVERED
    assert verdicts["separate"].evidence == "retrieved pages are labelled as untrusted"
    assert verdicts["layers"].evidence is None
    assert done.output.strengths == ("Clear trust boundary",)
    assert done.usage.cached_tokens == 400
    body = server.bodies()[0]
    schema_format = body["response_format"]
    assert schema_format["type"] == "json_schema"
    assert schema_format["json_schema"]["strict"] is True
    schema = schema_format["json_schema"]["schema"]
    assert "score" not in json.dumps(schema)
    # one required property per key point, in the bank's order: a grammar-constrained server
    # cannot skip or repeat a point
    verdicts = schema["properties"]["verdicts"]
    assert list(verdicts["properties"]) == ["separate", "tools", "layers"]
    assert verdicts["required"] == ["separate", "tools", "layers"]
    assert verdicts["additionalProperties"] is False
    assert body["temperature"] <= 0.2
    assert body["max_completion_tokens"] == 1024
    assert "stream" not in body


async def test_grade_tool_rung() -> None:
    server = Server().add(openai_completion(None, tool_arguments=json.dumps(good_grade())))
    done = await collect_grade(
        openai_provider(server, structured_output="tool").grade(grade_request())
    )
    assert len(done.output.verdicts) == 3
    body = server.bodies()[0]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "submit_grade"}}
    assert body["tools"][0]["function"]["strict"] is True
    assert "response_format" not in body


async def test_grade_prompt_rung_reads_json_from_prose() -> None:
    reply = "Here you go:\n```json\n" + json.dumps(good_grade()) + "\n```"
    server = Server().add(openai_completion(reply))
    provider = openai_provider(server, structured_output="prompt")
    done = await collect_grade(provider.grade(grade_request()))
    assert done.output.gaps == ("No monitoring",)
    body = server.bodies()[0]
    assert "response_format" not in body and "tools" not in body
    assert "Reply with one JSON object" in body["messages"][0]["content"]


async def test_auto_falls_down_the_ladder_when_a_rung_is_rejected() -> None:
    rejected = json_response(
        {"error": {"message": "response_format json_schema unsupported", "type": "invalid"}},
        status=400,
    )
    server = Server().add(
        rejected,
        rejected,
        rejected,
        openai_completion(json.dumps(good_grade())),
        openai_completion(json.dumps(good_grade())),
    )
    sleeps = Sleeps()
    provider = openai_provider(
        server, sleeps, base_url="http://127.0.0.1:8080/v1", api_key_env=None
    )
    await collect_grade(provider.grade(grade_request()))
    bodies = server.bodies()
    assert bodies[0]["response_format"]["type"] == "json_schema"
    # json_object joined the ladder (before tools): a compatible server also gets the schema
    assert bodies[1]["response_format"]["type"] == "json_object"
    assert "verdicts" in bodies[1]["response_format"]["schema"]["properties"]
    assert "tools" in bodies[2]
    assert "tools" not in bodies[3] and "response_format" not in bodies[3]
    assert sleeps.waits == []  # a rejected rung is never retried
    # the working rung is remembered
    await collect_grade(provider.grade(grade_request()))
    assert "tools" not in server.bodies()[4] and "response_format" not in server.bodies()[4]


async def test_invalid_grade_gets_one_repair_with_the_error() -> None:
    bad = good_grade(verdicts=good_grade()["verdicts"][:2])
    server = Server().add(
        openai_completion(json.dumps(bad)), openai_completion(json.dumps(good_grade()))
    )
    done = await collect_grade(openai_provider(server).grade(grade_request()))
    assert len(done.output.verdicts) == 3
    assert done.usage.calls == 2
    repair = server.bodies()[1]["messages"]
    assert repair[-2]["role"] == "assistant"
    assert "no verdict for layers" in repair[-1]["content"]


async def test_grading_fails_visibly_after_the_repair_fails() -> None:
    server = Server().add(openai_completion('{"score": 10}'), openai_completion("I give it 10/10"))
    with pytest.raises(GradingFailed) as caught:
        await collect_grade(openai_provider(server).grade(grade_request()))
    assert "grading failed" in str(caught.value)
    assert "offline" in str(caught.value)
    assert len(server.requests) == 2
    assert caught.value.usage is not None
    assert caught.value.usage.calls == 2  # type: ignore[attr-defined]


async def test_schema_has_no_score_and_rejects_one() -> None:
    server = Server().add(
        openai_completion(json.dumps(good_grade(score=10))),
        openai_completion(json.dumps(good_grade())),
    )
    done = await collect_grade(openai_provider(server).grade(grade_request()))
    assert "score" in server.bodies()[1]["messages"][-1]["content"]
    assert not hasattr(done.output, "score")


async def test_aclose_closes_the_http_client_and_twice_is_safe() -> None:
    server = Server()
    client = server.client()
    provider = OpenAIProvider(
        "openai", profile("openai"), "interviewer", http_client=client,
        sleep=Sleeps(),
    )  # fmt: skip
    await provider.aclose()
    assert client.is_closed
    await provider.aclose()  # a second close is a no-op, not an error
    assert client.is_closed
    assert server.requests == []


async def test_giveaway_found_after_text_was_shown_ends_with_the_bank_probe() -> None:
    chunks = [
        "Interesting. ",
        "Would you say the model ",
        "cannot be trusted to distinguish ",
        "instructions from malicious content?",
    ]
    server = Server().add(openai_stream(chunks))
    events = [e async for e in openai_provider(server).probe(probe_request())]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    # only a clean prefix was ever shown; the final text (the source of truth) is the bank probe
    assert "distinguish instructions" not in shown
    assert shown.startswith("Interesting.")
    assert done.text == QUESTION.key_point("layers").probes[0]
    assert len(server.requests) == 1  # no second call once text was on screen


async def test_consumer_stopping_mid_stream_closes_cleanly() -> None:
    first = sse(openai_chunks(["one two three four five six seven eight nine ten "]))
    server = Server().add(sse_response(stalled_after(first)))
    provider = openai_provider(server)
    stream = provider.probe(probe_request())
    event = await anext(stream)
    assert isinstance(event, TextDelta)
    await stream.aclose()  # what cancelling the engine's task does
    await provider.aclose()


def test_registry_builds_the_provider_with_the_profile_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from interviewer.config import Settings
    from interviewer.providers.registry import build_provider

    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    provider = build_provider(Settings(provider="openai"), "openai", "interviewer")
    assert isinstance(provider, OpenAIProvider)
    assert provider.name == "openai:gpt-4o-mini"
    assert OPENAI_KEY not in repr(provider)


async def test_reasoning_models_get_no_temperature() -> None:
    server = Server().add(openai_stream(["Why?"]), openai_stream(["Why?"]))
    await collect_probe(openai_provider(server, model="o4-mini").probe(probe_request()))
    await collect_probe(openai_provider(server, model="gpt-4o").probe(probe_request()))
    first, second = server.bodies()
    # Reasoning models think out of the same budget: a larger default and a low effort.
    assert "temperature" not in first and first["max_completion_tokens"] == 8192
    assert first["reasoning_effort"] == "low"
    assert second["temperature"] == 0.2 and second["max_completion_tokens"] == 1024
    assert "reasoning_effort" not in second
