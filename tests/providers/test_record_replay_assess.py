"""Assessments in recordings: recorded and replayed like any exchange; folders recorded before
assessments existed still replay as recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.bank.loader import find_bank
from interviewer.config import InterviewSettings, ProviderProfile
from interviewer.domain import Exchange
from interviewer.engine.events import Notice
from interviewer.engine.session import Interview
from interviewer.errors import AssessUnsupported
from interviewer.journal import Assessed, ProbeGiven, TurnRecord, read_records
from interviewer.providers.base import AssessRequest, Provider
from interviewer.providers.fixture_io import load_directory
from interviewer.providers.offline import OfflineProvider
from interviewer.providers.record import RecordingProvider
from interviewer.providers.replay import ReplayProvider, demo_fixtures
from tests.conftest import ReplayFactory
from tests.providers.test_record_replay_demo import demo_answers, play

PARTIAL = (
    "I would validate the data sources and their schemas at ingestion, restrict who can write "
    "the datasets, and hash them so tampering shows."
)
FOLLOW_UPS = [
    "Training would run in an isolated environment, and every experiment is logged.",
    "I am not sure what else I would add there.",
]


async def run(provider: Provider, journals: Path) -> list[TurnRecord]:
    question = find_bank("ai-security").question("secure-ml-pipeline")
    session = Interview.new(
        InterviewSettings(max_probes=2),
        "ai-security",
        [question],
        interviewer=provider,
        grader=provider,
        journal_dir=journals,
    )
    events = [event async for event in session.start()]
    for answer in [PARTIAL, *FOLLOW_UPS]:
        if session.finished:
            break
        events += [event async for event in session.submit(answer)]
    assert session.finished
    assert not [e for e in events if isinstance(e, Notice)]
    await session.aclose()
    return [r for r in read_records(session.journal_path)[1:] if isinstance(r, TurnRecord)]


def without_time(records: list[TurnRecord], grader: str) -> list[str]:
    """The records as JSON without their times, the grader's label written as "GRADER"."""
    return [
        r.model_dump_json(exclude={"t"}).replace(json.dumps(grader), '"GRADER"') for r in records
    ]


async def test_a_recorded_session_with_assessments_replays_strictly(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    recorder = RecordingProvider(
        OfflineProvider(),
        tmp_path / "rec",
        profile=ProviderProfile(kind="offline"),
        role="grader",
    )
    recorded = await run(recorder, tmp_path / "live")
    tasks = [f.task for f in load_directory(tmp_path / "rec")]
    assert tasks[0] == "assess" and tasks.count("probe") == sum(
        isinstance(r, ProbeGiven) for r in recorded
    )
    assert tasks[-1] in ("feedback", "grade")
    assert (tmp_path / "rec" / "0001-assess-secure-ml-pipeline.jsonl").is_file()

    replay = replay_provider(tmp_path / "rec", match="strict")
    replayed = await run(replay, tmp_path / "again")
    assert without_time(replayed, replay.name) == without_time(recorded, "offline")
    assert any(isinstance(r, Assessed) and r.method == "coverage" for r in replayed)


async def test_an_assess_fixture_round_trips(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    question = find_bank("ai-security").question("secure-ml-pipeline")
    request = AssessRequest(question, (Exchange(kind="question", prompt="Q", answer=PARTIAL),))
    recorder = RecordingProvider(
        OfflineProvider(), tmp_path, profile=ProviderProfile(kind="offline"), role="grader"
    )
    live = await recorder.assess(request)
    lines = [json.loads(line) for line in recorder.written[0].read_text().splitlines()]
    assert lines[0]["task"] == "assess" and lines[-1]["output"]["verdicts"]
    assert "chunk" not in {line["type"] for line in lines}
    assert await replay_provider(tmp_path, match="strict").assess(request) == live


async def test_a_folder_recorded_before_assessments_replays_as_recorded(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    folder = Path(str(demo_fixtures()))
    assert "assess" not in {f.task for f in load_directory(folder)}
    old = ReplayProvider.from_directory(folder)
    question = find_bank("ai-security").question("explain-to-non-technical")
    request = AssessRequest(question, (Exchange(kind="question", prompt="Q", answer=PARTIAL),))
    with pytest.raises(AssessUnsupported, match="recorded before assessments"):
        await old.assess(request)
    # Through the engine: no Notice (`play` fails on one), the offline estimate decides as it
    # did when the folder was recorded, and every recorded exchange is played.
    events = await play(replay_provider(folder, match="strict"), demo_answers(), tmp_path)
    assessed = [e for e in events if isinstance(e, Assessed)]
    assert assessed and all(a.verdicts is None and a.fallback for a in assessed)
    assert all("recorded before assessments" in (a.fallback or "") for a in assessed)


async def test_position_replay_takes_another_path_through_a_question(tmp_path: Path) -> None:
    question = find_bank("ai-security").question("secure-ml-pipeline")
    request = AssessRequest(question, (Exchange(kind="question", prompt="Q", answer=PARTIAL),))
    recorder = RecordingProvider(
        OfflineProvider(), tmp_path, profile=ProviderProfile(kind="offline"), role="grader"
    )
    await recorder.assess(request)
    replay = ReplayProvider.from_directory(tmp_path, match="position")
    await replay.assess(request)
    # The recorded assessments are used up: the engine's offline estimate takes over.
    with pytest.raises(AssessUnsupported, match="no recorded assessment left"):
        await replay.assess(request)


async def test_position_replay_closes_a_question_with_whichever_call_was_recorded(
    tmp_path: Path,
) -> None:
    question = find_bank("ai-security").question("secure-ml-pipeline")
    recorder = RecordingProvider(
        OfflineProvider(), tmp_path / "rec", profile=ProviderProfile(kind="offline"), role="grader"
    )
    session = Interview.new(
        InterviewSettings(max_probes=2),
        "ai-security",
        [question],
        interviewer=recorder,
        grader=recorder,
        journal_dir=tmp_path / "live",
    )
    async for _ in session.start():
        pass
    async for _ in session.submit(question.sample_answer):
        pass
    assert [f.task for f in load_directory(tmp_path / "rec")] == ["assess", "feedback"]
    # Someone else, with no probes left to ask: no assessment, and a full grade is asked for.
    replay = ReplayProvider.from_directory(tmp_path / "rec", match="position")
    again = Interview.new(
        InterviewSettings(max_probes=0),
        "ai-security",
        [question],
        interviewer=replay,
        grader=replay,
        journal_dir=tmp_path / "again",
    )
    async for _ in again.start():
        pass
    events = [e async for e in again.submit(question.sample_answer)]
    assert any(type(e).__name__ == "Evaluated" for e in events)
    assert replay.played() == ["0002-feedback-secure-ml-pipeline"]
