"""The shipped demo set: current with the prompts and bank, playable through the real engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.bank.loader import find_bank, select_questions
from interviewer.config import InterviewSettings, ProviderProfile
from interviewer.domain import Exchange, Verdict
from interviewer.engine.events import Notice, ProbeDelta
from interviewer.engine.session import Interview
from interviewer.errors import ReplayMismatch
from interviewer.journal import Evaluated, GradingFailedRecord, ProbeGiven
from interviewer.providers.base import ProbeRequest, collect_probe
from interviewer.providers.fixture_io import load_directory
from interviewer.providers.replay import ReplayProvider, demo_fixtures
from tests.conftest import ReplayFactory
from tests.data.fixtures import build_demo
from tests.providers.test_record_replay_http import LEAK_PATTERNS

DEMO = Path(str(demo_fixtures()))
REBUILD = (
    "the shipped demo fixtures are stale (prompts, bank or the engine's probe targets changed): "
    "rebuild them with `python -m tests.data.fixtures.build_demo` and review the diff"
)


def demo_answers() -> list[str]:
    lines = (DEMO / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


async def play(provider: ReplayProvider, answers: list[str], journals: Path) -> list[object]:
    bank = find_bank(build_demo.BANK)
    questions = select_questions(
        bank, difficulties=[], count=build_demo.COUNT, seed=build_demo.SEED
    )
    settings = InterviewSettings(bank=bank.id, count=build_demo.COUNT, seed=build_demo.SEED)
    interview = Interview.new(
        settings, bank.id, questions, interviewer=provider, grader=provider, journal_dir=journals
    )
    events: list[object] = [event async for event in interview.start()]
    for answer in answers:
        if interview.finished:
            break
        events += [event async for event in interview.submit(answer)]
        trouble = [e for e in events if isinstance(e, Notice | GradingFailedRecord)]
        if trouble and provider.match == "strict":
            pytest.fail(f"{REBUILD}\n{trouble[0]}", pytrace=False)
    assert interview.finished
    await interview.aclose()
    return events


def test_demo_covers_the_documented_seed_and_count() -> None:
    fixtures = load_directory(demo_fixtures())
    bank = find_bank(build_demo.BANK)
    chosen = select_questions(bank, difficulties=[], count=build_demo.COUNT, seed=build_demo.SEED)
    assert [f.request.question_id for f in fixtures if f.task == "grade"] == [q.id for q in chosen]
    assert [f.task for f in fixtures] == ["probe", "probe", "grade"] * 2
    assert all(len(f.chunks) > 3 for f in fixtures)
    assert {(f.kind, f.model) for f in fixtures} == {("scripted", "hand-written")}
    assert all(f.note and "by hand" in f.note for f in fixtures)
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert "--seed 7 --count 2" in readme
    assert "written by hand" in readme.lower()


async def test_shipped_demo_replays_strictly_through_the_engine(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    """Fails when the prompts, the bank or the engine changed since the demo was built:
    rebuild it with `python -m tests.data.fixtures.build_demo` (the error shows the diff)."""
    provider = replay_provider(DEMO, match="strict")
    events = await play(provider, demo_answers(), tmp_path)
    probes = [e for e in events if isinstance(e, ProbeGiven)]
    assert [p.text for p in probes] == [p for q in build_demo.PROBES.values() for p in q]
    # each probe is held until it passes the output check, then shown whole: one delta
    assert sum(1 for e in events if isinstance(e, ProbeDelta)) == len(probes)
    evaluations = [e.evaluation for e in events if isinstance(e, Evaluated)]
    assert len(evaluations) == 2
    for evaluation in evaluations:
        assert not [f for f in evaluation.flags if f.startswith("evidence_rejected")]
        assert evaluation.grader == "replay"
        covered = [v for v in evaluation.verdicts if v.verdict is Verdict.COVERED]
        assert len(covered) >= 4
        assert evaluation.feedback


async def test_demo_profile_plays_someone_elses_answers_by_position(tmp_path: Path) -> None:
    provider = ReplayProvider.from_profile("replay", ProviderProfile(kind="replay"), "interviewer")
    mine = [
        f"My own answer number {n}: I would threat model the system, review access to data, "
        "test it with adversarial inputs and monitor it in production."
        for n in range(1, 7)
    ]
    events = await play(provider, mine, tmp_path)
    probes = [e.text for e in events if isinstance(e, ProbeGiven)]
    assert set(probes) <= {p for q in build_demo.PROBES.values() for p in q}
    evaluations = [e.evaluation for e in events if isinstance(e, Evaluated)]
    assert len(evaluations) == 2
    # The scripted quotes are not in these answers: the evidence check must reject them.
    assert all(any(f.startswith("evidence_rejected") for f in e.flags) for e in evaluations)


def test_demo_fixtures_hold_no_secrets() -> None:
    for path in sorted(DEMO.glob("*.jsonl")):
        text = path.read_text(encoding="utf-8")
        for pattern in LEAK_PATTERNS:
            assert not pattern.search(text), f"{path.name}: {pattern.pattern}"


def test_demo_rebuild_is_reproducible(tmp_path: Path) -> None:
    import asyncio

    asyncio.run(build_demo.build(tmp_path))
    for shipped in sorted(DEMO.glob("*.jsonl")):
        rebuilt = (tmp_path / shipped.name).read_text(encoding="utf-8")
        if _without_dates(rebuilt) != _without_dates(shipped.read_text(encoding="utf-8")):
            pytest.fail(f"{shipped.name}: {REBUILD}", pytrace=False)


def _without_dates(text: str) -> list[object]:
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    for record in records:
        if isinstance(record, dict):
            record.pop("recorded_at", None)
    return records


async def test_a_question_outside_the_demo_says_how_to_run_the_demo() -> None:
    provider = ReplayProvider.from_profile("replay", ProviderProfile(kind="replay"), "interviewer")
    question = find_bank(build_demo.BANK).question("prompt-injection-defense")
    request = ProbeRequest(
        question=question,
        exchanges=(Exchange(kind="question", prompt=question.text, answer="I would filter."),),
        target_key_point_ids=(question.key_points[0].id,),
        probe_number=1,
    )
    with pytest.raises(ReplayMismatch) as caught:
        await collect_probe(provider.probe(request))
    message = str(caught.value)
    assert "cover only questions data-leakage-assessment, explain-to-non-technical" in message
    assert "--bank ai-security --seed 7 --count 2" in message
