"""providers.output_check: what a small model's echoes look like, and what passes."""

from __future__ import annotations

import json

import pytest

from interviewer.providers.output_check import first_question, probe_problem, prose_problem
from interviewer.providers.structured import parse_grade
from tests.providers.support import ANSWER, QUESTION, good_grade

# What SmolLM2-135M wrote as "probes" against llama.cpp's server (issue 11).
FENCE_ECHO = "<<<END ANSWER ca488cc82c2b3cc1f0be90b1d8cd660c>>>\nI would "
INSTRUCTION_ECHO = (
    "Write follow-up probe number 2. Aim it at this aspect, without naming or revealing it: "
    "monitoring"
)
LABEL_ECHO = "Candidate's answer 2: I never trust the model."
GOOD = "You label retrieved pages as untrusted. What would you put around the model itself?"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (FENCE_ECHO, "fence"),
        ("END EARLIER - tools: every tool call is checked. What else?", "fence"),
        (INSTRUCTION_ECHO, "instructions"),
        (LABEL_ECHO, "labels"),
        (f"So: {ANSWER} And what else?", "candidate's answer"),
        ("One. Two here. Three now. Four then. What else?", "sentences"),
        ("Why? How? And when would you do it?", "questions"),
        ("x" * 501, "longer"),
        ("", "empty"),
        (
            "Would you separate trusted instructions from untrusted content and label the "
            "untrusted?",
            "key point",
        ),
    ],
)
def test_echoes_and_rambles_are_rejected(text: str, reason: str) -> None:
    problem = probe_problem(text, QUESTION, [ANSWER])
    assert problem is not None and reason in problem


def test_a_plain_probe_passes_even_quoting_a_few_words_of_the_answer() -> None:
    assert probe_problem(GOOD, QUESTION, [ANSWER]) is None
    quoting = "You said every tool call is checked for permission: by whom?"
    assert probe_problem(quoting, QUESTION, [ANSWER]) is None


def test_first_question_ends_at_the_first_question_mark() -> None:
    assert first_question("Nice. What would you log? " + INSTRUCTION_ECHO) == (
        "Nice. What would you log?"
    )
    assert first_question('Ask "why?" first') == 'Ask "why?"'
    assert first_question("Tell me more about it") is None


def test_feedback_that_echoes_the_prompt_is_dropped_and_the_verdicts_stand() -> None:
    reply = good_grade(
        feedback="<<<BEGIN ANSWER 0123456789abcdef0123>>> I never trust the model",
        strengths=["Clear trust boundary", INSTRUCTION_ECHO],
        gaps=[f"You wrote: {ANSWER} {ANSWER}"],
    )
    output = parse_grade(json.dumps(reply), QUESTION, [ANSWER])
    assert output.feedback == ""
    assert output.strengths == ("Clear trust boundary",)
    assert output.gaps == ()
    assert len(output.verdicts) == 3
    assert prose_problem("Good start; add monitoring and human approval.", [ANSWER]) is None


@pytest.mark.parametrize(
    "echo",
    [
        # prompts/prose.md, the feedback rules that the grade and feedback requests share
        "Write a short constructive Markdown paragraph to the candidate on what worked",
        # prompts/feedback_user.md and prompts/earlier.md
        "These verdicts are decided (id: verdict); do not revise them.",
        "Earlier answers were assessed already; the newest exchange:",
    ],
)
def test_every_template_counts_as_our_prompt(echo: str) -> None:
    assert prose_problem(echo, [ANSWER]) == "it repeats our instructions"
    assert probe_problem(echo, QUESTION, [ANSWER]) == "it repeats our instructions"
