"""Question banks: the shipped bank, validation messages, finding banks, choosing questions, CLI."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.bank.loader import (
    find_bank,
    list_banks,
    load_bank,
    parse_bank_toml,
    parse_seed_text,
    select_questions,
    validate_bank_file,
)
from interviewer.domain import Bank, Difficulty
from interviewer.errors import BankError

DATA = Path(__file__).resolve().parents[1] / "data"
BANKS = DATA / "banks"
SEED = DATA / "seed" / "ai-security-interview-questions.txt"
SHIPPED = Path(__file__).resolve().parents[2] / "question_bank" / "ai-security.toml"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    monkeypatch.delenv("INTERVIEWER_BANK", raising=False)
    return tmp_path


@pytest.fixture
def shipped() -> Bank:
    return find_bank("ai-security")


_FILLER = frozenset(
    re.findall(
        r"\S+",
        "a an and are as at be by can do for from how in is it its not of on or so that the this "
        "to what when where which who why with would you your",
    )
)


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9’'-]+", text.lower()) if w not in _FILLER]


# --- the shipped bank --------------------------------------------------------------------------


def test_shipped_bank_has_the_ten_seed_questions_verbatim(shipped: Bank) -> None:
    seed = parse_seed_text(SEED.read_text(encoding="utf-8"), str(SEED))
    assert len(shipped.questions) == 10
    for ours, theirs in zip(shipped.questions, seed.questions, strict=True):
        assert ours.text == theirs.text
        assert ours.difficulty == theirs.difficulty
        assert ours.sample_answer == theirs.sample_answer
    # Curly quotes survive: the copy is verbatim, not normalised.
    assert "I’d treat the ML pipeline" in shipped.questions[0].sample_answer


def test_shipped_bank_is_well_formed(shipped: Bank) -> None:
    assert shipped.id == "ai-security"
    assert validate_bank_file(SHIPPED) == []
    ids = [q.id for q in shipped.questions]
    assert len(set(ids)) == len(ids) == 10
    for question in shipped.questions:
        assert 5 <= len(question.key_points) <= 8
        assert question.tags
        for point in question.key_points:
            assert 1 <= len(point.probes) <= 2


def test_shipped_probes_do_not_give_the_key_point_away(shipped: Bank) -> None:
    for question in shipped.questions:
        for point in question.key_points:
            # Two content words in a row shared with the key point ("canary strings",
            # "human approval") would hand the candidate the answer.
            words = _content_words(point.text)
            pairs = set(itertools.pairwise(words))
            for probe in point.probes:
                probe_words = _content_words(probe)
                shared = set(itertools.pairwise(probe_words)) & pairs
                assert not shared, (question.id, point.id, probe, shared)
                assert probe.endswith(("?", "."))


def test_every_difficulty_is_represented(shipped: Bank) -> None:
    assert {q.difficulty for q in shipped.questions} == set(Difficulty)


# --- broken files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "missing-probes.toml",
            'question "question-one": key_points[2].probes: at least one probe is required',
        ),
        (
            "bad-difficulty.toml",
            'question "question-one": difficulty: "expert" is not a difficulty; '
            "expected one of: easy, medium, hard",
        ),
        (
            "duplicate-question-id.toml",
            'question "same-id": id: duplicate question id (also used by questions[0])',
        ),
        (
            # " same-id " loads as "same-id": the check must compare the loaded ids.
            "duplicate-question-id-spaced.toml",
            'question "same-id": id: duplicate question id (also used by questions[0])',
        ),
        (
            "duplicate-key-point-id.toml",
            'question "question-one": key_points[3].id: duplicate key point id "point-1"',
        ),
        (
            "too-few-key-points.toml",
            'question "question-one": key_points: found 4 key points, expected 5 to 8 '
            "[[questions.key_points]] tables (this bank's [bank] min_key_points)",
        ),
        (
            "too-many-key-points.toml",
            'question "question-one": key_points: found 9 key points, expected 1 to 8',
        ),
        (
            "unknown-key.toml",
            'question "question-one": sample_anwser: unknown key (did you mean "sample_answer"?',
        ),
        ("missing-question-id.toml", "questions[1]: id: required, expected a non-empty string"),
        ("empty-text.toml", 'question "question-one": text: must not be empty'),
        ("bad-format.toml", "bank.format: format 2 is not supported"),
        ("bad-id.toml", 'question "Question One": id: "Question One" is not a valid id'),
        ("no-questions.toml", "questions: at least one [[questions]] table is required"),
        ("syntax-error.toml", "line 6, column 28: invalid TOML"),
    ],
)
def test_broken_bank_names_file_question_and_field(name: str, expected: str) -> None:
    path = BANKS / name
    errors = validate_bank_file(path)
    assert errors, name
    assert errors[0] == f"{path}: {expected}" or errors[0].startswith(f"{path}: {expected}")
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert str(caught.value).startswith(f"{path}: {expected}")


ONE_POINT_BANK = """
[bank]
id = "quiz"
title = "Quiz"
format = 1
{setting}

[[questions]]
id = "recursion"
difficulty = "easy"
text = "What is recursion?"
sample_answer = "A function calling itself."

[[questions.key_points]]
id = "self-call"
text = "A function that calls itself"
probes = ["Can you give me an example?"]
"""


def test_a_question_may_have_a_single_key_point() -> None:
    bank = parse_bank_toml(ONE_POINT_BANK.format(setting=""), "quiz.toml")
    assert [len(q.key_points) for q in bank.questions] == [1]
    assert bank.min_key_points == 1


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "min_key_points = 2",
            'question "recursion": key_points: found 1 key points, expected 2 to 8 '
            "[[questions.key_points]] tables (this bank's [bank] min_key_points)",
        ),
        ("min_key_points = 0", "bank.min_key_points: 0 is not allowed; expected an integer from 1"),
        ("min_key_points = 9", "bank.min_key_points: 9 is not allowed"),
        ('min_key_points = "5"', "bank.min_key_points: a string is not allowed"),
        ("min_key_points = true", "bank.min_key_points: a boolean is not allowed"),
    ],
)
def test_min_key_points_lets_a_bank_ask_for_more(setting: str, expected: str) -> None:
    with pytest.raises(BankError) as caught:
        parse_bank_toml(ONE_POINT_BANK.format(setting=setting), "quiz.toml")
    assert str(caught.value).startswith(f"quiz.toml: {expected}")


def test_shipped_bank_asks_for_five_key_points(shipped: Bank) -> None:
    assert shipped.min_key_points == 5


def test_unknown_key_also_reports_the_missing_field() -> None:
    errors = validate_bank_file(BANKS / "unknown-key.toml")
    assert errors[1].endswith(
        'question "question-one": sample_answer: required, expected a non-empty string'
    )


def test_validate_collects_every_error_of_a_file() -> None:
    path = BANKS / "many-errors.toml"
    errors = validate_bank_file(path)
    assert [e.removeprefix(f"{path}: ") for e in errors] == [
        'question "question-one": difficulty: "expert" is not a difficulty; '
        "expected one of: easy, medium, hard",
        'question "question-one": key_points: found 4 key points, expected 5 to 8 '
        "[[questions.key_points]] tables (this bank's [bank] min_key_points)",
        'question "question-one": key_points[1].probes: at least one probe is required',
        "questions[1]: id: required, expected a non-empty string",
        "questions[1]: text: must not be empty",
    ]
    with pytest.raises(BankError, match=r"\(and 4 more problems; run `interviewer bank validate"):
        load_bank(path)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    assert validate_bank_file(tmp_path / "nope.toml") == [
        f"{tmp_path / 'nope.toml'}: no such bank file"
    ]
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[bank]\nid = "x"\ntitle = "caf\xe9"\n')
    assert validate_bank_file(latin) == [
        f"{latin}: line 3: not valid UTF-8; save the file as UTF-8"
    ]


def test_good_sample_loads() -> None:
    bank = load_bank(BANKS / "good.toml")
    assert [q.id for q in bank.questions] == ["first-question", "second-question"]
    assert bank.questions[0].sample_answer == "A sample answer."
    assert bank.questions[1].key_points[4].probes == ("Tell me more about that area.",)


# --- finding banks -----------------------------------------------------------------------------


def test_list_banks_shows_shipped_and_user_banks(home: Path) -> None:
    user_dir = home / "data" / "banks"
    user_dir.mkdir(parents=True)
    shutil.copy(BANKS / "good.toml", user_dir / "sample.toml")
    shutil.copy(BANKS / "bad-format.toml", user_dir / "broken.toml")
    infos = {(i.source, i.id): i for i in list_banks()}
    assert infos["shipped", "ai-security"].questions == 10
    assert infos["shipped", "ai-security"].title == "AI/ML security engineering"
    assert infos["user", "sample"].questions == 2
    assert infos["user", "sample"].path == user_dir / "sample.toml"
    broken = infos["user", "broken"]
    assert broken.error is not None and "bank.format" in broken.error
    assert find_bank("sample").title == "Sample bank"


def test_find_bank_by_path_and_unknown_id() -> None:
    assert find_bank(str(BANKS / "good.toml")).id == "sample"
    with pytest.raises(BankError) as caught:
        find_bank("no-such-bank")
    message = str(caught.value)
    assert 'unknown bank "no-such-bank"' in message
    assert "known banks: ai-security" in message
    assert "`interviewer bank list`" in message


# --- choosing questions ------------------------------------------------------------------------


def test_select_questions_is_deterministic_for_a_seed(shipped: Bank) -> None:
    first = select_questions(shipped, difficulties=[], count=5, seed=7)
    again = select_questions(shipped, difficulties=[], count=5, seed=7)
    assert [q.id for q in first] == [q.id for q in again]
    assert len({q.id for q in first}) == 5
    orders = {
        tuple(q.id for q in select_questions(shipped, difficulties=[], count=10, seed=s))
        for s in range(5)
    }
    assert len(orders) > 1  # the seed matters


def test_select_questions_filters_by_difficulty(shipped: Bank) -> None:
    hard = select_questions(shipped, difficulties=[Difficulty.HARD], count=10, seed=1)
    expected = {q.id for q in shipped.questions if q.difficulty is Difficulty.HARD}
    assert {q.id for q in hard} == expected  # fewer than count: all of them
    mixed = select_questions(
        shipped, difficulties=[Difficulty.EASY, Difficulty.HARD], count=3, seed=1
    )
    assert len(mixed) == 3
    assert all(q.difficulty in (Difficulty.EASY, Difficulty.HARD) for q in mixed)


def test_select_questions_never_picks_one_question_twice(shipped: Bank) -> None:
    # A Bank built in code is not checked like a file: a repeated id is dropped, first kept.
    first, second = shipped.questions[:2]
    clone = second.model_copy(update={"id": first.id})
    bank = shipped.model_copy(update={"questions": (first, clone, *shipped.questions[1:], first)})
    for seed in range(20):
        chosen = select_questions(bank, difficulties=[], count=50, seed=seed)
        ids = [q.id for q in chosen]
        assert len(ids) == len(set(ids)) == len(shipped.questions)
        assert next(q for q in chosen if q.id == first.id) is first


def test_select_questions_names_available_difficulties_when_none_match() -> None:
    bank = load_bank(BANKS / "good.toml")
    with pytest.raises(BankError, match="no medium questions; difficulties available: easy, hard"):
        select_questions(bank, difficulties=[Difficulty.MEDIUM], count=3, seed=None)
    with pytest.raises(BankError, match="at least 1"):
        select_questions(bank, difficulties=[], count=0, seed=None)


# --- CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def only_bank_command(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other commands are written in parallel; the bank command must not depend on them.
    monkeypatch.setattr(cli, "COMMANDS", ("bank",))


@pytest.mark.usefixtures("only_bank_command")
def test_cli_bank_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bank", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "TITLE", "QUESTIONS", "SOURCE", "PATH"]
    row = next(line for line in out if line.startswith("ai-security "))
    assert " 10 " in row and " shipped " in row and row.endswith("ai-security.toml")


@pytest.mark.usefixtures("only_bank_command")
def test_cli_bank_show_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bank", "show", "prompt-injection-defense"]) == 0
    out = capsys.readouterr().out
    assert "How do you defend against prompt injection" in out
    assert "[hard]" in out
    assert "1. untrusted-content:" in out
    assert "probe: " in out
    assert "Prompt injection defenses work best as layered controls" in out

    assert (
        cli.main(["bank", "show", "first-question", "--bank", str(BANKS / "good.toml"), "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "first-question"
    assert data["difficulty"] == "easy"
    assert len(data["key_points"]) == 5
    assert data["key_points"][0]["probes"] == ["Tell me more about that area."]


@pytest.mark.usefixtures("only_bank_command")
def test_cli_bank_show_without_id_lists_questions(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bank", "show", "--bank", str(BANKS / "good.toml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "sample: Sample bank (2 questions)"
    assert out[1:3] == [
        "  first-question  [easy]  What is question?",
        "  second-question  [hard]  What is question?",
    ]
    assert cli.main(["bank", "show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "ai-security"
    assert len(data["questions"]) == 10


@pytest.mark.usefixtures("only_bank_command")
def test_cli_bank_show_unknown_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bank", "show", "nope"]) == 2
    err = capsys.readouterr().err
    assert 'bank "ai-security" has no question "nope"' in err
    assert "secure-ml-pipeline" in err
    assert "is a bank" not in err


@pytest.mark.usefixtures("only_bank_command")
def test_cli_bank_show_a_bank_id_in_place_of_a_question_says_how_to_choose_the_bank(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `bank list` prints ids, and `bank show ID` reads like it takes one: it takes a question.
    assert cli.main(["bank", "show", "ai-security"]) == 2
    err = capsys.readouterr().err
    assert 'has no question "ai-security" (ID)' in err
    assert '"ai-security" is a bank: choose it with --bank ai-security' in err


@pytest.mark.usefixtures("only_bank_command")
def test_cli_bank_show_strips_terminal_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (BANKS / "good.toml").read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        text.replace('"What is question?"', r'"What \u001b[31mis\u009b2J question?\u0007"', 1),
        encoding="utf-8",
    )
    assert cli.main(["bank", "show", "first-question", "--bank", str(hostile)]) == 0
    out = capsys.readouterr().out
    assert "What is question?" in out
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out


@pytest.mark.usefixtures("only_bank_command")
def test_cli_bank_validate(capsys: pytest.CaptureFixture[str]) -> None:
    good = BANKS / "good.toml"
    assert cli.main(["bank", "validate", str(good), str(SHIPPED)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"ok: {good} (2 questions)", f"ok: {SHIPPED} (10 questions)"]

    broken = BANKS / "many-errors.toml"
    assert cli.main(["bank", "validate", str(good), str(broken)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"ok: {good} (2 questions)"
    assert len([line for line in out if line.startswith(f"{broken}: ")]) == 5
    assert out[-1] == "1 of 2 files have problems"


def test_errors_quoting_the_file_carry_no_terminal_escapes(tmp_path: Path) -> None:
    text = (BANKS / "good.toml").read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        text.replace(
            'difficulty = "easy"', 'difficulty = "\\u001b]52;c;eA==\\u0007"\n"\\u001b[2J" = 1', 1
        ),
        encoding="utf-8",
    )
    errors = validate_bank_file(hostile)
    assert len(errors) == 2
    assert all("\x1b" not in e and "\x07" not in e for e in errors)
    assert errors[0].startswith(f'{hostile}: question "first-question": ')
