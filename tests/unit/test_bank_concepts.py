"""A bank's vocabulary (`[[concepts]]`): how terms match, how the checker reports bad ones, and
that the offline grader takes the vocabulary from the question it grades.

tests/data/banks/ai-security-concepts.jsonl holds 1448 texts, split into sentences: the answers of
the dev sets (the first one and its 290-answer successor), the demo answers and every question,
key point and sample answer of both grading banks, each with `lexicon_py`, the concepts that the
regex lexicon of interviewer/grading/lexicon.py at commit 66af1f6 found in it. That lexicon, moved
into the bank as `[[concepts]]`, is kept frozen in tests/data/banks/ai-security-lexicon-py.toml:
it must find exactly the same, in the same order, so plain terms match as the regexes did. (Two of
its regexes, "document~ the decision" and "notif~ of a breach", had a "~" inside that never
matched anything; they were left out rather than brought to life unmeasured.) The shipped bank's
vocabulary has grown since (the bank author's pass of issue 10), so it finds more.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.bank.loader import dump_bank_toml, find_bank, load_bank, parse_bank_toml
from interviewer.domain import Bank, Concept
from interviewer.errors import BankError
from interviewer.grading.coverage import assess
from interviewer.grading.lexicon import concepts, expand
from interviewer.grading.score import compute_score
from interviewer.text.terms import term_problem, terms_pattern

DATA = Path(__file__).resolve().parents[1] / "data"
EXPECTED = DATA / "banks" / "ai-security-concepts.jsonl"
MIGRATED = DATA / "banks" / "ai-security-lexicon-py.toml"
FIXTURE_BANK = DATA / "devset" / "fixture-bank.toml"
GRADING_DIR = Path(__file__).resolve().parents[2] / "interviewer" / "grading"


@pytest.fixture(scope="module")
def shipped() -> Bank:
    return find_bank("ai-security")


def matches(term: str, text: str) -> bool:
    return terms_pattern((term,)).search(text.lower()) is not None  # its documented contract


# --- the migration -----------------------------------------------------------------------------


def test_migrated_vocabulary_finds_what_the_regex_lexicon_found() -> None:
    migrated = load_bank(MIGRATED)
    rows = [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1448
    assert sum(bool(row["lexicon_py"]) for row in rows) > 1000
    for row in rows:
        assert concepts(migrated.concepts, row["text"]) == row["lexicon_py"], row["text"]


def test_every_question_carries_its_banks_vocabulary(shipped: Bank) -> None:
    assert len(shipped.concepts) == 101
    for question in shipped.questions:
        assert question.concepts == shipped.concepts


def test_the_grading_code_holds_no_domain_vocabulary(shipped: Bank) -> None:
    # Every term of the bank is domain knowledge: none may hide in the grader's code again
    # (docstrings may name examples; string constants are what the code matches on).
    words = {
        term.lower()
        for concept in shipped.concepts
        for term in concept.terms
        if re.fullmatch(r"[a-z]{5,}", term)
    }
    assert len(words) > 80
    found = set()
    for name in ("lexicon.py", "coverage.py", "matcher.py", "score.py"):
        for literal in _string_constants(GRADING_DIR / name):
            found |= words & set(re.findall(r"[a-z]+", literal.lower()))
    # Words the grader uses about itself ("evidence_rejected", the embedding model's package).
    assert found <= {"evidence", "embedding", "package"}


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


# --- how terms match ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("log", "we keep logs"),
        ("log", "LOGGING every call"),
        ("scan", "scanning the images"),
        ("signature", "the signatures match"),
        ("trace", "every request is traced"),
        ("lock down", "we Lock Down the bucket"),
        ("vulnerab*", "known vulnerabilities"),
        ("red-team", "a red-team exercise"),
        ("sha-256", "a SHA-256 digest"),
        ("don't store", "I don't store it"),
    ],
)
def test_a_term_matches_its_variants(term: str, text: str) -> None:
    assert matches(term, text)


def test_concepts_are_found_whatever_the_case_of_the_text() -> None:
    vocabulary = (
        Concept(name="hash integrity", terms=("sha-256", "checksum")),
        Concept(name="red team", terms=("red team*",)),
    )
    for text in ("We publish a SHA-256 Checksum.", "we publish a sha-256 checksum."):
        assert concepts(vocabulary, text) == ["hash integrity"]
    assert concepts(vocabulary, "The RED TEAMERS broke it.") == ["red team"]
    assert concepts(vocabulary, "Nothing to see.") == []


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("fines", "fine-tuning the model"),  # endings, not any continuation
        ("log", "the catalog"),  # whole words only
        ("iam", "diameter"),
        ("rag", "ragtime"),
        ("log", "everything is logged"),  # not an ending the rule gives: a term of its own
        ("lock down", "locking down the bucket"),  # only the last word takes endings
        ("red team", "a red-team exercise"),  # spaces, hyphens and apostrophes are literal
        ("redteam", "a red team exercise"),
        ("don't store", "I don’t store it"),
    ],
)
def test_a_term_does_not_match_other_words(term: str, text: str) -> None:
    assert not matches(term, text)


@pytest.mark.parametrize(
    ("term", "problem"),
    [
        ("", "must not be empty"),
        ("hash|checksum", "is not a plain phrase"),
        ("sign(ed)? data", "is not a plain phrase"),
        ("vuln~", "is not a plain phrase"),
        ("*able", "must start with a letter or digit"),
        ("vul*nerable", "* may only end a term"),
        ("red* team", "* may only end a term"),
        ("ab*", "is too short"),
    ],
)
def test_term_problems(term: str, problem: str) -> None:
    found = term_problem(term)
    assert found is not None and problem in found


def test_expand_appends_concept_names_in_vocabulary_order() -> None:
    vocabulary = (
        Concept(name="hash integrity", terms=("checksum",)),
        Concept(name="provenance", terms=("lineage",)),
    )
    assert expand(vocabulary, "Lineage and checksums.") == (
        "Lineage and checksums. hash integrity provenance"
    )
    assert expand((), "Lineage and checksums.") == "Lineage and checksums."


# --- the bank file -----------------------------------------------------------------------------

BANK_HEAD = """
[bank]
id = "tiny"
title = "Tiny"
format = 1

[[questions]]
id = "q"
difficulty = "easy"
text = "What is recursion?"
sample_answer = "Recursion is when a function calls itself."

[[questions.key_points]]
id = "self-call"
text = "A function that calls itself"
probes = ["How would you describe it to a beginner?"]
"""


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            '[[concepts]]\nname = "x"\nterms = ["a|b"]',
            'concept "x": terms[0]: "a|b" is not a plain',
        ),
        ('[[concepts]]\nname = "x"\nterms = []', 'concept "x": terms: at least one term'),
        ('[[concepts]]\nname = "x"', 'concept "x": terms: at least one term'),
        ('[[concepts]]\nname = "x"\nterms = [3]', 'concept "x": terms[0]: expected a string'),
        ('[[concepts]]\nname = "x"\nterms = ["ab", "AB"]', 'concept "x": terms[1]: "AB" is listed'),
        ('[[concepts]]\nterms = ["abc"]', "concepts[0]: name: required"),
        ('[[concepts]]\nname = "x"\nterm = ["abc"]', 'concept "x": term: unknown key (did you'),
        (
            '[[concepts]]\nname = "x"\nterms = ["abc"]\n[[concepts]]\nname = "x"\nterms = ["d"]',
            'concept "x": name: duplicate concept name (also concepts[0])',
        ),
        ('concepts = "abc"', "concepts: must be an array of tables"),
    ],
)
def test_bad_concepts_name_file_concept_and_field(table: str, expected: str) -> None:
    text = table + "\n" + BANK_HEAD if table.startswith("concepts =") else BANK_HEAD + table
    with pytest.raises(BankError) as caught:
        parse_bank_toml(text, "tiny.toml")
    message = str(caught.value)
    assert message.startswith(f"tiny.toml: {expected}"), message
    assert "\n" not in message


def test_a_bank_without_concepts_loads_and_grades() -> None:
    bank = parse_bank_toml(BANK_HEAD, "tiny.toml")
    assert bank.concepts == () and bank.questions[0].concepts == ()
    question = bank.questions[0]
    assert compute_score(question, assess(question, "A function that calls itself.")) > 5


def test_concepts_round_trip_through_the_writer(shipped: Bank, tmp_path: Path) -> None:
    path = tmp_path / "copy.toml"
    path.write_text(dump_bank_toml(shipped), encoding="utf-8")
    assert load_bank(path) == shipped


def test_bank_validate_reports_a_bad_term(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.toml"
    path.write_text(BANK_HEAD + '[[concepts]]\nname = "self call"\nterms = ["calls? itself"]\n')
    assert cli.main(["bank", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f'{path}: concept "self call": terms[0]: "calls? itself" is not a plain phrase' in out


# --- grading reads the vocabulary of the question it grades -------------------------------------


def test_grading_uses_the_questions_own_vocabulary() -> None:
    question = find_bank(str(FIXTURE_BANK)).question("secure-ml-pipeline")
    assert question.concepts == ()
    answer = (
        "Nothing enters the corpus unless its checksum matches what the producer published, and "
        "only two people may write to those buckets."
    )
    bridged = question.model_copy(
        update={
            "concepts": (
                Concept(name="hash", terms=("checksum", "digest")),
                Concept(name="restrict access", terms=("may write", "allowed to write")),
            )
        }
    )
    without = compute_score(question, assess(question, answer))
    with_vocabulary = compute_score(bridged, assess(bridged, answer))
    assert with_vocabulary > without
    # The grader's caches are keyed by the question, vocabulary included: grading the bridged
    # question must not leak its vocabulary into the plain one.
    assert compute_score(question, assess(question, answer)) == without
