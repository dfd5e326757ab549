"""The giveaway check: does a probe give away a key point?

A follow-up probe should invite the candidate to cover a key point, never state it. A probe that
repeats a long verbatim run of the sample answer or of a key point gives it away; the remote
providers check each streamed probe with `GiveawayWatch` and replace one that does.
(Not to be confused with a *leak*: confidential text or a canary in the grader's output, which
`interviewer.audit.canaries` looks for.)
"""

from __future__ import annotations

from functools import lru_cache

from interviewer.domain import Question
from interviewer.text.words import word_spans, words

GIVEAWAY_WORDS = 8
"""A probe sharing this many consecutive words with the sample answer or a key point gives it
away."""
SHORT_POINT_WORDS = 5
"""Key points shorter than GIVEAWAY_WORDS but at least this long are given away when quoted
whole."""


def _grams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


class GiveawayGuard:
    """`gives_away` for one question's sample answer and key points, precomputed."""

    def __init__(self, question: Question) -> None:
        self.grams: dict[int, set[tuple[str, ...]]] = {}
        sources = [words(question.sample_answer)] + [words(p.text) for p in question.key_points]
        for tokens in sources:
            n = min(GIVEAWAY_WORDS, len(tokens))
            if n < SHORT_POINT_WORDS:
                continue
            self.grams.setdefault(n, set()).update(_grams(tokens, n))

    def gives_away(self, text: str) -> bool:
        said = words(text)
        return any(_grams(said, n) & grams for n, grams in self.grams.items())


class GiveawayWatch:
    """The giveaway check for a probe as it streams, incremental so each chunk costs O(chunk).

    Only windows ending at a complete word are checked while streaming (a partial word could
    match by accident), and the last GIVEAWAY_WORDS words are held back (`safe_length`): a
    verbatim run is caught when its last word completes, before any word of it was shown.
    """

    def __init__(self, guard: GiveawayGuard) -> None:
        self._guard = guard
        self.text = ""
        self._words: list[str] = []
        self._starts: list[int] = []
        self._checked = 0
        """Windows ending before this word index have been checked."""

    def feed(self, chunk: str) -> bool:
        """Add streamed text; True when a giveaway is now complete."""
        pos = 0
        if self._words:
            # The last word may continue in this chunk: tokenise again from its start.
            pos = self._starts.pop()
            self._words.pop()
        self.text += chunk
        for start, token in word_spans(self.text, pos):
            self._words.append(token)
            self._starts.append(start)
        return self._check(len(self._words) - 1)

    def finish(self) -> bool:
        """The stream ended: check the windows ending at the last word too."""
        return self._check(len(self._words))

    def _check(self, complete: int) -> bool:
        tokens = self._words
        for end in range(self._checked, complete):
            for n, grams in self._guard.grams.items():
                if end + 1 >= n and tuple(tokens[end + 1 - n : end + 1]) in grams:
                    return True
        self._checked = max(self._checked, complete)
        return False

    def safe_length(self) -> int:
        """Length of the prefix that can be shown."""
        if len(self._starts) <= GIVEAWAY_WORDS:
            return 0
        return self._starts[-GIVEAWAY_WORDS]


@lru_cache(maxsize=64)
def guard_for(question: Question) -> GiveawayGuard:
    """The GiveawayGuard of `question`, built once per question."""
    return GiveawayGuard(question)


def gives_away(probe: str, question: Question) -> bool:
    """True when `probe` repeats a long verbatim run of the sample answer or a key point."""
    return guard_for(question).gives_away(probe)
