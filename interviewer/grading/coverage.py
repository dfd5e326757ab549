"""The offline grader: which key points does an answer cover, and where does it say so?

For every key point we build references: the key point text and the sample-answer sentence most
related to it. Each answer unit (a sentence, or two adjacent sentences) is embedded with the
bundled static model; a unit's match with a key point is its best cosine similarity to any of the
point's references (sample sentences count slightly less than the key point itself).

Two adjustments make a static word-embedding model usable as a grader:
* Concept expansion (`lexicon`): texts get the names of the bank's concepts they mention appended
  before embedding, so "we compare digests" meets "hash the datasets" when the bank's vocabulary
  (`Question.concepts`) says digests and hashes are one concept.
* Half of the question's own direction is projected out of every vector: merely restating the
  topic ("logging matters for production AI") should not look like covering a specific point.

Thresholds were calibrated on the development set in tests/data/devset (tests/unit/
test_grading_devset.py measures it). Instruction-like sentences (addressed to the grader) are
dropped before matching, and a bare list of terms earns at most partial. Deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from interviewer.domain import KeyPointVerdict, Question, Verdict
from interviewer.grading.guards import instruction_mask, is_keyword_list
from interviewer.grading.lexicon import Vocabulary, concepts, expand
from interviewer.grading.matcher import Matrix, get_embedder
from interviewer.grading.score import missing_key_points
from interviewer.grading.text import split_sentences

COVERED_THRESHOLD = 0.55
PARTIAL_THRESHOLD = 0.40
RELATED_SAMPLE_SENTENCES = 1
"""Sample-answer sentences used as extra references for each key point."""
SAMPLE_REFERENCE_WEIGHT = 0.95
"""Sample sentences are looser references than the key point itself."""
QUESTION_PROJECTION = 0.5
"""Share of the question-text direction removed from every vector before comparing."""


@dataclass(frozen=True)
class _Unit:
    text: str
    expanded: str
    """What gets embedded: the text plus the names of its concepts (see `lexicon`)."""
    sentences: tuple[int, ...]
    """Indices of the unit's sentences among the sentence units (which come first)."""
    bare_list: bool


@dataclass(frozen=True)
class _References:
    question: Matrix
    """(d,): the question text's direction."""
    key_points: Matrix
    """(k, d): one row per key point."""
    sample: Matrix
    """(s, d): sample-answer sentences."""
    related: tuple[tuple[int, ...], ...]
    """For each key point, the indices of its most related sample sentences."""


def assess(question: Question, answer_text: str) -> tuple[KeyPointVerdict, ...]:
    """One verdict per key point (question order), with the candidate's sentence as evidence."""
    scores, units = match_scores(question, answer_text)
    verdicts: list[KeyPointVerdict] = []
    for k, point in enumerate(question.key_points):
        verdict = Verdict.MISSED
        evidence: str | None = None
        if units:
            column = scores[:, k]
            best = int(np.argmax(column))
            verdict = _verdict(float(column[best]), units[best].bare_list)
            if verdict is not Verdict.MISSED:
                # Quote the unit's sentence that carries the match best: short, exact, checkable.
                sentence = max(units[best].sentences, key=lambda i: (float(column[i]), -i))
                evidence = units[sentence].text
        verdicts.append(KeyPointVerdict(key_point_id=point.id, verdict=verdict, evidence=evidence))
    return tuple(verdicts)


def match_scores(question: Question, answer_text: str) -> tuple[Matrix, list[_Unit]]:
    """(units, key points) similarity matrix and the units; exposed for calibration."""
    units = _units(answer_text, question.concepts)
    if not units:
        return np.zeros((0, len(question.key_points)), dtype=np.float32), units
    refs = _references(question)
    embedded = _project(get_embedder().embed([unit.expanded for unit in units]), refs.question)
    direct = embedded @ refs.key_points.T
    via_sample = embedded @ refs.sample.T
    scores = np.array(direct, copy=True)
    for k, related in enumerate(refs.related):
        if related:
            best_sample = via_sample[:, list(related)].max(axis=1)
            scores[:, k] = np.maximum(scores[:, k], SAMPLE_REFERENCE_WEIGHT * best_sample)
    return scores, units


def count_ignored(answer_text: str) -> int:
    """How many sentences of the answer were ignored as addressed to the grader."""
    return sum(instruction_mask(answer_text, split_sentences(answer_text)))


def _verdict(score: float, bare_list: bool) -> Verdict:
    if score >= COVERED_THRESHOLD and not bare_list:
        return Verdict.COVERED
    if score >= PARTIAL_THRESHOLD:
        return Verdict.PARTIAL
    return Verdict.MISSED


def _units(answer_text: str, vocabulary: Vocabulary) -> list[_Unit]:
    spans = split_sentences(answer_text)
    # Instruction-like sentences are removed before windows are formed, so inserting an injection
    # anywhere leaves exactly the units the answer alone would have.
    excluded = instruction_mask(answer_text, spans)
    kept = [span.text for span, drop in zip(spans, excluded, strict=True) if not drop]
    # Once per sentence: the patterns are the cost.
    found = [concepts(vocabulary, text) for text in kept]
    units = [
        _Unit(text, _with_terms(text, terms), (i,), is_keyword_list(text))
        for i, (text, terms) in enumerate(zip(kept, found, strict=True))
    ]
    for i in range(len(kept) - 1):
        text = f"{kept[i]} {kept[i + 1]}"
        terms = list(dict.fromkeys(found[i] + found[i + 1]))
        bare = units[i].bare_list or units[i + 1].bare_list
        units.append(_Unit(text, _with_terms(text, terms), (i, i + 1), bare))
    return units


def _with_terms(text: str, terms: list[str]) -> str:
    return f"{text} {' '.join(terms)}" if terms else text


@lru_cache(maxsize=64)
def _references(question: Question) -> _References:
    vocabulary = question.concepts
    direction = _embed([question.text], vocabulary)[0]
    key_points = _project(
        _embed([point.text for point in question.key_points], vocabulary), direction
    )
    sample_sentences = [s.text for s in split_sentences(question.sample_answer)]
    sample = _project(_embed(sample_sentences, vocabulary), direction)
    related: list[tuple[int, ...]] = [() for _ in question.key_points]
    if sample_sentences:
        affinity = key_points @ sample.T
        related = [
            tuple(int(i) for i in np.argsort(-row, kind="stable")[:RELATED_SAMPLE_SENTENCES])
            for row in affinity
        ]
    return _References(direction, key_points, sample, tuple(related))


def _embed(texts: list[str], vocabulary: Vocabulary) -> Matrix:
    return get_embedder().embed([expand(vocabulary, text) for text in texts])


def _project(vectors: Matrix, direction: Matrix) -> Matrix:
    """Remove part of `direction` from each row, then renormalise."""
    if not len(vectors):
        return vectors
    moved = vectors - QUESTION_PROJECTION * np.outer(vectors @ direction, direction)
    norms = np.linalg.norm(moved, axis=1, keepdims=True)
    result: Matrix = (moved / np.maximum(norms, 1e-9)).astype(np.float32)
    return result


def estimate_missing(question: Question, answer_text: str) -> tuple[str, ...]:
    """Key point ids `answer_text` does not cover yet, most important first: our own fast, local
    estimate of where a follow-up probe should aim."""
    return missing_key_points(question, assess(question, answer_text))
