"""Reading and writing fixture files: one JSON record a line, as `providers.fixtures` describes.

Errors name the file and line and say what to do; writes are atomic and mode 0600.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from interviewer import paths
from interviewer.domain import FrozenModel, GraderOutput, Usage
from interviewer.errors import FixtureError
from interviewer.providers.fixtures import (
    FIXTURE_NAME,
    FORMAT_VERSION,
    CanonicalRequest,
    Chunk,
    Fixture,
    Message,
    Stop,
    Task,
    fingerprint,
)

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
        raise FixtureError(
            f'{source}:{number}: a {header.task}\'s "done" record needs "output" only'
        )
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
