"""The recorded fixture format: one exchange with a provider per file, and its fingerprint.

Reading and writing the files is `providers.fixture_io`.

Layout
------
A fixture folder holds one file per exchange (one ``probe``, ``grade``, ``assess`` or
``feedback`` call), named
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

A grade exchange ends with ``"output": {...GraderOutput...}`` instead of ``"text"``; so do an
``assess`` exchange (the verdicts after an answer, no chunks, no prose) and a ``feedback`` one
(the closing prose for verdicts an assessment decided; its output repeats those verdicts). ``ms``
counts milliseconds since the request started; ``stop`` is "end" or "interrupted". Folders
recorded before assessments existed hold no ``assess`` exchange; replaying one, the engine
decides its probes with the offline estimate, as the recording session did.

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from interviewer.domain import GraderOutput, Usage
from interviewer.providers.base import AssessRequest, GradeRequest, ProbeRequest

FORMAT_VERSION = 1
CANONICAL_FENCE = "FENCE0"

Task = Literal["probe", "grade", "assess", "feedback"]
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
        if self.task == "assess":
            return f"assessment of question {self.question_id}"
        if self.task == "feedback":
            return f"feedback on question {self.question_id}"
        return f"grading of question {self.question_id}"


def fingerprint(kind: str, model: str, role: str, request_hash: str) -> str:
    return _sha256({"kind": kind, "model": model, "role": role, "request_hash": request_hash})


def _sha256(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonicalise(request: ProbeRequest | GradeRequest | AssessRequest) -> CanonicalRequest:
    """Render `request` the way a provider would, with the fixed fence, as canonical messages."""
    from interviewer.prompts import render_assess, render_feedback, render_grade, render_probe

    probe_number: int | None = None
    targets: tuple[str, ...] = ()
    if isinstance(request, ProbeRequest):
        rendered = render_probe(request, fence=CANONICAL_FENCE)
        probe_number = request.probe_number
        targets = request.target_key_point_ids
    elif isinstance(request, AssessRequest):
        rendered = render_assess(request, fence=CANONICAL_FENCE)
    elif request.verdicts is not None:
        rendered = render_feedback(request, request.verdicts, fence=CANONICAL_FENCE)
    else:
        rendered = render_grade(request, fence=CANONICAL_FENCE)
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
    """grade, assess, feedback: the structured grader output."""
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


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def messages_text(messages: Sequence[Message]) -> list[str]:
    """Messages as lines for similarity and diffs: a "## role" line, then the content."""
    lines: list[str] = []
    for message in messages:
        lines.append(f"## {message.role}")
        lines.extend(message.content.split("\n"))
    return lines
