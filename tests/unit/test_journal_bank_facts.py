"""A journal's header holds its bank's concepts and key-point texts once, not in every question
snapshot, and every snapshot still reads back equal to the question written, so a journaled
session grades as the bank did. Old headers, with those fields inside each snapshot, still load."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from interviewer.bank.loader import find_bank
from interviewer.config import InterviewSettings
from interviewer.domain import Bank, Evaluation, Question
from interviewer.engine.session import Interview
from interviewer.errors import JournalError
from interviewer.journal import Evaluated, Journal, SessionStarted, read_records
from interviewer.providers.offline import OfflineProvider
from tests.fakes import make_question
from tests.unit.test_journal import header

SIZE_LIMIT = 130_000
"""Bytes a ten-question header of the shipped bank may take: 118,417 with the bank's 101 concepts
(2,544 terms) and its key points' 192 examples, which each question's snapshot carries itself
(85,568 before the examples, limit 100,000; 218,628 and a limit of 60,000 when the bank had 57
concepts and 572 terms), against 609,060 with the concepts and the other questions' key points
inside every snapshot."""


@pytest.fixture(scope="module")
def bank() -> Bank:
    return find_bank("ai-security")


def session_of(questions: Sequence[Question]) -> SessionStarted:
    return header().model_copy(update={"questions": tuple(questions)})


def written(tmp_path: Path, record: SessionStarted) -> Path:
    journal = Journal.create(record, tmp_path)
    journal.close()
    return journal.path


def old_line(record: SessionStarted, *, drop: tuple[str, ...] = ()) -> str:
    """The header as journals before `bank_facts` wrote it: every snapshot whole, less `drop`
    (journals from before those fields existed)."""
    data = record.model_dump(mode="json", exclude={"questions"})
    data["questions"] = [
        {k: v for k, v in q.model_dump(mode="json").items() if k not in drop}
        for q in record.questions
    ]
    return json.dumps(data, ensure_ascii=False) + "\n"


def test_a_ten_question_session_of_the_shipped_bank_reads_back_equal(
    tmp_path: Path, bank: Bank
) -> None:
    assert len(bank.questions) == 10 and bank.concepts
    record = session_of(bank.questions)
    path = written(tmp_path, record)
    (back,) = read_records(path)
    assert back == record
    assert isinstance(back, SessionStarted) and back.questions == bank.questions


def test_the_header_holds_the_bank_facts_once(tmp_path: Path, bank: Bank) -> None:
    record = session_of(bank.questions)
    size = written(tmp_path, record).stat().st_size
    before = len(old_line(record).encode("utf-8"))
    print(f"ten-question session record: {before:,} bytes before, {size:,} after")
    assert size < SIZE_LIMIT < before
    line = json.loads(written(tmp_path / "again", record).read_text())
    assert all("concepts" not in q and "other_key_points" not in q for q in line["questions"])


@pytest.mark.parametrize("pick", [slice(3, 5), slice(7, 8), slice(None, None, -3)])
def test_a_few_questions_of_a_bank_in_any_order_read_back_equal(
    tmp_path: Path, bank: Bank, pick: slice
) -> None:
    record = session_of(bank.questions[pick])
    assert read_records(written(tmp_path, record)) == [record]


def test_questions_that_fit_no_common_bank_keep_their_own_facts(tmp_path: Path, bank: Bank) -> None:
    edited = bank.questions[4].model_copy(update={"other_key_points": ("something else",)})
    foreign = make_question("q9").model_copy(update={"concepts": bank.concepts[:2]})
    record = session_of([bank.questions[2], foreign, edited, bank.questions[6]])
    path = written(tmp_path, record)
    assert read_records(path) == [record]
    snapshots = json.loads(path.read_text())["questions"]
    assert [("other_key_points" in q, "concepts" in q) for q in snapshots] == [
        (False, False),
        (True, True),
        (True, False),
        (False, False),
    ]


@pytest.mark.parametrize(
    ("drop", "expected"),
    [
        ((), {}),
        (("other_key_points",), {"other_key_points": ()}),
        (("other_key_points", "concepts"), {"other_key_points": (), "concepts": ()}),
    ],
    ids=["fields-inline", "concepts-only", "neither"],
)
def test_old_headers_load_as_before(
    tmp_path: Path, bank: Bank, drop: tuple[str, ...], expected: dict[str, Any]
) -> None:
    record = session_of(bank.questions)
    path = tmp_path / "old.jsonl"
    path.write_text(old_line(record, drop=drop))
    (back,) = read_records(path)
    assert isinstance(back, SessionStarted)
    assert back.questions == tuple(q.model_copy(update=expected) for q in bank.questions)


def test_damaged_bank_facts_are_named(tmp_path: Path, bank: Bank) -> None:
    path = written(tmp_path, session_of(bank.questions[:2]))
    data = json.loads(path.read_text())
    data["bank_facts"]["positions"][1] = 99
    path.write_text(json.dumps(data) + "\n")
    with pytest.raises(JournalError, match=rf"{path}:1: .*bank_facts\.positions: 99"):
        read_records(path)


async def test_a_resumed_session_grades_as_one_that_ran_through(tmp_path: Path, bank: Bank) -> None:
    first, second, third = bank.questions[:3]
    # The second and third answers lean on another question's key points: how they grade turns
    # on the bank-level facts (`other_key_points`, `concepts`) the snapshots carry.
    answers = [
        first.sample_answer,
        first.sample_answer,
        third.sample_answer[:200] + " " + first.sample_answer[:300],
    ]

    def interview(directory: Path) -> Interview:
        return Interview.new(
            InterviewSettings(max_probes=0, min_answer_words=5, mode="practice"),
            bank.id,
            bank.questions,
            interviewer=OfflineProvider(),
            grader=OfflineProvider(),
            journal_dir=directory,
        )

    def evaluations(path: Path) -> list[Evaluation]:
        return [r.evaluation for r in read_records(path) if isinstance(r, Evaluated)]

    through = interview(tmp_path / "through")
    [_ async for _ in through.start()]
    for answer in answers:
        [_ async for _ in through.submit(answer)]
    await through.aclose()

    stopped = interview(tmp_path / "stopped")
    [_ async for _ in stopped.start()]
    [_ async for _ in stopped.submit(answers[0])]
    await stopped.aclose()
    resumed = Interview.resume(
        stopped.journal_path, interviewer=OfflineProvider(), grader=OfflineProvider()
    )
    assert resumed.questions == bank.questions
    [_ async for _ in resumed.start()]
    for answer in answers[1:]:
        [_ async for _ in resumed.submit(answer)]
    await resumed.aclose()

    expected = evaluations(through.journal_path)
    assert [e.question_id for e in expected] == [first.id, second.id, third.id]
    assert evaluations(resumed.journal_path) == expected
