"""The structured output of the two calls that split a grading in two: the assessment after each
answer (verdicts with evidence, no prose) and the closing feedback (prose for verdicts already
decided). Both schemas are cut from the grading schema (`structured.grade_schema`), so the three
agree on every field they share; the assessment's reply parses as a grading reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from interviewer.domain import GraderOutput, KeyPointVerdict, Question
from interviewer.providers.structured import (
    InvalidGrade,
    extract_json,
    grade_schema,
    parse_grade,
    shown_prose,
)

_PROSE = ("strengths", "gaps", "feedback")


def _cut(schema: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
    return {
        **schema,
        "properties": {name: schema["properties"][name] for name in keep},
        "required": list(keep),
    }


def assess_schema(question: Question, ids: Sequence[str] | None = None) -> dict[str, Any]:
    """JSON schema of an assessment reply: the verdicts only (for the key points in `ids`)."""
    return _cut(grade_schema(question, ids), ("verdicts",))


def feedback_schema(question: Question) -> dict[str, Any]:
    """JSON schema of the closing feedback reply: strengths, gaps and feedback only."""
    return _cut(grade_schema(question), _PROSE)


def parse_assess(data: Any, question: Question, ids: Sequence[str] | None = None) -> GraderOutput:
    """An assessment reply as a GraderOutput without prose, or InvalidGrade."""
    output = parse_grade(data, question, ids=ids)
    return GraderOutput(verdicts=output.verdicts)


class _Prose(BaseModel):
    model_config = ConfigDict(extra="forbid")
    strengths: list[str] = []
    gaps: list[str] = []
    feedback: str = ""


def parse_feedback(
    data: Any, verdicts: tuple[KeyPointVerdict, ...], answers: Sequence[str] = ()
) -> GraderOutput:
    """A feedback reply as a GraderOutput carrying the decided `verdicts`, or InvalidGrade.
    Prose that fails the output check is dropped, as in `parse_grade`."""
    if isinstance(data, str):
        data = extract_json(data)
    if isinstance(data, dict):
        # A model that repeats the verdicts anyway has not broken anything: they are not used.
        data = {key: value for key, value in data.items() if key != "verdicts"}
    try:
        reply = _Prose.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InvalidGrade(f"{where}: {first['msg']}") from None
    return GraderOutput(
        verdicts=verdicts,
        strengths=shown_prose(reply.strengths, answers),
        gaps=shown_prose(reply.gaps, answers),
        feedback="".join(shown_prose([reply.feedback], answers)),
    )
