"""Question banks: load, validate, list, find, and pick questions from them.

Bank file format (TOML, one bank per file, UTF-8)::

    [bank]
    id = "ai-security"                  # lowercase-kebab; what `--bank` and `[interview] bank` name
    title = "AI/ML security engineering"
    description = "..."                 # optional
    format = 1                          # version of this layout; always 1 for now
    min_key_points = 5                  # optional: fewest key points a question may have (1-8)

    [[questions]]                       # one table per question, asked in a shuffled order
    id = "secure-ml-pipeline"           # lowercase-kebab, unique in the bank, never reused
    difficulty = "medium"               # easy | medium | hard
    tags = ["mlops", "supply-chain"]    # optional
    text = "How would you secure ..."   # the question, as the candidate sees it
    sample_answer = \"\"\"...\"\"\"           # a strong answer; shown in practice mode

    [[questions.key_points]]            # 1 to 8 per question, MOST IMPORTANT FIRST
    id = "data-integrity"               # lowercase-kebab, unique within the question
    text = "Secure ingestion: validate sources and schemas, restrict access, sign or hash datasets"
    probes = ["How would you know the data you trained on is the data you meant to train on?"]
    examples = ["We checked every batch's checksum against what the producer published."]
                                        # optional, up to 8: the point in candidates' own words

    [[concepts]]                        # optional, any number: the field's vocabulary
    name = "hash integrity"             # words added to every text that uses one of the terms
    terms = ["hash", "checksum", "digest", "sha-256", "sha256", "fingerprint*"]

Key point text is read by a semantic-similarity grader: one idea per key point, stated with its
core concepts and a few synonyms. Probes (at least one per key point) are follow-up questions in
an interviewer's voice; a probe invites the candidate to talk about the area without giving the
key point away. A one-sentence sample answer with one key point is a valid question (course
quizzes); a curated bank that wants every question to cover more says so with `min_key_points`.

Concepts are the bank's domain knowledge, kept here rather than in the grader: the offline grader
appends a concept's name to every text (answer sentence, key point, sample-answer sentence) that
uses one of its terms, so "we compare digests" meets a key point about hashing. Terms are plain
phrases, never regular expressions: matched ignoring case, as whole words, letter for letter; the
last word also with the endings -s, -es, -d, -ed, -ing (and -ging/-ning after a final g or n); a
term ending in "*" matches any continuation ("vulnerab*"); spaces, hyphens and apostrophes are
literal, so "red team" and "red-team" are two terms (interviewer.text.terms is the one rule). Every
question of the bank carries the bank's concepts, so a journal's snapshot of a question grades as
the bank did.

Unknown keys are errors (they are usually typos). Error messages count list positions from 0:
`key_points[2]` is the third key point of its question, `terms[0]` the first term of a concept.

`interviewer bank validate FILE` shows every problem of a file at once; `interviewer bank import`
turns a plain-text question list into this format (see interviewer.bank.plaintext); banks are
written by interviewer.bank.toml_writer.
"""

from __future__ import annotations

import random
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from interviewer.bank.calibration import is_calibration_file
from interviewer.bank.check import (
    FORMAT_VERSION,
    MAX_KEY_POINTS,
    MIN_KEY_POINTS,
    check_document,
    is_valid_id,
)
from interviewer.domain import Bank, Difficulty, Question
from interviewer.errors import BankError
from interviewer.text.sanitize import clean_line

__all__ = [
    "FORMAT_VERSION",
    "MAX_KEY_POINTS",
    "MIN_KEY_POINTS",
    "BankInfo",
    "dump_bank_toml",
    "find_bank",
    "find_bank_file",
    "is_valid_id",
    "list_banks",
    "load_bank",
    "parse_bank_toml",
    "parse_seed_text",
    "select_questions",
    "validate_bank_file",
]

SHIPPED_PACKAGE = "interviewer._banks"

_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True)
class BankInfo:
    """One bank as `interviewer bank list` shows it."""

    id: str
    title: str
    path: Path
    questions: int
    source: Literal["shipped", "user"]
    error: str | None = None
    """Set when the file does not load; id is then the file name and questions is 0."""


# ---------------------------------------------------------------------------------------------
# Loading and validation


def load_bank(path: Path) -> Bank:
    """Load and validate a bank file; BankError names the first problem and how many follow."""
    bank, errors = _check_bytes(_read(path), str(path))
    if bank is None:
        raise BankError(_summarise(errors, path))
    return bank


def validate_bank_file(path: Path) -> list[str]:
    """Every problem of a bank file, one message each; [] when the file is valid."""
    try:
        data = _read(path)
    except BankError as exc:
        return [str(exc)]
    return _check_bytes(data, str(path))[1]


def parse_bank_toml(text: str, source: str) -> Bank:
    """Load a bank from TOML text; `source` names it in error messages."""
    bank, errors = _check_bytes(text.encode("utf-8"), source)
    if bank is None:
        raise BankError(_summarise(errors, source))
    return bank


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BankError(f"{path}: no such bank file") from None
    except IsADirectoryError:
        raise BankError(f"{path}: is a directory, expected a .toml bank file") from None
    except OSError as exc:
        raise BankError(f"{path}: cannot read bank file: {exc.strerror or exc}") from None


def _summarise(errors: list[str], source: Path | str) -> str:
    if len(errors) == 1:
        return errors[0]
    return (
        f"{errors[0]} (and {len(errors) - 1} more problems; "
        f"run `interviewer bank validate {source}` to see them all)"
    )


def _check_bytes(data: bytes, source: str) -> tuple[Bank | None, list[str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [f"{source}: line {line}: not valid UTF-8; save the file as UTF-8"]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_toml_error(source, exc)]
    return check_document(document, source)


def _toml_error(source: str, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    match = _TOML_POSITION_RE.search(message)
    if match is None:
        return f"{source}: invalid TOML: {message}"
    reason = message[: match.start()]
    return f"{source}: line {match[1]}, column {match[2]}: invalid TOML: {reason}"


# ---------------------------------------------------------------------------------------------
# Finding banks


def list_banks() -> list[BankInfo]:
    """Shipped banks first, then the user's imported ones, each sorted by file name."""
    infos = [_info_for(path, "shipped") for path in _shipped_files()]
    infos.extend(_info_for(path, "user") for path in _user_files())
    return infos


def find_bank(ref: str) -> Bank:
    """A bank by id (shipped first, then user) or by path to a .toml file."""
    return find_bank_file(ref)[1]


def find_bank_file(ref: str) -> tuple[Path, Bank]:
    """`find_bank`, with the file the bank came from (its calibration set sits beside it)."""
    candidate = Path(ref).expanduser()
    if ref.endswith(".toml") or "/" in ref or "\\" in ref or candidate.is_file():
        return candidate, load_bank(candidate)
    infos = list_banks()
    for info in infos:
        if info.id == ref:
            return info.path, load_bank(info.path)
    known = ", ".join(sorted({info.id for info in infos if info.error is None})) or "none"
    raise BankError(
        f'unknown bank "{ref}"; known banks: {known} (see `interviewer bank list`), '
        "or give the path to a .toml bank file"
    )


def find_question(bank: Bank, question_id: str, option: str) -> Question:
    """The question `question_id` of `bank`; a BankError naming the bank, the `option` the id came
    from and the ids it holds when there is none (and, when the id names another bank, how to
    choose that bank: `bank show quiz` is an easy slip for `bank show --bank quiz`)."""
    try:
        return bank.question(question_id)
    except KeyError:
        pass
    shown = clean_line(question_id)
    hint = ""
    if any(info.id == question_id and info.error is None for info in list_banks()):
        hint = f'; "{shown}" is a bank: choose it with --bank {shown}'
    ids = ", ".join(q.id for q in bank.questions)
    raise BankError(
        f'bank "{bank.id}" has no question "{shown}" ({option}); its questions are: {ids}{hint}'
    )


def _shipped_files() -> list[Path]:
    root = resources.files(SHIPPED_PACKAGE)
    return sorted(
        Path(str(entry))
        for entry in root.iterdir()
        if entry.name.endswith(".toml") and not is_calibration_file(entry.name) and entry.is_file()
    )


def _user_files() -> list[Path]:
    from interviewer.paths import user_banks_dir

    folder = user_banks_dir()
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.glob("*.toml")
        if path.is_file() and not is_calibration_file(path.name)
    )


def _info_for(path: Path, source: Literal["shipped", "user"]) -> BankInfo:
    try:
        bank = load_bank(path)
    except BankError as exc:
        return BankInfo(path.stem, "", path, 0, source, error=str(exc))
    return BankInfo(bank.id, bank.title, path, len(bank.questions), source)


# ---------------------------------------------------------------------------------------------
# Choosing questions


def select_questions(
    bank: Bank, *, difficulties: Sequence[Difficulty], count: int, seed: int | None
) -> list[Question]:
    """Questions of the given difficulties (all when empty), shuffled by `seed`, at most `count`.

    The same bank, filter and seed always give the same questions in the same order.
    """
    if count < 1:
        raise BankError(f"question count must be at least 1, got {count}")
    wanted = {Difficulty(d) for d in difficulties}
    # One question per id, first kept: a Bank built in code is not checked like a file, and a
    # repeated id would ask one question twice in a session.
    seen: set[str] = set()
    pool: list[Question] = []
    for question in bank.questions:
        if question.id not in seen and (not wanted or question.difficulty in wanted):
            pool.append(question)
        seen.add(question.id)
    if not pool:
        available = sorted({q.difficulty.value for q in bank.questions}, key=_difficulty_rank)
        asked = ", ".join(sorted((d.value for d in wanted), key=_difficulty_rank))
        raise BankError(
            f'bank "{bank.id}" has no {asked} questions; difficulties available: '
            f"{', '.join(available) or 'none'} (change --difficulty or [interview] difficulty)"
        )
    random.Random(seed).shuffle(pool)
    return pool[:count]


def _difficulty_rank(value: str) -> int:
    return [d.value for d in Difficulty].index(value)


# ---------------------------------------------------------------------------------------------
# Import from plain text (implemented in interviewer.bank.plaintext, imported when used)


def parse_seed_text(
    text: str, source: str, *, bank_id: str | None = None, title: str | None = None
) -> Bank:
    """Turn the plain-text "Question N / Difficulty / text / Sample answer" layout into a Bank."""
    from interviewer.bank.plaintext import parse_seed_text as parse

    return parse(text, source, bank_id=bank_id, title=title)


def dump_bank_toml(bank: Bank) -> str:
    """The bank in our TOML format; `tomllib` reads it back to exactly the same values."""
    from interviewer.bank.toml_writer import dump_bank_toml as dump

    return dump(bank)
