"""The Provider protocol: the one surface the interview engine uses to think.

Contract for implementers
-------------------------
* ``probe`` and ``grade`` are async generators. They yield ``TextDelta`` chunks as prose arrives
  (probe text; feedback prose) and end with exactly one final event: ``ProbeDone`` or
  ``GradeDone``. Callers show deltas as they come; the final event is the source of truth.
* ``assess`` is one small structured call, not streamed: per-key-point verdicts with evidence for
  everything said so far, no prose (the engine aims the next probe with it). A provider that
  cannot assess (a replay recorded before assessments existed) raises ``AssessUnsupported``.
* With ``earlier`` set (``AssessRequest``, ``GradeRequest``), an earlier assessment's checked
  verdicts stand: a model provider sends only the exchanges after it and asks only about the key
  points it left open (``Carried.open_ids``); a verdict for any other point is ignored. The
  offline grader may judge the whole text anyway; the engine merges (``engine.grading``).
* A ``GradeRequest`` with ``verdicts`` set comes after an assessment: the verdicts are decided
  (and already checked), so the grader writes only strengths, gaps and feedback for them.
* Candidate text arrives only in ``ProbeRequest.exchanges`` / ``GradeRequest.exchanges`` answers.
  It is untrusted data: never put it in system instructions (see ``interviewer.prompts``).
* A grader never returns a score. It returns per-key-point verdicts with evidence quotes; the engine
  checks the quotes against the answer and computes the score (``interviewer.grading.score``).
* If a stream fails after text was yielded, end with the final event marked ``interrupted=True``
  and the partial text, rather than raising: what the candidate already saw is kept.
* Raise ``ProviderError`` (or a subclass) for failures a retry will not fix, with a one-line
  message that says what to do. Retries happen inside the provider (``providers.retry``).
* ``aclose`` releases HTTP clients; it must be safe to call twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from interviewer.domain import (
    Carried,
    Exchange,
    GraderOutput,
    GradingMethod,
    KeyPointVerdict,
    Question,
    Usage,
)

Role = Literal["interviewer", "grader"]


@dataclass(frozen=True)
class ProbeRequest:
    """Ask one follow-up probe about the conversation so far."""

    question: Question
    exchanges: tuple[Exchange, ...]
    """The question and probes asked so far with the candidate's answers, oldest first (a
    model's prompt shows only the newest: `prompts.render_probe`)."""
    target_key_point_ids: tuple[str, ...]
    """Key points the answers do not yet cover, most important first. The probe should aim at the
    first, without revealing it."""
    probe_number: int
    """1 for the first probe of this question."""
    covered_key_point_ids: tuple[str, ...] = ()
    """Key points the latest answer newly covered, by the grader's assessment (an offline probe
    acknowledges the first). Not rendered into a model's prompt: the model reads the transcript
    itself, and recorded fixtures keep matching."""


@dataclass(frozen=True)
class GradeRequest:
    """Grade everything the candidate said about one question."""

    question: Question
    exchanges: tuple[Exchange, ...]
    verdicts: tuple[KeyPointVerdict, ...] | None = None
    """The checked verdicts of the last assessment of these very exchanges. When set, the grader
    writes only strengths, gaps and feedback for them: the verdict work is not done twice."""
    earlier: Carried | None = None
    """An earlier assessment's checked verdicts: a model reads only the exchanges after it and
    judges only the key points it left open (the engine merges the rest back in)."""


@dataclass(frozen=True)
class AssessRequest:
    """Assess everything said so far about one question: verdicts and evidence, no prose."""

    question: Question
    exchanges: tuple[Exchange, ...]
    """Every exchange of the question (the evidence check reads all their answers)."""
    earlier: Carried | None = None
    """As in `GradeRequest.earlier`."""


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ProbeDone:
    text: str
    """The whole probe; equals the concatenated deltas."""
    usage: Usage = field(default_factory=Usage)
    interrupted: bool = False
    scripted: bool = False
    """A replay's recorded reply to a different request (other answers): a script, not a
    response to this one. Only position-matched replays say so."""


@dataclass(frozen=True)
class GradeDone:
    output: GraderOutput
    usage: Usage = field(default_factory=Usage)
    interrupted: bool = False
    method: GradingMethod = "model"
    """"coverage" for the offline estimate (and replays of it); "model" when a model read it."""
    scripted: bool = False
    """A replay's recorded reply to a different request (other answers): a script, not a
    response to this one. Only position-matched replays say so."""


@dataclass(frozen=True)
class AssessDone:
    output: GraderOutput
    """Verdicts with evidence; strengths, gaps and feedback stay empty."""
    usage: Usage = field(default_factory=Usage)
    method: GradingMethod = "model"
    scripted: bool = False
    """A replay's recorded reply to a different request (other answers): a script, not a
    response to this one. Only position-matched replays say so."""


ProbeEvent = TextDelta | ProbeDone
GradeEvent = TextDelta | GradeDone


@runtime_checkable
class Provider(Protocol):
    """Something that can ask follow-up probes and grade answers."""

    @property
    def name(self) -> str:
        """Short label for status bars and reports, e.g. "offline" or "openai:gpt-4o-mini"."""
        ...

    @property
    def is_local(self) -> bool:
        """True when no network and no money is involved (offline, replay)."""
        ...

    def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        """Stream one follow-up probe."""
        ...

    def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        """Stream feedback prose, then the structured verdicts."""
        ...

    async def assess(self, request: AssessRequest) -> AssessDone:
        """Verdicts with evidence for everything said so far (one small call, no prose)."""
        ...

    async def aclose(self) -> None:
        """Release network resources."""
        ...


async def collect_probe(events: AsyncIterator[ProbeEvent]) -> ProbeDone:
    """Drain a probe stream (for callers that do not display chunks)."""
    final: ProbeDone | None = None
    async for event in events:
        if isinstance(event, ProbeDone):
            final = event
    if final is None:
        raise RuntimeError("provider ended a probe stream without ProbeDone")
    return final


async def collect_grade(events: AsyncIterator[GradeEvent]) -> GradeDone:
    """Drain a grade stream (for callers that do not display chunks)."""
    final: GradeDone | None = None
    async for event in events:
        if isinstance(event, GradeDone):
            final = event
    if final is None:
        raise RuntimeError("provider ended a grade stream without GradeDone")
    return final
