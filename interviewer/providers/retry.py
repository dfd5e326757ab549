"""The one retry layer (SDK clients are built with max_retries=0).

Provider code raises `Transient` for a failure worth another attempt (connection error, timeout,
408, 409, 429, 5xx, 529, a stream that dies before its first token) and `ProviderError` for one
that is not. `call_with_retries` retries only `Transient`, with exponential backoff and jitter,
or the server's own retry-after (capped at `retry_max_wait_s`). The sleep is injectable so tests
check the waits without sleeping.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)
from tenacity.stop import stop_any, stop_base

from interviewer.domain import Sleep
from interviewer.errors import ProviderError

T = TypeVar("T")

BASE_WAIT_S = 0.5
"""First backoff step; doubles each attempt (0.5, 1, 2, 4 ...) before jitter and the cap."""


class Transient(Exception):
    """A failure another attempt may fix. `retry_after` is the server's hint, in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        seconds = _finite(millis)
        if seconds is not None:
            return max(seconds / 1000.0, 0.0)
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(parsed.timestamp() - time.time(), 0.0)


def _finite(text: str) -> float | None:
    # "nan" and "inf" parse as floats; asyncio.sleep(nan) never returns.
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def backoff(attempt: int, cap: float, rng: Callable[[], float] = random.random) -> float:
    """Wait before retry number `attempt` (1-based): exponential, jittered to 50-100%, capped."""
    ceiling = min(BASE_WAIT_S * 2.0 ** (attempt - 1), cap)
    return ceiling * (0.5 + 0.5 * rng())


def _wait(cap: float) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, Transient) and error.retry_after is not None:
            return min(float(error.retry_after), cap)
        return backoff(state.attempt_number, cap)

    return wait


async def call_with_retries(
    attempt: Callable[[], Awaitable[T]],
    *,
    max_retries: int,
    max_wait_s: float,
    what: str,
    sleep: Sleep = asyncio.sleep,
    budget_s: float | None = None,
    budget_key: str = "call_budget_s",
) -> T:
    """Run `attempt` until it succeeds, raises a non-Transient error, or retries run out.

    Out of retries, the last Transient becomes a ProviderError(retryable=True) naming `what`.
    `budget_s` bounds the whole call, waits and retries included: no retry starts that would
    sleep past it, and an attempt still running at the deadline is cancelled; the error then
    names `budget_key`, the setting that raises it.
    """
    started, slept, attempts = time.monotonic(), 0.0, 0

    async def counted_sleep(seconds: float) -> None:
        nonlocal slept
        slept += seconds
        await sleep(seconds)

    class _PastBudget(stop_base):
        hit = False

        def __call__(self, state: RetryCallState) -> bool:
            nonlocal attempts
            attempts = state.attempt_number
            # Time spent is the clock's, or the sum of the waits when the sleep is a fake.
            spent = max(time.monotonic() - started, slept)
            self.hit = budget_s is not None and spent + (state.upcoming_sleep or 0) > budget_s
            return self.hit

    past_budget = _PastBudget()
    stop = stop_any(past_budget, stop_after_attempt(max_retries + 1))
    retrying = AsyncRetrying(
        sleep=counted_sleep,
        stop=stop,
        wait=_wait(max_wait_s),
        retry=retry_if_exception_type(Transient),
        reraise=True,
    )

    failures: list[str] = []

    # tenacity awaits only what it recognises as a coroutine function, not a lambda.
    async def run() -> T:
        try:
            return await attempt()
        except Transient as exc:
            failures.append(exc.message)
            raise

    try:
        async with asyncio.timeout(budget_s):
            return await retrying(run)
    except TimeoutError:
        # Why the attempts before the deadline failed says which other setting may be short.
        before = f"; the attempt before: {failures[-1]}" if failures else ""
        raise ProviderError(
            f"{what}: no reply within {budget_s:g}s, retries included{before} (raise "
            f"{budget_key} for a slow model, or use --provider offline)",
            retryable=True,
        ) from None
    except Transient as exc:
        tries = "1 attempt" if attempts <= 1 else f"{attempts} attempts"
        hint = "try again later"
        if past_budget.hit:
            hint = f"another would pass {budget_s:g}s: raise {budget_key} for a slow model"
        raise ProviderError(
            f"{what}: {exc.message} (gave up after {tries}; {hint}, or use --provider offline)",
            retryable=True,
        ) from None
