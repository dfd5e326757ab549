"""Importing plain-text question lists, and writing banks as TOML that tomllib reads back exactly."""

from __future__ import annotations

import random
import re
import stat
import tomllib
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.bank.loader import (
    dump_bank_toml,
    find_bank,
    load_bank,
    parse_bank_toml,
    parse_seed_text,
    validate_bank_file,
)
from interviewer.bank.toml_writer import toml_multiline, toml_string
from interviewer.domain import Bank, Difficulty, KeyPoint, Question
from interviewer.errors import BankError

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = DATA / "seed" / "ai-security-interview-questions.txt"
BANKS = DATA / "banks"

ANSWER = (
    "First we check the data. Then we lock down training access. We scan every dependency. "
    "We test the model before release. We monitor it in production. Finally we rehearse incidents."
)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    monkeypatch.delenv("INTERVIEWER_BANK", raising=False)
    return tmp_path


@pytest.fixture
def seed_bank() -> Bank:
    return parse_seed_text(SEED.read_text(encoding="utf-8"), str(SEED))


# --- the seed ----------------------------------------------------------------------------------


def test_seed_import_gives_a_valid_bank(seed_bank: Bank) -> None:
    assert seed_bank.id == "ai-security-interview-questions"
    assert len(seed_bank.questions) == 10
    assert [q.difficulty.value for q in seed_bank.questions] == [
        "medium", "medium", "hard", "hard", "medium", "medium", "medium", "hard", "easy", "hard",
    ]  # fmt: skip
    assert seed_bank.questions[0].id == "secure-machine-learning-pipeline-data-ingestion"
    assert seed_bank.questions[2].text == (
        "How do you defend against prompt injection in an LLM-powered application?"
    )
    assert seed_bank.questions[9].sample_answer.endswith("learning from the event.")
    ids = [q.id for q in seed_bank.questions]
    assert len(set(ids)) == 10
    for question in seed_bank.questions:
        assert 5 <= len(question.key_points) <= 8
        assert [p.id for p in question.key_points] == [
            f"kp{i}" for i in range(1, len(question.key_points) + 1)
        ]
        for point in question.key_points:
            # Each key point is one sentence of the sample answer (minus a leading connective).
            assert point.text.rstrip(".")[-40:] in question.sample_answer
            assert 1 <= len(point.probes) <= 2


def test_seed_import_round_trips_through_toml(seed_bank: Bank, tmp_path: Path) -> None:
    text = dump_bank_toml(seed_bank)
    assert parse_bank_toml(text, "dumped") == seed_bank
    path = tmp_path / "imported.toml"
    path.write_text(text, encoding="utf-8")
    assert validate_bank_file(path) == []
    assert load_bank(path) == seed_bank


def test_imported_probes_never_quote_their_key_point(seed_bank: Bank) -> None:
    for question in seed_bank.questions:
        seen: set[str] = set()
        for point in question.key_points:
            words = re.findall(r"[a-z’'-]+", point.text.lower())
            runs = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
            for probe in point.probes:
                assert not any(run in probe.lower() for run in runs), (point.text, probe)
                assert probe not in seen  # no probe repeated within a question
                seen.add(probe)


def test_key_points_rank_content_rich_sentences_first() -> None:
    answer = (
        "It depends. I would validate sources, check schemas, restrict write access, and hash "
        "datasets. I would scan dependencies and images. I would test before release. "
        "I would monitor drift and abuse. Speed matters."
    )
    text = f"Question 1\nDifficulty: easy\nHow?\nSample answer\n{answer}\n"
    points = parse_seed_text(text, "x.txt").questions[0].key_points
    assert points[0].text.startswith("I would validate sources")
    assert len(points) == 6


def test_short_answers_are_split_into_clauses() -> None:
    answer = (
        "I validate the data; I restrict access to training, then I scan dependencies. "
        "I test the model, and I monitor production."
    )
    text = f"Question 1\nDifficulty: easy\nHow?\nSample answer\n{answer}"
    points = parse_seed_text(text, "x.txt").questions[0].key_points
    assert len(points) == 5


def test_one_and_two_sentence_answers_give_one_and_two_key_points() -> None:
    # Course quizzes answer in a sentence: that imports as a question with one key point (it used
    # to be refused for giving fewer than five).
    text = (
        "Question 1\nDifficulty: easy\nWhat is recursion?\nSample answer\n"
        "Recursion is when a function calls itself to solve a smaller case of the same problem.\n"
        "Question 2\nDifficulty: easy\nHow do you handle API keys?\nSample answer\n"
        "Use keys. Rotate them.\n"
    )
    first, second = parse_seed_text(text, "x.txt").questions
    assert [p.text for p in first.key_points] == [
        "Recursion is when a function calls itself to solve a smaller case of the same problem."
    ]
    # Two probes per point (the default max_probes), asking for depth, not for what to add
    # "before you were comfortable", which suits design questions only.
    assert first.key_points[0].probes == (
        "Can you give me a concrete example?",
        "How would you explain that to someone meeting the idea for the first time?",
    )
    assert [p.text for p in second.key_points] == ["Use keys.", "Rotate them."]
    probes = [probe for point in second.key_points for probe in point.probes]
    assert len(set(probes)) == len(probes) == 4


def test_repeated_question_texts_get_unique_ids() -> None:
    block = f"Question {{n}}\nDifficulty: easy\nWhat is security?\nSample answer\n{ANSWER}\n"
    bank = parse_seed_text(block.format(n=1) + "\n" + block.format(n=2), "qs.txt")
    assert [q.id for q in bank.questions] == ["security", "security-2"]
    assert bank.title == "Qs"


# --- import errors name the line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 'x.txt: no questions found; expected a line "Question 1"'),
        ("Intro\nQuestion 1\n", 'x.txt: line 1: expected "Question 1", found "Intro"'),
        # Another quiz layout: the error says what this one looks like.
        (
            "Q: What is a stack?\nA: LIFO.\n",
            'x.txt: line 1: expected "Question 1", found "Q: What is a stack?"; lay out each '
            'question as a "Question N" line, a "Difficulty: easy|medium|hard" line, the '
            'question, a "Sample answer" line and the answer',
        ),
        (
            f"Question 1\nDifficulty: expert\nWhy?\nSample answer\n{ANSWER}",
            'x.txt: line 2: expected "Difficulty: easy|medium|hard" after "Question 1", '
            'found "Difficulty: expert"',
        ),
        (
            f"Question 1\nDifficulty: easy\nWhy?\n{ANSWER}\nQuestion 2\n",
            'x.txt: line 5: expected a "Sample answer" line for question 1 (line 1)',
        ),
        (
            f"Question 1\nDifficulty: easy\nWhy?\nSample answer\n{ANSWER}\n\nQuestion 2\n"
            "Difficulty: hard\nWhy not?\nSample answer\n\n",
            'x.txt: line 10: expected the sample answer text after "Sample answer" for '
            "question 2 (line 7)",
        ),
        (
            "Question 1\nDifficulty: easy\nWhy?\nSample answer\n... ?!",
            "x.txt: line 5: the sample answer of question 1 gives no point to grade",
        ),
    ],
)
def test_import_errors_name_the_line(text: str, expected: str) -> None:
    with pytest.raises(BankError) as caught:
        parse_seed_text(text, "x.txt")
    assert str(caught.value).startswith(expected)


# --- writing TOML ------------------------------------------------------------------------------

HOSTILE = [
    "",
    '"',
    '""',
    '"""',
    '""""""',
    'ends with a quote"',
    'ends with two quotes""',
    "back\\slash",
    "trailing backslash\\",
    "\\n is not a newline",
    "line one\nline two",
    "\n\nleading newlines",
    "trailing newlines\n\n",
    "windows\r\nline\rendings",
    "tab\there and \t\t",
    "control \x00\x01\x07\x08\x0b\x0c\x1b[31m\x7f\x85\x9b",
    "unicode: I’d “quote” é 中文 🙂 \u2028 \u2029 \ufeff",
    "long " + "word " * 60 + "end",
    "spaces    before wrap " * 10,
    "  leading and trailing spaces  ",
    "ends with a space then backslash \\",
    "'''single quotes'''",
    "a \\\n b",
    "# not a comment\n[[questions]]\nid = 'injected'",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_toml_strings_round_trip_exactly(value: str) -> None:
    encoded = toml_multiline(value, width=20)
    assert tomllib.loads(f"v = {encoded}")["v"] == value
    assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


def test_toml_strings_round_trip_random_text() -> None:
    alphabet = ['"', "\\", "\n", "\r", "\t", " ", "a", "b", "'", "#", "\x00", "\x1b", "’", "é"]
    rng = random.Random(1234)
    for _ in range(2000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert tomllib.loads(f"v = {toml_multiline(value, width=8)}")["v"] == value
        assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


def test_dumped_bank_with_hostile_text_round_trips() -> None:
    points = tuple(
        KeyPoint(id=f"kp{i}", text=HOSTILE[i + 1], probes=(HOSTILE[i + 8], "ok?")) for i in range(5)
    )
    question = Question(
        id="hostile",
        text='What about """quotes""" and \\backslashes\\?\nAnd a second line."',
        difficulty=Difficulty.HARD,
        tags=('a"b', "c\\d"),
        sample_answer="\n".join(HOSTILE),
        key_points=points,
    )
    bank = Bank(
        id="hostile-bank", title='Title "quoted"', description="d\\e\nf", questions=(question,)
    )
    text = dump_bank_toml(bank)
    data = tomllib.loads(text)
    assert data["bank"]["title"] == bank.title
    assert data["bank"]["description"] == bank.description
    loaded = data["questions"][0]
    assert loaded["text"] == question.text
    assert loaded["sample_answer"] == question.sample_answer
    assert loaded["tags"] == list(question.tags)
    assert [p["text"] for p in loaded["key_points"]] == [p.text for p in points]
    assert [p["probes"] for p in loaded["key_points"]] == [list(p.probes) for p in points]
    assert len(data["questions"]) == 1  # the "[[questions]]" inside a string stayed a string


# --- CLI import --------------------------------------------------------------------------------


@pytest.fixture
def only_bank_command(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other commands are written in parallel; the bank command must not depend on them.
    monkeypatch.setattr(cli, "COMMANDS", ("bank",))


@pytest.mark.usefixtures("only_bank_command")
def test_cli_import_writes_a_private_user_bank(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["bank", "import", str(SEED), "--id", "my-questions", "--title", "Mine"]) == 0
    target = home / "data" / "banks" / "my-questions.toml"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert f"wrote {target}" in out
    assert "interviewer run --bank my-questions" in out
    assert "a right answer in other words scores low: add [[concepts]]" in out
    bank = find_bank("my-questions")
    assert bank.title == "Mine"
    assert len(bank.questions) == 10

    # A second import refuses to overwrite, --force overwrites.
    assert cli.main(["bank", "import", str(SEED), "--id", "my-questions"]) == 2
    assert "already exists; use --force" in capsys.readouterr().err
    assert cli.main(["bank", "import", str(SEED), "--id", "my-questions", "--force"]) == 0
    assert find_bank("my-questions").title == "Ai security interview questions"


@pytest.mark.usefixtures("only_bank_command")
def test_cli_import_to_a_chosen_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "elsewhere" / "bank.toml"
    assert cli.main(["bank", "import", str(SEED), "--out", str(out_path)]) == 0
    assert stat.S_IMODE(out_path.stat().st_mode) == 0o600
    assert f"interviewer run --bank {out_path}" in capsys.readouterr().out
    assert load_bank(out_path).id == "ai-security-interview-questions"


@pytest.mark.usefixtures("only_bank_command")
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--id", "ai-security"], 'bank id "ai-security" is taken by a shipped bank'),
        (["--id", "Bad Id"], '--id "Bad Id" is not a valid bank id'),
    ],
)
def test_cli_import_rejects_bad_ids(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["bank", "import", str(SEED), *extra]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.usefixtures("only_bank_command")
def test_cli_import_installs_a_toml_bank_as_written(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = BANKS / "good.toml"
    assert cli.main(["bank", "import", str(good)]) == 0
    target = home / "data" / "banks" / "sample.toml"
    assert target.read_text(encoding="utf-8") == good.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "interviewer run --bank sample" in capsys.readouterr().out

    assert cli.main(["bank", "import", str(BANKS / "missing-probes.toml")]) == 2
    assert "key_points[2].probes: at least one probe is required" in capsys.readouterr().err


@pytest.mark.usefixtures("only_bank_command")
def test_cli_import_reports_the_line_of_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Question 1\nDifficulty: impossible\n", encoding="utf-8")
    assert cli.main(["bank", "import", str(bad)]) == 2
    assert f'{bad}: line 2: expected "Difficulty: easy|medium|hard"' in capsys.readouterr().err
    assert not (tmp_path / "data" / "banks").exists()
