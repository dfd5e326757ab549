"""Term recall (grading/terms): a key point's distinctive words, met by an answer unit."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.grading.guards import is_keyword_list
from interviewer.grading.matcher import Embedder, get_embedder, similarities
from interviewer.grading.terms import content_terms, term_recall, term_references


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


def test_content_terms_skip_function_words_and_repeats() -> None:
    assert content_terms("We redact the prompts and we redact the outputs.") == (
        "redact",
        "prompts",
        "outputs",
    )


def test_a_unit_saying_a_points_words_recalls_it_fully(embedder: Embedder) -> None:
    refs = term_references(embedder, ["redact personal data", "rotate signing keys"])
    recall = term_recall(embedder, refs, ["We redact personal data first.", "The weather is mild."])
    assert recall[0, 0] == pytest.approx(1.0)
    assert recall[0, 0] > recall[0, 1]
    assert recall[1, 0] < 0.5


def test_a_word_every_point_uses_weighs_less(embedder: Embedder) -> None:
    refs = term_references(embedder, ["redact monitoring", "rotate monitoring"])
    shared, distinctive = term_recall(embedder, refs, ["monitoring", "redact"])[:, 0]
    assert distinctive > shared


@pytest.mark.parametrize(
    ("sentence", "listed"),
    [
        (
            "Untrusted content, instruction/data separation, delimiters, sandboxing, least "
            "privilege tools, authorization checks, minimize context, no secrets.",
            True,
        ),
        ("Canary strings.", True),
        (
            "In production, watch drift, anomalous inputs, abuse, prompt injection and "
            "extraction-style querying.",
            False,
        ),
        (
            "Everything we didn't build, open source packages, downloaded checkpoints, docker "
            "base images, goes through a vulnerability scanner.",
            False,
        ),
    ],
)
def test_a_list_of_items_is_not_an_explanation(sentence: str, listed: bool) -> None:
    assert is_keyword_list(sentence) is listed


def test_similarities_in_slices_equal_the_whole_product() -> None:
    rng = np.random.default_rng(0)
    rows = rng.standard_normal((100, 256)).astype(np.float32)
    columns = rng.standard_normal((150, 256)).astype(np.float32)
    sliced = similarities(rows, columns)
    assert sliced.shape == (100, 150) and sliced.dtype == np.float32
    assert np.allclose(sliced, rows @ columns.T, atol=1e-4)
    assert similarities(rows[:0], columns).shape == (0, 150)
