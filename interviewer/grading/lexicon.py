"""Concept expansion: bridge paraphrases with the vocabulary of the bank being graded.

The bundled model is a static word-embedding model: it matches "checksum" to "checksum" far
better than to "hash". Candidates rarely use the bank's words, so before embedding, every text
(answer units and references alike) gets the name of each of the bank's concepts it mentions
appended: a sentence about "verifying digests" and a key point about "hashing datasets" then
share words, when the bank says that digests and hashes are one concept.

The vocabulary is data: each question carries its bank's `[[concepts]]` (`Question.concepts`),
and how a term matches is `interviewer.text.terms`. Nothing here knows any field's words; a bank
without concepts is graded on its own wording alone.
"""

from __future__ import annotations

from functools import lru_cache

from interviewer.domain import Concept
from interviewer.text.terms import terms_pattern

Vocabulary = tuple[Concept, ...]


class _Lexicon:
    """A vocabulary's compiled patterns; hashed by identity, so caches keyed by it are cheap
    (hashing the vocabulary itself means hashing every concept and term, once per sentence)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.patterns = tuple((c.name, terms_pattern(c.terms)) for c in vocabulary)


_BY_IDENTITY: dict[int, tuple[Vocabulary, _Lexicon]] = {}
"""Vocabulary object id -> (the object, kept alive so the id stays its own; its lexicon)."""


def concepts(vocabulary: Vocabulary, text: str) -> list[str]:
    """Names of the concepts of `vocabulary` that `text` mentions, in vocabulary order."""
    return list(_concepts(_lexicon(vocabulary), text))


def expand(vocabulary: Vocabulary, text: str) -> str:
    """`text` with the names of its concepts appended (what gets embedded)."""
    found = concepts(vocabulary, text)
    return f"{text} {' '.join(found)}" if found else text


def _lexicon(vocabulary: Vocabulary) -> _Lexicon:
    entry = _BY_IDENTITY.get(id(vocabulary))
    if entry is None or entry[0] is not vocabulary:
        if len(_BY_IDENTITY) >= 256:
            _BY_IDENTITY.clear()
        entry = (vocabulary, _by_value(vocabulary))
        _BY_IDENTITY[id(vocabulary)] = entry
    return entry[1]


@lru_cache(maxsize=32)
def _by_value(vocabulary: Vocabulary) -> _Lexicon:
    # Every question of a bank holds its own copy of the bank's vocabulary: one lexicon for all.
    return _Lexicon(vocabulary)


@lru_cache(maxsize=8192)
def _concepts(lexicon: _Lexicon, text: str) -> tuple[str, ...]:
    # The patterns are most of a grading's cost, and graders meet the same sentences again and
    # again (an answer re-graded after a probe, a red-team base answer under every injection).
    lowered = text.lower()  # the patterns match lower-cased text (`terms_pattern`)
    return tuple(name for name, pattern in lexicon.patterns if pattern.search(lowered))
