"""Record any provider at the protocol level, then replay: same events, strict or by position."""

from __future__ import annotations

import asyncio
import itertools
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from interviewer.config import ProviderProfile
from interviewer.domain import Exchange, GraderOutput, Usage
from interviewer.errors import FixtureError, ReplayMismatch
from interviewer.providers.base import (
    GradeDone,
    GradeEvent,
    GradeRequest,
    ProbeDone,
    ProbeEvent,
    ProbeRequest,
    TextDelta,
)
from interviewer.providers.record import RecordingProvider
from interviewer.providers.replay import ReplayProvider
from tests.conftest import ReplayFactory
from tests.fakes import ScriptedProvider, make_question, verdicts_covering

pytest_plugins = ["pytester"]

QUESTION = make_question("prompt-injection")
OTHER = make_question("model-theft")
ANSWER = "I would separate instructions from data and authorise every tool call the model makes."
PROFILE = ProviderProfile(kind="openai", model="gpt-4o-mini")
USAGE = Usage(input_tokens=420, output_tokens=17, cached_tokens=128, cost_usd=0.0001, calls=1)


def probe_request(
    answer: str = ANSWER, *, question: object = QUESTION, number: int = 1
) -> ProbeRequest:
    q = QUESTION if question is QUESTION else OTHER
    exchanges = (Exchange(kind="question", prompt=q.text, answer=answer),)
    return ProbeRequest(
        question=q, exchanges=exchanges, target_key_point_ids=("kp2", "kp3"), probe_number=number
    )


def grade_request(answer: str = ANSWER) -> GradeRequest:
    exchanges = (Exchange(kind="question", prompt=QUESTION.text, answer=answer),)
    return GradeRequest(question=QUESTION, exchanges=exchanges)


def grader_output() -> GraderOutput:
    return GraderOutput(
        verdicts=verdicts_covering(QUESTION, "separate instructions from data", 2),
        strengths=("Names the core defence.",),
        gaps=("No word on monitoring.",),
        feedback="A solid start: you separate data from instructions.",
    )


def fake_clock(step: float = 0.05) -> Callable[[], float]:
    ticks = itertools.count()
    return lambda: 100.0 + next(ticks) * step


def listing(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def texts(directory: Path) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(directory.iterdir())]


async def drain_probe(events: AsyncIterator[ProbeEvent]) -> list[ProbeEvent]:
    return [event async for event in events]


async def drain_grade(events: AsyncIterator[GradeEvent]) -> list[GradeEvent]:
    return [event async for event in events]


def scripted() -> ScriptedProvider:
    inner = ScriptedProvider(label="openai:gpt-4o-mini", local=False, usage=USAGE)
    inner.enqueue_probe("Which tool ", "calls would you ", "let it make?")
    inner.enqueue_grade(grader_output())
    return inner


async def record_session(directory: Path) -> tuple[list[ProbeEvent], list[GradeEvent]]:
    recorder = RecordingProvider(
        scripted(), directory, profile=PROFILE, role="interviewer", clock=fake_clock()
    )
    probe_events = await drain_probe(recorder.probe(probe_request()))
    grade_events = await drain_grade(recorder.grade(grade_request()))
    assert [p.name for p in recorder.written] == [
        "0001-probe-prompt-injection-1.jsonl",
        "0002-grade-prompt-injection.jsonl",
    ]
    return probe_events, grade_events


async def test_recording_passes_events_through_unchanged(tmp_path: Path) -> None:
    probe_events, grade_events = await record_session(tmp_path)
    assert probe_events == [
        TextDelta("Which tool "),
        TextDelta("calls would you "),
        TextDelta("let it make?"),
        ProbeDone(text="Which tool calls would you let it make?", usage=USAGE),
    ]
    assert grade_events == [
        TextDelta(grader_output().feedback),
        GradeDone(output=grader_output(), usage=USAGE),
    ]


async def test_strict_replay_gives_the_recorded_events(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    probe_events, grade_events = await record_session(tmp_path)
    replay = replay_provider(tmp_path)
    assert replay.is_local
    assert await drain_probe(replay.probe(probe_request())) == probe_events
    assert await drain_grade(replay.grade(grade_request())) == grade_events
    assert replay.played() == ["0001-probe-prompt-injection-1", "0002-grade-prompt-injection"]
    assert replay.unplayed() == []


async def test_recorded_timings_are_relative_and_replayed_at_pace(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    await record_session(tmp_path)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    replay = replay_provider(tmp_path, pace=True, sleep=sleep)
    events = await drain_probe(replay.probe(probe_request()))
    # The fake clock ticks 50 ms per reading: chunks at 50, 100, 150 ms, done at 200 ms.
    assert waits == pytest.approx([0.05, 0.05, 0.05, 0.05])
    assert isinstance(events[-1], ProbeDone)
    instant = replay_provider(tmp_path, sleep=sleep)
    waits.clear()
    await drain_grade(instant.grade(grade_request()))
    await drain_probe(instant.probe(probe_request()))
    await drain_grade(replay.grade(grade_request()))
    assert waits == pytest.approx([0.05, 0.05])


async def test_strict_mismatch_names_the_request_the_nearest_fixture_and_the_diff(
    tmp_path: Path,
) -> None:
    await record_session(tmp_path)
    inner = ScriptedProvider()
    replay = ReplayProvider.from_directory(tmp_path)
    edited = ANSWER.replace("authorise every tool call", "log every prompt")
    with pytest.raises(ReplayMismatch) as caught:
        await drain_probe(replay.probe(probe_request(edited)))
    message = str(caught.value)
    first_line = message.splitlines()[0]
    assert "probe 1 of question prompt-injection" in first_line
    assert "role interviewer" in first_line
    assert "nearest is 0001-probe-prompt-injection-1" in first_line
    assert "--- recorded 0001-probe-prompt-injection-1" in message
    assert "+++ this request" in message
    assert any(
        line.startswith("-") and "authorise every tool call" in line
        for line in message.splitlines()
    )
    assert any(line.startswith("+") and "log every prompt" in line for line in message.splitlines())
    assert inner.history == []
    assert replay.played() == []


async def test_mismatch_with_no_fixture_of_that_task(tmp_path: Path) -> None:
    recorder = RecordingProvider(scripted(), tmp_path, profile=PROFILE, role="grader")
    await drain_probe(recorder.probe(probe_request()))
    replay = ReplayProvider.from_directory(tmp_path, role="grader")
    with pytest.raises(ReplayMismatch, match=r"grading of question prompt-injection \(role grader"):
        await drain_grade(replay.grade(grade_request()))


async def test_a_repeated_request_gets_its_last_recording_again(tmp_path: Path) -> None:
    await record_session(tmp_path)
    replay = ReplayProvider.from_directory(tmp_path)
    first = await drain_grade(replay.grade(grade_request()))
    assert await drain_grade(replay.grade(grade_request())) == first
    assert replay.played() == ["0002-grade-prompt-injection"] * 2
    assert replay.unplayed() == ["0001-probe-prompt-injection-1"]


async def test_identical_requests_recorded_twice_replay_in_order(tmp_path: Path) -> None:
    inner = ScriptedProvider()
    inner.enqueue_probe("First?")
    inner.enqueue_probe("Second?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    await drain_probe(recorder.probe(probe_request()))
    await drain_probe(recorder.probe(probe_request()))
    replay = ReplayProvider.from_directory(tmp_path)
    texts = [(await drain_probe(replay.probe(probe_request())))[-1] for _ in range(3)]
    assert [t.text for t in texts if isinstance(t, ProbeDone)] == ["First?", "Second?", "Second?"]


async def test_position_mode_replays_by_order_whatever_the_answers(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    inner = ScriptedProvider()
    inner.enqueue_probe("Probe one?")
    inner.enqueue_probe("Probe two?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    await drain_probe(recorder.probe(probe_request(number=1)))
    await drain_probe(recorder.probe(probe_request(number=2)))
    replay = replay_provider(tmp_path, match="position")
    first = await drain_probe(replay.probe(probe_request("something else entirely", number=1)))
    second = await drain_probe(replay.probe(probe_request("and more", number=2)))
    # Played by position, and marked as the script they are: recorded for other answers.
    assert [first[-1], second[-1]] == [
        ProbeDone("Probe one?", scripted=True),
        ProbeDone("Probe two?", scripted=True),
    ]
    with pytest.raises(
        ReplayMismatch,
        match=r"has 2 probe exchange\(s\) for this question, all played \(run with --max-probes 2",
    ):
        await drain_probe(replay.probe(probe_request(number=3)))
    with pytest.raises(ReplayMismatch, match="cover only questions prompt-injection"):
        await drain_probe(replay.probe(probe_request(question=OTHER)))


async def test_position_mode_marks_as_scripted_only_replies_to_other_requests(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    inner = ScriptedProvider()
    inner.enqueue_probe("Probe one?")
    inner.enqueue_probe("Probe two?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    await drain_probe(recorder.probe(probe_request(number=1)))
    await drain_probe(recorder.probe(probe_request(number=2)))
    replay = replay_provider(tmp_path, match="position")
    same = await drain_probe(replay.probe(probe_request(number=1)))
    other = await drain_probe(replay.probe(probe_request("not what was recorded", number=2)))
    assert [same[-1], other[-1]] == [
        ProbeDone("Probe one?"),
        ProbeDone("Probe two?", scripted=True),
    ]
    strict = replay_provider(tmp_path)
    assert (await drain_probe(strict.probe(probe_request(number=1))))[-1] == ProbeDone("Probe one?")
    assert (await drain_probe(strict.probe(probe_request(number=2))))[-1] == ProbeDone("Probe two?")


async def test_interrupted_streams_replay_as_interrupted(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    class Cut(ScriptedProvider):
        async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
            yield TextDelta("Which tool")
            yield ProbeDone(text="Which tool", interrupted=True)

    recorder = RecordingProvider(Cut(), tmp_path, profile=PROFILE, role="interviewer")
    recorded = await drain_probe(recorder.probe(probe_request()))
    assert '"stop": "interrupted"' in recorder.written[0].read_text(encoding="utf-8")
    replay = replay_provider(tmp_path)
    assert await drain_probe(replay.probe(probe_request())) == recorded


async def test_failed_or_abandoned_exchanges_are_not_written(tmp_path: Path) -> None:
    inner = ScriptedProvider()
    inner.probes.append(RuntimeError("server down"))
    inner.enqueue_probe("Which ", "tool?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    with pytest.raises(RuntimeError, match="server down"):
        await drain_probe(recorder.probe(probe_request()))
    stream = recorder.probe(probe_request())
    assert await anext(stream) == TextDelta("Which ")
    await stream.aclose()  # type: ignore[attr-defined]
    assert recorder.written == []
    assert listing(tmp_path) == []


async def test_recorder_keeps_name_locality_and_closes_inner(tmp_path: Path) -> None:
    inner = ScriptedProvider(label="anthropic:claude", local=False)
    recorder = RecordingProvider(inner, tmp_path / "new" / "dir", profile=PROFILE, role="grader")
    assert (recorder.name, recorder.is_local) == ("anthropic:claude", False)
    assert (tmp_path / "new" / "dir").is_dir()
    await recorder.aclose()
    assert inner.closed == 1


async def test_a_key_in_the_environment_never_reaches_a_fixture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-proj-T3stK3yThatLooksRealAbCdEf0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("MY_SERVICE_TOKEN", "plain-words-token-value")
    await record_session(tmp_path)
    for text in texts(tmp_path):
        assert key not in text
        assert "plain-words-token-value" not in text


async def test_a_secret_typed_in_an_answer_is_redacted_yet_replays_strictly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replay_provider: ReplayFactory
) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "plain-words-token-value")
    inner = ScriptedProvider()
    inner.enqueue_probe("Why did you paste ", "plain-words-token-value?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    answer = f"my token is plain-words-token-value. {ANSWER}"
    recorded = await drain_probe(recorder.probe(probe_request(answer)))
    assert "plain-words-token-value" not in texts(tmp_path)[0]
    replay = replay_provider(tmp_path)
    replayed = await drain_probe(replay.probe(probe_request(answer)))
    assert replayed[-1] == ProbeDone("Why did you paste [REDACTED]?")
    assert len(replayed) == len(recorded)


def test_profile_defaults_the_demo_set_to_position_matching() -> None:
    demo = ReplayProvider.from_profile("replay", ProviderProfile(kind="replay"), "interviewer")
    assert (demo.match, demo.name) == ("position", "replay:scripted-demo")
    strict = ReplayProvider.from_profile(
        "replay", ProviderProfile(kind="replay", match="strict"), "interviewer"
    )
    assert strict.match == "strict"


async def test_profile_with_a_folder_is_strict_and_filters_by_model(tmp_path: Path) -> None:
    await record_session(tmp_path)
    profile = ProviderProfile(kind="replay", fixtures=tmp_path, pace=True)
    replay = ReplayProvider.from_profile("mine", profile, "grader")
    assert (replay.match, replay.pace, replay.name) == ("strict", True, f"mine:{tmp_path.name}")
    wrong_model = ProviderProfile(kind="replay", fixtures=tmp_path, model="gpt-5")
    with pytest.raises(FixtureError, match="no fixture was recorded from model 'gpt-5'"):
        ReplayProvider.from_profile("mine", wrong_model, "interviewer")


def test_unplayed_fixtures_fail_the_test(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "rec"
    asyncio.run(record_session(folder))
    # A separate process: an in-process run shares plugin state with this session.
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[2]))
    pytester.makeconftest((Path(__file__).parent.parent / "conftest.py").read_text("utf-8"))
    pytester.makepyfile(
        test_inner=textwrap.dedent(
            f"""
            import asyncio
            from interviewer.providers.base import collect_probe
            from tests.providers.test_record_replay import probe_request

            def test_plays_only_the_probe(replay_provider):
                replay = replay_provider({str(folder)!r})
                asyncio.run(collect_probe(replay.probe(probe_request())))

            def test_plays_nothing(replay_provider):
                replay_provider({str(folder)!r})
            """
        )
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function"
    )
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*replay fixtures left unplayed: 0002-grade-prompt-injection (the test*",
            "*unplayed: 0001-probe-prompt-injection-1, 0002-grade-prompt-injection*",
        ]
    )
