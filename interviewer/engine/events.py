"""What the interview engine tells its caller (the TUI, headless mode, replay).

The engine is driven by `Interview.start()` and `Interview.submit(answer)`, both async generators
of these events. A caller shows deltas as they arrive and treats the other events as the record.
"""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.domain import Evaluation, Question, Usage


@dataclass(frozen=True)
class QuestionAsked:
    question: Question
    number: int
    """1-based position in this session."""
    total: int


@dataclass(frozen=True)
class ProbeDelta:
    """A chunk of a follow-up probe as it streams in."""

    text: str


@dataclass(frozen=True)
class ProbeAsked:
    """A complete follow-up probe; the candidate answers it next."""

    question_id: str
    text: str
    number: int
    """1 for the first probe of the question."""
    key_point_id: str | None
    interrupted: bool = False


@dataclass(frozen=True)
class AnswerRejected:
    """The answer was not accepted (empty); the same prompt stays open. Nothing is recorded."""

    reason: str


@dataclass(frozen=True)
class Notice:
    """Something the candidate should know that is not an error (answer truncated, offline
    grading stood in, ...)."""

    text: str


@dataclass(frozen=True)
class FeedbackDelta:
    """A chunk of feedback prose as it streams in."""

    text: str


@dataclass(frozen=True)
class QuestionEvaluated:
    question_id: str
    evaluation: Evaluation
    usage: Usage
    """Usage of all calls for this question (probes and grading)."""


@dataclass(frozen=True)
class GradingFailedEvent:
    """Grading failed after retries and one repair. The answers are saved; the caller can
    `retry_grading()` or `grade_offline()`. Never a silent fake score."""

    question_id: str
    message: str


@dataclass(frozen=True)
class SessionFinished:
    session_id: str


Event = (
    QuestionAsked
    | ProbeDelta
    | ProbeAsked
    | AnswerRejected
    | Notice
    | FeedbackDelta
    | QuestionEvaluated
    | GradingFailedEvent
    | SessionFinished
)
