"""The structured-output ladder: which way of asking for JSON a server takes, found by trying.

Rungs, best first: `json_schema` (OpenAI `response_format`, Anthropic `output_config`),
`json_object` (openai kind only: JSON mode; a compatible server also gets the schema, which
llama.cpp turns into a grammar), `tools` (one forced tool call), `prompt` (the schema in the
prompt, nothing enforced). In auto mode a rung the server says it does not take (HTTP 400/422, or a
5xx whose body names the format, as llama.cpp's server answers) or a 200 reply that ignored it (no
tool call; a reply that is not JSON) moves to the next rung at once, with no retries, and the rung
that worked is remembered for the provider's life: one session. A pinned rung is the only one
tried.

Also here, because it is decided per reply: a reply cut by the token budget with nothing usable
is asked again once with twice the budget, then fails naming `max_tokens`; a refusal fails at
once, saying the model refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from interviewer.config import ProviderProfile
from interviewer.errors import GradingFailed, ProviderError
from interviewer.providers.pricing import Tokens, cost, merge
from interviewer.providers.structured import InvalidGrade, decode_json, extract_json

Rung = Literal["json_schema", "tools", "json_object", "prompt"]
Finish = Literal["stop", "length", "refusal", "other"]
MAX_BUDGET = 64000
"""The largest budget a length retry asks for (the config's own upper bound)."""


class Unsupported(Exception):
    """The server does not take this rung; the message says what it answered."""


@dataclass
class Reply:
    """One non-streamed reply, as the ladder needs to judge it."""

    text: str
    tokens: Tokens = field(default_factory=Tokens)
    finish: Finish = "stop"
    tool_call: bool = False
    """The reply came as a call of our tool (what the tools rung asked for)."""
    refusal: str = ""
    """The model's refusal message (OpenAI `refusal`; Anthropic stop_reason "refusal")."""


Attempt = Callable[[Rung, int], Awaitable[Reply]]
"""One reply by `rung` with a budget of that many tokens: retried inside, raises Unsupported."""


def _usable(text: str) -> bool:
    try:
        extract_json(text)
    except InvalidGrade:
        return False
    return True


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(decode_json(text.strip()), dict)
    except ValueError:
        return False


def ignored(rung: Rung, reply: Reply) -> bool:
    """A 200 reply that shows the server dropped the requested format."""
    if rung == "tools":
        return not reply.tool_call
    if rung in ("json_schema", "json_object"):
        # A server that enforces the format can only return one JSON object (or be cut short).
        return reply.finish != "length" and not _is_json_object(reply.text)
    return False


class Ladder:
    """The rungs of one provider and the one that worked."""

    def __init__(
        self, rungs: tuple[Rung, ...], profile_name: str, profile: ProviderProfile, label: str
    ) -> None:
        self.profile_name, self.profile, self.label = profile_name, profile, label
        pinned = profile.structured_output
        if pinned != "auto" and pinned not in rungs:
            raise ProviderError(
                f"[providers.{profile_name}]: structured_output = {pinned!r} is not available "
                f"for kind {profile.kind!r}; use one of: auto, {', '.join(rungs)}"
            )
        self.rungs: tuple[Rung, ...] = (pinned,) if pinned != "auto" else rungs
        self.working: Rung | None = None

    @property
    def pinned(self) -> bool:
        return self.profile.structured_output != "auto"

    def _to_try(self) -> tuple[Rung, ...]:
        if self.working is None:
            return self.rungs
        return self.rungs[self.rungs.index(self.working) :]

    async def call(self, attempt: Attempt) -> tuple[str, Tokens]:
        """The reply text by the best rung that works, and the tokens of every request."""
        tokens = Tokens()
        tried: list[str] = []
        rungs = self._to_try()
        for index, rung in enumerate(rungs):
            try:
                reply = await self._budgeted(attempt, rung, tokens)
            except Unsupported as exc:
                if self.pinned:
                    raise ProviderError(
                        f"{exc}; the server does not take structured_output = {rung!r}: set "
                        f'structured_output = "auto" in [providers.{self.profile_name}]'
                    ) from None
                tried.append(f"{rung} ({exc})")
                continue
            # A rung that once came back in form is trusted: a later prose reply is the model's
            # fault (the repair turn handles it), not the server's.
            confirmed = rung == self.working
            if not (self.pinned or confirmed) and index + 1 < len(rungs) and ignored(rung, reply):
                tried.append(f"{rung} (reply ignored the format)")
                continue
            self.working = rung
            return reply.text, tokens
        raise ProviderError(
            f"{self.label}: no structured-output mode worked: {'; '.join(tried)}"[:400]
        )

    async def _budgeted(self, attempt: Attempt, rung: Rung, tokens: Tokens) -> Reply:
        budget = self.profile.token_budget
        reply = await attempt(rung, budget)
        merge(tokens, reply.tokens)
        if reply.finish == "length" and not _usable(reply.text):
            # Reasoning models spend the budget thinking and return nothing: once, with more.
            budget = min(budget * 2, MAX_BUDGET)
            reply = await attempt(rung, budget)
            merge(tokens, reply.tokens)
            if reply.finish == "length" and not _usable(reply.text):
                effort = " or lower reasoning_effort" if self.profile.effort else ""
                raise GradingFailed(
                    f"grading failed: {self.label} used its whole token budget ({budget} "
                    f"tokens) without finishing the grade; raise max_tokens{effort} in "
                    f"[providers.{self.profile_name}]",
                    usage=cost(tokens, self.profile),
                )
        if reply.refusal or reply.finish == "refusal":
            said = " ".join(reply.refusal.split())[:160]
            raise GradingFailed(
                f"grading failed: {self.label} refused to grade this answer"
                + (f" ({said})" if said else "")
                + "; retry, or grade offline",
                usage=cost(tokens, self.profile),
            )
        return reply
