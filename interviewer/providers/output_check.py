"""Is a model's text fit to show? The checks every probe and every piece of feedback prose pass
before the candidate sees it or it is journaled.

Small local models echo their prompt: fence lines, our instructions ("Write follow-up probe
number 2 ..."), the transcript labels, the candidate's answer copied back several times. A probe
is rejected when it holds any of those, a long verbatim run of the candidate's answer, more than
a few sentences or several questions, or gives a key point away (`giveaway`). Feedback prose is
allowed to be longer and to quote the answer more, but not to carry our prompt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from interviewer.domain import Question
from interviewer.prompts import template_names, template_text
from interviewer.providers.giveaway import gives_away
from interviewer.text.words import words

MAX_PROBE_SENTENCES = 3
MAX_PROBE_QUESTIONS = 2
MAX_PROBE_CHARS = 500
PROBE_ANSWER_RUN = 12
"""A probe repeating this many consecutive words of the candidate's answer is an echo."""
PROSE_ANSWER_RUN = 30
MAX_PROSE_CHARS = 3000
PROMPT_RUN = 8
"""This many consecutive words of our own templates is our prompt echoed back."""

# Fence lines and markers (any long hex run), and transcript labels (ours had them once; small
# models still write them in an echoed transcript).
_FENCE = re.compile(r"<<<|>>>|\b(?:BEGIN|END) (?:ANSWER|PROBE|EARLIER)\b|\b[0-9a-f]{16,}\b")
_LABEL = re.compile(
    r"\b(?:candidate's answer|follow-up probe|question) \d+\s*:|\(no answer given\)", re.I
)
_PLACEHOLDER = re.compile(r"\$\w+")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_QUESTION_END = re.compile(r"\?+(?=[\s\"'”’)]|$)")


def _grams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


@cache
def _prompt_grams() -> frozenset[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    # Every template: instructions moved between files must stay recognisable.
    for name in template_names():
        # A run of our words never spans a placeholder: what fills it is not ours.
        for segment in _PLACEHOLDER.split(template_text(name)):
            grams |= _grams(words(segment), PROMPT_RUN)
    return frozenset(grams)


def _repeats(text: Sequence[str], source: Sequence[str], n: int) -> bool:
    if len(text) < n or len(source) < n:
        return False
    return not _grams(text, n).isdisjoint(_grams(source, n))


def _prompt_problem(text: str, answers: Sequence[str], run: int) -> str | None:
    if _FENCE.search(text):
        return "it holds our fence markers"
    if _LABEL.search(text):
        return "it holds our transcript labels"
    tokens = words(text)
    if not _grams(tokens, PROMPT_RUN).isdisjoint(_prompt_grams()):
        return "it repeats our instructions"
    if any(_repeats(tokens, words(answer), run) for answer in answers):
        return "it repeats a long run of the candidate's answer"
    return None


def sentences(text: str) -> int:
    """How many sentences `text` has (a trailing one without a full stop counts)."""
    parts = _SENTENCE_END.split(text.strip())
    return sum(1 for part in parts if words(part))


def first_question(text: str) -> str | None:
    """`text` up to the end of its first question, or None while no question has ended."""
    match = _QUESTION_END.search(text)
    if match is None:
        return None
    end = match.end()
    # A closing quote or bracket right after the question mark belongs to it.
    while end < len(text) and text[end] in "\"'”’)":
        end += 1
    return text[:end].strip()


def probe_problem(text: str, question: Question, answers: Sequence[str]) -> str | None:
    """Why `text` cannot be asked as a follow-up probe, or None when it can."""
    if not text.strip():
        return "it is empty"
    if len(text) > MAX_PROBE_CHARS:
        return f"it is longer than {MAX_PROBE_CHARS} characters"
    problem = _prompt_problem(text, answers, PROBE_ANSWER_RUN)
    if problem is not None:
        return problem
    if sentences(text) > MAX_PROBE_SENTENCES:
        return f"it has more than {MAX_PROBE_SENTENCES} sentences"
    if len(_QUESTION_END.findall(text)) > MAX_PROBE_QUESTIONS:
        return f"it asks more than {MAX_PROBE_QUESTIONS} questions"
    if gives_away(text, question):
        return "it gives a key point away"
    return None


def prose_problem(text: str, answers: Sequence[str]) -> str | None:
    """Why feedback prose `text` cannot be shown, or None when it can (empty is fine)."""
    if len(text) > MAX_PROSE_CHARS:
        return f"it is longer than {MAX_PROSE_CHARS} characters"
    return _prompt_problem(text, answers, PROSE_ANSWER_RUN)
