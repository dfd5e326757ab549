"""The calibration set beside a bank: the shipped one is complete and fresh, a broken one says
which file, question and field is wrong, and bank listings do not mistake it for a bank."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from interviewer.bank.calibration import (
    KINDS,
    calibration_path,
    find_calibration,
    load_calibration,
)
from interviewer.bank.loader import find_bank_file, list_banks
from interviewer.errors import BankError
from interviewer.grading.checks import precheck
from interviewer.text.words import words

BANK_FILE, BANK = find_bank_file("ai-security")
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
