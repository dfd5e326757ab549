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

import re
from functools import lru_cache

from interviewer.domain import Concept
from interviewer.text.terms import terms_pattern

Vocabulary = tuple[Concept, ...]


def concepts(vocabulary: Vocabulary, text: str) -> list[str]:
    """Names of the concepts of `vocabulary` that `text` mentions, in vocabulary order."""
    return list(_concepts(vocabulary, text))


@lru_cache(maxsize=8192)
def _concepts(vocabulary: Vocabulary, text: str) -> tuple[str, ...]:
    # The patterns are most of a grading's cost, and graders meet the same sentences again and
    # again (an answer re-graded after a probe, a red-team base answer under every injection).
    return tuple(name for name, pattern in _compiled(vocabulary) if pattern.search(text))


@lru_cache(maxsize=32)
def _compiled(vocabulary: Vocabulary) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((concept.name, terms_pattern(concept.terms)) for concept in vocabulary)


def expand(vocabulary: Vocabulary, text: str) -> str:
    """`text` with the names of its concepts appended (what gets embedded)."""
    found = concepts(vocabulary, text)
    return f"{text} {' '.join(found)}" if found else text
