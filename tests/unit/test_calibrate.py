"""`interviewer calibrate`: top, bottom, spread, and the flags for graders that get them wrong."""

from __future__ import annotations

import io
import itertools
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from interviewer.audit.calibrate import UNRELATED_ANSWERS, run_calibration, unrelated_answer
from interviewer.audit.table import format_calibration
from interviewer.bank.calibration import KINDS, find_calibration
from interviewer.bank.loader import find_bank_file
from interviewer.cli import main
from interviewer.domain import GraderOutput, KeyPointVerdict, Question, Verdict
from interviewer.engine.grading import AnswerLimits
from interviewer.errors import ExitCode, ProviderError
from interviewer.providers.offline import OfflineProvider
from tests.unit.test_redteam_fakes import BrittleGrader, FakeGrader, sentences

LIMITS = AnswerLimits(min_words=8, max_chars=6000)

BANK_FILE, BANK = find_bank_file("ai-security")
SHIPPED = BANK_FILE.parent
CALIBRATION = find_calibration(BANK_FILE, BANK)


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
    """Loves unrelated answers and dislikes the sample."""

    label: str = "backwards"

    def judge(self, question: Question, answer: str) -> GraderOutput:
        verdict = Verdict.COVERED if answer in UNRELATED_ANSWERS else Verdict.MISSED
        return all_points(question, answer, verdict)


async def test_offline_grader_is_calibrated_on_the_shipped_bank() -> None:
    result = await run_calibration(
        OfflineProvider(), BANK.questions, bank_id=BANK.id, repeats=2, limits=LIMITS
    )
    assert result.ok, format_calibration(result)
    assert len(result.questions) == len(BANK.questions)
    for row in result.questions:
        assert row.sample.minimum is not None and row.sample.minimum >= 8
        assert row.unrelated.maximum is not None and row.unrelated.maximum <= 1
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
    assert result.unrelated_mean == 10.0


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
    assert result.questions[0].unrelated.failures == 2


def test_unrelated_answers_are_real_prose_about_something_else() -> None:
    from interviewer.grading.checks import precheck

    for question in BANK.questions:
        text = unrelated_answer(question)
        assert precheck(text, min_words=8) is None
        assert "security" not in text.lower()
    assert len({unrelated_answer(q) for q in BANK.questions}) > 1


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    monkeypatch.delenv("INTERVIEWER_PROVIDER", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return tmp_path


def test_cli_json_on_offline_exit_code_follows_the_checks(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = ",".join(q.id for q in BANK.questions[:2])
    code = main(
        ["calibrate", "--provider", "offline", "--questions", ids, "--repeats", "2", "--json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert [q["question_id"] for q in report["questions"]] == ids.split(",")
    assert report["repeats"] == 2
    assert report["calibration_set"].endswith("ai-security.calibration.toml")
    for row in report["questions"]:
        assert [a["kind"] for a in row["answers"]] == list(KINDS)
        assert len(row["orders"]) == 7  # strong > 4 others, shallow > 3 low kinds
    # Whatever today's offline grader scores, a failed check is exit 1 and a pass exit 0.
    assert code == (ExitCode.FAILED if report["flags"] else ExitCode.FINISHED)


def test_cli_bank_without_calibration_set_runs_the_generic_checks_and_says_so(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank_file = tmp_path / "copy.toml"
    shutil.copy(SHIPPED / "ai-security.toml", bank_file)
    ids = ",".join(q.id for q in BANK.questions[:2])
    args = ["calibrate", "--provider", "offline", "--bank", str(bank_file), "--questions", ids]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["calibration_set"] is None
    assert report["flags"] == []
    assert all(row["answers"] == [] for row in report["questions"])
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "No calibration set for this bank: generic checks only" in out
    assert "Verdict: calibrated (generic checks only: the bank has no calibration set)" in out


def test_cli_exits_1_and_names_the_flags(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "interviewer.providers.registry.build_provider", lambda s, n, r: WobblyGrader()
    )
    code = main(["calibrate", "--questions", BANK.questions[0].id, "--repeats", "2"])
    out = capsys.readouterr().out
    assert code == 1
    verdict = next(line for line in out.splitlines() if "Verdict:" in line)
    assert verdict.startswith("  Verdict: not calibrated: ")
    assert "the sample answer scores below 8 (1 of 1 questions)" in verdict
    assert "the same answer graded again moves by more than 1 (1 of 1 questions)" in verdict


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
    # 3 sample, 3 unrelated, 3 x 5 calibration answers: all but the first grading fail.
    assert report["failed"] == {"hits": 20, "total": 21, "rate": 0.9524}
    assert "failures" in report["flags"]
    monkeypatch.setattr(
        "interviewer.providers.registry.build_provider",
        lambda s, n, r: BrittleGrader(error_after=1),
    )
    assert main(args) == 1
    assert "Failed gradings: 95.24%  (20/21)" in capsys.readouterr().out


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
    # 3 sample, 3 unrelated and 3 of each of the 5 calibration answers; the empty one is not sent.
    assert grader.calls == 21


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
