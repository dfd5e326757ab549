"""The grader's structured output: JSON schema, parsing and validation.

The schema has no score field: the model returns per-key-point verdicts with evidence quotes, and
our code scores them. It is written to satisfy OpenAI strict mode and Anthropic structured output
(every property required, no additional properties). `verdicts` is an object with one required
property per key point id, in the bank's order: a server that turns the schema into a grammar
(llama.cpp) then makes even a tiny model give exactly one verdict for every point. Replies with
`verdicts` as a list of `{key_point_id, verdict, evidence}` (older recordings, models that ignore
the schema) are read too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from interviewer.domain import GraderOutput, KeyPointVerdict, Question, Verdict
from interviewer.prompts import restore
from interviewer.providers.output_check import prose_problem

TOOL_NAME = "submit_grade"
TOOL_DESCRIPTION = "Submit the verdict for every key point, strengths, gaps and feedback."


class InvalidGrade(ValueError):
    """The model's grading output is unusable; the message goes back to it for one repair."""


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key_point_id: str
    verdict: Literal["covered", "partial", "missed"]
    evidence: str = ""


class _Judgement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Literal["covered", "partial", "missed"]
    evidence: str = ""


class _Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdicts: list[_Item]
    strengths: list[str] = []
    gaps: list[str] = []
    feedback: str = ""


class _KeyedReply(_Reply):
    verdicts: dict[str, _Judgement]  # type: ignore[assignment]


def grade_schema(question: Question, ids: Sequence[str] | None = None) -> dict[str, Any]:
    """JSON schema of the grader's reply for `question`, with a verdict for each key point in
    `ids` (default: all; a later call asks only about the points still open, `Carried`)."""
    strings = {"type": "array", "items": {"type": "string"}}
    judgement = {
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": ["covered", "partial", "missed"]},
            # What evidence must be is said once, in the system prompt (`prompts/grade_system.md`):
            # a description here would be sent again for every key point.
            "evidence": {"type": "string"},
        },
        "required": ["verdict", "evidence"],
        "additionalProperties": False,
    }
    ids = list(ids) if ids is not None else [point.id for point in question.key_points]
    return {
        "type": "object",
        "properties": {
            "verdicts": {
                "type": "object",
                "properties": {point: judgement for point in ids},
                "required": ids,
                "additionalProperties": False,
            },
            "strengths": strings,
            "gaps": strings,
            "feedback": {"type": "string"},
        },
        "required": ["verdicts", "strengths", "gaps", "feedback"],
        "additionalProperties": False,
    }


def decode_json(text: str) -> Any:
    """`text` decoded as JSON, raw control characters inside strings included: llama.cpp's JSON
    grammar lets a model write a bare newline inside a string, which strict JSON forbids, and
    the rest of such a reply is as good as any."""
    return json.loads(text, strict=False)


_FENCED_JSON = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.DOTALL)


def extract_json(text: str) -> Any:
    """The JSON object in a reply: the whole text, a ```json block, or the outermost braces."""
    candidates = [text.strip()]
    match = _FENCED_JSON.search(text)
    if match:
        candidates.append(match.group(1))
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return decode_json(candidate)
        except ValueError:
            continue
    raise InvalidGrade("the reply is not a JSON object")


def shown_prose(texts: Sequence[str], answers: Sequence[str]) -> tuple[str, ...]:
    """The prose that passes `output_check`; the rest is dropped (the verdicts still stand)."""
    kept = (text.strip() for text in texts)
    return tuple(text for text in kept if text and prose_problem(text, answers) is None)


def parse_grade(
    data: Any, question: Question, answers: Sequence[str] = (), ids: Sequence[str] | None = None
) -> GraderOutput:
    """Validate `data` (a JSON string or decoded object) into a GraderOutput, or InvalidGrade:
    one verdict for each key point in `ids` (default: all), as `grade_schema` asked.

    Feedback, strengths and gaps that echo our prompt (or long runs of `answers`, the
    candidate's) are dropped: they would show the candidate our instructions."""
    if isinstance(data, str):
        data = extract_json(data)
    try:
        keyed = isinstance(data, dict) and isinstance(data.get("verdicts"), dict)
        reply = (_KeyedReply if keyed else _Reply).model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InvalidGrade(f"{where}: {first['msg']}") from None
    items = (
        reply.verdicts
        if isinstance(reply.verdicts, list)
        else [
            _Item(key_point_id=point, verdict=given.verdict, evidence=given.evidence)
            for point, given in reply.verdicts.items()
        ]
    )
    known = [point.id for point in question.key_points]
    wanted = list(ids) if ids is not None else known
    unknown = sorted({item.key_point_id for item in items} - set(known))
    # A verdict on a point that was not asked about (settled earlier) is not used: no repair.
    seen = [item.key_point_id for item in items if item.key_point_id in wanted]
    missing = [point for point in wanted if point not in seen]
    duplicate = sorted({point for point in seen if seen.count(point) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown key_point_id {', '.join(unknown)}")
    if missing:
        problems.append(f"no verdict for {', '.join(missing)}")
    if duplicate:
        problems.append(f"more than one verdict for {', '.join(duplicate)}")
    if problems:
        raise InvalidGrade("; ".join(problems))
    by_id = {item.key_point_id: item for item in items}
    verdicts = tuple(
        KeyPointVerdict(
            key_point_id=point,
            verdict=Verdict(by_id[point].verdict),
            # The model quotes the neutralised answer; map its quote back to the raw characters.
            evidence=restore(by_id[point].evidence).strip() or None,
        )
        for point in wanted
    )
    return GraderOutput(
        verdicts=verdicts,
        strengths=shown_prose(reply.strengths, answers),
        gaps=shown_prose(reply.gaps, answers),
        feedback="".join(shown_prose([reply.feedback], answers)),
    )
