"""Probes from the grader's own verdicts: the grader assesses each answer, the engine decides the
probe from the checked verdicts, and the final grade reuses the last assessment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from interviewer.bank.loader import find_bank
from interviewer.config import InterviewSettings
from interviewer.domain import Exchange, GraderOutput, KeyPointVerdict, Question, Usage, Verdict
from interviewer.engine.events import Event, Notice, ProbeDelta, Waiting
from interviewer.engine.session import Interview
from interviewer.engine.state import load_state
from interviewer.errors import ProviderError
from interviewer.grading.score import probe_targets
from interviewer.journal import (
    AnswerGiven,
    Assessed,
    Evaluated,
    Journal,
    ProbeGiven,
    QuestionOpened,
    SessionStarted,
    new_session_id,
    read_records,
)
from interviewer.providers.base import (
    AssessDone,
    AssessRequest,
    GradeRequest,
    ProbeRequest,
    collect_grade,
)
from interviewer.providers.giveaway import GiveawayGuard
from interviewer.providers.offline import PLAIN_THANKS, OfflineProvider, acknowledgement
from tests.fakes import ScriptedProvider, make_question

ANSWER = (
    "I would keep system instructions apart from retrieved content and treat every document "
    "as untrusted data. Every tool call gets its own authorisation check."
)
EVIDENCE = "Every tool call gets its own authorisation check."
MORE = "I would also alert on unusual tool usage and keep a log of every call."
SPENT = Usage(input_tokens=300, output_tokens=40, cost_usd=0.001, calls=1)


async def drain(events: AsyncIterator[Event]) -> list[Event]:
    return [event async for event in events]


def verdicts(question: Question, **claims: str) -> tuple[KeyPointVerdict, ...]:
    """kpN="covered" / "partial" with EVIDENCE; every other key point missed."""
    return tuple(
        KeyPointVerdict(
            key_point_id=point.id,
            verdict=Verdict(claims.get(point.id, "missed")),
            evidence=EVIDENCE if point.id in claims else None,
        )
        for point in question.key_points
    )


def all_covered(question: Question) -> tuple[KeyPointVerdict, ...]:
    return verdicts(question, **{p.id: "covered" for p in question.key_points})


def interview(tmp_path: Path, provider: ScriptedProvider, *, max_probes: int = 2) -> Interview:
    return Interview.new(
        InterviewSettings(max_probes=max_probes, min_answer_words=5),
        "test-bank",
        [make_question("q1")],
        interviewer=provider,
        grader=provider,
        journal_dir=tmp_path,
    )


def must_not_estimate(question: Question, text: str) -> tuple[str, ...]:
    raise AssertionError("the offline estimate decided although the grader assessed")


# -- the policy -------------------------------------------------------------------------------


def test_policy_aims_at_the_most_important_point_missed_or_partial() -> None:
    q = make_question()
    assert probe_targets(q, verdicts(q, kp1="covered", kp2="partial")) == (
        "kp2",
        "kp3",
        "kp4",
        "kp5",
    )
    assert probe_targets(q, verdicts(q, kp2="covered", kp3="covered"))[0] == "kp1"


def test_policy_stops_probing_once_the_important_points_are_covered() -> None:
    q = make_question()  # weights 1, .83, .71, .63, .56 (total 3.73)
    # All but the least important point: 8.5 with the first covered: no probe.
    assert (
        probe_targets(q, verdicts(q, kp1="covered", kp2="covered", kp3="covered", kp4="covered"))
        == ()
    )
    # Missing the two least important: 7.1, below 8.0: probe the more important of them.
    three = verdicts(q, kp1="covered", kp2="covered", kp3="covered")
    assert probe_targets(q, three) == ("kp4", "kp5")
    # The first point only partly covered is always probed, however much else is covered.
    rest = {p.id: "covered" for p in q.key_points[1:]}
    assert probe_targets(q, verdicts(q, kp1="partial", **rest)) == ("kp1",)
    assert probe_targets(q, all_covered(q)) == ()


# -- the done-criterion: a strong answer gets fewer probes than a partial one -------------------


async def probes_for(tmp_path: Path, answers: list[str], grader: ScriptedProvider) -> int:
    session = interview(tmp_path, grader)
    await drain(session.start())
    for answer in answers:
        if session.finished:
            break
        await drain(session.submit(answer))
    assert session.finished
    return sum(isinstance(r, ProbeGiven) for r in read_records(session.journal_path))


async def test_scripted_llm_grader_strong_answer_gets_fewer_probes(tmp_path: Path) -> None:
    q = make_question("q1")
    strong = ScriptedProvider(label="llm")
    strong.enqueue_assessment(GraderOutput(verdicts=all_covered(q)))
    strong.enqueue_grade(GraderOutput(verdicts=(), feedback="Thorough."))
    partial = ScriptedProvider(label="llm")
    partial.enqueue_assessment(GraderOutput(verdicts=verdicts(q, kp1="covered")))
    partial.enqueue_probe("What would you do about tools?")
    partial.enqueue_assessment(GraderOutput(verdicts=verdicts(q, kp1="covered", kp2="covered")))
    partial.enqueue_probe("And after launch?")
    partial.enqueue_grade(GraderOutput(verdicts=verdicts(q, kp1="covered")))
    strong_probes = await probes_for(tmp_path / "strong", [ANSWER, MORE, MORE], strong)
    partial_probes = await probes_for(tmp_path / "partial", [ANSWER, MORE, MORE], partial)
    assert (strong_probes, partial_probes) == (0, 2)
    # The partial answer's probes aimed where its assessments left the gaps.
    sent = [r for r in partial.history if isinstance(r, ProbeRequest)]
    assert [r.target_key_point_ids[0] for r in sent] == ["kp2", "kp3"]


def offline_question() -> Question:
    return find_bank("ai-security").question("secure-ml-pipeline")


async def offline_probes(tmp_path: Path, answers: list[str]) -> list[ProbeGiven]:
    offline = OfflineProvider()
    session = Interview.new(
        InterviewSettings(max_probes=2),
        "ai-security",
        [offline_question()],
        interviewer=offline,
        grader=offline,
        journal_dir=tmp_path,
        missing=must_not_estimate,
    )
    await drain(session.start())
    for answer in answers:
        if session.finished:
            break
        await drain(session.submit(answer))
    assert session.finished
    return [r for r in read_records(session.journal_path) if isinstance(r, ProbeGiven)]


async def test_offline_strong_answer_gets_fewer_probes_than_a_partial_one(tmp_path: Path) -> None:
    question = offline_question()
    follow_ups = ["I am not sure what else I would add there.", "I would ask a colleague."]
    strong = await offline_probes(tmp_path / "strong", [question.sample_answer, *follow_ups])
    partial_answer = (
        "I would validate the data sources and their schemas at ingestion, restrict who can "
        "write the datasets, and hash them so tampering shows."
    )
    partial = await offline_probes(tmp_path / "partial", [partial_answer, *follow_ups])
    assert len(strong) < len(partial)
    assert (len(strong), len(partial)) == (0, 2)
    first = partial[0].text
    # It acknowledges the point the answer covered, in plain words, then asks about another...
    assert first.startswith("You covered one part well: secure data ingestion.")
    assert partial[0].key_point_id != "data-integrity"
    # ...and never gives away a point not yet covered.
    hidden = question.model_copy(
        update={"key_points": tuple(p for p in question.key_points if p.id != "data-integrity")}
    )
    assert not GiveawayGuard(hidden).gives_away(first)
    # The follow-up answers covered nothing new: nothing to acknowledge, and a new probe.
    assert not partial[1].text.startswith(("You covered", PLAIN_THANKS))
    assert partial[1].text != partial[0].text.split(". ", 1)[1]


# -- reuse: the final grade makes no second verdict call ---------------------------------------


async def test_final_grade_reuses_the_last_assessment(tmp_path: Path) -> None:
    provider = ScriptedProvider(usage=SPENT)
    session = interview(tmp_path, provider)
    await drain(session.start())
    q = session.questions[0]
    provider.enqueue_assessment(GraderOutput(verdicts=verdicts(q, kp1="covered")))
    provider.enqueue_probe("What about tools?")
    await drain(session.submit(ANSWER))
    decided = verdicts(q, kp1="covered", kp2="covered", kp3="covered", kp4="covered")
    provider.enqueue_assessment(GraderOutput(verdicts=decided))
    # The prose reply claims other verdicts: they are not used, the assessment's stand.
    provider.enqueue_grade(GraderOutput(verdicts=all_covered(q), feedback="Well argued."))
    events = await drain(session.submit(MORE))
    kinds = [type(r).__name__ for r in provider.history]
    assert kinds == ["AssessRequest", "ProbeRequest", "AssessRequest", "GradeRequest"]
    final = provider.history[-1]
    assert isinstance(final, GradeRequest) and final.verdicts == decided
    evaluation = next(e for e in events if isinstance(e, Evaluated)).evaluation
    assert evaluation.verdicts == decided and evaluation.feedback == "Well argued."
    assert evaluation.score == 8.5
    # Every call is counted: two assessments, one probe, one feedback call.
    assert session.usage.calls == 4 and session.usage.input_tokens == 4 * 300


async def test_exhausted_probes_skip_the_assessment_for_one_full_grade(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    session = interview(tmp_path, provider, max_probes=1)
    await drain(session.start())
    q = session.questions[0]
    provider.enqueue_assessment(GraderOutput(verdicts=verdicts(q, kp1="covered")))
    provider.enqueue_probe("What about tools?")
    await drain(session.submit(ANSWER))
    provider.enqueue_grade(GraderOutput(verdicts=verdicts(q, kp1="covered", kp2="covered")))
    await drain(session.submit(MORE))
    kinds = [type(r).__name__ for r in provider.history]
    assert kinds == ["AssessRequest", "ProbeRequest", "GradeRequest"]
    final = provider.history[-1]
    assert isinstance(final, GradeRequest) and final.verdicts is None


async def test_assessment_goes_through_the_evidence_check(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    session = interview(tmp_path, provider)
    await drain(session.start())
    q = session.questions[0]
    claims = list(all_covered(q))
    # A quote the candidate never wrote (e.g. planted by text addressed to the grader).
    claims[0] = KeyPointVerdict(key_point_id="kp1", verdict=Verdict.COVERED, evidence="I ace it.")
    provider.enqueue_assessment(GraderOutput(verdicts=tuple(claims)))
    provider.enqueue_probe("Tell me more?")
    events = await drain(session.submit(ANSWER))
    assessed = next(e for e in events if isinstance(e, Assessed))
    assert assessed.verdicts is not None and assessed.verdicts[0].verdict is Verdict.MISSED
    assert "evidence_rejected:kp1" in assessed.flags
    assert assessed.targets == ("kp1",)
    probe = next(e for e in events if isinstance(e, ProbeGiven))
    assert probe.key_point_id == "kp1"


# -- failures ---------------------------------------------------------------------------------


async def test_failed_assessment_falls_back_to_the_estimate_with_a_notice(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    session = Interview.new(
        InterviewSettings(max_probes=2, min_answer_words=5),
        "test-bank",
        [make_question("q1")],
        interviewer=provider,
        grader=provider,
        journal_dir=tmp_path,
        missing=lambda question, text: ("kp4", "kp5"),
    )
    await drain(session.start())
    provider.enqueue_assessment(ProviderError("grader down"))
    provider.enqueue_probe("What about monitoring?")
    events = await drain(session.submit(ANSWER))
    notices = [e for e in events if isinstance(e, Notice)]
    assert len(notices) == 1 and notices[0].provider_failed and "grader down" in notices[0].text
    assessed = next(e for e in events if isinstance(e, Assessed))
    assert (assessed.targets, assessed.verdicts) == (("kp4", "kp5"), None)
    assert assessed.fallback == "grader down"
    probe = next(e for e in events if isinstance(e, ProbeGiven))
    assert probe.key_point_id == "kp4"
    assert load_state(session.journal_path).opened[0].answers == [ANSWER]  # never lost
    # Nothing to reuse: the next answer is assessed afresh, and a full grade follows.
    q = session.questions[0]
    provider.enqueue_assessment(GraderOutput(verdicts=all_covered(q)))
    provider.enqueue_grade(GraderOutput(verdicts=all_covered(q)))
    await drain(session.submit(MORE))
    final = provider.history[-1]
    assert isinstance(final, GradeRequest) and final.verdicts == all_covered(q)


async def test_cancelled_assessment_falls_back_to_the_estimate(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    session = interview(tmp_path, provider)
    await drain(session.start())

    class Stalls(ScriptedProvider):
        async def assess(self, request: AssessRequest) -> AssessDone:
            session.cancel()  # Esc while the grader thinks
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

    stalls = Stalls()
    session._grader = stalls
    session._missing_fn = lambda question, text: ("kp2",)
    provider.enqueue_probe("What about tools?")
    events = await drain(session.submit(ANSWER))
    assert any(isinstance(e, Notice) and "stopped" in e.text for e in events)
    assessed = next(e for e in events if isinstance(e, Assessed))
    assert assessed.targets == ("kp2",) and assessed.fallback == "assessment stopped"


async def until_assessed(session: Interview, answer: str) -> None:
    """Submit `answer` and stop right after the assessment is journaled, as a crash would."""
    events = session.submit(answer)
    async for event in events:
        if isinstance(event, Assessed):
            break
    await events.aclose()  # type: ignore[attr-defined]


# -- resume, journals -------------------------------------------------------------------------


async def test_resume_after_an_assessment_asks_the_journaled_probe(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    session = interview(tmp_path, provider)
    await drain(session.start())
    q = session.questions[0]
    provider.enqueue_assessment(GraderOutput(verdicts=verdicts(q, kp1="covered")))
    await until_assessed(session, ANSWER)  # the process dies as the probe is to be asked
    await session.aclose()
    assert isinstance(read_records(session.journal_path)[-1], Assessed)

    second = ScriptedProvider()
    second.enqueue_probe("Which tools?")
    resumed = Interview.resume(
        session.journal_path, interviewer=second, grader=second, missing=must_not_estimate
    )
    events = await drain(resumed.start())
    records = [e for e in events if not isinstance(e, ProbeDelta | Waiting)]
    assert [type(e) for e in records] == [QuestionOpened, AnswerGiven, Assessed, ProbeGiven]
    # No new assessment: the journaled decision aimed the probe.
    assert [type(r).__name__ for r in second.history] == ["ProbeRequest"]
    sent = second.history[0]
    assert isinstance(sent, ProbeRequest) and sent.target_key_point_ids[0] == "kp2"
    await resumed.aclose()


async def test_resume_after_a_covering_assessment_grades_with_it(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    session = interview(tmp_path, provider)
    await drain(session.start())
    q = session.questions[0]
    provider.enqueue_assessment(GraderOutput(verdicts=all_covered(q)))
    await until_assessed(session, ANSWER)  # dies as the feedback is to be asked for
    await session.aclose()
    assert isinstance(read_records(session.journal_path)[-1], Assessed)

    second = ScriptedProvider()
    second.enqueue_grade(GraderOutput(verdicts=(), feedback="Complete."))
    resumed = Interview.resume(
        session.journal_path, interviewer=second, grader=second, missing=must_not_estimate
    )
    events = await drain(resumed.start())
    assert [type(r).__name__ for r in second.history] == ["GradeRequest"]
    evaluation = next(e for e in events if isinstance(e, Evaluated)).evaluation
    assert evaluation.score == 10.0 and evaluation.feedback == "Complete."
    await resumed.aclose()


async def test_a_journal_from_before_assessments_resumes(tmp_path: Path) -> None:
    q = make_question("q1")
    header = SessionStarted(
        session_id=new_session_id(),
        bank_id="test-bank",
        mode="interview",
        interviewer="fake",
        grader="fake",
        max_probes=2,
        min_answer_words=5,
        max_answer_chars=4000,
        questions=(q,),
    )
    journal = Journal.create(header, tmp_path)
    journal.append(QuestionOpened(question_id="q1", number=1))
    journal.append(AnswerGiven(question_id="q1", text=ANSWER))
    journal.append(
        ProbeGiven(question_id="q1", text="What about tools?", number=1, key_point_id="kp2")
    )
    journal.close()
    state = load_state(journal.path)
    assert state.opened[0].assessments == [] and state.opened[0].probes_asked == 1

    provider = ScriptedProvider()
    provider.enqueue_assessment(GraderOutput(verdicts=all_covered(q)))
    provider.enqueue_grade(GraderOutput(verdicts=(), feedback="Good."))
    resumed = Interview.resume(journal.path, interviewer=provider, grader=provider)
    await drain(resumed.start())
    events = await drain(resumed.submit(MORE))
    assert any(isinstance(e, Evaluated) for e in events)
    assessed = [r for r in read_records(journal.path) if isinstance(r, Assessed)]
    assert len(assessed) == 1 and assessed[0].answers == 2
    await resumed.aclose()


async def test_assessment_usage_counts_in_the_status_bar_total(tmp_path: Path) -> None:
    provider = ScriptedProvider(usage=SPENT)
    session = interview(tmp_path, provider)
    await drain(session.start())
    q = session.questions[0]
    provider.enqueue_assessment(GraderOutput(verdicts=verdicts(q, kp1="covered")))
    provider.enqueue_probe("What about tools?")
    await drain(session.submit(ANSWER))
    # The status bar shows `Interview.usage`: the assessment and the probe so far.
    assert session.usage.calls == 2 and session.usage.cost_usd == pytest.approx(0.002)
    # A resumed session folds the same total from the journal.
    await session.aclose()
    assert load_state(session.journal_path).usage == session.usage


async def test_a_failed_feedback_call_is_retried_with_the_same_verdicts(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    offline = ScriptedProvider(label="offline")
    session = Interview.new(
        InterviewSettings(max_probes=2, min_answer_words=5),
        "test-bank",
        [make_question("q1")],
        interviewer=provider,
        grader=provider,
        offline=offline,
        journal_dir=tmp_path,
    )
    await drain(session.start())
    q = session.questions[0]
    provider.enqueue_assessment(GraderOutput(verdicts=all_covered(q)))
    provider.enqueue_grade(ProviderError("grader down"))
    await drain(session.submit(ANSWER))
    assert session.grading_failed_for == "q1"
    provider.enqueue_grade(GraderOutput(verdicts=(), feedback="Complete."))
    await drain(session.retry_grading())
    kinds = [type(r).__name__ for r in provider.history]
    assert kinds == ["AssessRequest", "GradeRequest", "GradeRequest"]
    retried = provider.history[-1]
    assert isinstance(retried, GradeRequest) and retried.verdicts == all_covered(q)
    assert session.evaluations["q1"].score == 10.0


async def test_grading_offline_after_a_failure_grades_afresh(tmp_path: Path) -> None:
    provider = ScriptedProvider()
    offline = ScriptedProvider(label="offline")
    session = Interview.new(
        InterviewSettings(max_probes=2, min_answer_words=5),
        "test-bank",
        [make_question("q1")],
        interviewer=provider,
        grader=provider,
        offline=offline,
        journal_dir=tmp_path,
    )
    await drain(session.start())
    q = session.questions[0]
    provider.enqueue_assessment(GraderOutput(verdicts=all_covered(q)))
    provider.enqueue_grade(ProviderError("grader down"))
    await drain(session.submit(ANSWER))
    offline.enqueue_grade(GraderOutput(verdicts=verdicts(q, kp1="covered")))
    await drain(session.grade_offline())
    # The offline grader reads the answers itself: a score labelled offline is its own.
    sent = offline.history[-1]
    assert isinstance(sent, GradeRequest) and sent.verdicts is None
    assert session.evaluations["q1"].grader == "offline"
    assert session.evaluations["q1"].score < 10.0


# -- the offline provider's side ---------------------------------------------------------------


async def test_offline_writes_up_decided_verdicts_without_assessing_again() -> None:
    question = offline_question()
    exchanges = (Exchange(kind="question", prompt=question.text, answer=question.sample_answer),)
    offline = OfflineProvider()
    assessed = await offline.assess(AssessRequest(question, exchanges))
    assert assessed.method == "coverage" and assessed.output.feedback == ""
    decided = verdicts(question)  # all missed, whatever the answer says
    done = await collect_grade(offline.grade(GradeRequest(question, exchanges, verdicts=decided)))
    assert done.output.verdicts == decided and not done.output.strengths


def test_offline_acknowledgement_names_a_clean_heading_or_says_thanks() -> None:
    bank = find_bank("ai-security")
    pipeline = bank.question("secure-ml-pipeline")
    assert acknowledgement(pipeline, ()) == ""
    assert acknowledgement(pipeline, ("data-integrity",)) == (
        "You covered one part well: secure data ingestion."
    )
    # "Describes a specific, real incident ..." has no clean heading: no half phrase.
    risk = bank.question("identified-ai-security-risk")
    assert acknowledgement(risk, (risk.key_points[0].id,)) == PLAIN_THANKS
    # A heading that would repeat a point not yet covered is never said.
    q = make_question("q1")
    twin = q.model_copy(
        update={
            "key_points": (
                q.key_points[0].model_copy(update={"text": "Check every tool call for permission"}),
                q.key_points[1].model_copy(update={"text": "Check every tool call for permission"}),
            )
        }
    )
    assert acknowledgement(twin, ("kp1",)) == PLAIN_THANKS
