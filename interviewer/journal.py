"""The session journal: append-only JSONL, one record per turn, flushed and fsynced, mode 0600.

The journal is the source of truth for a session. The engine appends a record *before* it acts on
it (an answer is on disk before any provider sees it), and rebuilds its state by folding the
records (`SessionState.apply`), so resuming after a crash, even `kill -9`, is the same code path
as running. A truncated last line (the crash happened mid-write) is ignored; any other bad line
is an error naming the file and line.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    model_serializer,
    model_validator,
)

from interviewer import paths
from interviewer.bank_facts import BankFacts, attach, bank_order
from interviewer.domain import (
    Evaluation,
    FrozenModel,
    GradingMethod,
    KeyPointVerdict,
    Question,
    Usage,
)
from interviewer.errors import JournalError

FORMAT_VERSION = 1


class _Record(FrozenModel):
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
    """A snapshot of the questions, so a later edit of the bank cannot change a past session
    (on disk, what they share with their bank is written once: `BankFacts`)."""

    def question(self, question_id: str) -> Question | None:
        """The snapshot of question `question_id`, None when the session never had it."""
        return next((q for q in self.questions if q.id == question_id), None)

    @model_serializer(mode="wrap")
    def _bank_facts_once(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The snapshots without what they share with their bank; `bank_facts` holds it once."""
        data: dict[str, Any] = handler(self)
        snapshots = data.get("questions") or [{}]
        if not all({"concepts", "other_key_points"} <= snapshot.keys() for snapshot in snapshots):
            return data  # a partial dump (or no questions): the snapshots stay whole
        key_points, positions = bank_order(self.questions)
        concepts = snapshots[0]["concepts"]
        for snapshot, question, at in zip(snapshots, self.questions, positions, strict=True):
            if question.concepts == self.questions[0].concepts:
                del snapshot["concepts"]
            if at is not None:
                del snapshot["other_key_points"]
        facts = {"concepts": concepts, "key_points": list(key_points), "positions": positions}
        return data | {"bank_facts": facts}

    @model_validator(mode="before")
    @classmethod
    def _attach_bank_facts(cls, data: Any) -> Any:
        # Journals from before `bank_facts` carry these fields in every snapshot (or only the
        # concepts, or neither): they load unchanged.
        if not isinstance(data, dict) or "bank_facts" not in data:
            return data
        data = dict(data)
        try:
            facts = BankFacts.model_validate(data.pop("bank_facts"))
        except ValidationError as exc:
            detail = exc.errors()[0]
            where = ".".join(str(p) for p in ("bank_facts", *detail["loc"]))
            raise ValueError(f"{where}: {detail['msg']}") from None
        snapshots = data.get("questions")
        if not isinstance(snapshots, list | tuple) or len(snapshots) != len(facts.positions):
            raise ValueError("bank_facts.positions must name one entry per question")
        data["questions"] = [
            attach(snapshot, facts, position)
            for snapshot, position in zip(snapshots, facts.positions, strict=True)
        ]
        return data


class QuestionOpened(_Record):
    type: Literal["question"] = "question"
    question_id: str
    number: int


class AnswerGiven(_Record):
    """An answer the engine accepted (empty: skipped on purpose), on disk before any provider
    sees it."""

    type: Literal["answer"] = "answer"
    question_id: str
    text: str


class Assessed(_Record):
    """What the engine decided after an answer: the grader's checked verdicts on everything said
    so far, and the key points the next probe aims at (none: no probe, the question is graded).
    Journaled before the probe is asked, so a resumed session asks the same probe, and a final
    grade reuses these verdicts instead of asking for them again. Journals from before
    assessments existed have none."""

    type: Literal["assessment"] = "assessment"
    question_id: str
    answers: int
    """How many answers it assessed (it stands only while no further answer arrives)."""
    targets: tuple[str, ...]
    """What the next probe aims at, the first above all (`ProbeRequest.target_key_point_ids`);
    empty when the important points are covered."""
    verdicts: tuple[KeyPointVerdict, ...] | None = None
    """Checked verdicts; None when the grader could not assess and the offline estimate decided
    the targets instead."""
    flags: tuple[str, ...] = ()
    """The evidence check's flags on those verdicts (as in `Evaluation.flags`)."""
    method: GradingMethod = "model"
    grader: str = ""
    fallback: str | None = None
    """Why the offline estimate decided instead of the grader (the failure), when it did."""
    usage: Usage = Usage()


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
    """Grading failed after retries and one repair. The answers are saved; the engine can
    `retry_grading()` or `grade_offline()`. Never a silent fake score."""

    type: Literal["grading_failed"] = "grading_failed"
    question_id: str
    message: str
    usage: Usage = Usage()


class WentOffline(_Record):
    """After a provider failure the candidate chose to go on offline: every later probe,
    assessment and grading of the session is the offline grader's, after a resume too. Each
    score still names its own grader."""

    type: Literal["offline"] = "offline"
    reason: str = ""
    """The failure that led to it."""


class SessionEnded(_Record):
    type: Literal["end"] = "end"


TurnRecord = (
    QuestionOpened
    | AnswerGiven
    | Assessed
    | ProbeGiven
    | Evaluated
    | GradingFailedRecord
    | WentOffline
    | SessionEnded
)
"""Every record after the header: what the engine journals, and yields, turn by turn."""
TURN_RECORDS = (
    QuestionOpened,
    AnswerGiven,
    Assessed,
    ProbeGiven,
    Evaluated,
    GradingFailedRecord,
    WentOffline,
    SessionEnded,
)

Record = Annotated[
    SessionStarted
    | QuestionOpened
    | AnswerGiven
    | Assessed
    | ProbeGiven
    | Evaluated
    | GradingFailedRecord
    | WentOffline
    | SessionEnded,
    Field(discriminator="type"),
]
_RECORD = TypeAdapter(Record)


class Journal:
    """Appends records to one session file. Each append is written whole and fsynced; a failed
    append is cut back, so the file always ends at a complete record."""

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
        self._fd: int | None = fd
        self._size = os.fstat(fd).st_size
        """Where the last complete record ends."""
        self._dirty = False
        """A failed append may have left bytes after `_size` that are not yet cut."""

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
        data = line.encode("utf-8")
        fd = self._open_fd()
        if self._dirty:
            self._cut(fd)
        try:
            # Unbuffered, so a failed write leaves nothing queued that a later flush would add.
            written = 0
            while written < len(data):
                count = os.write(fd, data[written:])
                if count == 0:  # no progress and no error: treat as a full disk, never spin
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                written += count
            os.fsync(fd)
        except OSError:
            # A full disk (ENOSPC) can leave part of the line on disk. "Send again" must append
            # after the last complete record, or every later read rejects the whole file.
            self._dirty = True
            # If the cut fails too, the journal stays dirty and the next append retries it.
            with contextlib.suppress(OSError):
                self._cut(fd)
            raise
        self._size += len(data)

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def _open_fd(self) -> int:
        if self._fd is None:
            raise JournalError(f"{self.path}: the session journal is already closed")
        return self._fd

    def _cut(self, fd: int) -> None:
        os.ftruncate(fd, self._size)
        self._dirty = False


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
