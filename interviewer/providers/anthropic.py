"""Anthropic Messages API. Imported only when an anthropic provider is built.

Prompt caching: the system block (instructions, question, and for the grader the key points) is
the stable prefix of every call about one question, so it gets `cache_control` when the
prefix it ends (tool definitions, then the system block) is long enough to be cached. Anthropic
ignores shorter prefixes; the minimum depends on the model (Anthropic's prompt-caching docs: 4096
tokens for Opus 4.6, Opus 4.5 and Haiku 4.5, 2048 for Haiku 3.x, 1024 for the others). We
estimate tokens as characters / 4 and mark the block only at or above the model's minimum.
The transcript after it is never cached: its fence marker is new in every request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx2

from interviewer.config import ProviderProfile
from interviewer.domain import Sleep
from interviewer.prompts import ChatMessage
from interviewer.providers.base import Role
from interviewer.providers.credentials import api_key
from interviewer.providers.errors_map import SdkErrors
from interviewer.providers.ladder import Finish, Reply, Rung
from interviewer.providers.pricing import Tokens
from interviewer.providers.remote import RemoteProvider
from interviewer.providers.retry import Transient
from interviewer.providers.structured import TOOL_DESCRIPTION, TOOL_NAME
from interviewer.providers.timeouts import FirstByte, http_timeout

ANTHROPIC_URL = "https://api.anthropic.com"
CHARS_PER_TOKEN = 4
_FINISH: dict[str | None, Finish] = {
    "end_turn": "stop",
    "tool_use": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "refusal": "refusal",
}


def turns(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """Messages the Messages API accepts: no empty turn (it rejects an empty assistant message,
    as a repair after an empty reply would send), consecutive turns of one role joined."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if not message.content.strip():
            continue
        if out and out[-1]["role"] == message.role:
            out[-1]["content"] += "\n\n" + message.content
        else:
            out.append({"role": message.role, "content": message.content})
    return out


def cache_minimum_tokens(model: str) -> int:
    """The shortest prefix, in tokens, that `model` caches."""
    name = model.lower()
    if "haiku-4" in name or any(f"opus-4{sep}{minor}" in name for sep in "-." for minor in "56"):
        return 4096
    if "haiku-3" in name or "3-haiku" in name or "3-5-haiku" in name:
        return 2048
    return 1024


def _tokens(usage: Any) -> Tokens:
    read = int(getattr(usage, "cache_read_input_tokens", 0) or 0)
    write = int(getattr(usage, "cache_creation_input_tokens", 0) or 0)
    # Anthropic's input_tokens excludes cache reads and writes; ours includes them.
    return Tokens(
        input=int(getattr(usage, "input_tokens", 0) or 0) + read + write,
        output=int(getattr(usage, "output_tokens", 0) or 0),
        cached=read,
        cache_write=write,
    )


class AnthropicProvider(RemoteProvider):
    rungs = ("json_schema", "tools", "prompt")
    sdk_errors = SdkErrors(
        status=anthropic.APIStatusError,
        connection=anthropic.APIConnectionError,
        timeout=anthropic.APITimeoutError,
        api=anthropic.APIError,
    )

    def __init__(
        self,
        name: str,
        profile: ProviderProfile,
        role: Role,
        *,
        http_client: httpx2.AsyncClient | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(name, profile, role, default_server="api.anthropic.com", sleep=sleep)
        # An explicit api_key (and base_url) stops the SDK reading ANTHROPIC_* credentials.
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key(name, profile),
            base_url=profile.base_url or ANTHROPIC_URL,
            max_retries=0,
            timeout=http_timeout(profile),
            http_client=http_client,
        )
        self._cache_chars = cache_minimum_tokens(profile.model) * CHARS_PER_TOKEN

    async def _model_ids(self) -> list[str]:
        return [model.id async for model in self._client.models.list(limit=1000)]

    def _secret(self) -> str:
        return str(self._client.api_key or "")

    async def _close_client(self) -> None:
        await self._client.close()

    def _request(self, system: str, messages: list[ChatMessage], budget: int) -> dict[str, Any]:
        # No temperature: the Messages API of SDK 2.x no longer takes one (the profile's
        # temperature applies to the openai kind).
        return {
            "model": self.profile.model,
            "system": [{"type": "text", "text": system}],
            "messages": turns(messages),
            "max_tokens": budget,
        }

    def _mark_cache(self, request: dict[str, Any]) -> dict[str, Any]:
        """`cache_control` on the system block when the prefix it ends reaches the minimum."""
        block = request["system"][0]
        prefix = len(block["text"])
        if "tools" in request:
            prefix += len(json.dumps(request["tools"]))
        if prefix >= self._cache_chars:
            block["cache_control"] = {"type": "ephemeral"}
        return request

    async def _stream(
        self, system: str, messages: list[ChatMessage]
    ) -> AsyncIterator[str | Tokens]:
        request = self._mark_cache(self._request(system, messages, self.profile.token_budget))
        stream = await self._client.messages.create(**request, stream=True)
        tokens: Tokens | None = None
        stopped = False
        try:
            async for event in stream:
                stopped = stopped or event.type == "message_stop"
                if event.type == "message_start":
                    tokens = _tokens(event.message.usage)
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    yield event.delta.text
                elif event.type == "message_delta" and tokens is not None:
                    # output_tokens here is the running total for the message.
                    tokens.output = int(event.usage.output_tokens or 0)
            if tokens is not None:
                yield tokens
        finally:
            await stream.close()
        if not stopped:
            raise Transient("the reply stream ended before message_stop")

    async def _complete(
        self,
        system: str,
        messages: list[ChatMessage],
        rung: Rung,
        schema: dict[str, Any],
        budget: int,
        first_byte: FirstByte = lambda: None,
    ) -> Reply:
        request = self._request(system, messages, budget)
        if rung == "json_schema":
            request["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        elif rung == "tools":
            request["tools"] = [
                {"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "input_schema": schema}
            ]
            request["tool_choice"] = {"type": "tool", "name": TOOL_NAME}
        # A streaming response, parsed whole: its headers mark the reply's first byte.
        create = self._client.messages.with_streaming_response.create
        async with create(**self._mark_cache(request)) as response:
            first_byte()
            message = await response.parse()
        tokens = _tokens(message.usage)
        finish = _FINISH.get(message.stop_reason, "other")
        texts: list[str] = []
        for block in message.content:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                return Reply(json.dumps(block.input, ensure_ascii=False), tokens, finish, True)
            if block.type == "text":
                texts.append(block.text)
        text = "".join(texts)
        return Reply(text, tokens, finish, refusal=text if finish == "refusal" else "")
