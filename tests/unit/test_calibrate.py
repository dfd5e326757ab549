"""`interviewer calibrate`: top, bottom, spread, and the flags for graders that get them wrong."""

from __future__ import annotations

import io
import itertools
import json
import re
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


# ---------------------------------------------------------------------------------------------
# The calibration set: bands and ordering


def kind_of(question: Question, answer: str) -> str:
    """Which calibration answer `answer` is (what a grader that understands would recognise)."""
    assert CALIBRATION is not None
    found = CALIBRATION.for_question(question.id)
    if answer == question.sample_answer:
        return "sample"
    if found is not None:
        for kind in KINDS:
            if found.answer(kind) == answer.strip():
                return kind
    return "other"


_WORD = re.compile(r"[a-z]{4,}")


@dataclass
class VocabularyGrader(FakeGrader):
    """Credits a key point for the words it shares with the answer, whatever the answer says
    about them: the failure the issue measured in the offline grader."""

    label: str = "vocabulary"

    def judge(self, question: Question, answer: str) -> GraderOutput:
        units = sentences(answer)
        verdicts = []
        for point in question.key_points:
            wanted = set(_WORD.findall(point.text.lower()))

            def shared(text: str, wanted: set[str] = wanted) -> int:
                return len(wanted & set(_WORD.findall(text.lower())))

            share = shared(answer) / max(len(wanted), 1)
            verdict = (
                Verdict.COVERED if share >= 0.25 else Verdict.PARTIAL if share >= 0.12 else None
            )
            verdicts.append(
                KeyPointVerdict(
                    key_point_id=point.id,
                    verdict=verdict or Verdict.MISSED,
                    evidence=max(units, key=shared) if verdict else None,
                )
            )
        return GraderOutput(verdicts=tuple(verdicts))


@dataclass
class UnderstandingGrader(FakeGrader):
    """Grades what each answer means: strong and sample answers cover every point, a shallow one
    touches on every point, anything else covers none."""

    label: str = "understanding"
    shallow: Verdict = Verdict.PARTIAL
    negated: Verdict = Verdict.MISSED

    def judge(self, question: Question, answer: str) -> GraderOutput:
        kind = kind_of(question, answer)
        if kind in ("sample", "strong"):
            return all_points(question, answer, Verdict.COVERED)
        if kind == "shallow":
            return all_points(question, answer, self.shallow)
        if kind == "negated":
            return all_points(question, answer, self.negated)
        return all_points(question, answer, Verdict.MISSED)


async def test_a_grader_that_scores_by_vocabulary_fails_the_calibration_set() -> None:
    # A negated answer, written in the bank's vocabulary, outscores a shallow one.
    result = await run_calibration(
        VocabularyGrader(),
        BANK.questions,
        bank_id=BANK.id,
        repeats=1,
        limits=LIMITS,
        calibration=CALIBRATION,
    )
    assert not result.ok
    assert result.flags[0] == "negated_above_shallow"
    flagged = result.flagged("negated_above_shallow")
    assert len(flagged) >= 5
    for row in result.questions:
        if row.question_id in flagged:
            negated, shallow = row.answer("negated"), row.answer("shallow")
            assert negated is not None and shallow is not None
            assert negated.mean is not None and shallow.mean is not None
            assert negated.mean > shallow.mean
            assert "order:shallow>negated" in row.flags
    assert "band:negated" in result.flags
    table = format_calibration(result)
    verdict = table.splitlines()[-1]
    assert verdict.startswith(
        "  Verdict: not calibrated: scores a negated answer above a shallow one "
        f"({len(flagged)} of 10 questions)"
    )
    first = next(r for r in result.questions if r.question_id == flagged[0])
    shallow_score = first.answer("shallow").mean  # type: ignore[union-attr]
    negated_score = first.answer("negated").mean  # type: ignore[union-attr]
    assert (
        f"  {first.question_id}\n    scores a negated answer ({negated_score:.1f}) above a "
        f"shallow one ({shallow_score:.1f})\n"
    ) in table


async def test_a_grader_that_orders_by_meaning_passes() -> None:
    result = await run_calibration(
        UnderstandingGrader(),
        BANK.questions,
        bank_id=BANK.id,
        repeats=2,
        limits=LIMITS,
        calibration=CALIBRATION,
    )
    assert result.ok, format_calibration(result)
    assert result.ordered.rate == 1.0
    assert result.ordered.total == 7 * len(BANK.questions)
    row = result.questions[0]
    assert [a.kind for a in row.answers] == list(KINDS)
    assert all(check.ok for check in row.orders)
    assert format_calibration(result).endswith("Verdict: calibrated (no failed checks)")


async def test_a_shallow_answer_scored_as_strong_is_out_of_band_and_out_of_order() -> None:
    result = await run_calibration(
        UnderstandingGrader(shallow=Verdict.COVERED),
        BANK.questions[:1],
        bank_id=BANK.id,
        repeats=1,
        limits=LIMITS,
        calibration=CALIBRATION,
    )
    assert result.questions[0].flags == ("order:strong>shallow", "band:shallow")
    assert "negated_above_shallow" not in result.flags
    table = format_calibration(result)
    assert "    shallow 10.0 not below strong 10.0\n    shallow 10.0 outside 2-6.5\n" in table


async def test_a_negated_answer_tied_with_the_shallow_one_is_out_of_order_not_above() -> None:
    result = await run_calibration(
        UnderstandingGrader(negated=Verdict.PARTIAL),
        BANK.questions[:1],
        bank_id=BANK.id,
        repeats=1,
        limits=LIMITS,
        calibration=CALIBRATION,
    )
    flags = result.questions[0].flags
    assert "order:shallow>negated" in flags  # a tie is wrong, as in ordering.pairwise
    assert "negated_above_shallow" not in flags
    assert "band:negated" in flags


def test_cli_vocabulary_grader_exits_1_with_the_negated_reason(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "interviewer.providers.registry.build_provider", lambda s, n, r: VocabularyGrader()
    )
    code = main(["calibrate", "--repeats", "1"])
    out = capsys.readouterr().out
    assert code == ExitCode.FAILED
    assert "Verdict: not calibrated: scores a negated answer above a shallow one" in out


def test_cli_understanding_grader_exits_0(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "interviewer.providers.registry.build_provider", lambda s, n, r: UnderstandingGrader()
    )
    assert main(["calibrate", "--repeats", "1"]) == ExitCode.FINISHED
    assert "Verdict: calibrated (no failed checks)" in capsys.readouterr().out
