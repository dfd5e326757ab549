"""The deadlines of one provider call, and the one-line messages that name the setting to raise.

An attempt has three, each a profile setting: `connect_timeout_s` to open the connection,
`first_token_timeout_s` to the first token of the reply (a stream's first text, or the first
byte of a reply that is not streamed), then `idle_timeout_s` between a stream's chunks or
`timeout_s` for the whole of a non-streamed reply. `call_budget_s` bounds all attempts and their
waits together (`providers.retry`). httpx's own read timeout is set past all of them, as a
backstop only: the error a user meets is one of ours, and it says which setting to raise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx2

from interviewer.config import ProviderProfile
from interviewer.providers.retry import Transient

T = TypeVar("T")

BACKSTOP_MARGIN_S = 1.0
"""How far past our own deadlines httpx's read timeout is set, so ours always fire first."""

FirstByte = Callable[[], None]
"""Called by a non-streamed request once its reply has started (its headers are in)."""


def raise_hint(key: str, profile_name: str) -> str:
    """Where the setting that would have allowed more time lives."""
    return f"raise {key} in [providers.{profile_name}]"


def no_first_token(profile_name: str, seconds: float) -> str:
    return f"no first token from {profile_name} within {seconds:g} s: " + raise_hint(
        "first_token_timeout_s", profile_name
    )


def went_silent(profile_name: str, seconds: float) -> str:
    return f"{profile_name} went silent for {seconds:g} s mid-reply: " + raise_hint(
        "idle_timeout_s", profile_name
    )


def stream_cut(profile_name: str, profile: ProviderProfile, *, started: bool) -> str:
    """Why a silent stream was cut: before its first token, or between chunks."""
    if started:
        return went_silent(profile_name, profile.idle_timeout_s)
    return no_first_token(profile_name, profile.first_token_s)


def no_first_byte(profile_name: str, seconds: float) -> str:
    return (
        f"no reply from {profile_name} within {seconds:g} s, not even its first byte: "
        + raise_hint("first_token_timeout_s", profile_name)
    )


def unfinished(profile_name: str, seconds: float) -> str:
    return f"no complete reply from {profile_name} within {seconds:g} s: " + raise_hint(
        "timeout_s", profile_name
    )


def http_timeout(profile: ProviderProfile) -> httpx2.Timeout:
    """The SDK client's timeouts: connect as configured, the rest a backstop past ours."""
    ours = max(profile.timeout_s, profile.first_token_s, profile.idle_timeout_s)
    return httpx2.Timeout(ours + BACKSTOP_MARGIN_S, connect=profile.connect_timeout_s)


async def within_deadlines(
    call: Callable[[FirstByte], Awaitable[T]], profile_name: str, profile: ProviderProfile
) -> T:
    """Await one non-streamed request, `call(first_byte)`: its first byte within
    first_token_timeout_s, the whole reply within timeout_s. Transient when either passes.

    httpx's timeouts are per operation: a server trickling bytes would never trip them, so the
    whole call gets a deadline of its own."""
    first_s, whole_s = profile.first_token_s, profile.timeout_s
    start = asyncio.get_running_loop().time()
    deadline = asyncio.timeout_at(start + min(first_s, whole_s))
    started = False

    def first_byte() -> None:
        nonlocal started
        if not started and not deadline.expired():
            started = True
            deadline.reschedule(start + whole_s)

    try:
        async with deadline:
            return await call(first_byte)
    except TimeoutError:
        if not deadline.expired():
            raise  # not ours: the caller's handling sees it unchanged
        if started or whole_s <= first_s:
            raise Transient(unfinished(profile_name, whole_s)) from None
        raise Transient(no_first_byte(profile_name, first_s)) from None
