"""The embedded default provider: no key, no network, no cost, deterministic.

Probes come from the bank (each key point carries interviewer-voiced probes); grading is the
semantic key-point coverage of `interviewer.grading.coverage`. Like every grader it only claims
verdicts with evidence; the engine computes the score.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator

from interviewer.domain import (
    Exchange,
    GraderOutput,
    KeyPoint,
    KeyPointVerdict,
    Question,
    Usage,
    Verdict,
)
from interviewer.providers.base import (
    GradeDone,
    GradeEvent,
    GradeRequest,
    ProbeDone,
    ProbeEvent,
    ProbeRequest,
    TextDelta,
)

WORDS_PER_CHUNK = 4
FALLBACK_PROBE = "Can you walk me through how you would put that into practice, step by step?"
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
            targets = await asyncio.to_thread(_missing, request.question, request.exchanges)
        text = choose_probe(request.question, targets, request.exchanges)
        for chunk in _chunks(text):
            yield TextDelta(chunk)
            await asyncio.sleep(0)  # let a UI draw between chunks
        yield ProbeDone(text=text, usage=Usage())

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        answer = answer_text(request.exchanges)
        output = await asyncio.to_thread(grade_output, request.question, answer)
        for chunk in _chunks(output.feedback):
            yield TextDelta(chunk)
            await asyncio.sleep(0)
        yield GradeDone(output=output, usage=Usage())

    async def aclose(self) -> None:
        return None


def answer_text(exchanges: tuple[Exchange, ...]) -> str:
    """Everything the candidate said about the question, as the engine joins it."""
    return "\n\n".join(exchange.answer for exchange in exchanges if exchange.answer.strip())


def choose_probe(
    question: Question, targets: tuple[str, ...], exchanges: tuple[Exchange, ...]
) -> str:
    """The first probe not yet asked of the first target key point that has one left.

    Probes are interviewer-voiced questions from the bank, so nothing here can leak a key point's
    text or the sample answer.
    """
    asked = {_fold(exchange.prompt) for exchange in exchanges}
    known = {point.id: point for point in question.key_points}
    ordered = [known[t] for t in targets if t in known]
    # When every target's probes are used up, fall back to the other key points in bank order.
    ordered += [point for point in question.key_points if point not in ordered]
    for point in ordered:
        for probe in point.probes:
            if _fold(probe) not in asked:
                return probe
    return FALLBACK_PROBE


def grade_output(question: Question, answer: str) -> GraderOutput:
    """Verdicts, strengths, gaps and feedback for `answer` (synchronous; a few ms once loaded)."""
    from interviewer.grading.coverage import assess, count_ignored

    verdicts = assess(question, answer)
    points = {point.id: point for point in question.key_points}
    covered = [points[v.key_point_id] for v in verdicts if v.verdict is Verdict.COVERED]
    partial = [points[v.key_point_id] for v in verdicts if v.verdict is Verdict.PARTIAL]
    missed = [points[v.key_point_id] for v in verdicts if v.verdict is Verdict.MISSED]
    strengths = tuple(f"You covered: {label(point)}." for point in covered)
    gaps = tuple(f"Only touched on: {label(point)}; say how and why." for point in partial) + tuple(
        f"Not covered: {label(point)}." for point in missed
    )
    feedback = _feedback(verdicts, covered, partial, missed, count_ignored(answer))
    return GraderOutput(verdicts=verdicts, strengths=strengths, gaps=gaps, feedback=feedback)


def label(point: KeyPoint) -> str:
    """A short name for a key point: its first clause, at most eight words."""
    head = re.split(r"[:;(]|\s[-–—]\s", point.text, maxsplit=1)[0].strip()
    if len(head.split()) > 7:
        head = head.split(",")[0]
    words = head.rstrip(" .,").split()
    head = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    if head[:1].isupper() and not head[1:2].isupper():
        head = head[0].lower() + head[1:]
    return head


def _feedback(
    verdicts: tuple[KeyPointVerdict, ...],
    covered: list[KeyPoint],
    partial: list[KeyPoint],
    missed: list[KeyPoint],
    ignored: int,
) -> str:
    total = len(verdicts)
    parts: list[str] = []
    if not covered and not partial:
        parts.append("The answer does not yet address what this question is looking for.")
    else:
        parts.append(f"You covered {len(covered)} of {total} key points well")
        parts[-1] += f" and touched on {len(partial)} more." if partial else "."
    if covered:
        parts.append(f"Strongest: **{label(covered[0])}**.")
    if partial:
        parts.append(f"Make **{label(partial[0])}** concrete: say what you would do and why.")
    if missed:
        names = ", ".join(f"**{label(point)}**" for point in missed[:2])
        parts.append(f"Still missing: {names}.")
    if ignored:
        parts.append("Text addressed to the grader was ignored; it never earns credit.")
    return " ".join(parts)


def _missing(question: Question, exchanges: tuple[Exchange, ...]) -> tuple[str, ...]:
    from interviewer.grading.coverage import assess
    from interviewer.grading.score import missing_key_points

    return missing_key_points(question, assess(question, answer_text(exchanges)))


def _chunks(text: str) -> Iterator[str]:
    """Word groups whose concatenation is exactly `text`."""
    pieces = _CHUNK.findall(text)
    leading = text[: len(text) - len(text.lstrip())]
    if leading:
        pieces.insert(0, leading)
    for i in range(0, len(pieces), WORDS_PER_CHUNK):
        yield "".join(pieces[i : i + WORDS_PER_CHUNK])


def _fold(text: str) -> str:
    return " ".join(text.lower().split())
