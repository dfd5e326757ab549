"""call_budget_s bounds a whole call, retries and waits included (issue 11, item 5)."""

from __future__ import annotations

import asyncio
import time

import pytest

from interviewer.errors import ProviderError
from interviewer.providers.base import collect_probe
from interviewer.providers.openai import OpenAIProvider
from interviewer.providers.retry import Transient, call_with_retries
from tests.providers.support import (
    OPENAI_KEY,
    Server,
    Sleeps,
    openai_chunks,
    probe_request,
    profile,
    sse,
    sse_response,
    stalled_after,
)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)


async def test_a_stalled_stream_gives_up_at_the_budget_not_after_every_retry() -> None:
    first = sse(openai_chunks([])[:1])  # the role chunk, then silence
    server = Server().add(*[lambda _request: sse_response(stalled_after(first))] * 11)
    # real sleeps: the idle timer and the budget both run on the clock here
    provider = OpenAIProvider(
        "openai",
        profile("openai", first_token_timeout_s=0.3, call_budget_s=1.0, max_retries=10),
        "interviewer",
        http_client=server.client(),
        sleep=asyncio.sleep,
    )
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        await collect_probe(provider.probe(probe_request()))
    # eleven idle timeouts with their backoffs take over 10 s
    assert time.monotonic() - started < 5.0
    assert "call_budget_s in [providers.openai]" in str(caught.value)
    assert len(server.requests) <= 5


async def test_no_retry_sleeps_past_the_budget() -> None:
    sleeps = Sleeps()
    calls = 0

    async def attempt() -> str:
        nonlocal calls
        calls += 1
        raise Transient("busy", retry_after=30)

    with pytest.raises(ProviderError, match="gave up after 2 attempts; another would pass 45s"):
        await call_with_retries(
            attempt, max_retries=5, max_wait_s=30, what="x", sleep=sleeps, budget_s=45
        )
    # the first 30 s wait fits in 45 s; a second would not
    assert calls == 2 and sleeps.waits == [30]
