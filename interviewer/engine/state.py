"""A session's state, folded from its journal records, the Report built from it, and the one
loop that plays a journal back.

`SessionState.apply` is the one place that says what each record means; the engine applies each
record right after journaling it, resuming folds the same records from disk, and playback
(`play_back`, used by both `interviewer replay` front ends) folds them one by one as it shows them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from interviewer.domain import Evaluation, Exchange, Question, Usage
from interviewer.errors import JournalError
from interviewer.journal import (
    TURN_RECORDS,
    AnswerGiven,
    Assessed,
    Evaluated,
    GradingFailedRecord,
    ProbeGiven,
    QuestionOpened,
    SessionEnded,
    SessionStarted,
    TurnRecord,
    WentOffline,
    _Record,
    read_records,
)
from interviewer.report import QuestionReport, Report, overall_score


@dataclass(frozen=True)
class Prompt:
    """One thing the candidate was asked: the question itself, or a probe."""

    text: str
    key_point_id: str | None = None
    """For a probe: the key point it aimed at."""
    interrupted: bool = False
    """For a probe: the stream was cut short and `text` is what arrived."""


@dataclass
class QuestionState:
    question: Question
    opened_at: float
    prompts: list[Prompt] = field(default_factory=list)
    """The question, then each probe, in the order asked."""
    answers: list[str] = field(default_factory=list)
    last_answer_at: float | None = None
    evaluation: Evaluation | None = None
    grading_failed: str | None = None
    usage: Usage = field(default_factory=Usage)
    assessments: list[Assessed] = field(default_factory=list)
    """What was decided after each assessed answer, oldest first."""

    @property
    def assessment(self) -> Assessed | None:
        """The assessment of exactly the answers given so far, if one was made."""
        last = self.assessments[-1] if self.assessments else None
        return last if last is not None and last.answers == len(self.answers) else None

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        result = []
        for index, answer in enumerate(self.answers):
            prompt = self.prompts[index]
            result.append(
                Exchange(
                    kind="question" if index == 0 else "probe",
                    prompt=prompt.text,
                    answer=answer,
                    key_point_id=prompt.key_point_id,
                    interrupted=prompt.interrupted,
                )
            )
        return tuple(result)

    @property
    def probes_asked(self) -> int:
        return len(self.prompts) - 1

    @property
    def awaiting_answer(self) -> bool:
        return len(self.answers) < len(self.prompts)


@dataclass
class SessionState:
    """Everything known about a session, folded from its records."""

    header: SessionStarted
    opened: list[QuestionState] = field(default_factory=list)
    ended: bool = False
    last_t: float = 0.0
    source: str = "journal"
    offline: bool = False
    """The candidate chose to go on offline (`WentOffline`)."""

    @classmethod
    def from_records(cls, records: Iterable[_Record], source: str = "journal") -> SessionState:
        iterator = iter(records)
        first = next(iterator, None)
        if not isinstance(first, SessionStarted):
            raise JournalError(f"{source}: the first record must be the session header")
        state = cls(header=first, last_t=first.t, source=source)
        for record in iterator:
            state.apply(record)
        return state

    @property
    def current(self) -> QuestionState | None:
        return self.opened[-1] if self.opened else None

    def apply(self, record: _Record) -> None:
        self.last_t = max(self.last_t, record.t)
        if isinstance(record, QuestionOpened):
            question = self.header.question(record.question_id)
            if question is None:
                raise JournalError(
                    f"{self.source}: question {record.question_id!r} is not in the session header"
                )
            state = QuestionState(question=question, opened_at=record.t)
            state.prompts.append(Prompt(question.text))
            self.opened.append(state)
            return
        if isinstance(record, SessionEnded):
            self.ended = True
            return
        if isinstance(record, WentOffline):
            self.offline = True
            return
        current = self.current
        if current is None:
            kind = getattr(record, "type", "?")
            raise JournalError(f"{self.source}: a {kind!r} record before any question")
        if isinstance(record, AnswerGiven):
            current.answers.append(record.text)
            current.last_answer_at = record.t
        elif isinstance(record, Assessed):
            current.assessments.append(record)
            current.usage = current.usage + record.usage
        elif isinstance(record, ProbeGiven):
            current.prompts.append(Prompt(record.text, record.key_point_id, record.interrupted))
            current.usage = current.usage + record.usage
        elif isinstance(record, Evaluated):
            current.evaluation = record.evaluation
            current.grading_failed = None
            current.usage = current.usage + record.evaluation.usage
        elif isinstance(record, GradingFailedRecord):
            current.grading_failed = record.message
            current.usage = current.usage + record.usage

    @property
    def usage(self) -> Usage:
        total = Usage()
        for item in self.opened:
            total = total + item.usage
        return total

    @property
    def finished(self) -> bool:
        return self.ended and len(self.opened) == len(self.header.questions)

    def _marked(self, exchanges: tuple[Exchange, ...]) -> tuple[Exchange, ...]:
        """The full answers, each marked `truncated` where the grader read only its start."""
        from interviewer.engine.grading import cut_answers

        cut = cut_answers(exchanges, self.header.max_answer_chars)
        return tuple(
            full.model_copy(update={"truncated": True}) if sent.truncated else full
            for full, sent in zip(exchanges, cut, strict=True)
        )

    def report(self) -> Report:
        items = []
        for item in self.opened:
            end = item.last_answer_at if item.last_answer_at is not None else item.opened_at
            items.append(
                QuestionReport(
                    question_id=item.question.id,
                    question=item.question.text,
                    difficulty=item.question.difficulty,
                    exchanges=self._marked(item.exchanges),
                    probes=tuple(prompt.text for prompt in item.prompts[1:]),
                    evaluation=item.evaluation,
                    duration_s=round(max(0.0, end - item.opened_at), 1),
                    usage=item.usage,
                    key_points={point.id: point.text for point in item.question.key_points},
                )
            )
        evaluations = [item.evaluation for item in self.opened if item.evaluation is not None]
        finished = self.finished and all(item.evaluation for item in self.opened)
        return Report(
            session_id=self.header.session_id,
            bank_id=self.header.bank_id,
            mode=self.header.mode,
            interviewer=self.header.interviewer,
            grader=self.header.grader,
            started_at=datetime.fromtimestamp(self.header.t, UTC),
            finished_at=datetime.fromtimestamp(self.last_t, UTC) if self.ended else None,
            finished=finished,
            questions=tuple(items),
            overall_score=overall_score(evaluations),
            usage=self.usage,
        )


def load_state(path: Path) -> SessionState:
    return SessionState.from_records(read_records(path), source=str(path))


Wait = Callable[[float], Awaitable[None]]


async def play_back(
    records: Sequence[_Record],
    state: SessionState,
    *,
    pace: bool = False,
    max_wait: float = 5.0,
    wait: Wait | None = None,
) -> AsyncIterator[TurnRecord]:
    """Yield the records after the header, each folded into `state` first (as the engine does
    before it yields a record). With `pace`, `wait` is awaited with the recorded gap before each
    one, capped by `max_wait` (candidates think for minutes); zero gaps included, so a paused
    front end stops on every record."""
    last_t = state.header.t
    for record in records[1:]:
        if pace and wait is not None:
            await wait(min(max(record.t - last_t, 0.0), max_wait))
        last_t = max(last_t, record.t)
        state.apply(record)
        if isinstance(record, TURN_RECORDS):  # a stray second header means nothing to show
            yield record
