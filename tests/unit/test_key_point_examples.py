"""A key point's `examples`: the bank's sentences of candidates making the point in their own
words. The loader checks them, the writer keeps them, the offline grader compares answers with
them, and no model is ever sent them."""

from __future__ import annotations

import pytest

from interviewer.bank.loader import dump_bank_toml, parse_bank_toml
from interviewer.domain import Exchange, Question
from interviewer.errors import BankError
from interviewer.grading.coverage import assess
from interviewer.prompts import render_assess, render_grade, render_probe
from interviewer.providers.base import AssessRequest, GradeRequest, ProbeRequest

EXAMPLE = "We let one percent of customers try it first, with a kill switch ready."

BANK = """
[bank]
id = "launch"
title = "Launch"
format = 1

[[questions]]
id = "risky-launch"
difficulty = "medium"
text = "A team wants to ship an AI feature before its security review is done. What do you do?"
sample_answer = "Offer a staged rollout behind feature flags while the findings get fixed."

[[questions.key_points]]
id = "staged-rollout"
text = "Reduce blast radius with a narrow or staged rollout behind feature flags"
probes = ["If not everything can be fixed in time, what could still ship?"]
{examples}
"""


def bank_with(examples: str) -> Question:
    return parse_bank_toml(BANK.format(examples=examples), "launch.toml").questions[0]


def test_examples_load_tidied_and_survive_a_rewrite() -> None:
    question = bank_with(f'examples = ["  {EXAMPLE}\\n ", "Only a pilot group gets it at first."]')
    assert question.key_points[0].examples == (EXAMPLE, "Only a pilot group gets it at first.")
    again = parse_bank_toml(
        dump_bank_toml(
            parse_bank_toml(BANK.format(examples=(f'examples = ["{EXAMPLE}"]')), "launch.toml")
        ),
        "again.toml",
    )
    assert again.questions[0].key_points[0].examples == (EXAMPLE,)
    assert bank_with("").key_points[0].examples == ()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'examples = "one"',
            "key_points[0].examples: expected an array of strings, found a string",
        ),
        ('examples = ["ok", 3]', "key_points[0].examples[1]: expected a string, found an integer"),
        ('examples = ["  "]', "key_points[0].examples[0]: must not be empty"),
        ('examples = ["' + "x" * 401 + '"]', "key_points[0].examples[0]: is 401 characters long"),
        ("examples = [" + ", ".join(['"a"'] * 9) + "]", "found 9 examples, expected at most 8"),
    ],
)
def test_a_bad_example_is_named_by_file_question_and_field(line: str, expected: str) -> None:
    with pytest.raises(BankError) as caught:
        bank_with(line)
    assert str(caught.value).startswith('launch.toml: question "risky-launch": ')
    assert expected in str(caught.value)


def test_an_answer_worded_like_an_example_earns_more_than_without_it() -> None:
    answer = "We would let one percent of our customers try it first, with a kill switch ready."
    plain = assess(bank_with(""), answer)[0]
    helped = assess(bank_with(f'examples = ["{EXAMPLE}"]'), answer)[0]
    assert (helped.credit or 0.0) > (plain.credit or 0.0) + 0.3
    assert helped.evidence == answer


def test_examples_are_never_sent_to_a_model() -> None:
    question = bank_with(f'examples = ["{EXAMPLE}"]')
    exchanges = (Exchange(kind="question", prompt=question.text, answer="Ship it to everyone."),)
    prompts = [
        render_grade(GradeRequest(question, exchanges)),
        render_assess(AssessRequest(question, exchanges)),
        render_probe(ProbeRequest(question, exchanges, ("staged-rollout",), 1)),
    ]
    for prompt in prompts:
        sent = prompt.system + "".join(message.content for message in prompt.messages)
        assert "kill switch" not in sent
        assert "staged rollout" in sent.lower() or prompt.task == "probe"
