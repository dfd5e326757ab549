"""Terms: the plain phrases a bank's `[[concepts]]` list, and the one rule for how they match.

A term matches text case-insensitively, as whole words:

* each word also matches with the endings -s, -es, -d, -ed and -ing, and with a final consonant
  doubled before -ed or -ing: "log" matches logs, logged, logging; "sign off" matches "signed off";
* a word ending in "*" matches every word that starts with it: "vulnerab*" matches vulnerable
  and vulnerability (the stem needs at least three characters);
* a space or a hyphen between words matches a space or a hyphen: "red team" matches "red-team";
  a closed-up spelling ("redteam", "rollback") is a term of its own;
* straight and curly apostrophes are the same: "don't" matches "don’t".

Everything else is literal: terms are phrases, never regular expressions, so a bank author lists
each variant ("sha-256", "sha256") as its own term. The bank checker (`term_problem`) and the
offline grader's lexicon (`terms_pattern`) both come here, so what validates is what matches.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATOR = re.compile(r"[\s-]+")
_NOT_PLAIN = re.compile(r"[|()\[\]{}?+\\^$~]")
_VOWELS = frozenset("aeiouy")
MIN_STEM = 3


def term_problem(term: str) -> str | None:
    """Why `term` is not a usable term (a sentence for a bank error message), or None."""
    stripped = term.strip()
    if not stripped:
        return "must not be empty"
    if _NOT_PLAIN.search(stripped):
        return (
            f'"{stripped}" is not a plain phrase; terms are not regular expressions: list each '
            'variant as its own term (a trailing * on a word matches any ending, e.g. "vulnerab*")'
        )
    if not stripped[0].isalnum():
        return f'"{stripped}" must start with a letter or digit'
    for word in _SEPARATOR.split(stripped):
        if "*" in word[:-1]:
            return f'"{stripped}": * may only end a word, as in "vulnerab*"'
        if word.endswith("*") and len(word) - 1 < MIN_STEM:
            return (
                f'"{stripped}": the stem "{word}" is too short to mean anything; give at least '
                f"{MIN_STEM} characters before the *"
            )
    return None


@lru_cache(maxsize=1024)
def terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern that finds any of `terms` (each valid: see `term_problem`)."""
    alternatives = [_term_regex(term) for term in terms]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _term_regex(term: str) -> str:
    words = [_word_regex(word) for word in _SEPARATOR.split(term.strip()) if word]
    joined = r"[\s-]".join(words)
    # A stem already ends wherever its letters do; any other term must end at a word boundary.
    return r"\b" + joined + ("" if term.rstrip().endswith("*") else r"\b")


def _word_regex(word: str) -> str:
    if word.endswith("*"):
        return _literal(word[:-1]) + "[a-z]*"
    endings = "s|es|d|ed|ing"
    last = word[-1].lower()
    if last.isalpha() and last.isascii() and last not in _VOWELS:
        endings += f"|{re.escape(last)}(?:ed|ing)"
    return _literal(word) + f"(?:{endings})?"


def _literal(text: str) -> str:
    return re.escape(text.replace("’", "'")).replace("'", "['’]")
