"""A course quiz with one-sentence sample answers, end to end through the CLI on the offline
provider: `bank import`, `bank validate`, headless interviews with correct short answers, wrong
ones and none, probes on one-point questions, and `grade`.

Such a list used to be refused at import ("gives only 1 distinct points; at least 5 are needed"),
and a correct five-word answer was zeroed as too short.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import mean
from typing import Any

import pytest

from interviewer.bank.loader import load_bank, select_questions
from tests.acceptance.test_cli_e2e import run_cli

QUIZ = Path(__file__).parents[1] / "data" / "banks" / "course-quiz.txt"
SEED = 3

CORRECT = {
    "recursion": "A function calling itself on a smaller input until a base case stops it.",
    "hash-table": "It maps keys to values by hashing the key to find a slot, so lookups are fast.",
    "difference-process-thread": "A process has separate memory; threads run inside it and "
    "share that memory.",
    "deadlock": "Two tasks each wait for a resource the other holds, so neither can continue.",
    "big-o-notation": "How running time grows with input size.",  # six words
    "compiler": "It turns source code into machine code.",
}
WRONG = {
    "recursion": "I would use a spreadsheet to track the team budget every month.",
    "hash-table": "It sorts a list of numbers from the smallest to the largest.",
    "difference-process-thread": "They are exactly the same thing with two different names.",
    "deadlock": "It is a fast way to speed up a database query with an index.",
    "big-o-notation": "It is a brand of laptop that many developers like to use.",
    "compiler": "It draws the buttons and the menus of the user interface on screen.",
}


@pytest.fixture
def quiz(tmp_path: Path) -> tuple[Path, list[str]]:
    """The imported bank in a fresh home, and the order a session with SEED asks its questions."""
    home = tmp_path / "home"
    imported = run_cli(home, "bank", "import", str(QUIZ), "--id", "course-quiz")
    assert imported.returncode == 0, imported.stderr
    assert "imported 6 questions" in imported.stdout
    path = home / "data" / "banks" / "course-quiz.toml"
    validated = run_cli(home, "bank", "validate", str(path))
    assert validated.returncode == 0, validated.stdout
    bank = load_bank(path)
    assert {len(q.key_points) for q in bank.questions} == {1}
    order = select_questions(bank, difficulties=(), count=6, seed=SEED)
    return home, [question.id for question in order]


def interview(
    tmp_path: Path, home: Path, answers: list[str], name: str, *, max_probes: int
) -> dict[str, Any]:
    answers_file = tmp_path / f"{name}.jsonl"
    answers_file.write_text("".join(json.dumps({"text": a}) + "\n" for a in answers))
    report = tmp_path / f"{name}.json"
    result = run_cli(
        home, "run", "--bank", "course-quiz", "--answers", str(answers_file), "--count", "6",
        "--seed", str(SEED), "--max-probes", str(max_probes), "--report", str(report),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data: dict[str, Any] = json.loads(report.read_text())
    assert data["finished"] is True
    return data


def scores(report: dict[str, Any]) -> dict[str, float]:
    return {q["question_id"]: q["evaluation"]["score"] for q in report["questions"]}


def test_a_course_quiz_imports_interviews_and_grades(
    tmp_path: Path, quiz: tuple[Path, list[str]]
) -> None:
    home, order = quiz
    correct = scores(
        interview(tmp_path, home, [CORRECT[q] for q in order], "correct", max_probes=0)
    )
    wrong = scores(interview(tmp_path, home, [WRONG[q] for q in order], "wrong", max_probes=0))
    empty = interview(
        tmp_path, home, ["", "Recursion.", "No idea.", "", "", ""], "empty", max_probes=0
    )
    assert list(correct) == order

    # Every correct short answer reached the grader and beat every wrong one, by a wide margin.
    assert min(correct.values()) > max(wrong.values())
    assert mean(correct.values()) >= 8.0
    assert mean(wrong.values()) <= 1.0
    for question in empty["questions"]:
        assert question["evaluation"]["score"] == 0.0
        assert question["evaluation"]["method"] == "pre-check"

    graded = run_cli(
        home, "grade", "--bank", "course-quiz", "--question", "compiler", "--json",
        "--answer", CORRECT["compiler"],
    )  # fmt: skip
    assert graded.returncode == 0, graded.stderr
    assert json.loads(graded.stdout)["score"] == correct["compiler"]


def test_one_point_questions_probe_and_grade(tmp_path: Path, quiz: tuple[Path, list[str]]) -> None:
    home, _ = quiz
    # Vague answers leave the one key point missed: each question gets its two probes, asked
    # from the imported bank, and nothing runs out or errors.
    vague = ["I am honestly not sure about this one, sorry."] * 18
    report = interview(tmp_path, home, vague, "probed", max_probes=2)
    for question in report["questions"]:
        kinds = [exchange["kind"] for exchange in question["exchanges"]]
        assert kinds == ["question", "probe", "probe"]
        probes = [e["prompt"] for e in question["exchanges"][1:]]
        assert len(set(probes)) == 2
        assert question["evaluation"]["score"] == 0.0
        assert [v["verdict"] for v in question["evaluation"]["verdicts"]] == ["missed"]
