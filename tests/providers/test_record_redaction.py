"""A secret streamed in pieces never reaches a fixture, not even spread over chunk records."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from interviewer.config import ProviderProfile
from interviewer.domain import Exchange, GraderOutput
from interviewer.providers.base import (
    GradeDone,
    GradeEvent,
    GradeRequest,
    ProbeDone,
    ProbeRequest,
    TextDelta,
    collect_grade,
    collect_probe,
)
from interviewer.providers.record import RecordingProvider
from tests.conftest import ReplayFactory
from tests.fakes import ScriptedProvider, make_question, verdicts_covering

QUESTION = make_question("prompt-injection")
ANSWER = "I would separate instructions from data and authorise every tool call the model makes."
PROFILE = ProviderProfile(kind="openai", model="gpt-4o-mini")
KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
KEY_PIECES = ("sk-proj-AbCdEf", "GhIjKlMnOp", "QrStUvWxYz", "0123456789")
TOKEN = "plain-words-token-value"
TOKEN_PIECES = ("plain-", "words-", "token-", "value")


def probe_request() -> ProbeRequest:
    exchanges = (Exchange(kind="question", prompt=QUESTION.text, answer=ANSWER),)
    return ProbeRequest(
        question=QUESTION, exchanges=exchanges, target_key_point_ids=("kp2",), probe_number=1
    )


def grade_request() -> GradeRequest:
    exchanges = (Exchange(kind="question", prompt=QUESTION.text, answer=ANSWER),)
    return GradeRequest(question=QUESTION, exchanges=exchanges)


class PiecewiseGrader(ScriptedProvider):
    """Streams a grade's feedback in the given pieces, as a streaming grader would."""

    pieces: tuple[str, ...] = ()

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        for piece in self.pieces:
            yield TextDelta(piece)
        output = GraderOutput(
            verdicts=verdicts_covering(QUESTION, "separate instructions from data", 1),
            feedback="".join(self.pieces),
        )
        yield GradeDone(output=output)


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def chunk_texts(path: Path) -> list[str]:
    return [str(r["text"]) for r in records(path) if r["type"] == "chunk"]


def assert_nowhere(secret: str, path: Path) -> None:
    assert secret not in path.read_text(encoding="utf-8")
    assert secret not in "".join(chunk_texts(path))


@pytest.mark.parametrize(
    ("secret", "pieces"), [(KEY, KEY_PIECES), (TOKEN, TOKEN_PIECES)], ids=["key", "env-value"]
)
async def test_a_secret_streamed_in_pieces_is_redacted_in_the_chunks(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    replay_provider: ReplayFactory,
    secret: str,
    pieces: tuple[str, ...],
) -> None:
    # The key pattern alone must catch KEY: it is not in the environment.
    monkeypatch.setenv("MY_SERVICE_TOKEN", TOKEN)
    inner = ScriptedProvider()
    inner.enqueue_probe("Is your key ", *pieces, " still valid?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    live = await collect_probe(recorder.probe(probe_request()))
    assert live.text == f"Is your key {secret} still valid?"  # the caller sees it unchanged
    (path,) = recorder.written
    assert_nowhere(secret, path)
    assert chunk_texts(path) == ["Is your key [REDACTED] still valid?"]
    lines = records(path)
    assert lines[0]["redacted"] is True
    assert lines[-1]["text"] == "Is your key [REDACTED] still valid?"
    replayed = [e async for e in replay_provider(tmp_path).probe(probe_request())]
    assert replayed == [
        TextDelta("Is your key [REDACTED] still valid?"),
        ProbeDone("Is your key [REDACTED] still valid?"),
    ]


async def test_the_single_chunk_keeps_the_time_of_the_last_piece(tmp_path: Path) -> None:
    ticks = iter(range(100, 200))
    inner = ScriptedProvider()
    inner.enqueue_probe("Is your key ", *KEY_PIECES, " still valid?")
    recorder = RecordingProvider(
        inner, tmp_path, profile=PROFILE, role="interviewer", clock=lambda: next(ticks) / 10
    )
    await collect_probe(recorder.probe(probe_request()))
    chunks = [r for r in records(recorder.written[0]) if r["type"] == "chunk"]
    # start at 10.0 s, six chunks at 10.1 .. 10.6 s
    assert [c["ms"] for c in chunks] == [600]


async def test_a_secret_in_a_streamed_grade_is_redacted_in_the_chunks(tmp_path: Path) -> None:
    inner = PiecewiseGrader()
    inner.pieces = ("Never paste ", *KEY_PIECES, " into an answer.")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="grader")
    done = await collect_grade(recorder.grade(grade_request()))
    assert KEY in done.output.feedback
    (path,) = recorder.written
    assert_nowhere(KEY, path)
    assert chunk_texts(path) == ["Never paste [REDACTED] into an answer."]


async def test_chunks_without_a_secret_are_kept_as_streamed(tmp_path: Path) -> None:
    inner = ScriptedProvider()
    inner.enqueue_probe("Which tool ", "calls would you ", "let it make?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    await collect_probe(recorder.probe(probe_request()))
    (path,) = recorder.written
    assert chunk_texts(path) == ["Which tool ", "calls would you ", "let it make?"]
    assert records(path)[0]["redacted"] is False


async def test_a_secret_within_one_chunk_keeps_the_chunks(tmp_path: Path) -> None:
    inner = ScriptedProvider()
    inner.enqueue_probe("Is your key ", KEY, " still valid?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    await collect_probe(recorder.probe(probe_request()))
    (path,) = recorder.written
    assert_nowhere(KEY, path)
    assert chunk_texts(path) == ["Is your key ", "[REDACTED]", " still valid?"]
    assert records(path)[0]["redacted"] is True


async def test_a_key_whose_tail_spills_into_the_next_chunk_is_cut_whole(tmp_path: Path) -> None:
    inner = ScriptedProvider()
    inner.enqueue_probe("Is your key ", KEY[:30], KEY[30:], " still valid?")
    recorder = RecordingProvider(inner, tmp_path, profile=PROFILE, role="interviewer")
    await collect_probe(recorder.probe(probe_request()))
    (path,) = recorder.written
    assert KEY[30:] not in "".join(chunk_texts(path))
    assert chunk_texts(path) == ["Is your key [REDACTED] still valid?"]


COMPAT_KEY = "compat-9f8e7d6c5b4a3210"
COMPAT_PIECES = ("compat-9f8e", "7d6c5b", "4a3210")


async def test_the_profiles_own_key_is_redacted_whatever_its_variable_is_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replay_provider: ReplayFactory
) -> None:
    # COMPAT_CRED does not look secret by name, and the value has no vendor key shape: only the
    # profile naming the variable says it is the key.
    monkeypatch.setenv("COMPAT_CRED", COMPAT_KEY)
    profile = ProviderProfile(
        kind="openai", model="local", base_url="http://127.0.0.1:9/v1", api_key_env="COMPAT_CRED"
    )
    exchanges = (
        Exchange(kind="question", prompt=QUESTION.text, answer=f"{ANSWER} My key is {COMPAT_KEY}."),
    )
    request = ProbeRequest(
        question=QUESTION, exchanges=exchanges, target_key_point_ids=("kp2",), probe_number=1
    )
    inner = ScriptedProvider()
    inner.enqueue_probe("Why share ", *COMPAT_PIECES, " here?")
    grader = PiecewiseGrader()
    grader.pieces = ("Never paste ", COMPAT_KEY, " into an answer.")
    probes = RecordingProvider(inner, tmp_path / "probe", profile=profile, role="interviewer")
    grades = RecordingProvider(grader, tmp_path / "grade", profile=profile, role="grader")
    live = await collect_probe(probes.probe(request))
    assert live.text == f"Why share {COMPAT_KEY} here?"
    await collect_grade(grades.grade(GradeRequest(question=QUESTION, exchanges=exchanges)))
    for path in (*probes.written, *grades.written):
        text = path.read_text(encoding="utf-8")
        for piece in (COMPAT_KEY, *COMPAT_PIECES):
            assert piece not in text
        assert records(path)[0]["redacted"] is True
    assert chunk_texts(probes.written[0]) == ["Why share [REDACTED] here?"]
    # Strict replay still matches the real request: the header keeps its hash.
    replayed = await collect_probe(replay_provider(tmp_path / "probe").probe(request))
    assert replayed.text == "Why share [REDACTED] here?"
    regraded = replay_provider(tmp_path / "grade", role="grader")
    graded = await collect_grade(
        regraded.grade(GradeRequest(question=QUESTION, exchanges=exchanges))
    )
    assert graded.output.feedback == "Never paste [REDACTED] into an answer."
