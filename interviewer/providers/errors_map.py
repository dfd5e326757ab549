"""Turn an SDK exception into `Transient` (retry it) or a one-line `ProviderError` (what to fix).

Both SDKs share the shape (APIStatusError with status_code / response / body, APIConnectionError,
APITimeoutError), so one function serves both; each provider passes its own SDK's classes, which
keeps this module free of SDK imports. Server messages are shortened and scrubbed of the key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

from interviewer.errors import ProviderError
from interviewer.providers.retry import Transient, parse_retry_after

RETRY_STATUS = frozenset({408, 409, 429, 529})
# Error types and codes that mean a transient server-side problem, seen in error bodies after an
# HTTP 200 (a mid-stream `event: error` frame) as well as with a status.
TRANSIENT_TYPES = frozenset(
    {"overloaded_error", "api_error", "rate_limit_error", "server_error", "timeout_error"}
)
# A 429 with one of these is a spent quota or budget, which waiting will not fix.
QUOTA_CODES = frozenset(
    {"insufficient_quota", "billing_hard_limit_reached", "billing_not_active", "quota_exceeded"}
)
_MAX_MESSAGE = 160
# Error types that mean the request itself is wrong: retrying the same request cannot help.
_FRAME_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
}


@dataclass(frozen=True)
class SdkErrors:
    """The exception classes of one SDK."""

    status: type[BaseException]
    connection: type[BaseException]
    timeout: type[BaseException]
    api: type[BaseException]


@dataclass(frozen=True)
class Where:
    """What the one-line messages name: the profile, its key variable, model and server."""

    profile: str
    model: str
    server: str
    key_env: str | None
    secret: str = field(repr=False)


# Words in an error body that say the structured-output request itself was the problem.
_FORMAT_WORDS = (
    "response_format",
    "json_schema",
    "json_object",
    "tool_choice",
    "tools",
    "output_config",
    "output_format",
    "structured output",
    "grammar",
)


def rejects_format(exc: BaseException, sdk: SdkErrors) -> bool:
    """Whether `exc` says the server does not take the structured-output request: a 400 or 422,
    or a 5xx whose body names the format (llama.cpp's server answers 500 with its validation
    error). Retrying that request is pointless; the next rung of the ladder is not."""
    if not isinstance(exc, sdk.status):
        return False
    status = int(getattr(exc, "status_code", 0))
    if status in (400, 422):
        return True
    if status < 500:
        return False
    body = getattr(exc, "body", None)
    text = (json.dumps(body) if not isinstance(body, str) else body).lower()
    return any(word in text for word in _FORMAT_WORDS)


def _error_dict(body: object) -> Mapping[str, Any]:
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return {"message": body}
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            return inner
        return body
    return {}


def _message(error: Mapping[str, Any], where: Where) -> str:
    text = error.get("message")
    message = " ".join(str(text).split()) if text else ""
    if where.secret and where.secret in message:
        message = message.replace(where.secret, "***")
    return message[:_MAX_MESSAGE]


def _offline() -> str:
    return "or run with --provider offline (works without a key)"


def translate(exc: BaseException, sdk: SdkErrors, where: Where) -> Exception:
    """The exception to raise in place of `exc`."""
    if isinstance(exc, (sdk.timeout, httpx2.TimeoutException)):
        # The SDKs wrap httpx's exception; which timeout it was names the setting.
        cause = exc if isinstance(exc, httpx2.TimeoutException) else exc.__cause__
        key = "connect_timeout_s" if isinstance(cause, httpx2.ConnectTimeout) else "timeout_s"
        return Transient(
            f"timed out talking to {where.server}: raise {key} in [providers.{where.profile}]"
        )
    if isinstance(exc, (sdk.connection, httpx2.TransportError)):
        cause = exc.__cause__ or exc.__context__
        detail = f" ({type(cause).__name__})" if cause is not None else ""
        return Transient(
            f"cannot reach {where.server}{detail}: is the server running and is "
            f"`base_url` of [providers.{where.profile}] right?"
        )
    if isinstance(exc, sdk.status):
        status = int(getattr(exc, "status_code", 0))
        response = getattr(exc, "response", None)
        headers = response.headers if isinstance(response, httpx2.Response) else None
        return from_status(status, getattr(exc, "body", None), headers, where)
    if isinstance(exc, sdk.api):
        # A mid-stream error frame without a status (OpenAI's stream).
        return from_status(200, getattr(exc, "body", None), None, where)
    return ProviderError(f"{where.profile}: unexpected error: {type(exc).__name__}: {exc}"[:200])


def from_status(
    status: int, body: object, headers: Mapping[str, str] | None, where: Where
) -> Exception:
    """Classify an HTTP status (200 for an error frame inside a stream) and its error body."""
    error = _error_dict(body)
    kind = str(error.get("type") or "")
    code = str(error.get("code") or "")
    message = _message(error, where)
    profile = f"[providers.{where.profile}]"
    if status == 200:
        # An error frame inside a stream carries its real status only in its body.
        if code in QUOTA_CODES or kind in QUOTA_CODES:
            status = 429
        elif code.isdigit() and int(code) != 200:
            status = int(code)
        elif kind in _FRAME_STATUS:
            status = _FRAME_STATUS[kind]
    if status == 401:
        if where.key_env is None:
            return ProviderError(
                f"{where.server} wants a key (401) for provider {where.profile!r}: set "
                f"api_key_env in {profile} to the variable holding it, {_offline()}"
            )
        return ProviderError(
            f"{where.server} rejected the key in {where.key_env} (401) for provider "
            f"{where.profile!r}: check the key, {_offline()}"
        )
    if status == 403:
        return ProviderError(
            f"{where.server} refused access (403) for provider {where.profile!r}: the key may "
            f"lack access to model {where.model!r}; {_offline()}"
        )
    if status == 404:
        return ProviderError(
            f"model {where.model!r} not found at {where.server} (404): check `model` and "
            f"`base_url` in {profile}, {_offline()}"
        )
    if status == 429 and (code in QUOTA_CODES or kind in QUOTA_CODES):
        return ProviderError(
            f"{where.server}: quota or spend limit exhausted for provider {where.profile!r} "
            f"({code or kind}): check billing, {_offline()}"
        )
    detail = f": {message}" if message else ""
    if status in RETRY_STATUS or status >= 500 or (status == 200 and kind in TRANSIENT_TYPES):
        label = f"HTTP {status}" if status != 200 else f"stream error {kind or 'unknown'}"
        return Transient(f"{where.server} {label}{detail}", retry_after=parse_retry_after(headers))
    if status == 200:
        # An unclassified error frame mid-stream: most are server-side hiccups.
        return Transient(f"{where.server} stream error {kind or code or 'unknown'}{detail}")
    return ProviderError(
        f"{where.server} rejected the request (HTTP {status}){detail}; provider {where.profile!r}"
    )
