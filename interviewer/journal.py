"""The session journal: append-only JSONL, one record per turn, flushed and fsynced, mode 0600.

The journal is the source of truth for a session. The engine appends a record *before* it acts on
it (an answer is on disk before any provider sees it), and rebuilds its state by folding the
records (`SessionState.apply`), so resuming after a crash, even `kill -9`, is the same code path
as running. A truncated last line (the crash happened mid-write) is ignored; any other bad line
is an error naming the file and line.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from interviewer import paths
from interviewer.domain import Evaluation, Exchange, Question, Usage
from interviewer.errors import JournalError
from interviewer.report import QuestionReport, Report, overall_score

FORMAT_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    t: float = Field(default_factory=time.time)
    """Wall-clock time the record was written (Unix seconds)."""


class SessionStarted(_Record):
    type: Literal["session"] = "session"
    v: int = FORMAT_VERSION
    session_id: str
    bank_id: str
    mode: str
    interviewer: str
    grader: str
    max_probes: int
    min_answer_words: int
    max_answer_chars: int
    questions: tuple[Question, ...]
    """A snapshot of the questions, so a later edit of the bank cannot change a past session."""


class QuestionOpened(_Record):
    type: Literal["question"] = "question"
    question_id: str
    number: int


class AnswerGiven(_Record):
    type: Literal["answer"] = "answer"
    question_id: str
    text: str


class ProbeGiven(_Record):
    type: Literal["probe"] = "probe"
    question_id: str
    text: str
    number: int
    key_point_id: str | None
    interrupted: bool = False
    usage: Usage = Usage()


class Evaluated(_Record):
    type: Literal["evaluation"] = "evaluation"
    question_id: str
    evaluation: Evaluation


class GradingFailedRecord(_Record):
    type: Literal["grading_failed"] = "grading_failed"
    question_id: str
    message: str
    usage: Usage = Usage()


class SessionEnded(_Record):
    type: Literal["end"] = "end"


Record = Annotated[
    SessionStarted
    | QuestionOpened
    | AnswerGiven
    | ProbeGiven
    | Evaluated
    | GradingFailedRecord
    | SessionEnded,
    Field(discriminator="type"),
]
_RECORD = TypeAdapter(Record)


@dataclass
class QuestionState:
    question: Question
    opened_at: float
    prompts: list[tuple[str, str | None, bool]] = field(default_factory=list)
    """(prompt text, key point id, interrupted) for the question and each probe, in order."""
    answers: list[str] = field(default_factory=list)
    last_answer_at: float | None = None
    evaluation: Evaluation | None = None
    grading_failed: str | None = None
    usage: Usage = field(default_factory=Usage)

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        result = []
        for index, answer in enumerate(self.answers):
            prompt, key_point_id, interrupted = self.prompts[index]
            result.append(
                Exchange(
                    kind="question" if index == 0 else "probe",
                    prompt=prompt,
                    answer=answer,
                    key_point_id=key_point_id,
                    interrupted=interrupted,
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
            question = next((q for q in self.header.questions if q.id == record.question_id), None)
            if question is None:
                raise JournalError(
                    f"{self.source}: question {record.question_id!r} is not in the session header"
                )
            state = QuestionState(question=question, opened_at=record.t)
            state.prompts.append((question.text, None, False))
            self.opened.append(state)
            return
        if isinstance(record, SessionEnded):
            self.ended = True
            return
        current = self.current
        if current is None:
            kind = getattr(record, "type", "?")
            raise JournalError(f"{self.source}: a {kind!r} record before any question")
        if isinstance(record, AnswerGiven):
            current.answers.append(record.text)
            current.last_answer_at = record.t
        elif isinstance(record, ProbeGiven):
            current.prompts.append((record.text, record.key_point_id, record.interrupted))
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

    def report(self) -> Report:
        items = []
        for item in self.opened:
            end = item.last_answer_at if item.last_answer_at is not None else item.opened_at
            items.append(
                QuestionReport(
                    question_id=item.question.id,
                    question=item.question.text,
                    difficulty=item.question.difficulty,
                    exchanges=item.exchanges,
                    probes=tuple(prompt for prompt, _, _ in item.prompts[1:]),
                    evaluation=item.evaluation,
                    duration_s=round(max(0.0, end - item.opened_at), 1),
                    usage=item.usage,
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


class Journal:
    """Appends records to one session file. Each append is flushed and fsynced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        paths.ensure_private_dir(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            _lock(fd, path)
        except BaseException:
            os.close(fd)
            raise
        _drop_torn_tail(fd)
        self._file = os.fdopen(fd, "a", encoding="utf-8")

    @classmethod
    def create(cls, header: SessionStarted, directory: Path | None = None) -> Journal:
        journal = cls((directory or paths.sessions_dir()) / f"{header.session_id}.jsonl")
        journal.append(header)
        return journal

    def append(self, record: _Record) -> None:
        # Lone surrogates (from a malformed paste or a model's bad escape) cannot be encoded;
        # keep the rest of the text rather than lose the record.
        text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False)
        line = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace") + "\n"
        self._file.write(line)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def _lock(fd: int, path: Path) -> None:
    """One writer per session: two processes appending to one journal would interleave turns.
    The lock goes with the file descriptor, so a crash (even kill -9) releases it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one writer is then up to the user
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalError(
            f"{path}: this session is open in another interviewer process; finish or quit it "
            "there first"
        ) from None


def _drop_torn_tail(fd: int) -> None:
    """Cut a last line that a crash left half-written, so the next record starts on its own
    line. Reading already ignores such a line; appending after it would make it a damaged
    line in the middle of the file."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    start = max(0, size - 65536)
    while True:
        chunk = os.pread(fd, size - start, start)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            os.ftruncate(fd, start + cut + 1)
            return
        if start == 0:
            os.ftruncate(fd, 0)
            return
        start = max(0, start - 65536)


def new_session_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def read_records(path: Path) -> list[_Record]:
    """Parse a journal; a truncated final line (crash mid-write) is dropped."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JournalError(f"{path}: cannot read session journal: {exc.strerror}") from None
    lines = raw.split(b"\n")
    complete_last = raw.endswith(b"\n")
    records: list[_Record] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        is_last = number == len(lines) or (number == len(lines) - 1 and complete_last)
        try:
            records.append(_RECORD.validate_json(line))
        except ValidationError as exc:
            if is_last and not complete_last:
                break  # the process died while writing this line: the turn never completed
            detail = exc.errors()[0]
            where = ".".join(str(p) for p in detail["loc"])
            raise JournalError(
                f"{path}:{number}: invalid journal record ({where}: {detail['msg']}); "
                "the file was edited or damaged"
            ) from None
    return records


def load_state(path: Path) -> SessionState:
    return SessionState.from_records(read_records(path), source=str(path))


def resolve_session(ref: str | None) -> Path:
    """A session id, a unique id prefix, a journal path, or None for the latest unfinished."""
    if ref is not None and (ref.endswith(".jsonl") or os.sep in ref):
        path = Path(ref).expanduser()
        if not path.is_file():
            raise JournalError(f"{path}: no such session journal")
        return path
    directory = paths.sessions_dir()
    candidates = sorted(directory.glob("*.jsonl")) if directory.is_dir() else []
    if ref is None:
        for path in reversed(candidates):
            try:
                if not load_state(path).finished:
                    return path
            except JournalError:
                continue
        raise JournalError("no unfinished session to resume (see `interviewer history`)")
    matches = [p for p in candidates if p.stem.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise JournalError(f"no session {ref!r} in {directory} (see `interviewer history`)")
    raise JournalError(f"{ref!r} matches {len(matches)} sessions; give more of the id")


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    path: Path
    started_at: datetime
    bank_id: str
    interviewer: str
    grader: str
    answered: int
    total: int
    finished: bool
    overall_score: float | None


def list_sessions(directory: Path | None = None) -> tuple[list[SessionSummary], list[str]]:
    """All sessions, oldest first, and a warning per unreadable journal."""
    directory = directory or paths.sessions_dir()
    summaries: list[SessionSummary] = []
    warnings: list[str] = []
    if not directory.is_dir():
        return summaries, warnings
    for path in sorted(directory.glob("*.jsonl")):
        try:
            state = load_state(path)
        except JournalError as exc:
            warnings.append(str(exc))
            continue
        report = state.report()
        summaries.append(
            SessionSummary(
                session_id=state.header.session_id,
                path=path,
                started_at=report.started_at,
                bank_id=state.header.bank_id,
                interviewer=state.header.interviewer,
                grader=state.header.grader,
                answered=sum(1 for q in state.opened if q.evaluation is not None),
                total=len(state.header.questions),
                finished=report.finished,
                overall_score=report.overall_score,
            )
        )
    return summaries, warnings
