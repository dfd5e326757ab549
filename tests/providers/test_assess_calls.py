"""The assessment and feedback calls of the remote providers over a scripted HTTP server, and a
whole interview against a scripted LLM grader: a strong answer gets fewer probes than a partial
one, and the final grade makes no second verdict call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from interviewer.config import InterviewSettings
from interviewer.domain import Exchange, KeyPointVerdict, Verdict
from interviewer.engine.session import Interview
from interviewer.errors import GradingFailed
from interviewer.journal import Assessed, Evaluated, ProbeGiven, read_records
from interviewer.providers.base import AssessRequest, GradeDone, GradeRequest, collect_grade
from tests.providers.support import (
    ANSWER,
    ANTHROPIC_KEY,
    OPENAI_KEY,
    QUESTION,
    Server,
    anthropic_message,
    anthropic_provider,
    good_grade,
    openai_completion,
    openai_provider,
    openai_stream,
)


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)


def assess_request(answer: str = ANSWER) -> AssessRequest:
    return AssessRequest(
        QUESTION, (Exchange(kind="question", prompt=QUESTION.text, answer=answer),)
    )


def verdicts_only() -> dict[str, Any]:
    reply = good_grade()
    return {"verdicts": reply["verdicts"]}


def user_turn(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


async def test_openai_assessment_asks_for_verdicts_only() -> None:
    server = Server().add(openai_completion(json.dumps(verdicts_only())))
    done = await openai_provider(server).assess(assess_request())
    verdicts = {v.key_point_id: v.verdict for v in done.output.verdicts}
    assert verdicts == {
        "separate": Verdict.COVERED,
        "tools": Verdict.PARTIAL,
        "layers": Verdict.MISSED,
    }
    assert done.output.feedback == "" and done.output.strengths == ()
    assert done.usage.calls == 1 and done.usage.input_tokens == 1000
    body = server.bodies()[0]
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["verdicts"] and list(schema["properties"]) == ["verdicts"]
    assert user_turn(body).endswith("Verdicts and evidence only.")
    assert "stream" not in body


async def test_assessment_shares_the_grading_system_prompt() -> None:
    # One stable prefix for every call about a question: prompt caching serves all of them.
    server = Server().add(
        openai_completion(json.dumps(verdicts_only())), openai_completion(json.dumps(good_grade()))
    )
    provider = openai_provider(server)
    await provider.assess(assess_request())
    await collect_grade(provider.grade(GradeRequest(QUESTION, assess_request().exchanges)))
    first, second = server.bodies()
    assert first["messages"][0] == second["messages"][0]
    assert first["messages"][-1] != second["messages"][-1]


async def test_unusable_assessment_is_repaired_once_then_fails_with_usage() -> None:
    server = Server().add(
        openai_completion('{"verdicts": []}'),
        openai_completion('{"verdicts": [{"key_point_id": "nope"}]}'),
    )
    with pytest.raises(GradingFailed, match="assessment failed") as failed:
        await openai_provider(server).assess(assess_request())
    assert len(server.requests) == 2
    assert "no verdict for separate" in user_turn(server.bodies()[1])
    assert failed.value.usage is not None


async def test_feedback_call_sends_the_decided_verdicts_and_asks_only_for_prose() -> None:
    decided = (
        KeyPointVerdict(key_point_id="separate", verdict=Verdict.COVERED, evidence="labelled"),
        KeyPointVerdict(key_point_id="tools", verdict=Verdict.MISSED),
        KeyPointVerdict(key_point_id="layers", verdict=Verdict.MISSED),
    )
    prose = {"strengths": ["Clear boundary"], "gaps": ["No tools"], "feedback": "Add tools."}
    server = Server().add(openai_completion(json.dumps(prose)))
    request = GradeRequest(QUESTION, assess_request().exchanges, verdicts=decided)
    events = [e async for e in openai_provider(server).grade(request)]
    done = events[-1]
    assert isinstance(done, GradeDone)
    assert done.output.verdicts == decided and done.output.feedback == "Add tools."
    body = server.bodies()[0]
    schema = body["response_format"]["json_schema"]["schema"]
    assert "verdicts" not in schema["properties"]
    assert schema["required"] == ["strengths", "gaps", "feedback"]
    assert "- separate: covered\n- tools: missed\n- layers: missed" in user_turn(body)


async def test_anthropic_assessment_uses_its_structured_output() -> None:
    server = Server().add(anthropic_message(text=json.dumps(verdicts_only())))
    done = await anthropic_provider(server).assess(assess_request())
    assert done.output.verdicts[0].verdict is Verdict.COVERED
    body = server.bodies()[0]
    assert list(body["output_config"]["format"]["schema"]["properties"]) == ["verdicts"]


# -- a whole interview against a scripted LLM grader -------------------------------------------

# What the scripted model "reads" in the answers: a phrase per key point, quoted as evidence.
SAYS = {
    "separate": "retrieved pages are labelled as untrusted",
    "tools": "Every tool call is checked for permission",
    "layers": "a person approves risky actions and we monitor the outputs",
}
STRONG = (
    "I never trust the model to tell data from instructions, so retrieved pages are labelled as "
    "untrusted. Every tool call is checked for permission, a person approves risky actions "
    "and we monitor the outputs."
)
PARTIAL = "I never trust the model with instructions, so retrieved pages are labelled as untrusted."
FOLLOW_UP = "I am honestly not sure what else I would put in place around it."


class ScriptedModel:
    """An OpenAI-compatible model: verdicts by what the transcript says, probes, feedback."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        if body.get("stream"):
            self.kinds.append("probe")
            return openai_stream(["What would you ", "put around the model?"])
        properties = set(body["response_format"]["json_schema"]["schema"]["properties"])
        said = user_turn(body)
        verdicts = [
            {"key_point_id": point, "verdict": "covered", "evidence": quote}
            if quote in said
            else {"key_point_id": point, "verdict": "missed", "evidence": ""}
            for point, quote in SAYS.items()
        ]
        prose = {"strengths": [], "gaps": [], "feedback": "Scripted feedback."}
        if properties == {"verdicts"}:
            self.kinds.append("assess")
            return openai_completion(json.dumps({"verdicts": verdicts}))
        if "verdicts" not in properties:
            self.kinds.append("feedback")
            return openai_completion(json.dumps(prose))
        self.kinds.append("grade")
        return openai_completion(json.dumps({"verdicts": verdicts, **prose}))


async def interview_with(tmp_path: Path, answers: list[str]) -> tuple[list[str], Path, float]:
    model = ScriptedModel()
    server = Server()
    server.replies.extend([model] * 10)
    provider = openai_provider(server)
    session = Interview.new(
        InterviewSettings(max_probes=2, min_answer_words=5),
        "test-bank",
        [QUESTION],
        interviewer=provider,
        grader=provider,
        journal_dir=tmp_path,
    )
    async for _ in session.start():
        pass
    for answer in answers:
        if session.finished:
            break
        async for _ in session.submit(answer):
            pass
    assert session.finished
    report = session.report()
    await session.aclose()
    assert report.questions[0].evaluation is not None
    return model.kinds, session.journal_path, report.questions[0].evaluation.score


async def test_scripted_llm_grader_probes_a_partial_answer_more_than_a_strong_one(
    tmp_path: Path,
) -> None:
    answers = [FOLLOW_UP, FOLLOW_UP]
    strong_calls, strong_journal, strong_score = await interview_with(
        tmp_path / "strong", [STRONG, *answers]
    )
    partial_calls, partial_journal, partial_score = await interview_with(
        tmp_path / "partial", [PARTIAL, *answers]
    )

    def probes(journal: Path) -> list[ProbeGiven]:
        return [r for r in read_records(journal) if isinstance(r, ProbeGiven)]

    assert (len(probes(strong_journal)), len(probes(partial_journal))) == (0, 2)
    assert [p.key_point_id for p in probes(partial_journal)] == ["tools", "tools"]
    # The strong answer: one assessment, then only the prose: no second verdict call.
    assert strong_calls == ["assess", "feedback"]
    # The partial one: assessed after each answer while probes were left, then graded in full.
    assert partial_calls == ["assess", "probe", "assess", "probe", "grade"]
    assert strong_score == 10.0 and partial_score < strong_score
    assessed = [r for r in read_records(strong_journal) if isinstance(r, Assessed)]
    evaluated = [r for r in read_records(strong_journal) if isinstance(r, Evaluated)]
    assert assessed[0].verdicts == evaluated[0].evaluation.verdicts
    # Every call shows in the usage the status bar reads (scripted: 1000 in, 200 out each).
    usage = evaluated[0].evaluation.usage + assessed[0].usage
    assert usage.calls == 2 and usage.input_tokens == 2000
