"""Every fault of the retry policy: what is retried, how long we wait, what the user is told."""

from __future__ import annotations

import json

import httpx
import httpx2
import pytest
import respx

from interviewer.errors import ProviderError
from interviewer.providers.base import collect_grade, collect_probe
from interviewer.providers.retry import backoff, parse_retry_after
from tests.providers.support import (
    OPENAI_KEY,
    Server,
    Sleeps,
    good_grade,
    grade_request,
    json_response,
    openai_completion,
    openai_provider,
    openai_stream,
    probe_request,
)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)


def rate_limited(**headers: str) -> httpx2.Response:
    body = {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit"}}
    return json_response(body, status=429, **headers)


async def test_429_honours_retry_after_seconds() -> None:
    sleeps = Sleeps()
    server = Server().add(rate_limited(**{"retry-after": "7"}), openai_stream(["Fine?"]))
    done = await collect_probe(openai_provider(server, sleeps).probe(probe_request()))
    assert done.text == "Fine?"
    assert sleeps.waits == [7.0]


async def test_429_honours_retry_after_ms_over_retry_after() -> None:
    sleeps = Sleeps()
    headers = {"retry-after-ms": "1500", "retry-after": "9"}
    server = Server().add(rate_limited(**headers), openai_stream(["Fine?"]))
    await collect_probe(openai_provider(server, sleeps).probe(probe_request()))
    assert sleeps.waits == [1.5]


async def test_retry_after_is_capped_by_retry_max_wait() -> None:
    sleeps = Sleeps()
    server = Server().add(rate_limited(**{"retry-after": "600"}), openai_stream(["Fine?"]))
    provider = openai_provider(server, sleeps, retry_max_wait_s=4)
    await collect_probe(provider.probe(probe_request()))
    assert sleeps.waits == [4.0]


async def test_insufficient_quota_is_not_retried() -> None:
    sleeps = Sleeps()
    body = {
        "error": {
            "message": "You exceeded your current quota, please check your plan and billing.",
            "type": "insufficient_quota",
            "code": "insufficient_quota",
        }
    }
    server = Server().add(json_response(body, status=429))
    with pytest.raises(ProviderError) as caught:
        await collect_probe(openai_provider(server, sleeps).probe(probe_request()))
    assert len(server.requests) == 1
    assert sleeps.waits == []
    assert "quota" in str(caught.value)
    assert not caught.value.retryable


async def test_401_says_which_variable_and_profile_and_hides_the_key() -> None:
    body = {
        "error": {
            "message": f"Incorrect API key provided: {OPENAI_KEY}.",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    server = Server().add(json_response(body, status=401))
    with pytest.raises(ProviderError) as caught:
        await collect_grade(openai_provider(server).grade(grade_request()))
    message = str(caught.value)
    assert "TEST_OPENAI_KEY" in message and "'openai'" in message and "401" in message
    assert "--provider offline" in message
    assert OPENAI_KEY not in message
    assert "\n" not in message
    assert len(server.requests) == 1


async def test_404_names_the_model_and_profile() -> None:
    body = {"error": {"message": "The model `gpt-9` does not exist", "code": "model_not_found"}}
    server = Server().add(json_response(body, status=404))
    with pytest.raises(ProviderError) as caught:
        await collect_probe(openai_provider(server, model="gpt-9").probe(probe_request()))
    assert "'gpt-9'" in str(caught.value) and "[providers.openai]" in str(caught.value)
    assert len(server.requests) == 1


async def test_grading_400_with_explicit_mode_is_not_retried_nor_laddered() -> None:
    body = {"error": {"message": "Invalid schema", "type": "invalid_request_error"}}
    server = Server().add(json_response(body, status=400))
    provider = openai_provider(server, structured_output="json_schema")
    with pytest.raises(ProviderError, match="HTTP 400"):
        await collect_grade(provider.grade(grade_request()))
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [408, 409, 500, 502, 503, 504])
async def test_retryable_statuses(status: int) -> None:
    sleeps = Sleeps()
    server = Server().add(
        json_response({"error": {"message": "try later"}}, status=status),
        openai_completion(json.dumps(good_grade())),
    )
    done = await collect_grade(openai_provider(server, sleeps).grade(grade_request()))
    assert len(done.output.verdicts) == 3
    assert len(server.requests) == 2
    assert len(sleeps.waits) == 1


async def test_connection_refused_exhausts_retries_with_a_clear_message() -> None:
    sleeps = Sleeps()
    server = Server().add(*[httpx2.ConnectError("[Errno 111] Connection refused")] * 4)
    provider = openai_provider(
        server, sleeps, base_url="http://127.0.0.1:11434/v1", api_key_env=None, model="llama3"
    )
    with pytest.raises(ProviderError) as caught:
        await collect_probe(provider.probe(probe_request()))
    assert len(server.requests) == 4  # 1 + max_retries 3
    assert len(sleeps.waits) == 3
    # exponential: ceilings 0.5, 1, 2, each jittered to 50-100 %
    for wait, ceiling in zip(sleeps.waits, [0.5, 1.0, 2.0], strict=True):
        assert ceiling / 2 <= wait <= ceiling
    message = str(caught.value)
    assert "cannot reach 127.0.0.1" in message
    assert "base_url" in message and "[providers.openai]" in message
    assert "--provider offline" in message
    assert caught.value.retryable


async def test_timeouts_are_retried() -> None:
    sleeps = Sleeps()
    server = Server().add(httpx2.ReadTimeout("slow"), openai_stream(["Ok?"]))
    done = await collect_probe(openai_provider(server, sleeps).probe(probe_request()))
    assert done.text == "Ok?"
    assert len(sleeps.waits) == 1


async def test_max_retries_zero_means_one_attempt() -> None:
    sleeps = Sleeps()
    server = Server().add(rate_limited())
    with pytest.raises(ProviderError, match="1 attempt"):
        await collect_probe(openai_provider(server, sleeps, max_retries=0).probe(probe_request()))
    assert sleeps.waits == []


async def test_respx_through_pytest_httpx2(httpx2_mock: respx.Router) -> None:
    """The same policy seen through respx (which builds httpx responses and mocks the
    httpcore2 layer), with the SDK's own HTTP client."""
    route = httpx2_mock.post("https://api.openai.com/v1/chat/completions")
    route.side_effect = [
        httpx.Response(503, json={"error": {"message": "busy"}}, headers={"retry-after": "2"}),
        httpx.Response(
            200,
            json={
                "id": "c",
                "object": "chat.completion",
                "created": 1,
                "model": "gpt-4o-mini",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": json.dumps(good_grade())},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            },
        ),
    ]
    from interviewer.providers.openai import OpenAIProvider
    from tests.providers.support import profile

    sleeps = Sleeps()
    provider = OpenAIProvider("openai", profile("openai"), "grader", sleep=sleeps)
    done = await collect_grade(provider.grade(grade_request()))
    await provider.aclose()
    assert route.call_count == 2
    assert sleeps.waits == [2.0]
    assert done.usage.input_tokens == 10


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1, 30, rng=lambda: 1.0) == 0.5
    assert backoff(4, 30, rng=lambda: 1.0) == 4.0
    assert backoff(10, 30, rng=lambda: 1.0) == 30.0
    assert backoff(10, 30, rng=lambda: 0.0) == 15.0


async def test_401_from_a_keyless_profile_says_to_set_api_key_env() -> None:
    server = Server().add(json_response({"error": {"message": "unauthorised"}}, status=401))
    provider = openai_provider(server, base_url="http://127.0.0.1:8000/v1", api_key_env=None)
    with pytest.raises(ProviderError) as caught:
        await collect_probe(provider.probe(probe_request()))
    assert "set api_key_env in [providers.openai]" in str(caught.value)
