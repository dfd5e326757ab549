"""When a failed call is tried again: a probe stream that dies before anything was shown to the
user, and a non-streamed grade that does not finish within `timeout_s`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx2
import pytest

from interviewer.errors import ProviderError
from interviewer.providers.base import ProbeDone, TextDelta, collect_grade
from tests.providers.support import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    Server,
    Sleeps,
    anthropic_frames,
    anthropic_provider,
    anthropic_stream,
    broken_after,
    good_grade,
    grade_request,
    openai_chunks,
    openai_completion,
    openai_provider,
    openai_stream,
    probe_request,
    sse,
    sse_response,
    stalled_after,
)

SECOND = "What would you monitor once the model can call tools on its own?"
OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)


def held_back(texts: list[str]) -> bytes:
    """Chunks too short to pass the giveaway check's hold-back (fewer than 8 words)."""
    return sse(openai_chunks(texts)[:-1])


async def test_stream_dropped_before_anything_was_shown_is_retried() -> None:
    sleeps = Sleeps()
    server = Server().add(
        sse_response(broken_after(held_back(["How would ", "you ", "check"]))),
        openai_stream([SECOND]),
    )
    events = [e async for e in openai_provider(server, sleeps).probe(probe_request())]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert len(server.requests) == 2
    assert len(sleeps.waits) == 1  # the policy's own backoff
    assert done.text == SECOND
    assert not done.interrupted
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert shown == SECOND  # no word of the dead stream reached the user


async def test_stream_silent_after_held_back_words_is_retried() -> None:
    server = Server().add(
        sse_response(stalled_after(held_back(["What would ", "you log"]))),
        openai_stream([SECOND]),
    )
    provider = openai_provider(server, idle_timeout_s=0.05)
    events = [e async for e in provider.probe(probe_request())]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert len(server.requests) == 2
    assert done.text == SECOND
    assert not done.interrupted


async def test_anthropic_error_frame_after_held_back_words_is_retried() -> None:
    frames = [*anthropic_frames(["How would ", "you test "])[:5], ("error", OVERLOADED)]
    server = Server().add(sse_response(sse(frames)), anthropic_stream([SECOND]))
    events = [e async for e in anthropic_provider(server).probe(probe_request())]
    done = events[-1]
    assert isinstance(done, ProbeDone)
    assert len(server.requests) == 2
    assert done.text == SECOND
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == SECOND


async def test_held_back_failures_share_the_retry_budget() -> None:
    sleeps = Sleeps()
    dying = [sse_response(broken_after(held_back(["How would ", "you"]))) for _ in range(2)]
    server = Server().add(*dying)
    provider = openai_provider(server, sleeps, max_retries=1)
    with pytest.raises(ProviderError, match="2 attempts") as caught:
        [e async for e in provider.probe(probe_request())]
    assert caught.value.retryable
    assert len(server.requests) == 2
    assert len(sleeps.waits) == 1


async def trickle(body: bytes, *, pad: int, every_s: float) -> AsyncIterator[bytes]:
    """A server that sends a byte at a time, slowly: no single read ever waits long."""
    for _ in range(pad):
        yield b" "  # JSON allows leading whitespace
        await asyncio.sleep(every_s)
    yield body


async def test_grade_that_does_not_finish_within_timeout_is_retried() -> None:
    sleeps = Sleeps()
    complete = openai_completion(json.dumps(good_grade()))
    slow = httpx2.Response(
        200,
        headers={"content-type": "application/json"},
        content=trickle(complete.content, pad=400, every_s=0.01),
    )
    server = Server().add(slow, openai_completion(json.dumps(good_grade())))
    provider = openai_provider(server, sleeps, timeout_s=0.2, structured_output="json_schema")
    done = await collect_grade(provider.grade(grade_request()))
    assert len(server.requests) == 2
    assert len(sleeps.waits) == 1
    assert [v.verdict.value for v in done.output.verdicts] == ["covered", "partial", "missed"]


async def test_grade_never_finishing_gives_up_with_a_retryable_error() -> None:
    body = openai_completion(json.dumps(good_grade())).content
    slow = [httpx2.Response(200, content=trickle(body, pad=400, every_s=0.01)) for _ in range(2)]
    server = Server().add(*slow)
    provider = openai_provider(
        server, Sleeps(), timeout_s=0.1, max_retries=1, structured_output="json_schema"
    )
    with pytest.raises(
        ProviderError,
        match=r"no complete reply from openai within 0\.1 s: raise timeout_s in \[providers\.openai\]",
    ) as caught:
        await collect_grade(provider.grade(grade_request()))
    assert caught.value.retryable
    assert len(server.requests) == 2
