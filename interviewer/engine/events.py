"""What the interview engine yields to its caller (the TUI, headless mode).

`Interview.start()`, `submit()`, `skip()`, `retry_grading()` and `grade_offline()` are async
generators of `Event`s, which are of two kinds:

- the journal records the engine has just written (`interviewer.journal.TurnRecord`):
  `QuestionOpened`, `AnswerGiven` (the answer was accepted and is on disk), `Assessed` (what
  the grader's assessment decided: probe where, or grade now; front ends need not show it),
  `ProbeGiven`,
  `Evaluated`, `GradingFailedRecord`, `SessionEnded`. They are the very objects a playback reads
  back from the journal, so one renderer per front end draws a live session and a past one alike;
  what a record does not carry (the question's text, the total, the mode) is in the session
  header, `Interview.header`.
- what is not journaled, defined here: the deltas of a reply as it streams in (`ProbeDelta`,
  `FeedbackDelta`; the record that follows holds the complete text), and `Notice` and
  `AnswerRejected`.
"""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.journal import TurnRecord


@dataclass(frozen=True)
class ProbeDelta:
    """A chunk of a follow-up probe as it streams in; a `ProbeGiven` record completes it."""

    text: str


@dataclass(frozen=True)
class FeedbackDelta:
    """A chunk of feedback prose as it streams in; an `Evaluated` (or `GradingFailedRecord`)
    record follows."""

    text: str


@dataclass(frozen=True)
class AnswerRejected:
    """The answer was not accepted (empty); the same prompt stays open. Nothing is recorded."""

    reason: str


@dataclass(frozen=True)
class Notice:
    """Something the candidate should know that is not an error (answer truncated, offline
    grading stood in, ...)."""

    text: str
    provider_failed: bool = False
    """A provider call failed and something stood in for it (headless exits non-zero)."""


Delta = ProbeDelta | FeedbackDelta

Event = TurnRecord | Delta | AnswerRejected | Notice
