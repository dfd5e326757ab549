"""A scripted fake provider: tests enqueue replies, then assert on the requests that were sent."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from interviewer.domain import (
    Difficulty,
    GraderOutput,
    KeyPoint,
    KeyPointVerdict,
    Question,
    Usage,
    Verdict,
)
from interviewer.errors import AssessUnsupported
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


@dataclass
class ScriptedProvider:
    """Replies with what was enqueued, in order; records every request."""

    label: str = "fake"
    local: bool = True
    probes: deque[Sequence[str] | Exception] = field(default_factory=deque)
    grades: deque[GraderOutput | Exception] = field(default_factory=deque)
    assessments: deque[GraderOutput | Exception] = field(default_factory=deque)
    """Assessment replies. With none ever enqueued the fake cannot assess (like a replay recorded
    before assessments existed) and the engine's offline estimate (`missing=`) decides."""
    can_assess: bool = False
    history: list[ProbeRequest | GradeRequest | AssessRequest] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    hang_after_chunks: int | None = None
    """Stall forever after this many chunks (to test cancel)."""
    closed: int = 0
    scripted: bool = False
    """Mark every reply as a replay's script for other answers (`ProbeDone.scripted`...)."""

    @property
    def name(self) -> str:
        return self.label

    @property
    def is_local(self) -> bool:
        return self.local

    def enqueue_probe(self, *chunks: str) -> None:
        self.probes.append(chunks)

    def enqueue_grade(self, output: GraderOutput | Exception) -> None:
        self.grades.append(output)

    def enqueue_assessment(self, output: GraderOutput | Exception) -> None:
        self.assessments.append(output)
        self.can_assess = True

    async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        self.history.append(request)
        reply = self.probes.popleft()
        if isinstance(reply, Exception):
            raise reply
        for index, chunk in enumerate(reply):
            if self.hang_after_chunks is not None and index >= self.hang_after_chunks:
                await asyncio.Event().wait()
            yield TextDelta(chunk)
        yield ProbeDone(text="".join(reply), usage=self.usage, scripted=self.scripted)

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        self.history.append(request)
        reply = self.grades.popleft()
        if isinstance(reply, Exception):
            raise reply
        if reply.feedback:
            yield TextDelta(reply.feedback)
        yield GradeDone(output=reply, usage=self.usage, scripted=self.scripted)

    async def assess(self, request: AssessRequest) -> AssessDone:
        if not self.can_assess:
            raise AssessUnsupported(f"{self.label} cannot assess")
        self.history.append(request)
        reply = self.assessments.popleft()
        if isinstance(reply, Exception):
            raise reply
        return AssessDone(output=reply, usage=self.usage, scripted=self.scripted)

    async def aclose(self) -> None:
        self.closed += 1


def make_question(question_id: str = "q1", points: int = 5) -> Question:
    return Question(
        id=question_id,
        text=f"Question {question_id}: how do you defend an LLM application?",
        difficulty=Difficulty.MEDIUM,
        sample_answer="Separate instructions from data. Authorise every tool call.",
        key_points=tuple(
            KeyPoint(id=f"kp{i}", text=f"key idea number {i}", probes=(f"Tell me about area {i}?",))
            for i in range(1, points + 1)
        ),
    )


def verdicts_covering(
    question: Question, evidence: str, covered: int
) -> tuple[KeyPointVerdict, ...]:
    return tuple(
        KeyPointVerdict(
            key_point_id=point.id,
            verdict=Verdict.COVERED if index < covered else Verdict.MISSED,
            evidence=evidence if index < covered else None,
        )
        for index, point in enumerate(question.key_points)
    )
