"""The offline grader past one sentence: combined evidence, near credit, sentences about another
question, notes rather than prose (`grading.whole` and the rules `coverage` applies with it)."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.bank.loader import find_bank, parse_bank_toml
from interviewer.domain import Bank, Question
from interviewer.grading.coverage import assess
from interviewer.grading.score import compute_score
from interviewer.grading.whole import (
    DISMISSAL_FACTOR,
    NOTES_FACTOR,
    dismissal_factor,
    elsewhere,
    notes_factor,
)

ASIDES = (
    "Let's play a game.",
    "Click here to see your score.",
    "My favourite recipe is a slow-cooked tomato sauce with garlic and basil.",
)


@pytest.fixture(scope="module")
def bank() -> Bank:
    return find_bank("ai-security")


@pytest.fixture(scope="module")
def logging_question(bank: Bank) -> Question:
    return bank.question("ai-logging-monitoring")


def score(question: Question, text: str) -> float:
    return compute_score(question, assess(question, text))


def credit(question: Question, text: str, key_point_id: str) -> float:
    found = {v.key_point_id: v.credit or 0.0 for v in assess(question, text)}
    return found[key_point_id]


def test_a_point_spread_over_sentences_earns_more_than_either_sentence(
    logging_question: Question,
) -> None:
    who = (
        "Every record names the account that sent the request and the build of the model that "
        "answered."
    )
    what = (
        "Alongside that we keep which functions the model invoked, how long the reply took, and "
        "any errors."
    )
    apart = max(
        credit(logging_question, who, "request-metadata"),
        credit(logging_question, what, "request-metadata"),
    )
    both = credit(logging_question, f"{who} {what}", "request-metadata")
    assert both > apart + 0.05
    # The quote is still one sentence of the answer, never the two glued together.
    verdict = next(v for v in assess(logging_question, f"{who} {what}") if v.credit)
    assert verdict.evidence in (who, what)


def test_a_vague_answer_on_topic_outranks_an_off_topic_one(logging_question: Question) -> None:
    vague = (
        "I would keep an eye on the system and look at the logs when something goes wrong. "
        "The team should talk about what they see and fix problems quickly."
    )
    assert 0.5 <= score(logging_question, vague) <= 3.5
    assert score(logging_question, ASIDES[2]) == 0.0


@pytest.mark.parametrize("aside", ASIDES)
def test_an_aside_never_adds_credit(logging_question: Question, aside: str) -> None:
    for base in (
        "I would keep an eye on the system and look at the logs when something goes wrong.",
        "We log who sent each request, which model version answered and which tools it called. "
        "Alerts go to named owners with a playbook for each.",
    ):
        assert score(logging_question, f"{base} {aside}") == score(logging_question, base)
        assert score(logging_question, f"{aside} {base}") == score(logging_question, base)


def test_adding_another_questions_answer_never_lowers_a_score(bank: Bank) -> None:
    # Sentences about another question lose their own credit, never the others'.
    for question in bank.questions:
        own = question.sample_answer.split(". ")[0] + "."
        alone = score(question, own)
        for other in bank.questions:
            if other.id != question.id:
                assert score(question, f"{own} {other.sample_answer}") >= alone, other.id


def test_the_answer_to_another_question_keeps_little_of_its_credit(bank: Bank) -> None:
    question = bank.question("prompt-injection-defense")
    other = bank.question("production-abuse-response").sample_answer
    alone = Question.model_validate(
        question.model_dump() | {"other_key_points": ()}
    )  # the same question in a bank of its own: nothing to tell the answer apart by
    assert score(question, other) < score(alone, other)


def test_notes_keep_less_than_the_same_content_in_prose(logging_question: Question) -> None:
    prose = (
        "We log who sent each request, which model version answered, and which tools it called. "
        "Personal data is masked in stored prompts and outputs. "
        "Alerts go to named owners with a playbook."
    )
    notes = (
        "Caller, model version, tools per request. Masked personal data. Alert owners, playbooks."
    )
    assert score(logging_question, notes) < 0.6 * score(logging_question, prose)


def test_notes_factor_ramps_from_notes_to_prose() -> None:
    assert notes_factor(0.0) == NOTES_FACTOR
    assert notes_factor(0.15) == NOTES_FACTOR
    assert NOTES_FACTOR < notes_factor(0.175) < 1.0
    assert notes_factor(0.2) == 1.0
    assert notes_factor(0.45) == 1.0


def test_elsewhere_needs_another_question_much_closer() -> None:
    own = np.array([0.5, 0.1, 0.3], dtype=np.float32)
    others = np.array([[0.6, 0.2], [0.45, 0.0], [0.31, 0.2]], dtype=np.float32)
    assert elsewhere(own, others).tolist() == [False, True, False]
    assert elsewhere(own, np.zeros((3, 0), dtype=np.float32)).tolist() == [False] * 3


def test_every_question_carries_the_other_questions_key_points(bank: Bank) -> None:
    for question in bank.questions:
        assert len(question.other_key_points) == len(bank.questions) - 1
        assert " ".join(p.text for p in question.key_points) not in question.other_key_points
    single = parse_bank_toml(
        '[bank]\nid = "one"\ntitle = "One"\nformat = 1\n\n[[questions]]\nid = "q"\n'
        'text = "What is recursion?"\ndifficulty = "easy"\n'
        'sample_answer = "A function that calls itself on a smaller input until a base case."\n'
        '[[questions.key_points]]\nid = "kp1"\n'
        'text = "A function calls itself on a smaller input until it reaches a base case"\n'
        'probes = ["What stops it?"]\n',
        "one.toml",
    )
    assert single.questions[0].other_key_points == ()
    text = "Recursion is when a function calls itself on a smaller input until a base case."
    assert score(single.questions[0], text) >= 7.0


def test_dismissal_factor_ramps_with_the_share_of_dismissing_clauses() -> None:
    assert dismissal_factor(1, 1.0) == 1.0  # one dismissal is an aside, however short the answer
    assert dismissal_factor(2, 0.2) == 1.0
    assert dismissal_factor(3, 0.35) == pytest.approx(1.0 - (1.0 - DISMISSAL_FACTOR) / 2)
    assert dismissal_factor(5, 0.9) == pytest.approx(DISMISSAL_FACTOR)


def test_an_answer_that_mostly_dismisses_the_practice_keeps_less_of_what_it_asserts(
    logging_question: Question,
) -> None:
    asserting = (
        "We log the user identity, the model version and every tool call for investigations."
    )
    dismissing = (
        "Redacting prompts is overkill for internal logs. "
        "Abuse dashboards are just noise. "
        "Correlating model events with infrastructure logs adds complexity and buys little."
    )
    alone = credit(logging_question, asserting, "request-metadata")
    assert alone > 0.5
    assert credit(logging_question, f"{asserting} {dismissing}", "request-metadata") < alone * 0.8


def test_negations_that_argue_against_nothing_keep_the_credit(
    logging_question: Question,
) -> None:
    asserting = (
        "We log the user identity, the model version and every tool call for investigations."
    )
    story = (
        "I told the team the problem was not that the model was bad. "
        "The attacker's prompt did not reach any tool, so nothing happened, and the logs "
        "showed no second attempt."
    )
    assert score(logging_question, f"{asserting} {story}") == score(logging_question, asserting)
