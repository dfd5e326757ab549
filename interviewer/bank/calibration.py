"""A bank's calibration set: per question, answers of known quality that `calibrate` grades.

The file sits beside its bank, named `<bank file stem>.calibration.toml` (the shipped
`ai-security.toml` has `ai-security.calibration.toml`); its layout is described at the top of
that file. Bank listings skip such files (`is_calibration_file`). A bank without one still
calibrates, with the generic checks only.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from interviewer.domain import Bank, FrozenModel
from interviewer.errors import BankError

SUFFIX = ".calibration.toml"
FORMAT_VERSION = 1

CalibrationKind = Literal["strong", "shallow", "negated", "off_topic", "keywords"]
KINDS: tuple[CalibrationKind, ...] = ("strong", "shallow", "negated", "off_topic", "keywords")
"""In the order `calibrate` shows them."""


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


class CalibrationAnswers(FrozenModel):
    """The five calibration answers of one question."""

    id: str
    """The bank question these answers belong to."""
    strong: str
    """A strong answer in the candidate's own words (not the sample answer's)."""
    shallow: str
    """Names some of the right things without saying how or why."""
    negated: str
    """The sample answer's ideas denied or reversed, in the same vocabulary."""
    off_topic: str
    """A fluent answer about another subject."""
    keywords: str
    """The right terms listed with no reasoning."""

    _check = field_validator("strong", "shallow", "negated", "off_topic", "keywords")(_text)

    def answer(self, kind: CalibrationKind) -> str:
        text: str = getattr(self, kind)
        return text


class _Header(FrozenModel):
    bank: str
    format: int = Field(ge=FORMAT_VERSION, le=FORMAT_VERSION)


class CalibrationSet(FrozenModel):
    source: str
    """The file it was read from, for reports."""
    answers: tuple[CalibrationAnswers, ...]

    def for_question(self, question_id: str) -> CalibrationAnswers | None:
        return next((a for a in self.answers if a.id == question_id), None)


def is_calibration_file(name: str) -> bool:
    return name.endswith(SUFFIX)


def calibration_path(bank_path: Path) -> Path:
    """Where the calibration set of the bank file at `bank_path` lives (it may not exist)."""
    return bank_path.with_name(bank_path.stem + SUFFIX)


def find_calibration(bank_path: Path, bank: Bank) -> CalibrationSet | None:
    """The calibration set beside `bank_path`, checked against `bank`; None when there is none."""
    path = calibration_path(bank_path)
    if not path.is_file():
        return None
    return load_calibration(path, bank)


def load_calibration(path: Path, bank: Bank) -> CalibrationSet:
    """Read and check a calibration file; BankError names the file, question and field."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(f"{path}: cannot read calibration file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{path}: invalid TOML: {exc}") from None
    unknown = sorted(set(document) - {"calibration", "questions"})
    if unknown:
        raise BankError(
            f"{path}: unknown key {unknown[0]!r}; expected [calibration], [[questions]]"
        )
    try:
        header = _Header.model_validate(document.get("calibration"))
    except ValidationError as exc:
        raise BankError(f"{path}: [calibration]: {_first(exc)}") from None
    if header.bank != bank.id:
        raise BankError(
            f"{path}: [calibration] bank: is {header.bank!r}, but the bank beside it is "
            f"{bank.id!r}; fix the id or move the file"
        )
    entries = document.get("questions", [])
    if not isinstance(entries, list):
        raise BankError(f"{path}: questions: expected [[questions]] tables")
    known = {question.id for question in bank.questions}
    answers: list[CalibrationAnswers] = []
    for index, entry in enumerate(entries):
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"{path}: questions[{index}]" + (f" ({name})" if isinstance(name, str) else "")
        try:
            parsed = CalibrationAnswers.model_validate(entry)
        except ValidationError as exc:
            raise BankError(f"{where}: {_first(exc)}") from None
        if parsed.id not in known:
            raise BankError(
                f"{where}: id: bank {bank.id!r} has no question {parsed.id!r}; "
                f"ids: {', '.join(q.id for q in bank.questions)}"
            )
        if any(a.id == parsed.id for a in answers):
            raise BankError(f"{where}: id: {parsed.id!r} appears twice; keep one table")
        answers.append(parsed)
    return CalibrationSet(source=str(path), answers=tuple(answers))


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "table"
    message = error["msg"]
    if error["type"] == "missing":
        message = "missing; every question needs strong, shallow, negated, off_topic, keywords"
    elif error["type"] == "extra_forbidden":
        message = "unknown key (a typo?)"
    return f"{field}: {message}"
