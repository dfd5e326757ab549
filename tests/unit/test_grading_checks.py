"""The pre-check: reject empty, too-short and gibberish answers, never a real short answer."""

from __future__ import annotations

import pytest

from interviewer.domain import Difficulty, Evaluation, Exchange, KeyPoint, Question
from interviewer.engine.grading import AnswerLimits, grading_request
from interviewer.grading.checks import min_words_for, precheck
from interviewer.providers.base import GradeRequest


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", "...", "?!", "— — —"])
def test_blank_or_punctuation_only_is_empty(text: str) -> None:
    assert precheck(text, min_words=5) == "empty"


@pytest.mark.parametrize("text", ["idk", "no idea", "Use encryption.", "hash the data"])
def test_fewer_words_than_the_minimum_is_too_short(text: str) -> None:
    assert precheck(text, min_words=5) == "too_short"


def test_min_words_is_the_threshold() -> None:
    text = "Sign and hash every dataset"
    assert precheck(text, min_words=5) is None
    assert precheck(text, min_words=6) == "too_short"


@pytest.mark.parametrize(
    "text",
    [
        "asdf jkl; qwer asdf zxcv asdf",
        "sdlkfj sdkfjh weoriu xcmvn qpwoei zmxncb",
        "jfkdjfkd fjdkfjdk jfjfjf kdkdkd ldldld",
        "hjkl hjkl yuio ghgh fdfd",
        "aaaaaaaaa bbbbbbbb cccccc dddd eeee",
        "blah blah blah blah blah blah",
        "security security security security security",
        "I know security. I know security. I know security. I know security. "
        "I know security. I know security. I know security. I know security.",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.",
        "dolor sit amet consectetur adipiscing elit sed eiusmod",
        "x7#k!! @@p0 ;;;; q%%9z ##$$ zz@@ !!!!",
        "xkcd qrst mnbv lkjh poiuy trewq",
    ],
)
def test_gibberish_is_flagged(text: str) -> None:
    assert precheck(text, min_words=5) == "gibberish"


@pytest.mark.parametrize(
    "text",
    [
        "Hash the datasets and verify signatures before training",
        "Rate limiting, auth checks, monitoring, input validation, logging.",
        "I would use RBAC and SBOMs, plus HTTPS and mTLS for the APIs.",
        "We would use k8s network policies, SHA-256 checksums, OAuth2 and OIDC tokens.",
        "Least privilege for tools; human approval for payments.",
        "Canary strings in training data, then probe for them.",
        "The strengths of sandboxing: blast radius stays small.",
        "Je chiffrerais les données et je vérifierais les signatures.",
        "Pin deps, scan images (Trivy/Grype), sign artifacts w/ Sigstore.",
        "Monitor p95 latency, 4xx/5xx rates and token usage per tenant.",
    ],
)
def test_short_real_answers_pass(text: str) -> None:
    assert precheck(text, min_words=5) is None


def test_a_long_real_answer_with_repeated_words_passes() -> None:
    text = (
        "I would validate the data, version the data and restrict who can write the data. "
        "Then I would monitor the model and the data for drift, and retrain the model when "
        "the data changes. The model registry holds signed model artifacts."
    )
    assert precheck(text, min_words=5) is None


# --- the minimum scales with the reference answer ------------------------------------------------

SHORT_REFERENCE = "Recursion is a function calling itself."  # six words


def test_a_correct_short_answer_to_a_short_question_passes() -> None:
    answer = "A function that calls itself."  # five words: under the configured eight
    assert precheck(answer, min_words=8) == "too_short"
    assert precheck(answer, min_words=8, reference=SHORT_REFERENCE) is None


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (SHORT_REFERENCE, 2),  # a third of six words
        ("Central processing unit.", 1),
        ("One two three four five six seven eight nine ten eleven twelve thirteen.", 5),
        (" ".join(["word"] * 120), 8),  # a full sample answer: the configured minimum
        ("", 8),
    ],
)
def test_min_words_for_is_a_third_of_the_reference_capped_by_the_setting(
    reference: str, expected: int
) -> None:
    assert min_words_for(reference, 8) == expected


def test_a_short_reference_still_rejects_empty_and_gibberish() -> None:
    assert precheck("   ", min_words=8, reference=SHORT_REFERENCE) == "empty"
    assert precheck("One", min_words=8, reference=SHORT_REFERENCE) == "too_short"
    assert precheck("asdf qwer zxcv", min_words=8, reference=SHORT_REFERENCE) == "gibberish"


def test_the_grading_path_scales_the_minimum_by_the_questions_sample_answer() -> None:
    question = Question(
        id="recursion",
        text="What is recursion?",
        difficulty=Difficulty.EASY,
        sample_answer=SHORT_REFERENCE,
        key_points=(KeyPoint(id="self-call", text=SHORT_REFERENCE, probes=("And then?",)),),
    )
    exchanges = (Exchange(kind="question", prompt=question.text, answer="It calls itself."),)
    limits = AnswerLimits(min_words=8, max_chars=6000)
    assert isinstance(grading_request(question, exchanges, limits), GradeRequest)
    long_question = question.model_copy(update={"sample_answer": " ".join(["word"] * 60)})
    judged = grading_request(long_question, exchanges, limits)
    assert isinstance(judged, Evaluation) and judged.flags == ("too_short",)
