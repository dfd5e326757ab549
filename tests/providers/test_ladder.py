"""The structured-output ladder adapts to the server: rejected or ignored rungs move on at once,
the working rung is remembered, a pinned rung is the only one; token budgets and refusals."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from interviewer.config import ProviderProfile
from interviewer.errors import GradingFailed, ProviderError
from interviewer.providers.base import collect_grade, collect_probe
from interviewer.providers.ladder import Ladder
from tests.providers.support import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    Server,
    Sleeps,
    anthropic_message,
    anthropic_provider,
    good_grade,
    grade_request,
    json_response,
    openai_chunks,
    openai_completion,
    openai_provider,
    probe_request,
    sse,
    sse_response,
)

LOCAL: dict[str, Any] = {"base_url": "http://127.0.0.1:8089/v1", "api_key_env": None}
# What llama.cpp's server (llama-cpp-python 0.3) answers to response_format json_schema.
LLAMA_CPP_500 = {
    "error": {
        "message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
        "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}",
        "type": "internal_server_error",
        "param": None,
        "code": None,
    }
}


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)


def _rung(body: dict[str, object]) -> str:
    if "tools" in body:
        return "tools"
    response_format = body.get("response_format")
    if isinstance(response_format, dict):
        return str(response_format["type"])
    return "prompt"


async def test_a_500_naming_the_format_moves_on_at_once_and_the_rung_is_remembered() -> None:
    sleeps = Sleeps()
    grade = openai_completion(json.dumps(good_grade()))
    server = Server().add(json_response(LLAMA_CPP_500, status=500), grade, grade)
    provider = openai_provider(server, sleeps, **LOCAL)
    done = await collect_grade(provider.grade(grade_request()))
    assert len(done.output.verdicts) == 3
    await collect_grade(provider.grade(grade_request()))
    assert [_rung(body) for body in server.bodies()] == [
        "json_schema",
        "json_object",
        "json_object",
    ]
    assert sleeps.waits == []
    # llama.cpp constrains JSON mode to the schema sent with it, so the prompt does not spell
    # the schema out (prompt tokens are what a slow local model spends its time on)
    json_mode = server.bodies()[1]
    assert json_mode["response_format"]["schema"]["required"][0] == "verdicts"
    assert json_mode["messages"][0]["content"] == server.bodies()[0]["messages"][0]["content"]


async def test_a_500_that_does_not_name_the_format_is_still_retried() -> None:
    sleeps = Sleeps()
    server = Server().add(
        json_response({"error": {"message": "CUDA out of memory"}}, status=500),
        openai_completion(json.dumps(good_grade())),
    )
    await collect_grade(openai_provider(server, sleeps, **LOCAL).grade(grade_request()))
    assert [_rung(body) for body in server.bodies()] == ["json_schema", "json_schema"]
    assert len(sleeps.waits) == 1


async def test_a_200_that_ignored_the_format_moves_down_until_one_is_honoured() -> None:
    # A proxy that drops response_format and tools: every reply is prose until the prompt rung.
    prose = openai_completion("The answer is quite good, I would say 7 out of 10.")
    fenced = openai_completion("Sure:\n```json\n" + json.dumps(good_grade()) + "\n```")
    server = Server().add(prose, prose, prose, fenced, fenced)
    provider = openai_provider(server, base_url="https://proxy.example/v1")
    done = await collect_grade(provider.grade(grade_request()))
    assert done.output.gaps == ("No monitoring",)
    assert done.usage.input_tokens == 4000  # the ignored replies are paid for and counted
    await collect_grade(provider.grade(grade_request()))
    assert [_rung(body) for body in server.bodies()] == [
        "json_schema",
        "json_object",
        "tools",
        "prompt",
        "prompt",
    ]
    # OpenAI's own API takes no schema in JSON mode; only compatible servers get one
    assert "schema" in server.bodies()[1]["response_format"]


async def test_a_bare_newline_inside_a_json_mode_string_is_still_the_format_honoured() -> None:
    # Seen from llama.cpp with SmolLM2: its JSON grammar let the model end "feedback" with a raw
    # newline, which strict JSON rejects. Read strictly, the reply looked like prose, the ladder
    # went on to tools and prompt, and a tiny model's prose failed grading.
    text = json.dumps(good_grade())
    raw = text[: text.rindex('"feedback": "') + len('"feedback": "')] + 'Good start.\n{ "}'
    server = Server().add(json_response(LLAMA_CPP_500, status=500), openai_completion(raw))
    done = await collect_grade(openai_provider(server, **LOCAL).grade(grade_request()))
    assert len(done.output.verdicts) == 3
    assert [_rung(body) for body in server.bodies()] == ["json_schema", "json_object"]


async def test_openai_json_object_rung_sends_no_schema_to_openai() -> None:
    server = Server().add(openai_completion(json.dumps(good_grade())))
    provider = openai_provider(server, structured_output="json_object")
    await collect_grade(provider.grade(grade_request()))
    body = server.bodies()[0]
    assert body["response_format"] == {"type": "json_object"}
    # JSON mode needs the word JSON in the messages: the prompt rung's instructions
    assert "JSON" in body["messages"][0]["content"]


async def test_a_pinned_rung_the_server_rejects_fails_naming_the_setting() -> None:
    server = Server().add(json_response(LLAMA_CPP_500, status=500))
    provider = openai_provider(server, structured_output="json_schema", **LOCAL)
    with pytest.raises(ProviderError) as caught:
        await collect_grade(provider.grade(grade_request()))
    assert "structured_output" in str(caught.value) and "HTTP 500" in str(caught.value)
    assert len(server.requests) == 1


async def test_a_rejected_last_rung_lists_what_was_tried() -> None:
    rejected = json_response({"error": {"message": "bad tools"}}, status=422)
    server = Server().add(rejected, rejected)
    provider = openai_provider(server, structured_output="auto", **LOCAL)
    provider._ladder.rungs = ("json_schema", "tools")
    with pytest.raises(ProviderError, match="no structured-output mode worked") as caught:
        await collect_grade(provider.grade(grade_request()))
    assert "json_schema (" in str(caught.value) and "tools (" in str(caught.value)


def test_tool_is_still_accepted_and_json_object_is_openai_only() -> None:
    assert ProviderProfile(
        kind="openai", model="m", structured_output="tool"
    ).structured_output == ("tools")
    with pytest.raises(ValueError, match="json_object' is for the openai kind"):
        ProviderProfile(kind="anthropic", model="m", structured_output="json_object")
    # the ladder refuses a rung its wire format lacks, whatever built the profile
    profile = ProviderProfile(kind="openai", model="m", structured_output="json_object")
    with pytest.raises(ProviderError, match="json_object"):
        Ladder(("json_schema", "tools", "prompt"), "mine", profile, "mine:m")


async def test_cut_by_the_budget_retries_once_with_twice_the_budget() -> None:
    server = Server().add(
        openai_completion("", finish_reason="length"),
        openai_completion(json.dumps(good_grade())),
    )
    provider = openai_provider(server, model="gpt-5-mini")
    done = await collect_grade(provider.grade(grade_request()))
    assert len(done.output.verdicts) == 3
    first, second = server.bodies()
    assert first["max_completion_tokens"] == 8192 and second["max_completion_tokens"] == 16384
    assert first["reasoning_effort"] == "low"
    assert _rung(second) == "json_schema"  # a cut reply says nothing about the format


async def test_cut_twice_fails_naming_max_tokens_and_reasoning_effort() -> None:
    cut = openai_completion(None, finish_reason="length")
    server = Server().add(cut, cut)
    provider = openai_provider(server, model="o4-mini", max_tokens=2000)
    with pytest.raises(GradingFailed) as caught:
        await collect_grade(provider.grade(grade_request()))
    message = str(caught.value)
    assert "max_tokens" in message and "reasoning_effort" in message
    assert "[providers.openai]" in message and "4000" in message
    assert len(server.requests) == 2


async def test_a_cut_reply_that_still_parses_is_used() -> None:
    server = Server().add(openai_completion(json.dumps(good_grade()), finish_reason="length"))
    done = await collect_grade(openai_provider(server).grade(grade_request()))
    assert len(done.output.verdicts) == 3
    assert len(server.requests) == 1


async def test_openai_refusal_is_a_grading_failure_that_says_so() -> None:
    server = Server().add(openai_completion(None, refusal="I can't help with that."))
    with pytest.raises(GradingFailed, match="refused") as caught:
        await collect_grade(openai_provider(server).grade(grade_request()))
    assert "I can't help with that." in str(caught.value)
    assert len(server.requests) == 1


async def test_anthropic_refusal_and_max_tokens() -> None:
    server = Server().add(anthropic_message(text="", stop_reason="refusal"))
    with pytest.raises(GradingFailed, match="refused"):
        await collect_grade(anthropic_provider(server).grade(grade_request()))
    cut = anthropic_message(text="", stop_reason="max_tokens")
    server = Server().add(cut, cut)
    with pytest.raises(GradingFailed, match="max_tokens"):
        await collect_grade(anthropic_provider(server).grade(grade_request()))
    assert [body["max_tokens"] for body in server.bodies()] == [1024, 2048]


async def test_anthropic_repair_after_an_empty_reply_sends_no_empty_assistant_turn() -> None:
    server = Server().add(
        anthropic_message(text=""), anthropic_message(text=json.dumps(good_grade()))
    )
    provider = anthropic_provider(server, structured_output="prompt")
    await collect_grade(provider.grade(grade_request()))
    messages = server.bodies()[1]["messages"]
    assert all(message["content"].strip() for message in messages)
    roles = [message["role"] for message in messages]
    assert all(a != b for a, b in itertools.pairwise(roles)) and roles[0] == "user"
    assert "not a JSON object" in messages[-1]["content"]


async def test_a_stream_cut_before_finish_reason_is_marked_interrupted() -> None:
    # no finish_reason chunk, no [DONE]: the connection just closed
    frames = openai_chunks(
        ["Thanks for that answer about the trust boundary you drew there. ", "You "]
    )[:-1]
    server = Server().add(sse_response(sse(frames)))
    done = await collect_probe(openai_provider(server).probe(probe_request()))
    assert done.interrupted
    assert done.text.startswith("Thanks for that answer")


async def test_a_stream_cut_before_anything_was_shown_is_asked_again() -> None:
    sleeps = Sleeps()
    cut = sse_response(sse(openai_chunks(["Thanks. You "])[:-1]))
    whole = sse_response(sse([*openai_chunks(["What would you monitor?"]), (None, "[DONE]")]))
    server = Server().add(cut, whole)
    done = await collect_probe(openai_provider(server, sleeps).probe(probe_request()))
    assert not done.interrupted and done.text == "What would you monitor?"
    assert len(server.requests) == 2


async def test_verdicts_keyed_by_key_point_are_read_like_the_list_form() -> None:
    keyed = good_grade(
        verdicts={
            "separate": {"verdict": "covered", "evidence": "retrieved pages are labelled"},
            "tools": {"verdict": "partial", "evidence": "Every tool call is checked"},
            "layers": {"verdict": "missed", "evidence": ""},
        }
    )
    server = Server().add(openai_completion(json.dumps(keyed)))
    done = await collect_grade(openai_provider(server).grade(grade_request()))
    assert [(v.key_point_id, v.verdict.value) for v in done.output.verdicts] == [
        ("separate", "covered"),
        ("tools", "partial"),
        ("layers", "missed"),
    ]
    assert done.output.verdicts[0].evidence == "retrieved pages are labelled"
