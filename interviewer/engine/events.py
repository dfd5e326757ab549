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
  `FeedbackDelta`; the record that follows holds the complete text), `Notice`,
  `AnswerRejected`, and `Waiting` (a provider call is about to start; `WaitClock` says for how
  long the candidate has waited on it, for a front end to show).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

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


@dataclass(frozen=True)
class Waiting:
    """The engine is about to wait on `provider` (its `name`) for `task`. The wait lasts until
    the next event that is not a `Notice` (the first text of the reply, or the record that
    follows a call that streams none), or until the stream of events ends."""

    provider: str
    task: Literal["assessment", "probe", "grading"]


Delta = ProbeDelta | FeedbackDelta

Event = TurnRecord | Delta | AnswerRejected | Notice | Waiting


class WaitClock:
    """How long the candidate has been waiting on a provider: `see()` every event the engine
    yields, `stop()` when its stream ends; `line()` is the text the front ends show."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.waiting: Waiting | None = None
        self._since = 0.0

    def see(self, event: Event) -> None:
        if isinstance(event, Waiting):
            self.waiting, self._since = event, self._clock()
        elif not isinstance(event, Notice):
            # A notice (a draft rejected, asked again) leaves the candidate waiting still.
            self.waiting = None

    def stop(self) -> None:
        self.waiting = None

    def seconds(self) -> int:
        """Whole seconds waited so far (0 when not waiting)."""
        return int(self._clock() - self._since) if self.waiting is not None else 0

    def line(self, cancel: str) -> str:
        """E.g. "waiting for openai:gpt-4o-mini (12 s)… esc cancels"; "" when not waiting."""
        if self.waiting is None:
            return ""
        return f"waiting for {self.waiting.provider} ({self.seconds()} s)… {cancel}"
