"""The pre-check: reject empty, too-short and gibberish answers, never a real short answer."""

from __future__ import annotations

import pytest

from interviewer.grading.checks import precheck


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
