"""Terms: the plain phrases a bank's `[[concepts]]` list, and the one rule for how they match.

A term is a word or a phrase, matched case-insensitively as whole words, letter for letter,
with two allowances at its end:

* its last word also matches with the endings -s, -es, -d, -ed and -ing, and a final g or n
  doubled before -ing: "log" matches logs and logging, "scan" matches scans and scanning (a
  spelling these do not give, such as "logged", is a term of its own: "logg*");
* a term ending in "*" matches every word that continues it: "vulnerab*" matches vulnerable and
  vulnerability (the stem needs at least three characters).

Everything else is literal: spaces, hyphens and apostrophes match themselves, so "red team" and
"red-team", "sha-256" and "sha256", "don't" and "don’t" are terms of their own, and a term is
never a regular expression. The bank checker (`term_problem`) and the offline grader's lexicon
(`terms_pattern`) both come here, so what validates is what matches.
"""

from __future__ import annotations

import re
from functools import lru_cache

_NOT_PLAIN = re.compile(r"[|()\[\]{}?+\\^$~]")
MIN_STEM = 3


def term_problem(term: str) -> str | None:
    """Why `term` is not a usable term (a sentence for a bank error message), or None."""
    stripped = term.strip()
    if not stripped:
        return "must not be empty"
    if _NOT_PLAIN.search(stripped):
        return (
            f'"{stripped}" is not a plain phrase; terms are not regular expressions: list each '
            'variant as its own term (a trailing * matches any ending, e.g. "vulnerab*")'
        )
    if not stripped[0].isalnum():
        return f'"{stripped}" must start with a letter or digit'
    if "*" in stripped[:-1]:
        return f'"{stripped}": * may only end a term, as in "vulnerab*"'
    if stripped.endswith("*") and len(stripped.split()[-1]) - 1 < MIN_STEM:
        return (
            f'"{stripped}": the stem before * is too short to mean anything; give at least '
            f"{MIN_STEM} characters"
        )
    return None


@lru_cache(maxsize=1024)
def terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern that finds any of `terms` (each valid: see `term_problem`) in LOWER-CASED
    text: search it in `text.lower()`. Case-insensitive matching (`re.I`) of a bank's few
    thousand terms cost three times as much per sentence as lower-casing the sentence once."""
    return re.compile(r"\b(?:" + "|".join(_term_regex(term) for term in terms) + ")")


def _term_regex(term: str) -> str:
    stripped = term.strip().lower()
    if stripped.endswith("*"):
        return re.escape(stripped[:-1]) + "[a-z]*"
    endings = "s|es|d|ed|ing"
    last = stripped[-1]
    if last in "gn":
        endings += f"|{last}ing"
    return re.escape(stripped) + f"(?:{endings})?\\b"
