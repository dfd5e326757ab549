"""English word tokens and the stopword list: one tokeniser for the offline grader, the probe
giveaway check and the red-team canary search, one stopword list for them and the bank importer.

It sits at the bottom of the layers (it imports nothing of ours) so that the bank importer, below
grading, can share the stopwords too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["STOPWORDS", "word_spans", "words", "wordset"]

# Letters/digits with an optional apostrophe suffix ("it's", "model’s"). ASCII only and
# case-sensitive on purpose: with re.IGNORECASE, [a-z] would also match the Kelvin sign and the
# long s, which lower() does not map to ASCII.
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def _token(raw: str) -> str:
    return raw.lower().replace("’", "'")


def words(text: str) -> list[str]:
    """Lower-case word tokens, curly apostrophes made straight."""
    return [_token(w) for w in _WORD.findall(text)]


def word_spans(text: str, pos: int = 0) -> Iterator[tuple[int, str]]:
    """(start offset, token) of each word from `pos` on, tokenised as `words` does."""
    for match in _WORD.finditer(text, pos):
        yield match.start(), _token(match.group())


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (easier to read and edit)."""
    return frozenset(text.split())


# Small, closed list: enough to tell prose ("we hash every dataset") from a bare list of terms,
# and to keep ids and keywords of imported questions to their content words. Apostrophes are
# straight; compare tokens from `words` (or straightened the same way).
STOPWORDS = wordset(
    """
    a an the and or but if then so because as of to in on at by for with from into onto over
    under about after before during between through than that this these those there here it its
    it's is are was were be been being am do does did done doing have has had having can could
    would should will shall may might must not no nor i i'd i'm i've i'll me my we we'd we're
    we've we'll our us you your they them their he she his her what which who whom whose when
    where why how all any each every some such only also just very too more most much other both
    either even still then once one again up down out off while until unless whether like make
    makes made use uses used using get gets got would've let lets want need needs sure way really
    """
)
