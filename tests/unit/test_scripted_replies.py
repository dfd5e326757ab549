"""A replay's script for other answers (a reply marked `scripted`): the engine says so once per
session, whichever call shows it first, and every evaluation built on it carries the flag, the
prose-only grade after a scripted assessment included."""

from __future__ import annotations

from pathlib import Path

from interviewer.domain import SCRIPTED_FLAG, SCRIPTED_NOTE, GraderOutput
from interviewer.engine.events import Notice
from interviewer.journal import Assessed, Evaluated
from tests.fakes import ScriptedProvider, make_question, verdicts_covering
from tests.unit.test_session import ANSWER, EVIDENCE, drain, new_interview


def scripted_provider(*, assess: bool) -> ScriptedProvider:
    provider = ScriptedProvider(scripted=True)
    question = make_question("q1")
    for _ in range(2):
        if assess:
            provider.enqueue_assessment(
                GraderOutput(verdicts=verdicts_covering(question, EVIDENCE, 1))
            )
        provider.enqueue_probe("A scripted probe?")
        provider.enqueue_grade(
            GraderOutput(verdicts=verdicts_covering(question, "not in it", 2), feedback="Scripted.")
        )
    return provider


async def run_session(tmp_path: Path, provider: ScriptedProvider) -> list[object]:
    interview = new_interview(tmp_path, provider, questions=2, max_probes=1)
    events: list[object] = [*await drain(interview.start())]
    while not interview.finished:
        events += await drain(interview.submit(ANSWER))
    return events


async def test_a_scripted_assessment_is_told_once_and_flags_both_evaluations(
    tmp_path: Path,
) -> None:
    events = await run_session(tmp_path, scripted_provider(assess=True))
    told = [e for e in events if isinstance(e, Notice) and e.text == SCRIPTED_NOTE]
    assert len(told) == 1
    first_assessed = next(i for i, e in enumerate(events) if isinstance(e, Assessed))
    assert events.index(told[0]) < first_assessed  # before the decision it concerns
    evaluations = [e.evaluation for e in events if isinstance(e, Evaluated)]
    assert len(evaluations) == 2
    assert all(SCRIPTED_FLAG in e.flags and e.scripted for e in evaluations)


async def test_a_scripted_probe_is_told_once_after_the_probe(tmp_path: Path) -> None:
    events = await run_session(tmp_path, scripted_provider(assess=False))
    told = [e for e in events if isinstance(e, Notice) and e.text == SCRIPTED_NOTE]
    assert len(told) == 1
    evaluations = [e.evaluation for e in events if isinstance(e, Evaluated)]
    assert [e.scripted for e in evaluations] == [True, True]
    assert all(e.quote_rejected("kp2") for e in evaluations)


async def test_replies_to_the_recorded_requests_say_nothing(tmp_path: Path) -> None:
    provider = scripted_provider(assess=True)
    provider.scripted = False
    events = await run_session(tmp_path, provider)
    assert not [e for e in events if isinstance(e, Notice) and e.text == SCRIPTED_NOTE]
    assert not any(e.evaluation.scripted for e in events if isinstance(e, Evaluated))
