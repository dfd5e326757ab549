"""OpenAI Chat Completions, and every OpenAI-compatible server (Ollama, vLLM, LM Studio,
llama.cpp, OpenRouter) through `base_url`. Imported only when such a provider is built."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import openai

from interviewer.config import ProviderProfile, is_reasoning_model
from interviewer.domain import Sleep
from interviewer.prompts import ChatMessage
from interviewer.providers.base import Role
from interviewer.providers.credentials import api_key
from interviewer.providers.errors_map import SdkErrors
from interviewer.providers.ladder import Finish, Reply, Rung
from interviewer.providers.pricing import Tokens
from interviewer.providers.remote import GRADE_TEMPERATURE_CAP, RemoteProvider
from interviewer.providers.retry import Transient
from interviewer.providers.structured import TOOL_DESCRIPTION, TOOL_NAME
from interviewer.providers.timeouts import FirstByte, http_timeout

OPENAI_URL = "https://api.openai.com/v1"
_FINISH: dict[str | None, Finish] = {"stop": "stop", "length": "length", "tool_calls": "stop"}


def _tokens(usage: Any) -> Tokens:
    details = getattr(usage, "prompt_tokens_details", None)
    return Tokens(
        input=int(getattr(usage, "prompt_tokens", 0) or 0),
        output=int(getattr(usage, "completion_tokens", 0) or 0),
        cached=int(getattr(details, "cached_tokens", 0) or 0) if details is not None else 0,
    )


class OpenAIProvider(RemoteProvider):
    # json_object before tools: a compatible server that takes its schema constrains it like
    # json_schema, while tool definitions cost prompt tokens in llama.cpp's chat templates.
    rungs = ("json_schema", "json_object", "tools", "prompt")
    sdk_errors = SdkErrors(
        status=openai.APIStatusError,
        connection=openai.APIConnectionError,
        timeout=openai.APITimeoutError,
        api=openai.APIError,
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
        super().__init__(name, profile, role, default_server="api.openai.com", sleep=sleep)
        key = api_key(name, profile)
        # base_url is always explicit so $OPENAI_BASE_URL cannot redirect a profile's key.
        self._client = openai.AsyncOpenAI(
            api_key=key,
            base_url=profile.base_url or OPENAI_URL,
            max_retries=0,
            timeout=http_timeout(profile),
            http_client=http_client,
        )
        if profile.base_url is not None:
            # The SDK reads OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment: those ids
            # belong to the user's OpenAI account and must not go to a third-party server.
            self._client.organization = None
            self._client.project = None
        # OpenAI's own API wants max_completion_tokens (reasoning models reject max_tokens);
        # compatible servers know max_tokens.
        self._max_tokens_param = (
            "max_completion_tokens" if profile.base_url is None else "max_tokens"
        )
        # OpenAI's reasoning models reject any temperature but the default.
        self._sends_temperature = not (
            profile.base_url is None and is_reasoning_model(profile.model)
        )

    def _wants_json_instructions(self, rung: Rung) -> bool:
        # JSON mode with a schema (compatible servers) is enforced by the server; OpenAI's own
        # JSON mode takes no schema and wants the word JSON in the messages.
        if rung == "json_object" and self.profile.base_url is not None:
            return False
        return super()._wants_json_instructions(rung)

    async def _model_ids(self) -> list[str]:
        # GET {base_url}/models: every OpenAI-compatible server answers it.
        return [model.id async for model in self._client.models.list()]

    def _secret(self) -> str:
        return str(self._client.api_key)

    async def _close_client(self) -> None:
        await self._client.close()

    def _request(
        self, system: str, messages: list[ChatMessage], temperature: float, budget: int
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.profile.model,
            "messages": [{"role": "system", "content": system}]
            + [{"role": m.role, "content": m.content} for m in messages],
            self._max_tokens_param: budget,
        }
        if self._sends_temperature:
            request["temperature"] = temperature
        if self.profile.effort is not None:
            request["reasoning_effort"] = self.profile.effort
        return request

    async def _stream(
        self, system: str, messages: list[ChatMessage]
    ) -> AsyncIterator[str | Tokens]:
        request = self._request(
            system, messages, self.profile.temperature, self.profile.token_budget
        )
        stream = await self._client.chat.completions.create(
            **request, stream=True, stream_options={"include_usage": True}
        )
        finished = False
        try:
            async for chunk in stream:
                for choice in chunk.choices:
                    if choice.delta is not None and choice.delta.content:
                        yield choice.delta.content
                    finished = finished or choice.finish_reason is not None
                if chunk.usage is not None:
                    yield _tokens(chunk.usage)
        finally:
            await stream.close()
        if not finished:
            # A connection closed cleanly mid-reply looks like an ending; only finish_reason is.
            raise Transient("the reply stream ended before its finish_reason")

    async def _complete(
        self,
        system: str,
        messages: list[ChatMessage],
        rung: Rung,
        schema: dict[str, Any],
        budget: int,
        first_byte: FirstByte = lambda: None,
    ) -> Reply:
        temperature = min(self.profile.temperature, GRADE_TEMPERATURE_CAP)
        request = self._request(system, messages, temperature, budget)
        if rung == "json_schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "grade", "strict": True, "schema": schema},
            }
        elif rung == "json_object":
            request["response_format"] = {"type": "json_object"}
            if self.profile.base_url is not None:
                # llama.cpp and vLLM constrain JSON mode to a schema given here; OpenAI's own
                # API takes no schema in JSON mode.
                request["response_format"]["schema"] = schema
        elif rung == "tools":
            request["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": TOOL_NAME,
                        "description": TOOL_DESCRIPTION,
                        "parameters": schema,
                        "strict": True,
                    },
                }
            ]
            request["tool_choice"] = {"type": "function", "function": {"name": TOOL_NAME}}
        # A streaming response, parsed whole: its headers mark the reply's first byte.
        create = self._client.chat.completions.with_streaming_response.create
        async with create(**request) as response:
            first_byte()
            completion = await response.parse()
        tokens = _tokens(completion.usage) if completion.usage is not None else Tokens()
        if not completion.choices:
            return Reply("", tokens)
        choice = completion.choices[0]
        finish = _FINISH.get(choice.finish_reason, "other")
        message = choice.message
        refusal = str(getattr(message, "refusal", None) or "")
        for call in message.tool_calls or ():
            function = getattr(call, "function", None)
            if function is not None and function.name == TOOL_NAME:
                return Reply(str(function.arguments), tokens, finish, tool_call=True)
        return Reply(message.content or "", tokens, finish, refusal=refusal)
