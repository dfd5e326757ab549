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


def replayer() -> vcr.VCR:
    """Replay only; requests match on method and path (bodies differ between SDK versions)."""
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="none",
        match_on=["method", "path"],
    )
    recorder.register_serializer("pydantic_ai", _PydanticAiSerializer())
    return recorder


def serializer_for(name: str) -> str:
    return "pydantic_ai" if name.endswith(".pydantic-ai.yaml") else "yaml"
