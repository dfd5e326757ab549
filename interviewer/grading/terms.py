"""Term recall: how many of a key point's distinctive words an answer unit says, or near words.

A sentence embedding is the mean of its words, so a long sentence that covers a key point in its
own words ("every call gets a structured event: account, model build, the functions it
triggered") drifts away from the key point's mean. Word by word, each of the key point's content
words meets its closest word in the unit; the recall is the weighted share of words met, where a
word weighs more the fewer key points of the question use it (idf): "monitor" in every point of a
logging question says little, "redact" says a lot.

Word vectors are rows of the same static model (a word is a one-word text), so near words count
("checksum" and "hash" after concept expansion, "logbook" and "log").
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from interviewer.grading.matcher import Embedder, Matrix, similarities
from interviewer.text.words import STOPWORDS, words

WORD_MATCH_FLOOR = 0.3
"""Cosine between two word vectors below which they do not count as the same idea at all."""
MIN_TERM_CHARS = 3


@dataclass(frozen=True)
class TermReferences:
    vectors: Matrix
    """(t, d): every key point's content words, point after point."""
    weights: Matrix
    """(t,): each word's idf weight within the question."""
    starts: tuple[int, ...]
    """Index of each key point's first word in `vectors` (a point without words has none)."""
    counts: tuple[int, ...]


def content_terms(text: str) -> tuple[str, ...]:
    """The distinct content words of `text`, in order."""
    return _content_terms(text)


@lru_cache(maxsize=8192)
def _content_terms(text: str) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(w for w in words(text) if w not in STOPWORDS and len(w) >= MIN_TERM_CHARS)
    )


def term_references(embedder: Embedder, point_texts: list[str]) -> TermReferences:
    terms = [content_terms(text) for text in point_texts]
    spread = Counter(term for group in terms for term in set(group))
    flat = [term for group in terms for term in group]
    weights = np.array(
        [math.log(1.0 + len(terms) / spread[term]) for term in flat], dtype=np.float32
    )
    starts, counts, position = [], [], 0
    for group in terms:
        starts.append(position)
        counts.append(len(group))
        position += len(group)
    return TermReferences(embedder.embed(flat), weights, tuple(starts), tuple(counts))


def term_recall(embedder: Embedder, refs: TermReferences, unit_texts: list[str]) -> Matrix:
    """(units, key points): weighted share of each point's words the unit meets (0-1)."""
    return recall_of(refs, term_matches(embedder, refs, unit_texts))


def term_matches(embedder: Embedder, refs: TermReferences, unit_texts: list[str]) -> Matrix:
    """(units, reference words): how closely each unit meets each key point's word (0-1)."""
    met = np.zeros((len(unit_texts), len(refs.vectors)), dtype=np.float32)
    per_unit = [content_terms(text) for text in unit_texts]
    vocabulary = list(dict.fromkeys(term for terms in per_unit for term in terms))
    if not len(refs.vectors) or not vocabulary:
        return met
    column = {term: i for i, term in enumerate(vocabulary)}
    span = 1.0 - WORD_MATCH_FLOOR
    # Every reference word against every answer word once; units then pick their columns.
    closeness = np.clip(
        (similarities(refs.vectors, embedder.embed(vocabulary)) - WORD_MATCH_FLOOR) / span, 0, 1
    )
    for u, terms in enumerate(per_unit):
        if terms:
            met[u] = closeness[:, [column[t] for t in terms]].max(axis=1)
    return met


def recall_of(refs: TermReferences, met: Matrix) -> Matrix:
    """(rows, key points): the idf-weighted share of each point's words that `met` (rows,
    reference words; see `term_matches`) meets."""
    result = np.zeros((len(met), len(refs.starts)), dtype=np.float32)
    has_words = [k for k, count in enumerate(refs.counts) if count]
    if not len(met) or not has_words:
        return result
    starts = [refs.starts[k] for k in has_words]
    weighted = np.add.reduceat(met * refs.weights, starts, axis=1)
    totals = np.add.reduceat(refs.weights, starts)
    result[:, has_words] = weighted / totals
    return result


def owned_words(refs: TermReferences, point: int) -> slice:
    """The columns of `point`'s words in a `term_matches` matrix."""
    return slice(refs.starts[point], refs.starts[point] + refs.counts[point])


def says_a_word(refs: TermReferences, met: Matrix) -> npt.NDArray[np.bool_]:
    """(rows, key points): whether the row says one of the point's own words (or, after concept
    expansion, names its concept), not only near ones."""
    result = np.zeros((len(met), len(refs.starts)), dtype=np.bool_)
    for k, count in enumerate(refs.counts):
        if count:
            result[:, k] = met[:, owned_words(refs, k)].max(axis=1) >= EXACT
    return result


EXACT = 0.999
"""Closeness of a word to itself (a cosine of 1, give or take float rounding)."""
