"""Cheap checks that run before any provider call: is there an answer worth grading at all?

Pure Python, no model: a keyboard mash should not cost an API call. The heuristics err on the
side of letting text through; a short but real technical answer ("Hash the datasets and verify
the signatures before training") must never be flagged.

How short is too short depends on the question: `[interview] min_answer_words` (8 by default) is
the minimum for questions with a full sample answer, and a question whose sample answer is short
asks for a third of its words instead (at least one): a course-quiz question answered in six words
("Recursion is a function calling itself.") accepts a correct five-word answer.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from math import ceil

from interviewer.text.words import STOPWORDS, words, wordset

_TOKEN = re.compile(r"\S+")
_ALPHA = re.compile(r"[a-z]+")
_VOWELS = set("aeiouy")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
# Real words that contain a run of four keys from one keyboard row.
_ROW_RUN_WORDS = ("erty", "tyui", "wert", "rtyu", "uiop", "dfgh", "sdfg", "hjkl", "ghjk")
_RARE_BIGRAMS = wordset(
    "jk kj qz zq xz zx qj jq jx xj vq qv fq qf zj jz vj jv pq qp kq qk gq qg wq qw jw wj vw wv "
    "bq qb cj jc fz zf hj jh kx xk sj jd dj fj jg gj jl lj jm mj jn nj jr rj jt tj jy yj "
    "zk kz zv vz kf fk vx xv bx xb dx xd cx xc mx xm"
)
_LOREM = wordset(
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
    "labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco "
    "laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate "
    "velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt "
    "culpa qui officia deserunt mollit anim id est laborum"
)


REFERENCE_SHARE = 3
"""An answer may be as short as a third of the sample answer's words (when that is below the
configured minimum): a correct answer to a short question is rarely longer than its reference."""


def min_words_for(reference: str, configured: int) -> int:
    """The fewest words an answer needs: `configured`, or fewer for a short `reference` answer."""
    if not reference.strip():
        return configured
    return min(configured, max(1, ceil(_word_count(reference) / REFERENCE_SHARE)))


@lru_cache(maxsize=256)
def _word_count(text: str) -> int:
    # Asked for every grading of a question: a sample answer is tokenised once.
    return len(words(text))


def precheck(text: str, *, min_words: int, reference: str = "") -> str | None:
    """ "empty", "too_short" or "gibberish" when the answer is not worth grading; else None.

    `reference` is the question's sample answer: a short one lowers `min_words` (`min_words_for`).
    """
    stripped = text.strip()
    if not any(ch.isalnum() for ch in stripped):
        return "empty"
    tokens = words(stripped)
    if len(tokens) < min_words_for(reference, min_words):
        return "too_short"
    if _is_gibberish(stripped, tokens):
        return "gibberish"
    return None


def _is_gibberish(text: str, tokens: list[str]) -> bool:
    if "lorem ipsum" in text.lower() or _fraction(tokens, lambda t: t in _LOREM) >= 0.5:
        return True
    if _is_repetitive(text, tokens):
        return True
    raw = _TOKEN.findall(text)
    # Counted over distinct characters (Counter counts in C): a long answer has few of them.
    symbols = sum(n for ch, n in Counter(text).items() if not (ch.isalnum() or ch.isspace()))
    if symbols > 0.3 * len(text.replace(" ", "")):
        return True  # "#@!$%^ &*()_+ ;;;;" and the like
    implausible = sum(_implausible(token) for token in raw)
    if implausible >= 0.4 * len(raw):
        return True
    # Mostly non-words and no prose glue at all: "dfkgj sdlfk wpeorit ..."
    stop = _fraction(tokens, lambda t: t in STOPWORDS)
    return stop == 0 and implausible >= 0.25 * len(raw)


def _is_repetitive(text: str, tokens: list[str]) -> bool:
    if len(tokens) >= 4:
        top, count = Counter(tokens).most_common(1)[0]
        if top not in STOPWORDS and count / len(tokens) >= 0.4:
            return True  # "blah blah blah blah", "test test test security"
        if len(set(tokens)) / len(tokens) < 0.25:
            return True
    # The same phrase pasted over and over compresses to almost nothing; prose does not.
    encoded = text.lower().encode()
    return len(encoded) >= 120 and len(zlib.compress(encoded, 9)) / len(encoded) < 0.22


@lru_cache(maxsize=16384)
def _implausible(token: str) -> bool:
    """A token no English speaker would type on purpose (keyboard mash, random characters).

    Cached: answers reuse their words, and this per-token test is most of the pre-check's cost.
    """
    bare = token.strip(".,;:!?\"'()[]")
    letters = "".join(_ALPHA.findall(bare.lower()))
    if len(bare) > 30 and not re.search(r"[/.\-_]", bare):
        return True
    if len(letters) < 3:
        return False
    if bare.isupper() and len(letters) <= 6:
        return False  # acronyms: RBAC, PII, SBOM
    if re.search(r"(.)\1\1", letters):
        return True
    if not any(ch in _VOWELS for ch in letters):
        return True
    if re.search(r"[^aeiouy]{5,}", letters):
        return True
    if any(letters[i : i + 2] in _RARE_BIGRAMS for i in range(len(letters) - 1)):
        return True
    return _keyboard_run(letters)


def _keyboard_run(letters: str) -> bool:
    for row in _KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            for i in range(len(line) - 3):
                run = line[i : i + 4]
                if run in letters and run not in _ROW_RUN_WORDS:
                    return True
    return False


def _fraction(tokens: list[str], predicate: Callable[[str], bool]) -> float:
    if not tokens:
        return 0.0
    return sum(predicate(token) for token in tokens) / len(tokens)
