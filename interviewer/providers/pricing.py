"""Token counts of one response and what they cost under a profile's prices."""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.config import ProviderProfile
from interviewer.domain import Usage


@dataclass
class Tokens:
    """Raw counts from one response; `input` includes cached and cache-write tokens."""

    input: int = 0
    output: int = 0
    cached: int = 0
    cache_write: int = 0


def merge(into: Tokens, more: Tokens) -> None:
    into.input += more.input
    into.output += more.output
    into.cached += more.cached
    into.cache_write += more.cache_write


def cost(tokens: Tokens, profile: ProviderProfile) -> Usage:
    """Usage with its cost. Cache writes cost 1.25x input (Anthropic's 5-minute cache)."""
    cached_price = profile.price_cached_input_per_mtok
    if cached_price is None:
        cached_price = profile.price_input_per_mtok
    plain = max(tokens.input - tokens.cached - tokens.cache_write, 0)
    dollars = (
        plain * profile.price_input_per_mtok
        + tokens.cached * cached_price
        + tokens.cache_write * profile.price_input_per_mtok * 1.25
        + tokens.output * profile.price_output_per_mtok
    ) / 1_000_000
    return Usage(
        input_tokens=tokens.input,
        output_tokens=tokens.output,
        cached_tokens=tokens.cached,
        cache_write_tokens=tokens.cache_write,
        cost_usd=round(dollars, 8),
        calls=1,
    )
