"""The recorded fixture format: one exchange with a provider per file, read, written, fingerprinted.

Layout
------
A fixture folder holds one file per exchange (one ``probe`` or ``grade`` call), named
``NNNN-TASK-QUESTION[-PROBE].jsonl``; the number is the order of recording, which is the order of
the session. Other files (README.md, answers.jsonl, dotfiles) are ignored. Each file is JSON
Lines, every line one record with sorted keys::

    {"format": 1, "type": "exchange", "fingerprint": ..., "request_hash": ..., "kind": "openai",
     "model": "gpt-4o-mini", "role": "interviewer", "task": "probe", "question_id": ...,
     "probe_number": 1, "target_key_point_ids": [...], "recorded_at": ..., "note": null,
     "redacted": false}
    {"type": "message", "role": "system", "content": "..."}       one line per message
    {"type": "chunk", "ms": 412, "text": "How would"}              one line per streamed chunk
    {"type": "done", "ms": 1020, "stop": "end", "text": "...", "usage": {...}}   always last

A grade exchange ends with ``"output": {...GraderOutput...}`` instead of ``"text"``; ``ms`` counts
milliseconds since the request started; ``stop`` is "end" or "interrupted".

Why this layout: one file per exchange means each write is a small atomic replace (a crash loses at
most the exchange in flight) and a person can delete or edit one exchange; one record per line
means a re-recording touches only the lines that changed, an error can name the exact line, and a
truncated file is recognisable (its last record is not ``done``).

Fingerprints
------------
``request_hash`` is sha256 over the task, the request parameters (question id, probe number,
target key points) and the canonical messages: the prompt ``interviewer.prompts`` renders for the
request with the fixed fence marker ``FENCE0`` (real requests get a random one), system first.
``fingerprint`` is sha256 over provider kind, model, role and the request hash: who answered what.
Sampling settings (temperature, max_tokens) are not part of it: a replay cannot know them and they
do not change which answer belongs to a request.

Nothing secret is stored: the provider level never sees keys or headers, ``base_url`` is not
recorded, and the recorder replaces key-like strings and the values of secret-named environment
variables with ``[REDACTED]`` (the header then says ``"redacted": true``; see
`interviewer.providers.record.redact`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from interviewer import paths
from interviewer.domain import FrozenModel, GraderOutput, Usage
from interviewer.errors import FixtureError
from interviewer.providers.base import GradeRequest, ProbeRequest

FORMAT_VERSION = 1
CANONICAL_FENCE = "FENCE0"
DEFAULT_MAX_ANSWER_CHARS = 6000
"""InterviewSettings.max_answer_chars default; recorder and replay must render alike."""

Task = Literal["probe", "grade"]
Stop = Literal["end", "interrupted"]
FIXTURE_NAME = re.compile(r"^\d{4,}-[A-Za-z0-9_.-]+\.jsonl$")


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Chunk:
    ms: int
    text: str


@dataclass(frozen=True)
class CanonicalRequest:
    """What a request is, independent of who answers it."""

    task: Task
    question_id: str
    probe_number: int | None
    target_key_point_ids: tuple[str, ...]
    messages: tuple[Message, ...]

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"question_id": self.question_id}
        if self.task == "probe":
            params["probe_number"] = self.probe_number
            params["target_key_point_ids"] = list(self.target_key_point_ids)
        return params

    @property
    def request_hash(self) -> str:
        return _sha256(
            {
                "task": self.task,
                "params": self.params,
                "messages": [[m.role, m.content] for m in self.messages],
            }
        )

    def describe(self) -> str:
        """e.g. "probe 2 of question prompt-injection"."""
        if self.task == "probe":
            return f"probe {self.probe_number} of question {self.question_id}"
        return f"grading of question {self.question_id}"


def fingerprint(kind: str, model: str, role: str, request_hash: str) -> str:
    return _sha256({"kind": kind, "model": model, "role": role, "request_hash": request_hash})


def _sha256(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonicalise(
    request: ProbeRequest | GradeRequest, *, max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS
) -> CanonicalRequest:
    """Render `request` the way a provider would, with the fixed fence, as canonical messages."""
    from interviewer.prompts import render_grade, render_probe

    if isinstance(request, ProbeRequest):
        rendered = render_probe(request, max_answer_chars=max_answer_chars, fence=CANONICAL_FENCE)
        probe_number: int | None = request.probe_number
        targets = request.target_key_point_ids
    else:
        rendered = render_grade(request, max_answer_chars=max_answer_chars, fence=CANONICAL_FENCE)
        probe_number, targets = None, ()
    system = Message("system", rendered.system)
    return CanonicalRequest(
        task=rendered.task,
        question_id=request.question.id,
        probe_number=probe_number,
        target_key_point_ids=targets,
        messages=(system, *(Message(m.role, m.content) for m in rendered.messages)),
    )


@dataclass(frozen=True)
class Fixture:
    """One recorded exchange."""

    id: str
    """The file name without `.jsonl`."""
    source: str
    """Where it was read from (for error messages)."""
    kind: str
    model: str
    role: str
    request: CanonicalRequest
    chunks: tuple[Chunk, ...]
    stop: Stop
    done_ms: int
    usage: Usage
    text: str | None = None
    """probe: the whole probe."""
    output: GraderOutput | None = None
    """grade: the structured grader output."""
    fingerprint: str = ""
    recorded_at: str | None = None
    note: str | None = None
    request_hash_recorded: str = ""
    """The hash in the file (for a redacted fixture, of the request before redaction)."""

    @property
    def task(self) -> Task:
        return self.request.task

    @property
    def request_hash(self) -> str:
        """What a live request must hash to for this fixture to answer it."""
        return self.request_hash_recorded or self.request.request_hash


# --- line records ---------------------------------------------------------------------------


class _Line(FrozenModel):
    """One line of a fixture file."""


class _Header(_Line):
    type: Literal["exchange"]
    format: int
    fingerprint: str
    request_hash: str
    kind: str = Field(min_length=1)
    model: str
    role: str = Field(min_length=1)
    task: Task
    question_id: str = Field(min_length=1)
    probe_number: int | None = None
    target_key_point_ids: tuple[str, ...] = ()
    recorded_at: str | None = None
    note: str | None = None
    redacted: bool = False
    """Secrets were cut from the messages: request_hash is the real request's, not theirs."""


class _MessageLine(_Line):
    type: Literal["message"]
    role: Literal["system", "user", "assistant"]
    content: str


class _ChunkLine(_Line):
    type: Literal["chunk"]
    ms: int = Field(ge=0)
    text: str


class _DoneLine(_Line):
    type: Literal["done"]
    ms: int = Field(ge=0)
    stop: Stop
    usage: Usage
    text: str | None = None
    output: GraderOutput | None = None


_ANY_LINE: TypeAdapter[_Header | _MessageLine | _ChunkLine | _DoneLine] = TypeAdapter(
    Annotated[_Header | _MessageLine | _ChunkLine | _DoneLine, Field(discriminator="type")]
)


# --- reading --------------------------------------------------------------------------------


def fixture_files(directory: Traversable) -> list[Traversable]:
    """The fixture files of a folder, in recorded order."""
    if not directory.is_dir():
        raise FixtureError(f"{directory}: fixture folder not found (record one with --record DIR)")
    files = [item for item in directory.iterdir() if FIXTURE_NAME.match(item.name)]
    return sorted(files, key=lambda item: item.name)


def load_directory(directory: Traversable, *, verify: bool = True) -> list[Fixture]:
    """Every fixture of `directory`, in recorded order; `verify` checks request hashes."""
    fixtures = [load_fixture(item, verify=verify) for item in fixture_files(directory)]
    if not fixtures:
        raise FixtureError(
            f"{directory}: no fixture files (NNNN-*.jsonl); record some with --record {directory}"
        )
    return fixtures


def load_fixture(file: Traversable, *, verify: bool = True) -> Fixture:
    """Parse one fixture file; any problem is a FixtureError naming the file and line."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{file}: cannot read fixture file: {exc}") from None
    return parse_fixture(
        text, source=str(file), fixture_id=file.name.removesuffix(".jsonl"), verify=verify
    )


def parse_fixture(text: str, *, source: str, fixture_id: str, verify: bool = True) -> Fixture:
    lines = list(_numbered_lines(text))
    if not lines:
        raise FixtureError(f"{source}:1: empty fixture file (delete it or record it again)")
    records = [(number, _parse_line(raw, number, source, lines)) for number, raw in lines]
    number, header = records[0]
    if not isinstance(header, _Header):
        raise FixtureError(f"{source}:{number}: the first record must be the exchange header")
    if header.format != FORMAT_VERSION:
        raise FixtureError(
            f"{source}:{number}: fixture format {header.format} is not supported "
            f"(this version reads format {FORMAT_VERSION}); record it again"
        )
    messages: list[Message] = []
    chunks: list[Chunk] = []
    done: _DoneLine | None = None
    for number, record in records[1:]:
        if done is not None:
            raise FixtureError(f'{source}:{number}: nothing may follow the "done" record')
        if isinstance(record, _MessageLine):
            if chunks:
                raise FixtureError(f"{source}:{number}: messages must come before the chunks")
            messages.append(Message(record.role, record.content))
        elif isinstance(record, _ChunkLine):
            if chunks and record.ms < chunks[-1].ms:
                raise FixtureError(f"{source}:{number}: chunk times must not go backwards")
            chunks.append(Chunk(record.ms, record.text))
        elif isinstance(record, _DoneLine):
            done = _check_done(record, header, chunks, source, number)
        else:
            raise FixtureError(f"{source}:{number}: a second exchange header")
    last = lines[-1][0]
    if done is None:
        raise FixtureError(
            f'{source}:{last}: truncated fixture: no "done" record after line {last} '
            "(the recording was cut short; delete the file or record it again)"
        )
    if not messages:
        raise FixtureError(f"{source}:{records[0][0]}: the exchange has no message records")
    request = CanonicalRequest(
        task=header.task,
        question_id=header.question_id,
        probe_number=header.probe_number,
        target_key_point_ids=header.target_key_point_ids,
        messages=tuple(messages),
    )
    if verify and not header.redacted and request.request_hash != header.request_hash:
        raise FixtureError(
            f"{source}:{records[0][0]}: request_hash does not match the message records "
            '(edited by hand?): replay it with match = "position", or record it again'
        )
    return Fixture(
        id=fixture_id,
        source=source,
        kind=header.kind,
        model=header.model,
        role=header.role,
        request=request,
        chunks=tuple(chunks),
        stop=done.stop,
        done_ms=done.ms,
        usage=done.usage,
        text=done.text,
        output=done.output,
        fingerprint=header.fingerprint,
        recorded_at=header.recorded_at,
        note=header.note,
        request_hash_recorded=header.request_hash,
    )


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(text.split("\n"), 1):
        if raw.strip():
            yield number, raw


def _parse_line(
    raw: str, number: int, source: str, lines: Sequence[tuple[int, str]]
) -> _Header | _MessageLine | _ChunkLine | _DoneLine:
    try:
        return _ANY_LINE.validate_json(raw)
    except ValidationError as exc:
        detail = exc.errors()[0]
        if detail["type"] in ("json_invalid", "json_type"):
            hint = " (truncated?)" if number == lines[-1][0] else ""
            raise FixtureError(
                f"{source}:{number}: not valid JSON{hint}: {detail['msg']}"
            ) from None
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            raise FixtureError(
                f"{source}:{number}: type: unknown record type (expected exchange, message, "
                "chunk or done)"
            ) from None
        where = ".".join(str(part) for part in detail["loc"])
        raise FixtureError(f"{source}:{number}: {where}: {detail['msg']}") from None


def _check_done(
    done: _DoneLine, header: _Header, chunks: list[Chunk], source: str, number: int
) -> _DoneLine:
    if chunks and done.ms < chunks[-1].ms:
        raise FixtureError(f'{source}:{number}: "done" comes before the last chunk (ms)')
    if header.task == "probe":
        if done.text is None or done.output is not None:
            raise FixtureError(f'{source}:{number}: a probe\'s "done" record needs "text" only')
    elif done.output is None or done.text is not None:
        raise FixtureError(f'{source}:{number}: a grade\'s "done" record needs "output" only')
    return done


# --- writing --------------------------------------------------------------------------------


def render_lines(fixture: Fixture, *, redacted: bool = False) -> str:
    """The file text of `fixture`."""
    request = fixture.request
    header = {
        "type": "exchange",
        "format": FORMAT_VERSION,
        "fingerprint": fingerprint(fixture.kind, fixture.model, fixture.role, request.request_hash),
        "request_hash": request.request_hash,
        "kind": fixture.kind,
        "model": fixture.model,
        "role": fixture.role,
        "task": request.task,
        "recorded_at": fixture.recorded_at,
        "note": fixture.note,
        "redacted": redacted,
        **request.params,
    }
    records: list[dict[str, Any]] = [header]
    records += [{"type": "message", "role": m.role, "content": m.content} for m in request.messages]
    records += [{"type": "chunk", "ms": c.ms, "text": c.text} for c in fixture.chunks]
    done: dict[str, Any] = {
        "type": "done",
        "ms": fixture.done_ms,
        "stop": fixture.stop,
        "usage": fixture.usage.model_dump(mode="json"),
    }
    if request.task == "probe":
        done["text"] = fixture.text
    else:
        done["output"] = fixture.output.model_dump(mode="json") if fixture.output else None
    records.append(done)
    return "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in records)


def next_fixture_path(directory: Path, request: CanonicalRequest) -> Path:
    """`directory`/NNNN-task-question[-probe].jsonl, numbered after the highest existing file."""
    highest = 0
    if directory.is_dir():
        for item in directory.iterdir():
            if FIXTURE_NAME.match(item.name):
                highest = max(highest, int(item.name.split("-", 1)[0]))
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.question_id)[:60]
    suffix = f"-{request.probe_number}" if request.task == "probe" else ""
    return directory / f"{highest + 1:04d}-{request.task}-{slug}{suffix}.jsonl"


def write_fixture(
    directory: Path, fixture: Fixture, *, clean: Callable[[str], str] | None = None
) -> Path:
    """Write `fixture` as the next file of `directory` (atomic, mode 0600) and return its path.

    `clean` may rewrite the file text (the recorder cuts secrets with it). When it changes
    anything, the header says `"redacted": true` and keeps the hash of the real request, so a
    strict replay of the same session still matches.
    """
    text = render_lines(fixture)
    if clean is not None and clean(text) != text:
        text = clean(render_lines(fixture, redacted=True))
    path = next_fixture_path(directory, fixture.request)
    try:
        paths.write_private_text(path, text)
    except OSError as exc:
        raise FixtureError(f"{path}: cannot write fixture: {exc.strerror or exc}") from None
    return path


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def messages_text(messages: Sequence[Message]) -> list[str]:
    """Messages as lines for similarity and diffs: a "## role" line, then the content."""
    lines: list[str] = []
    for message in messages:
        lines.append(f"## {message.role}")
        lines.extend(message.content.split("\n"))
    return lines
