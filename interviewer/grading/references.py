"""What the offline grader compares an answer with: per key point, its text, its examples (the
bank's sentences of candidates making the point in their own words), the sample-answer sentence
most related to it, and the clauses of the text and that sentence (for polarity); the
question's direction; the bank's other questions (`coverage` uses them).

Every text is embedded by its content words with the bank's concept names appended
(`lexicon.expand`), and half of the question's own direction is projected out, so merely
restating the topic does not look like covering a point. Built once per question.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from interviewer.domain import Question
from interviewer.grading.lexicon import Vocabulary, expand
from interviewer.grading.matcher import Matrix, get_embedder, similarities
from interviewer.grading.polarity import clauses, denies
from interviewer.grading.terms import TermReferences, term_references
from interviewer.grading.text import split_sentences
from interviewer.text.words import STOPWORDS, words

RELATED_SAMPLE_SENTENCES = 1
"""Sample-answer sentences used as extra references for each key point."""
QUESTION_PROJECTION = 0.5
"""Share of the question-text direction removed from every vector before comparing."""
SAMPLE_REFERENCE_WEIGHT = 0.95
"""Sample sentences are looser references than the key point itself."""
EXAMPLE_REFERENCE_WEIGHT = 0.8
"""A key point's examples (`KeyPoint.examples`) are looser still: each is one candidate's whole
sentence, whose mean word vector also meets vaguer answers. Chosen on the tuning split (0.8:
pairwise 0.908, 0.95: 0.900; examples among the polarity references as well: 0.899)."""


@dataclass(frozen=True)
class References:
    question: Matrix
    """(d,): the question text's direction."""
    key_points: Matrix
    """(k, d): one row per key point."""
    sample: Matrix
    """(s, d): sample-answer sentences."""
    related: tuple[tuple[int, ...], ...]
    """For each key point, the indices of its most related sample sentences."""
    examples: Matrix
    """(e, d): every key point's examples (`KeyPoint.examples`), point after point."""
    example_owner: tuple[tuple[int, ...], ...]
    """For each key point, the indices of its rows in `examples`."""
    clauses: Matrix
    """(c, d): the clauses of every key point and related sample sentence."""
    clause_denies: tuple[bool, ...]
    """For each reference clause, whether it denies what it talks about (see `polarity`)."""
    clause_owner: tuple[tuple[int, ...], ...]
    """For each key point, the indices of its reference clauses."""
    terms: TermReferences
    """Each key point's content words (see `terms`)."""
    vocabulary: Vocabulary
    """The bank's concepts, for expanding answer clauses the same way (see `lexicon`)."""
    contrast: Matrix
    """(1 + others, d): this question's key points as one text, then each other question's of
    the bank (`Question.other_key_points`), for `whole.elsewhere`."""


@lru_cache(maxsize=64)
def references(question: Question) -> References:
    vocabulary = question.concepts
    direction = embed([question.text], vocabulary)[0]
    key_points = project(
        embed([point.text for point in question.key_points], vocabulary), direction
    )
    sample_sentences = [s.text for s in split_sentences(question.sample_answer)]
    sample = project(embed(sample_sentences, vocabulary), direction)
    related: list[tuple[int, ...]] = [() for _ in question.key_points]
    if sample_sentences:
        affinity = key_points @ sample.T
        related = [
            tuple(int(i) for i in np.argsort(-row, kind="stable")[:RELATED_SAMPLE_SENTENCES])
            for row in affinity
        ]
    example_texts: list[str] = []
    example_owner: list[tuple[int, ...]] = []
    for point in question.key_points:
        start = len(example_texts)
        example_texts.extend(point.examples)
        example_owner.append(tuple(range(start, len(example_texts))))
    examples = project(embed(example_texts, vocabulary), direction)
    texts: list[str] = []
    owners: list[tuple[int, ...]] = []
    for k, point in enumerate(question.key_points):
        start = len(texts)
        # Not the examples: as polarity references they flipped more sentences (tuning split).
        for reference in (point.text, *(sample_sentences[i] for i in related[k])):
            texts.extend(clauses(reference) or (reference,))
        owners.append(tuple(range(start, len(texts))))
    clause_rows = project(embed(texts, vocabulary), direction)
    own_points = question.key_points_text
    contrast = project(embed([own_points, *question.other_key_points], vocabulary), direction)
    return References(
        direction,
        key_points,
        sample,
        tuple(related),
        examples,
        tuple(example_owner),
        clause_rows,
        tuple(denies(text) for text in texts),
        tuple(owners),
        term_references(
            get_embedder(), [expand(vocabulary, point.text) for point in question.key_points]
        ),
        vocabulary,
        contrast,
    )


def point_similarities(refs: References, embedded: Matrix) -> Matrix:
    """(sentences, key points): each embedded sentence's similarity to each key point, the best
    over its references (its text, its examples and its related sample sentences, the latter two
    weighted as looser references)."""
    scores = np.array(similarities(embedded, refs.key_points), copy=True)
    via_sample = similarities(embedded, refs.sample)
    via_examples = similarities(embedded, refs.examples)
    for k, related in enumerate(refs.related):
        if related:
            best_sample = via_sample[:, list(related)].max(axis=1)
            scores[:, k] = np.maximum(scores[:, k], SAMPLE_REFERENCE_WEIGHT * best_sample)
        if refs.example_owner[k]:
            best_example = via_examples[:, list(refs.example_owner[k])].max(axis=1)
            scores[:, k] = np.maximum(scores[:, k], EXAMPLE_REFERENCE_WEIGHT * best_example)
    result: Matrix = scores.astype(np.float32, copy=False)
    return result


def embed(texts: list[str], vocabulary: Vocabulary) -> Matrix:
    return get_embedder().embed([content(expand(vocabulary, text)) for text in texts])


def content(text: str) -> str:
    """Only the content words are embedded: a mean over "I would", "the" and "of" pulls every
    sentence towards every other one."""
    return " ".join(w for w in words(text) if w not in STOPWORDS)


def project(vectors: Matrix, direction: Matrix) -> Matrix:
    """Remove part of `direction` from each row, then renormalise."""
    if not len(vectors):
        return vectors
    moved = vectors - QUESTION_PROJECTION * np.outer(vectors @ direction, direction)
    norms = np.linalg.norm(moved, axis=1, keepdims=True)
    result: Matrix = (moved / np.maximum(norms, 1e-9)).astype(np.float32)
    return result
