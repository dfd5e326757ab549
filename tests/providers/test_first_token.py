"""first_token_timeout_s: the wait for a reply's first token, apart from the gaps between chunks
(idle_timeout_s) and the whole of a non-streamed reply (timeout_s); every timeout message names
the setting to raise and its profile (issue 11, item 5)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx2
import pytest

from interviewer.config import BUILTIN_PROFILES, ProviderProfile
from interviewer.errors import ProviderError
from interviewer.providers.anthropic import AnthropicProvider
from interviewer.providers.base import AssessRequest, collect_grade, collect_probe
from interviewer.providers.errors_map import SdkErrors, Where, translate
from interviewer.providers.idle import IdleTimer
from interviewer.providers.openai import OpenAIProvider
from interviewer.providers.retry import Transient, call_with_retries
from interviewer.providers.timeouts import http_timeout
from tests.providers.support import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    QUESTION,
    Server,
    Sleeps,
    anthropic_message,
    good_grade,
    grade_request,
    openai_chunks,
    openai_completion,
    openai_provider,
    probe_request,
    profile,
    sse,
    sse_response,
    stalled_after,
)


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)


async def after(seconds: float, body: bytes) -> AsyncIterator[bytes]:
    """A body that starts only after `seconds` (headers go at once)."""
    await asyncio.sleep(seconds)
    yield body


def never_answers(requests: list[httpx2.Request]) -> httpx2.AsyncClient:
    """A server that takes the request and never sends a byte back."""

    async def handle(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")  # pragma: no cover

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


# -- defaults ---------------------------------------------------------------------------------


def test_hosted_and_local_servers_get_their_own_first_token_default() -> None:
    hosted = profile("openai")
    local = profile("openai", base_url="http://127.0.0.1:8089/v1", api_key_env=None)
    lan = profile("openai", base_url="http://192.168.1.5:8000/v1", api_key_env=None)
    assert hosted.first_token_s == 45
    assert local.first_token_s == 240
    assert BUILTIN_PROFILES["ollama"].first_token_s == 240
    assert lan.first_token_s == 45  # not on this machine: it says which setting to raise
    assert profile("openai", first_token_timeout_s=7).first_token_s == 7
    with pytest.raises(ValueError, match="first_token_timeout_s"):
        ProviderProfile(kind="openai", model="m", first_token_timeout_s=0)


def test_the_http_read_timeout_never_fires_before_our_own_named_ones() -> None:
    local = profile("openai", base_url="http://localhost:1/v1", api_key_env=None)
    timeout = http_timeout(local)
    assert timeout.read is not None and timeout.read > local.first_token_s > local.timeout_s
    assert timeout.connect == local.connect_timeout_s


# -- streams ----------------------------------------------------------------------------------


async def test_a_stream_with_no_first_token_names_first_token_timeout_s() -> None:
    role_only = sse(openai_chunks([])[:1])  # the role chunk, then silence
    server = Server().add(*[lambda _r: sse_response(stalled_after(role_only))] * 2)
    # a long idle timeout: only the first-token timeout can end these attempts
    provider = openai_provider(server, first_token_timeout_s=0.1, idle_timeout_s=30, max_retries=1)
    with pytest.raises(ProviderError) as caught:
        await collect_probe(provider.probe(probe_request()))
    message = str(caught.value)
    assert "no first token from openai within 0.1 s" in message
    assert "raise first_token_timeout_s in [providers.openai]" in message
    # retried once, as max_retries says (a first attempt can end before its request is even
    # sent, while the SDK warms up: count attempts, not requests)
    assert "gave up after 2 attempts" in message


async def test_a_slow_first_token_is_waited_for_past_the_idle_timeout() -> None:
    late = sse([*openai_chunks(["What would you monitor?"]), (None, "[DONE]")])
    server = Server().add(lambda _r: sse_response(after(0.3, late)))
    provider = openai_provider(server, first_token_timeout_s=5, idle_timeout_s=0.05)
    done = await collect_probe(provider.probe(probe_request()))
    assert done.text == "What would you monitor?"
    assert len(server.requests) == 1


async def test_silence_after_the_first_token_names_idle_timeout_s() -> None:
    # Two words the giveaway check holds back: nothing shown yet, so the attempt fails.
    held = sse(openai_chunks(["What would ", "you"])[:-1])
    server = Server().add(lambda _r: sse_response(stalled_after(held)))
    provider = openai_provider(server, first_token_timeout_s=30, idle_timeout_s=0.05, max_retries=0)
    with pytest.raises(ProviderError) as caught:
        await collect_probe(provider.probe(probe_request()))
    message = str(caught.value)
    assert "openai went silent for 0.05 s mid-reply" in message
    assert "raise idle_timeout_s in [providers.openai]" in message


# -- replies that are not streamed (grading, assessment) --------------------------------------


async def test_a_grading_reply_with_no_first_byte_names_first_token_timeout_s() -> None:
    requests: list[httpx2.Request] = []
    provider = OpenAIProvider(
        "local",
        profile("openai", first_token_timeout_s=0.1, timeout_s=30, max_retries=1),
        "grader",
        http_client=never_answers(requests),
        sleep=Sleeps(),
    )
    with pytest.raises(ProviderError) as caught:
        await collect_grade(provider.grade(grade_request()))
    message = str(caught.value)
    assert "no reply from local within 0.1 s, not even its first byte" in message
    assert "raise first_token_timeout_s in [providers.local]" in message
    assert "gave up after 2 attempts" in message


async def test_a_grading_reply_that_started_gets_the_whole_timeout() -> None:
    body = openai_completion(json.dumps(good_grade())).content
    started = httpx2.Response(
        200, headers={"content-type": "application/json"}, content=after(0.3, body)
    )
    server = Server().add(started)
    provider = openai_provider(
        server, first_token_timeout_s=0.1, timeout_s=5, structured_output="json_schema"
    )
    done = await collect_grade(provider.grade(grade_request()))
    assert [v.verdict.value for v in done.output.verdicts] == ["covered", "partial", "missed"]
    assert len(server.requests) == 1


async def test_an_assessment_that_times_out_is_called_an_assessment() -> None:
    requests: list[httpx2.Request] = []
    provider = OpenAIProvider(
        "openai",
        profile("openai", first_token_timeout_s=0.1, max_retries=0),
        "grader",
        http_client=never_answers(requests),
        sleep=Sleeps(),
    )
    request = AssessRequest(QUESTION, grade_request().exchanges)
    with pytest.raises(ProviderError) as caught:
        await provider.assess(request)
    assert str(caught.value).startswith("openai:gpt-4o-mini assessment: no reply from openai")


async def test_anthropic_grading_has_the_same_first_byte_deadline() -> None:
    requests: list[httpx2.Request] = []
    provider = AnthropicProvider(
        "claude",
        profile("anthropic", first_token_timeout_s=0.1, timeout_s=30, max_retries=0),
        "grader",
        http_client=never_answers(requests),
        sleep=Sleeps(),
    )
    with pytest.raises(ProviderError, match=r"first_token_timeout_s in \[providers\.claude\]"):
        await collect_grade(provider.grade(grade_request()))
    # and a reply that does come is read as before
    server = Server().add(anthropic_message(tool_input=good_grade()))
    provider = AnthropicProvider(
        "claude",
        profile("anthropic", first_token_timeout_s=5, structured_output="tools"),
        "grader",
        http_client=server.client(),
        sleep=Sleeps(),
    )
    done = await collect_grade(provider.grade(grade_request()))
    assert len(done.output.verdicts) == 3


async def test_the_first_byte_deadline_never_outlasts_timeout_s() -> None:
    requests: list[httpx2.Request] = []
    provider = OpenAIProvider(
        "openai",
        profile("openai", first_token_timeout_s=30, timeout_s=0.1, max_retries=0),
        "grader",
        http_client=never_answers(requests),
        sleep=Sleeps(),
    )
    with pytest.raises(ProviderError, match=r"raise timeout_s in \[providers\.openai\]"):
        await collect_grade(provider.grade(grade_request()))


# -- the other messages -----------------------------------------------------------------------


def test_an_http_timeout_names_the_setting_behind_it() -> None:
    sdk = SdkErrors(
        status=LookupError, connection=ConnectionError, timeout=TimeoutError, api=ArithmeticError
    )
    where = Where("work", "m", "api.example.com", None, "")
    connect = translate(httpx2.ConnectTimeout("slow"), sdk, where)
    read = translate(httpx2.ReadTimeout("slow"), sdk, where)
    assert isinstance(connect, Transient) and isinstance(read, Transient)
    assert "raise connect_timeout_s in [providers.work]" in connect.message
    assert "raise timeout_s in [providers.work]" in read.message


async def test_the_budget_message_says_why_the_attempts_before_failed() -> None:
    calls = 0

    async def attempt() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise Transient("no first token from x within 0.1 s: raise first_token_timeout_s")
        await asyncio.Event().wait()  # the second attempt runs into the budget
        raise AssertionError("unreachable")  # pragma: no cover

    with pytest.raises(ProviderError) as caught:
        await call_with_retries(
            attempt, max_retries=5, max_wait_s=0.1, what="x probe", sleep=Sleeps(), budget_s=0.3
        )
    message = str(caught.value)
    assert "no reply within 0.3s, retries included" in message
    assert "the attempt before: no first token from x" in message
    assert "raise call_budget_s" in message


async def test_the_stream_default_is_the_idle_timeout_when_nothing_else_is_given() -> None:
    # IdleTimer without first_s keeps its old meaning (one timeout for every chunk).
    async def silent() -> AsyncIterator[int]:
        await asyncio.Event().wait()
        yield 0  # pragma: no cover

    timer = IdleTimer(0.05)
    with pytest.raises(TimeoutError):
        await timer.next(silent())
    timer.close()
    assert not timer.started


async def test_the_first_chunk_gets_the_longer_wait_and_later_ones_the_shorter() -> None:
    async def late_then_silent() -> AsyncIterator[int]:
        await asyncio.sleep(0.2)
        yield 0
        await asyncio.Event().wait()
        yield 1  # pragma: no cover

    # first_s far above both waits: a loaded machine can stretch 0.2 s, never to 20 s
    timer = IdleTimer(0.05, first_s=20)
    stream = late_then_silent()
    loop = asyncio.get_running_loop()
    assert await timer.next(stream) == 0  # 0.2 s: past idle_s, within first_s
    assert timer.started
    begun = loop.time()
    with pytest.raises(TimeoutError):
        await timer.next(stream)
    # cut at the idle timeout, not at what was left of the first wait (about 19.8 s)
    assert loop.time() - begun < 10.0
    timer.close()
