"""`interviewer calibrate`: top, bottom, spread, and the flags for graders that get them wrong."""

from __future__ import annotations

import io
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from interviewer.audit.calibrate import OFF_TOPIC_ANSWERS, off_topic_answer, run_calibration
from interviewer.audit.table import format_calibration
from interviewer.bank.loader import find_bank
from interviewer.cli import main
from interviewer.domain import GraderOutput, KeyPointVerdict, Question, Verdict
from interviewer.engine.grading import AnswerLimits
from interviewer.errors import ProviderError
from interviewer.providers.offline import OfflineProvider
from tests.unit.test_redteam_fakes import BrittleGrader, FakeGrader, sentences

LIMITS = AnswerLimits(min_words=8, max_chars=6000)

BANK = find_bank("ai-security")


def all_points(question: Question, answer: str, verdict: Verdict) -> GraderOutput:
    evidence = sentences(answer)[0] if verdict is not Verdict.MISSED else None
    return GraderOutput(
        verdicts=tuple(
            KeyPointVerdict(key_point_id=p.id, verdict=verdict, evidence=evidence)
            for p in question.key_points
        )
    )


@dataclass
class WobblyGrader(FakeGrader):
    """Covers everything in the sample answer, but only every other time."""

    label: str = "wobbly"
    turns: itertools.cycle[Verdict] = field(
        default_factory=lambda: itertools.cycle([Verdict.COVERED, Verdict.PARTIAL])
    )

    def judge(self, question: Question, answer: str) -> GraderOutput:
        if answer == question.sample_answer:
            return all_points(question, answer, next(self.turns))
        return all_points(question, answer, Verdict.MISSED)


@dataclass
class BackwardsGrader(FakeGrader):
    """Loves off-topic answers and dislikes the sample."""

    label: str = "backwards"

    def judge(self, question: Question, answer: str) -> GraderOutput:
        verdict = Verdict.COVERED if answer in OFF_TOPIC_ANSWERS else Verdict.MISSED
        return all_points(question, answer, verdict)


async def test_offline_grader_is_calibrated_on_the_shipped_bank() -> None:
    result = await run_calibration(
        OfflineProvider(), BANK.questions, bank_id=BANK.id, repeats=2, limits=LIMITS
    )
    assert result.ok, format_calibration(result)
    assert len(result.questions) == len(BANK.questions)
    for row in result.questions:
        assert row.sample.minimum is not None and row.sample.minimum >= 8
        assert row.off_topic.maximum is not None and row.off_topic.maximum <= 1
        assert row.empty.scores == (0.0,)
        assert row.spread == 0.0  # deterministic
        assert len(row.sample.scores) == 2
    # Empty answers are decided by the pre-check: 2 + 2 provider calls per question.
    assert result.calls == 4 * len(BANK.questions)


async def test_unstable_grader_is_flagged() -> None:
    result = await run_calibration(
        WobblyGrader(), BANK.questions[:2], bank_id=BANK.id, repeats=4, limits=LIMITS
    )
    assert result.flags == ("low_top", "unstable")
    row = result.questions[0]
    assert row.sample.scores == (10.0, 5.0, 10.0, 5.0)
    assert row.sample.spread == 5.0
    assert row.sample.stdev == 2.5
    assert row.flags == ("low_top", "unstable")
    assert not result.ok


async def test_inverted_grader_is_flagged() -> None:
    result = await run_calibration(
        BackwardsGrader(), BANK.questions[:1], bank_id=BANK.id, repeats=2, limits=LIMITS
    )
    assert result.questions[0].flags == ("low_top", "high_bottom", "inverted")
    assert result.sample_mean == 0.0
    assert result.off_topic_mean == 10.0


async def test_a_grader_that_never_works_stops_calibration() -> None:
    with pytest.raises(ProviderError):
        await run_calibration(
            BrittleGrader(error_after=0),
            BANK.questions[:1],
            bank_id=BANK.id,
            repeats=2,
            limits=LIMITS,
        )


async def test_failures_after_a_good_start_are_flagged() -> None:
    result = await run_calibration(
        BrittleGrader(error_after=2),
        BANK.questions[:1],
        bank_id=BANK.id,
        repeats=2,
        limits=LIMITS,
    )
    assert "failures" in result.flags
    assert result.questions[0].off_topic.failures == 2


def test_off_topic_answers_are_real_prose_about_something_else() -> None:
    from interviewer.grading.checks import precheck

    for question in BANK.questions:
        text = off_topic_answer(question)
        assert precheck(text, min_words=8) is None
        assert "security" not in text.lower()
    assert len({off_topic_answer(q) for q in BANK.questions}) > 1


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    monkeypatch.delenv("INTERVIEWER_PROVIDER", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return tmp_path


def test_cli_json_on_offline(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = ",".join(q.id for q in BANK.questions[:2])
    code = main(
        ["calibrate", "--provider", "offline", "--questions", ids, "--repeats", "2", "--json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [q["question_id"] for q in report["questions"]] == ids.split(",")
    assert report["flags"] == []
    assert report["repeats"] == 2


def test_cli_exits_1_and_names_the_flags(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "interviewer.providers.registry.build_provider", lambda s, n, r: WobblyGrader()
    )
    code = main(["calibrate", "--questions", BANK.questions[0].id, "--repeats", "2"])
    out = capsys.readouterr().out
    assert code == 1
    assert "unstable" in out
    assert "Verdict: low_top, unstable" in out


def test_cli_a_grader_that_goes_down_fails_and_shows_the_failure_rate(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "interviewer.providers.registry.build_provider",
        lambda s, n, r: BrittleGrader(error_after=1),
    )
    args = ["calibrate", "--questions", BANK.questions[0].id, "--repeats", "3"]
    assert main([*args, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["failed"] == {"hits": 5, "total": 6, "rate": 0.8333}
    assert "failures" in report["flags"]
    monkeypatch.setattr(
        "interviewer.providers.registry.build_provider",
        lambda s, n, r: BrittleGrader(error_after=1),
    )
    assert main(args) == 1
    assert "Failed gradings: 83.33%  (5/6)" in capsys.readouterr().out


def test_cli_paid_calibration_needs_yes(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    grader = FakeGrader(label="anthropic:claude-haiku-4-5", local=False)
    monkeypatch.setattr("interviewer.providers.registry.build_provider", lambda s, n, r: grader)
    args = ["calibrate", "--provider", "anthropic", "--questions", BANK.questions[0].id]
    assert main(args) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert grader.calls == 0
    main([*args, "--yes"])
    assert grader.calls == 6


def test_cli_rejects_zero_repeats(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", "--provider", "offline", "--repeats", "0"]) == 2
    assert "--repeats" in capsys.readouterr().err


async def test_calibration_table_is_sanitised() -> None:
    result = await run_calibration(
        WobblyGrader(label="x\x1b[2Jy"),
        BANK.questions[:1],
        bank_id=BANK.id,
        repeats=2,
        limits=LIMITS,
    )
    table = format_calibration(result)
    assert "\x1b" not in table
    assert "xy" in table
    assert BANK.questions[0].id in table
