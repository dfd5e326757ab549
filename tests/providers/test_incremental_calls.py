"""The grader's later calls about a question are incremental: a whole interview through the real
engine and `OpenAIProvider` against a scripted server. After the first answer an assessment, and
the final grade after probes, carry the earlier checked verdicts and send only the newest exchange
and the key points still open; a probe request sends only the newest exchange; the evidence check
still reads every answer of the question (never a probe); a resumed session sends the same."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx2
import pytest

from interviewer.config import InterviewSettings
from interviewer.domain import (
    Carried,
    Evaluation,
    Exchange,
    GraderOutput,
    KeyPointVerdict,
    Verdict,
)
from interviewer.engine.grading import AnswerLimits, Graded, grade
from interviewer.engine.session import Interview
from interviewer.journal import Assessed, Evaluated, read_records
from interviewer.prompts import neutralise
from interviewer.providers.base import GradeRequest
from tests.fakes import ScriptedProvider
from tests.providers.support import (
    ANSWER,
    OPENAI_KEY,
    QUESTION,
    openai_completion,
    openai_provider,
    openai_stream,
)
from tests.providers.support import Server as ScriptedServer

A1 = ANSWER  # covers "separate", half of "tools"
A2 = "Each tool runs with the rights of the user who asked, and a person approves payments."
A3 = "I would filter what the model outputs and alert on unusual tool use in our monitoring."
P1 = "How do you decide which actions a request is allowed to trigger?"
P2 = "What would you put around the model once it has answered?"
COVERED_QUOTE = "retrieved pages are labelled as untrusted"
PARTIAL_QUOTE = "Every tool call is checked for permission"
A1_ONLY_QUOTE = "kept out of the system prompt"  # in the first answer only, never sent again
PROBE_QUOTE = "which actions a request is allowed to trigger"  # the interviewer's words

SCRIPT: list[dict[str, tuple[str, str]]] = [
    # assessment of answer 1
    {"separate": ("covered", COVERED_QUOTE), "tools": ("partial", PARTIAL_QUOTE)},
    # assessment of answers 1-2: an upgrade quoting answer 1, and a claim quoting a probe
    {"tools": ("covered", A1_ONLY_QUOTE), "layers": ("covered", PROBE_QUOTE)},
    # the final grade, after probe 2
    {"layers": ("covered", "filter what the model outputs and alert on unusual tool use")},
]
_MARKER = re.compile(r"\b[0-9a-f]{16}\b")


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)


class Grader:
    """Replies by request kind: probes P1, P2 in turn, verdicts by SCRIPT for exactly the key
    points the schema asks about (missed unless scripted), prose for a grade."""

    def __init__(self, script: list[dict[str, tuple[str, str]]]) -> None:
        self.script = list(script)
        self.probes = [P1, P2]
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        if body.get("stream"):
            return openai_stream([self.probes.pop(0)])
        wanted = body["response_format"]["json_schema"]["schema"]["properties"]
        reply: dict[str, Any] = {}
        if "verdicts" in wanted:
            claims = self.script.pop(0)
            reply["verdicts"] = {}
            for point in wanted["verdicts"]["properties"]:
                verdict, evidence = claims.get(point, ("missed", ""))
                reply["verdicts"][point] = {"verdict": verdict, "evidence": evidence}
        if "feedback" in wanted:
            reply |= {"strengths": [], "gaps": [], "feedback": "Clear and concrete."}
        return openai_completion(json.dumps(reply))


def server_for(grader: Grader, calls: int) -> ScriptedServer:
    return ScriptedServer().add(*([grader] * calls))


async def run(tmp_path: Path, grader: Grader) -> Path:
    """The interview's journal after answers A1, A2, A3 (two probes, then the grade)."""
    provider = openai_provider(server_for(grader, 8))
    interview = Interview.new(
        InterviewSettings(count=1, max_probes=2, min_answer_words=5),
        "test-bank",
        [QUESTION],
        interviewer=provider,
        grader=provider,
        journal_dir=tmp_path,
    )
    async for _ in interview.start():
        pass
    for answer in (A1, A2, A3):
        async for _ in interview.submit(answer):
            pass
    await interview.aclose()
    return interview.journal_path


def kinds(bodies: list[dict[str, Any]]) -> list[str]:
    out = []
    for body in bodies:
        if body.get("stream"):
            out.append("probe")
            continue
        wanted = body["response_format"]["json_schema"]["schema"]["properties"]
        out.append("grade" if "feedback" in wanted else "assess")
    return out


def text(body: dict[str, Any]) -> str:
    return "\n".join(str(message["content"]) for message in body["messages"])


def asked_points(body: dict[str, Any]) -> list[str]:
    schema = body["response_format"]["json_schema"]["schema"]["properties"]["verdicts"]
    return list(schema["properties"])


def evaluation_of(journal: Path) -> Evaluation:
    return next(r.evaluation for r in read_records(journal) if isinstance(r, Evaluated))


async def test_a_later_assessment_sends_only_the_newest_exchange_and_the_open_points(
    tmp_path: Path,
) -> None:
    grader = Grader(SCRIPT)
    await run(tmp_path, grader)
    assert kinds(grader.bodies) == ["assess", "probe", "assess", "probe", "grade"]
    first, later, final = grader.bodies[0], grader.bodies[2], grader.bodies[4]
    assert asked_points(first) == ["separate", "tools", "layers"]
    assert asked_points(later) == ["tools", "layers"]  # "separate" was covered
    separate = QUESTION.key_point("separate").text
    for body in (later, final):
        sent = text(body)
        assert neutralise(A1) not in sent and COVERED_QUOTE not in sent
        assert separate not in sent and "separate" not in sent
    assert neutralise(A1) in text(first) and separate in text(first)
    # The newest exchange is there, the probe fenced as model-written text.
    user = later["messages"][-1]["content"]
    fence = _MARKER.search(user)
    assert fence is not None
    marker = fence.group(0)
    assert f"<<<BEGIN PROBE {marker}>>>\n{P1}\n<<<END PROBE {marker}>>>" in user
    assert f"<<<BEGIN ANSWER {marker}>>>\n{neutralise(A2)}\n<<<END ANSWER {marker}>>>" in user
    # The partial point's earlier quote is candidate text: inside a fence, never in the system.
    quoted = f"<<<BEGIN EARLIER {marker}>>>\n- tools: {PARTIAL_QUOTE}\n<<<END EARLIER {marker}>>>"
    assert quoted in user
    assert PARTIAL_QUOTE not in later["messages"][0]["content"]
    # The final grade: only the one point still open, and only the exchange after assessment 2.
    assert asked_points(final) == ["layers"]
    assert neutralise(A2) not in text(final) and P1 not in text(final)
    assert neutralise(A3) in text(final) and P2 in text(final)
    assert A1_ONLY_QUOTE not in text(final)


async def test_carried_verdicts_reach_the_final_evaluation_with_their_quotes(
    tmp_path: Path,
) -> None:
    journal = await run(tmp_path, Grader(SCRIPT))
    evaluation = evaluation_of(journal)
    by_id = {v.key_point_id: v for v in evaluation.verdicts}
    assert by_id["separate"].verdict is Verdict.COVERED
    assert by_id["separate"].evidence == COVERED_QUOTE  # from assessment 1, carried twice
    assert by_id["tools"].evidence == A1_ONLY_QUOTE  # from assessment 2, carried once
    assert by_id["layers"].verdict is Verdict.COVERED  # the final grade's own verdict
    assert evaluation.score == 10.0
    assert evaluation.feedback == "Clear and concrete."


async def test_a_new_quote_from_an_earlier_answer_counts_and_one_from_a_probe_does_not(
    tmp_path: Path,
) -> None:
    journal = await run(tmp_path, Grader(SCRIPT))
    second = [r for r in read_records(journal) if isinstance(r, Assessed)][1]
    by_id = {v.key_point_id: v for v in second.verdicts or ()}
    # The model was sent only answer 2 (and the partial quote), yet answer 1 is the candidate's.
    assert by_id["tools"].verdict is Verdict.COVERED and by_id["tools"].evidence == A1_ONLY_QUOTE
    assert by_id["layers"].verdict is Verdict.MISSED  # the quote is the interviewer's
    assert "evidence_rejected:layers" in second.flags
    assert second.targets == ("layers",)
    # Rejected once, covered later: the evaluation does not report a rejection that no longer
    # stands.
    assert "evidence_rejected:layers" not in evaluation_of(journal).flags


async def test_a_probe_request_holds_only_the_newest_exchange(tmp_path: Path) -> None:
    grader = Grader(SCRIPT)
    await run(tmp_path, grader)
    first, second = (body for body in grader.bodies if body.get("stream"))
    assert neutralise(A1) in text(first)
    sent = text(second)
    assert neutralise(A1) not in sent
    assert P1 in sent and neutralise(A2) in sent
    assert "follow-up probe 2," in sent


async def test_a_resumed_session_sends_the_same_requests_and_decides_the_same(
    tmp_path: Path,
) -> None:
    whole = Grader(SCRIPT)
    journal = await run(tmp_path / "whole", whole)
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    answers = [i for i, line in enumerate(lines) if json.loads(line).get("type") == "answer"]
    for answered in (2, 3):  # stopped after answer 2 (before its assessment), after answer 3
        cut = tmp_path / f"cut{answered}" / journal.name
        cut.parent.mkdir()
        cut.write_text("".join(lines[: answers[answered - 1] + 1]), encoding="utf-8")
        done = kinds(whole.bodies)
        # What the first run had sent before the stop: assess, probe (then assess, probe).
        sent_before = 2 * (answered - 1)
        again = Grader(SCRIPT[answered - 1 :])
        again.probes = [P1, P2][answered - 1 :]
        provider = openai_provider(server_for(again, 8))
        resumed = Interview.resume(cut, interviewer=provider, grader=provider)
        async for _ in resumed.start():
            pass
        if not resumed.finished:  # stopped after answer 2: probe 2 is asked again, then answered
            async for _ in resumed.submit(A3):
                pass
        await resumed.aclose()
        assert kinds(again.bodies) == done[sent_before:]
        for before, after in zip(whole.bodies[sent_before:], again.bodies, strict=True):
            assert _MARKER.sub("F", text(after)) == _MARKER.sub("F", text(before))
            assert after.get("response_format") == before.get("response_format")
        assert evaluation_of(cut) == evaluation_of(journal)


async def test_a_final_grade_with_every_point_settled_asks_only_for_the_prose() -> None:
    quotes = {"separate": COVERED_QUOTE, "tools": PARTIAL_QUOTE, "layers": A1_ONLY_QUOTE}
    settled = tuple(
        KeyPointVerdict(key_point_id=point, verdict=Verdict.COVERED, evidence=quote)
        for point, quote in quotes.items()
    )
    provider = ScriptedProvider()
    provider.enqueue_grade(GraderOutput(verdicts=(), feedback="Well rounded."))
    exchanges = (
        Exchange(kind="question", prompt=QUESTION.text, answer=A1),
        Exchange(kind="probe", prompt=P1, answer=A2),
    )
    events = [
        event
        async for event in grade(
            QUESTION,
            exchanges,
            provider,
            AnswerLimits(min_words=5, max_chars=4000),
            earlier=Carried(verdicts=settled, answers=1),
        )
    ]
    (request,) = provider.history
    # The prose-only call: no verdict is asked for again.
    assert isinstance(request, GradeRequest) and request.verdicts == settled
    graded = events[-1]
    assert isinstance(graded, Graded)
    assert graded.evaluation.verdicts == settled and graded.evaluation.score == 10.0
    assert graded.evaluation.feedback == "Well rounded."
