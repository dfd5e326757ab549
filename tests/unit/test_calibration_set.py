"""The calibration set beside a bank: the shipped one is complete and fresh, a broken one says
which file, question and field is wrong, and bank listings do not mistake it for a bank."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from interviewer.audit.calibrate import run_calibration
from interviewer.audit.table import format_calibration
from interviewer.bank.calibration import (
    KINDS,
    calibration_path,
    find_calibration,
    load_calibration,
)
from interviewer.bank.loader import find_bank_file, list_banks
from interviewer.cli import main
from interviewer.domain import GraderOutput, KeyPointVerdict, Question, Verdict
from interviewer.errors import BankError, ExitCode
from interviewer.grading.checks import precheck
from interviewer.text.words import words
from tests.unit.test_calibrate import LIMITS, all_points, home
from tests.unit.test_redteam_fakes import FakeGrader, sentences

BANK_FILE, BANK = find_bank_file("ai-security")
CALIBRATION = find_calibration(BANK_FILE, BANK)
__all__ = ["home"]  # the CLI tests' fixture
DEVSET = Path(__file__).resolve().parents[1] / "data" / "devset"
RUN = 8
"""Words in a row shared with another text that count as copied from it."""


def runs(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def test_the_shipped_set_has_five_gradeable_answers_for_every_question() -> None:
    calibration = find_calibration(BANK_FILE, BANK)
    assert calibration is not None
    assert calibration.source == str(calibration_path(BANK_FILE))
    assert [a.id for a in calibration.answers] == [q.id for q in BANK.questions]
    for answers in calibration.answers:
        texts = [answers.answer(kind) for kind in KINDS]
        assert len(set(texts)) == len(KINDS)
        for kind, text in zip(KINDS, texts, strict=True):
            # Long enough to reach the grader: the pre-check must not decide any of them.
            assert precheck(text, min_words=8) is None, (answers.id, kind)


def test_the_shipped_set_is_not_copied_from_sample_answers_or_the_devset() -> None:
    calibration = find_calibration(BANK_FILE, BANK)
    assert calibration is not None
    others = [q.sample_answer for q in BANK.questions]
    for name in sorted(DEVSET.glob("*.jsonl")):
        for line in name.read_text(encoding="utf-8").splitlines():
            if line.strip():
                others.append(json.loads(line)["answer"])
    assert len(others) > len(BANK.questions)  # the dev set was read
    copied = set().union(*(runs(text) for text in others))
    for answers in calibration.answers:
        for kind in KINDS:
            shared = runs(answers.answer(kind)) & copied
            assert not shared, (answers.id, kind, [" ".join(run) for run in shared])


def test_bank_listings_skip_calibration_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    from interviewer.paths import user_banks_dir

    folder = user_banks_dir()
    folder.mkdir(parents=True)
    shutil.copy(BANK_FILE, folder / "mine.toml")
    shutil.copy(calibration_path(BANK_FILE), folder / "mine.calibration.toml")
    infos = list_banks()
    assert [(i.path.name, i.error) for i in infos] == [
        ("ai-security.toml", None),
        ("mine.toml", None),
    ]


def test_a_bank_without_a_set_has_none(tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    shutil.copy(BANK_FILE, copy)
    assert find_calibration(copy, BANK) is None


SHIPPED_TEXT = calibration_path(BANK_FILE).read_text(encoding="utf-8")
GOOD = SHIPPED_TEXT[SHIPPED_TEXT.index("\n[calibration]\n") + 1 :]
"""The shipped file without its comment header (which shows the layout's keys)."""
FIRST = BANK.questions[0].id


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace(f'id = "{FIRST}"', 'id = "no-such-question"', 1),
            "questions[0] (no-such-question): id: bank 'ai-security' has no question "
            "'no-such-question'",
        ),
        (
            lambda t: t.replace("\nshallow = ", "\nshalow = ", 1),
            f"questions[0] ({FIRST}): shallow: missing; every question needs strong, shallow",
        ),
        (
            lambda t: t.replace('\nnegated = """', '\nnegated = """\n   """\nx = """', 1),
            f"questions[0] ({FIRST}): negated: Value error, must not be empty",
        ),
        (
            lambda t: t.replace('bank = "ai-security"', 'bank = "other"', 1),
            "[calibration] bank: is 'other', but the bank beside it is 'ai-security'",
        ),
        (
            lambda t: t.replace("format = 1", "format = 2", 1),
            "[calibration]: format: Input should be less than or equal to 1",
        ),
        (
            lambda t: t + f'\n[[questions]]\nid = "{FIRST}"\n',
            f"questions[10] ({FIRST}): ",
        ),
        (lambda t: t + "\n[extra]\n", "unknown key 'extra'"),
        (lambda t: t.replace("[calibration]", "[calibration", 1), "invalid TOML"),
    ],
)
def test_a_broken_set_names_file_question_and_field(
    tmp_path: Path, edit: object, message: str
) -> None:
    path = tmp_path / "broken.calibration.toml"
    path.write_text(edit(GOOD), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(BankError) as caught:
        load_calibration(path, BANK)
    text = str(caught.value)
    assert text.startswith(f"{path}: "), text
    assert message in text, text


def test_a_repeated_question_is_an_error(tmp_path: Path) -> None:
    first = GOOD.index("[[questions]]")
    second = GOOD.index("[[questions]]", first + 1)
    path = tmp_path / "twice.calibration.toml"
    path.write_text(GOOD + "\n" + GOOD[first:second], encoding="utf-8")
    with pytest.raises(BankError, match=rf"questions\[10\] \({FIRST}\): id: '{FIRST}' appears"):
        load_calibration(path, BANK)


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


async def test_a_question_the_set_leaves_out_gets_the_generic_checks_and_says_so() -> None:
    assert CALIBRATION is not None
    partial_set = CALIBRATION.model_copy(update={"answers": CALIBRATION.answers[1:]})
    result = await run_calibration(
        UnderstandingGrader(),
        BANK.questions[:2],
        bank_id=BANK.id,
        repeats=1,
        limits=LIMITS,
        calibration=partial_set,
    )
    assert result.ok
    assert result.questions[0].answers == ()
    assert len(result.questions[1].answers) == len(KINDS)
    table = format_calibration(result)
    assert f"  Not in the calibration set (generic checks only): {BANK.questions[0].id}\n" in table
