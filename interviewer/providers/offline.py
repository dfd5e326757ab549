"""The embedded default provider: no key, no network, no cost, deterministic.

Probes come from the bank (each key point carries interviewer-voiced probes), opened by a
plain-words nod to a point the latest answer covered (`acknowledgement`); assessing and grading
are the semantic key-point coverage of `interviewer.grading.coverage`. Like every grader it only
claims verdicts with evidence; the engine computes the score.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interviewer.bank.probes import bank_probe
from interviewer.domain import (
    Exchange,
    GraderOutput,
    KeyPoint,
    KeyPointVerdict,
    Question,
    Usage,
    Verdict,
    answer_text,
)
from interviewer.providers.base import (
    AssessDone,
    AssessRequest,
    GradeDone,
    GradeEvent,
    GradeRequest,
    ProbeDone,
    ProbeEvent,
    ProbeRequest,
    TextDelta,
)
from interviewer.text.markdown import escape_markdown
from interviewer.text.sanitize import clean_line
from interviewer.text.words import STOPWORDS, words

if TYPE_CHECKING:
    from interviewer.grading.coverage import Discounts

WORDS_PER_CHUNK = 4
_CHUNK = re.compile(r"\S+\s*")


class OfflineProvider:
    """Implements `interviewer.providers.base.Provider` with the bundled offline grader."""

    @property
    def name(self) -> str:
        return "offline"

    @property
    def is_local(self) -> bool:
        return True

    async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        targets = request.target_key_point_ids
        if not targets:
            from interviewer.grading.coverage import estimate_missing

            answer = answer_text(request.exchanges)
            targets = await asyncio.to_thread(estimate_missing, request.question, answer)
        text = bank_probe(request.question, targets, _asked(request.exchanges))
        heard = acknowledgement(request.question, request.covered_key_point_ids)
        if heard:
            text = f"{heard} {text}"
        for chunk in _chunks(text):
            yield TextDelta(chunk)
            await asyncio.sleep(0)  # let a UI draw between chunks
        yield ProbeDone(text=text, usage=Usage())

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        answer = answer_text(request.exchanges)
        output = await asyncio.to_thread(grade_output, request.question, answer, request.verdicts)
        for chunk in _chunks(output.feedback):
            yield TextDelta(chunk)
            await asyncio.sleep(0)
        yield GradeDone(output=output, usage=Usage(), method="coverage")

    async def assess(self, request: AssessRequest) -> AssessDone:
        from interviewer.grading.coverage import assess

        answer = answer_text(request.exchanges)
        verdicts = await asyncio.to_thread(assess, request.question, answer)
        return AssessDone(output=GraderOutput(verdicts=verdicts), method="coverage")

    async def aclose(self) -> None:
        return None


_DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "for",
        "from",
        "with",
        "and",
        "or",
        "but",
        "by",
        "in",
        "on",
        "at",
        "as",
        "than",
        "that",
        "this",
        "specific",
        "simple",
    ]
)
_HEAD = re.compile(r"[:;(,]|\s[-–—]\s")
PLAIN_THANKS = "Thanks, that part is clear."


def acknowledgement(question: Question, covered: tuple[str, ...]) -> str:
    """A short plain-words nod to the first of the `covered` key points (those the latest answer
    newly covered), before an offline probe asks about another. Empty when there is none. It
    names the point by its heading ("You covered one part well: secure data ingestion."), or
    says a plain thanks when the heading is no clean phrase or would repeat a long run of the
    sample answer or of a point not yet covered (the giveaway check, limited to what the
    candidate has not said)."""
    from interviewer.providers.giveaway import GiveawayGuard

    if not covered:
        return ""
    head = _HEAD.split(question.key_point(covered[0]).text, maxsplit=1)[0].strip(" .")
    said = head.split()
    if not 3 <= len(said) <= 10 or said[-1].lower() in _DANGLING or said[0].lower() == "if":
        return PLAIN_THANKS
    text = f"You covered one part well: {head[0].lower() + head[1:]}."
    hidden = question.model_copy(
        update={"key_points": tuple(p for p in question.key_points if p.id not in covered)}
    )
    return PLAIN_THANKS if GiveawayGuard(hidden).gives_away(text) else text


def grade_output(
    question: Question, answer: str, decided: tuple[KeyPointVerdict, ...] | None = None
) -> GraderOutput:
    """Verdicts, strengths, gaps and feedback for `answer` (synchronous; a few ms once loaded).
    `decided`: verdicts an assessment already made, written up rather than made again."""
    from interviewer.grading.coverage import assess, count_ignored, discounts

    verdicts = decided if decided is not None else assess(question, answer)
    points = {point.id: point for point in question.key_points}
    covered = [points[v.key_point_id] for v in verdicts if v.verdict is Verdict.COVERED]
    partial = [points[v.key_point_id] for v in verdicts if v.verdict is Verdict.PARTIAL]
    missed = [points[v.key_point_id] for v in verdicts if v.verdict is Verdict.MISSED]
    strengths = tuple(
        strength(points[v.key_point_id], v.evidence)
        for v in verdicts
        if v.verdict is Verdict.COVERED and v.evidence
    )
    why = discounts(question, answer)
    ask = advice(question)
    # A point whose only evidence says its opposite was argued against, not touched on.
    against = {v.key_point_id for v in verdicts if v.opposed}
    gaps = tuple(
        argued_against(point, ask) if point.id in against else gap(point, Verdict.PARTIAL, ask)
        for point in partial
    ) + tuple(gap(point, Verdict.MISSED, ask) for point in missed)
    touched = [point for point in partial if point.id not in against]
    opposed = [point for point in partial if point.id in against]
    feedback = _feedback(verdicts, covered, touched, opposed, missed, count_ignored(answer), ask)
    feedback += _discounted(why, ask)
    return GraderOutput(verdicts=verdicts, strengths=strengths, gaps=gaps, feedback=feedback)


# Where a key point's text can be cut without cutting a phrase: its head before a colon,
# semicolon or spaced dash (outside parentheses), and its parenthetical asides.
_BOUNDARY = re.compile(r"\s*(?::|;|\s[-–—])\s+")
_ASIDE = re.compile(r"\s*\([^()]*\)")


def label(point: KeyPoint) -> str:
    """A short name for a key point that never cuts a phrase: its head (the text before a
    colon, semicolon or spaced dash) when that is a complete phrase, else the whole text;
    parenthetical asides left out. Lower-case first, to sit inside a sentence."""
    text = _ASIDE.sub("", point.text).strip().rstrip(".")
    head = _top_level_split(text)[0]
    name = head if _complete(head) else text
    return _lower_first(" ".join(name.split()))


@dataclass(frozen=True)
class Advice:
    """How feedback asks for more: about what the candidate would do, for a question addressed
    to them ("How would you secure ...?"), or about what is true, for a question on a concept
    ("What is a race condition?"), where "say what you would do" makes no sense."""

    expand: str
    """What a point only touched on needs, to end a sentence."""
    instead: str
    """What to do about a point the answer argued against: a sentence."""


ACTING = Advice("say what you would do and why", "Say what you would do instead, and why.")
RECOUNTING = Advice("say what you did and why", "Say what you would do differently, and why.")
KNOWING = Advice(
    "explain how it works and why it matters", "Check it: say what is true instead, and why."
)
_ADDRESSED = re.compile(r"\byou(?:r|rs|rself)?\b", re.IGNORECASE)
_STORY = re.compile(
    r"\b(?:tell\s+(?:me|us)\s+about|describe|give\s+(?:me\s+|us\s+)?an\s+example\s+of)\s+"
    r"(?:a|an|one)\s+(?:time|occasion|situation|case|project|incident)\b",
    re.IGNORECASE,
)


def advice(question: Question) -> Advice:
    """RECOUNTING for a question that asks for a story ("Tell me about a time you ..."), ACTING
    for another addressed to the candidate, else KNOWING."""
    if not _ADDRESSED.search(question.text):
        return KNOWING
    return RECOUNTING if _STORY.search(question.text) else ACTING


def gap(point: KeyPoint, verdict: Verdict, ask: Advice = ACTING) -> str:
    """A full sentence naming what was missing: the key point's whole text, never cut."""
    if verdict is Verdict.PARTIAL:
        return f"Only touched on: {_whole(point)}. {_capital(ask.expand)}."
    return f"Not shown in your answer: {_whole(point)}."


def argued_against(point: KeyPoint, ask: Advice = ACTING) -> str:
    """The gap for a point the answer argued against: a full sentence, the point never cut."""
    return f"Your answer argues against this: {_whole(point)}. {ask.instead}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _whole(point: KeyPoint) -> str:
    """The key point's whole text, to sit inside a sentence: head and rest joined by a dash."""
    head, rest = _top_level_split(point.text.strip().rstrip("."))
    return _lower_first(f"{head} — {rest}" if rest else head)


def strength(point: KeyPoint, evidence: str) -> str:
    """What was covered, with the candidate's own sentence that shows it (the verdict's
    evidence)."""
    name = label(point)
    return f"{_capital(name)}: you said “{evidence}”"


def _top_level_split(text: str) -> tuple[str, str]:
    """(head, rest) at the first clause boundary outside parentheses; rest is "" when none."""
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            match = _BOUNDARY.match(text, i)
            if match is not None and match.end() > i:
                return text[:i].strip(), text[match.end() :].strip()
    return text.strip(), ""


def _complete(phrase: str) -> bool:
    # A phrase that ends in a function word ("such as", "rather than", "and the") is cut short.
    tokens = words(phrase)
    return len(tokens) >= 2 and tokens[-1] not in STOPWORDS


def _lower_first(text: str) -> str:
    if text[:1].isupper() and not text[1:2].isupper():
        return text[0].lower() + text[1:]
    return text


def _feedback(
    verdicts: tuple[KeyPointVerdict, ...],
    covered: list[KeyPoint],
    partial: list[KeyPoint],
    against: list[KeyPoint],
    missed: list[KeyPoint],
    ignored: int,
    ask: Advice,
) -> str:
    """The summary line: what was covered, touched on (`partial`), argued against and missed."""
    total = len(verdicts)
    parts: list[str] = []
    if not covered and not partial and not against:
        parts.append("The answer does not yet address what this question is looking for.")
    else:
        parts.append(f"You covered {len(covered)} of {total} key points well")
        parts[-1] += f" and touched on {len(partial)} more." if partial else "."
    if covered:
        parts.append(f"Strongest: **{label(covered[0])}**.")
    if against:
        parts.append(f"Your answer argues against **{label(against[0])}**.")
    if partial:
        parts.append(f"Make **{label(partial[0])}** concrete: {ask.expand}.")
    if missed:
        names = ", ".join(f"**{label(point)}**" for point in missed[:2])
        parts.append(f"Still missing: {names}.")
    if ignored:
        parts.append("Text addressed to the grader was ignored; it never earns credit.")
    return " ".join(parts)


def _discounted(why: Discounts, ask: Advice) -> str:
    """What the feedback says about credit the answer kept less of, so a lower score than the
    quotes suggest is explained; the candidate's own clause is quoted, escaped."""
    parts = []
    if why.dismissing:
        quote = escape_markdown(clean_line(why.dismissing[0]))
        parts.append(
            f" Parts of your answer argue against the practice (“{quote}”), so the points "
            f"around them earn less: {ask.expand}."
        )
    if why.notes:
        parts.append(
            " It reads as notes: explain in sentences how and why each measure works to earn "
            "full credit."
        )
    return "".join(parts)


def _asked(exchanges: tuple[Exchange, ...]) -> Iterator[str]:
    """The prompts the candidate has seen, each also without its first sentence: an offline
    probe opens with an acknowledgement, and the bank probe it asked follows it."""
    for exchange in exchanges:
        yield exchange.prompt
        _, stop, rest = exchange.prompt.partition(". ")
        if stop:
            yield rest


def _chunks(text: str) -> Iterator[str]:
    """Word groups whose concatenation is exactly `text`."""
    pieces = _CHUNK.findall(text)
    leading = text[: len(text) - len(text.lstrip())]
    if leading:
        pieces.insert(0, leading)
    for i in range(0, len(pieces), WORDS_PER_CHUNK):
        yield "".join(pieces[i : i + WORDS_PER_CHUNK])
