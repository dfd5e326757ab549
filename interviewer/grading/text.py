"""Text helpers shared by the checks, the evidence matcher and the coverage grader (the word
tokeniser and the stopwords are in `interviewer.text.words`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from interviewer.text.words import STOPWORDS, words

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold the differences a quote may legitimately have: case, quotes, dashes, whitespace."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _SPACE.sub(" ", folded).strip()


def stopword_ratio(text: str) -> float:
    tokens = words(text)
    if not tokens:
        return 0.0
    return sum(token in STOPWORDS for token in tokens) / len(tokens)


@dataclass(frozen=True)
class Span:
    """A sentence of the answer: `text` is exactly `source[start:end]`."""

    start: int
    end: int
    text: str


# A sentence ends at ., ! or ? followed by space, at a newline, or at a semicolon. Bullets and
# numbered items start new units. Abbreviations like "e.g." are protected below.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+|;\s+|(?<=:)\s*\n")
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d+[.)])\s+")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|approx|Dr|Mr|Ms|Mrs)\.$", re.IGNORECASE)


def split_sentences(text: str) -> list[Span]:
    """Sentences (and bullet items) with their exact offsets in `text`."""
    return list(_split_sentences(text))


@lru_cache(maxsize=64)
def _split_sentences(text: str) -> tuple[Span, ...]:
    # One grading splits the same answer three times (units, ignored count, evidence check).
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if "\n" not in match.group() and _ABBREVIATIONS.search(text[start : match.start()]):
            continue  # "e.g. rate limits" does not end a sentence
        _append(spans, text, start, match.start())
        start = match.end()
    _append(spans, text, start, len(text))
    return tuple(spans)


def _append(spans: list[Span], source: str, start: int, end: int) -> None:
    piece = source[start:end]
    bullet = _BULLET.match(piece)
    if bullet:
        start += bullet.end()
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    if start < end and any(ch.isalnum() for ch in source[start:end]):
        spans.append(Span(start, end, source[start:end]))
