"""vcrpy set-up for the real recorded cassettes in tests/data/cassettes (copied from
/work/shared/cassettes; see the README there for where each was recorded).

Two layouts: plain vcrpy YAML, and pydantic-ai's, which stores JSON bodies as YAML under
`parsed_body`; `_PydanticAiSerializer` turns those back into JSON strings on load.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import vcr
from vcr.serializers import yamlserializer

CASSETTES = Path(__file__).resolve().parent.parent / "data" / "cassettes"


class _PydanticAiSerializer:
    @staticmethod
    def deserialize(cassette_string: str) -> dict[str, Any]:
        data: dict[str, Any] = yamlserializer.deserialize(cassette_string)
        for interaction in data["interactions"]:
            request = interaction["request"]
            if "parsed_body" in request:
                request["body"] = json.dumps(request.pop("parsed_body"))
            request.setdefault("body", None)
            response = interaction["response"]
            if "parsed_body" in response:
                response["body"] = {"string": json.dumps(response.pop("parsed_body"))}
                # the recorded length was of the original bytes, not of our re-encoding
                response["headers"].pop("content-length", None)
        return data

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        raise AssertionError("cassettes are replayed only (record_mode='none')")


def _body(request: Any) -> dict[str, Any] | None:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _structured(body: dict[str, Any]) -> str | None:
    response_format = body.get("response_format")
    if isinstance(response_format, dict):
        return f"response_format:{response_format.get('type')}"
    if body.get("tools"):
        return "tools"
    if isinstance(body.get("output_config"), dict):
        return f"output_config:{body['output_config'].get('format', {}).get('type')}"
    if isinstance(body.get("output_format"), dict):
        return f"output_format:{body['output_format'].get('type')}"
    return None


def _is_text(content: Any) -> bool:
    # A plain string, or (Anthropic) a list of text blocks: the same turn on the wire.
    if isinstance(content, str):
        return bool(content.strip())
    return isinstance(content, list) and all(
        isinstance(block, dict) and block.get("type") == "text" for block in content
    )


def request_shape(body: dict[str, Any]) -> dict[str, Any]:
    """What must agree between our request and the recorded real one: the model, streaming, the
    turns after the system prompt (roles, and text content), and how structure is asked for.
    Wording, sampling settings and token caps are ours to choose."""
    turns = [m for m in body.get("messages", []) if m.get("role") != "system"]
    return {
        "model": body.get("model"),
        "stream": bool(body.get("stream")),
        "roles": [m.get("role") for m in turns],
        "text_content": all(_is_text(m.get("content")) for m in turns),
        "structured": _structured(body),
    }


def same_shape(ours: Any, recorded: Any) -> None:
    """vcrpy matcher: AssertionError (vcrpy shows it) when the request shapes differ."""
    mine, theirs = _body(ours), _body(recorded)
    if mine is None or theirs is None:
        raise AssertionError("no JSON body to compare")
    assert request_shape(mine) == request_shape(theirs)


def replayer(*, bodies: bool = True) -> vcr.VCR:
    """Replay only. Requests match on method and path, and with `bodies` on the shape of the
    JSON body too (`request_shape`); a few recordings were made by other clients' requests
    (pydantic-ai's tool-call streams, Anthropic's beta `output_format`), which no request of
    ours matches, and are replayed on method and path only."""
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="none",
        match_on=["method", "path", "same_shape"] if bodies else ["method", "path"],
    )
    recorder.register_matcher("same_shape", same_shape)
    recorder.register_serializer("pydantic_ai", _PydanticAiSerializer())
    return recorder


def serializer_for(name: str) -> str:
    return "pydantic_ai" if name.endswith(".pydantic-ai.yaml") else "yaml"
