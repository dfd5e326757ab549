"""The recorder: wraps any provider and writes each exchange as a fixture (`--record DIR`).

It works at the Provider-protocol level: it sees requests and the events the inner provider
yields, never HTTP, so keys, headers and base URLs cannot reach a fixture. Events pass through
unchanged and as they arrive; the fixture is written (atomically, mode 0600) once the final event
is in, before that event is handed on. Key-like strings in the exchange (a candidate may paste a
key into an answer, a model may echo it) and the values of secret-named environment variables are
replaced by "[REDACTED]" on the way to disk, and so is the value of the variable the profile's
`api_key_env` names, whatever that name; streamed chunks are also checked joined, since a
key streamed in pieces is not key-shaped in any one chunk. An exchange that raises, or that the
caller abandons before its final event, is not written: a fixture always holds a complete exchange.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer import paths
from interviewer.errors import FixtureError
from interviewer.providers.base import (
    AssessDone,
    AssessRequest,
    GradeDone,
    GradeEvent,
    GradeRequest,
    ProbeDone,
    ProbeEvent,
    ProbeRequest,
    Provider,
    Role,
    TextDelta,
)
from interviewer.providers.fixture_io import write_fixture
from interviewer.providers.fixtures import CanonicalRequest, Chunk, Fixture, canonicalise, now_iso

if TYPE_CHECKING:
    from interviewer.config import ProviderProfile

# Key shapes of the vendors we talk to. Header and field names (Authorization, x-api-key) are not
# secrets and never reach this level; the test suite scans for those too.
SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}"),
    re.compile(r"\bsk-(?:proj-|svcacct-|admin-|or-v1-)?[A-Za-z0-9_-]{20,}"),
    re.compile(r"\bBearer\s+(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/=-]{20,}"),
    re.compile(r"\borg-[A-Za-z0-9]{20,}"),
)
REDACTED = "[REDACTED]"
_SECRET_ENV_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)


def secret_env_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of environment variables whose names say they hold a secret (8+ characters)."""
    env = os.environ if environ is None else environ
    return [
        value for name, value in env.items() if _SECRET_ENV_NAME.search(name) and len(value) >= 8
    ]


def profile_key_values(
    profile: ProviderProfile, environ: Mapping[str, str] | None = None
) -> list[str]:
    """The value of the variable `profile.api_key_env` names, as set and stripped (the form the
    provider sends). It is a secret whatever the variable is called (COMPAT_CRED, MY_LLM...)."""
    env = os.environ if environ is None else environ
    value = env.get(profile.api_key_env, "") if profile.api_key_env else ""
    return [v for v in dict.fromkeys((value, value.strip())) if len(v) >= 8]


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`text` (JSON lines) with key-like strings and the `extra` values replaced by REDACTED."""
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    for value in extra:
        if len(value) >= 8:
            text = text.replace(json.dumps(value, ensure_ascii=False)[1:-1], REDACTED)
    return text


def redact_plain(text: str, extra: Iterable[str] = ()) -> str:
    """`redact` for plain text (not JSON-escaped)."""
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    for value in extra:
        if len(value) >= 8:
            text = text.replace(value, REDACTED)
    return text


def redact_chunks(chunks: list[Chunk], extra: Iterable[str] = ()) -> list[Chunk] | None:
    """None when redacting chunk by chunk is enough, else one chunk with the text redacted.

    `redact` sees one line at a time, and a key streamed in pieces spreads over several chunk
    lines, each too short to look like a key. Checking the joined text catches it; the pieces
    are then replaced by one chunk (at the last chunk's time), since any piece may hold part of
    the key. When every secret lies within one chunk, the chunks (and their timing) are kept.
    """
    extra = list(extra)
    joined = "".join(chunk.text for chunk in chunks)
    cleaned = redact_plain(joined, extra)
    if cleaned == "".join(redact_plain(chunk.text, extra) for chunk in chunks):
        return None
    return [Chunk(chunks[-1].ms, cleaned)]


def _mark_redacted(text: str) -> str:
    """The fixture text with its header (the first line) saying `"redacted": true`."""
    first, newline, rest = text.partition("\n")
    header = json.loads(first)
    header["redacted"] = True
    return json.dumps(header, sort_keys=True, ensure_ascii=False) + newline + rest


def record_folder(directory: Path) -> Path:
    """Create the --record folder (private) and return it; FixtureError when it cannot be."""
    folder = Path(directory).expanduser()
    try:
        paths.ensure_private_dir(folder)
    except OSError as exc:
        raise FixtureError(
            f"{folder}: cannot create the --record folder: {exc.strerror or exc}"
        ) from None
    return folder


class RecordingProvider:
    """A Provider that records every exchange of `inner` into `directory`."""

    def __init__(
        self,
        inner: Provider,
        directory: Path,
        *,
        profile: ProviderProfile,
        role: Role,
        clock: Callable[[], float] = time.perf_counter,
        kind: str | None = None,
        note: str | None = None,
    ) -> None:
        """`kind` overrides the recorded provider kind (e.g. "scripted" for hand-written
        fixtures); `note` is stored in every fixture header."""
        self.inner = inner
        self.directory = record_folder(directory)
        self._kind = kind or profile.kind
        self._model = profile.model
        self._profile = profile
        self._role = role
        self._clock = clock
        self._note = note
        self.written: list[Path] = []
        """Fixture files written so far, in order."""

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def is_local(self) -> bool:
        return self.inner.is_local

    async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        canonical = canonicalise(request)
        start = self._clock()
        chunks: list[Chunk] = []
        async for event in self.inner.probe(request):
            if isinstance(event, TextDelta):
                chunks.append(Chunk(self._ms(start), event.text))
                yield event
                continue
            self._write(canonical, chunks, start, event)
            yield event

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        canonical = canonicalise(request)
        start = self._clock()
        chunks: list[Chunk] = []
        async for event in self.inner.grade(request):
            if isinstance(event, TextDelta):
                chunks.append(Chunk(self._ms(start), event.text))
                yield event
                continue
            self._write(canonical, chunks, start, event)
            yield event

    async def assess(self, request: AssessRequest) -> AssessDone:
        canonical = canonicalise(request)
        start = self._clock()
        done = await self.inner.assess(request)
        self._write(canonical, [], start, done)
        return done

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _ms(self, start: float) -> int:
        return max(0, round((self._clock() - start) * 1000))

    def _write(
        self,
        request: CanonicalRequest,
        chunks: list[Chunk],
        start: float,
        final: ProbeDone | GradeDone | AssessDone,
    ) -> None:
        done_ms = max(self._ms(start), chunks[-1].ms if chunks else 0)
        interrupted = not isinstance(final, AssessDone) and final.interrupted
        # The profile's own key first: it is read now, as the provider read it.
        secrets = profile_key_values(self._profile) + secret_env_values()
        redacted = redact_chunks(chunks, secrets)
        if redacted is not None:
            chunks = redacted
        fixture = Fixture(
            id="",
            source="",
            kind=self._kind,
            model=self._model,
            role=self._role,
            request=request,
            chunks=tuple(chunks),
            stop="interrupted" if interrupted else "end",
            done_ms=done_ms,
            usage=final.usage,
            text=final.text if isinstance(final, ProbeDone) else None,
            output=final.output if isinstance(final, (GradeDone, AssessDone)) else None,
            recorded_at=now_iso(),
            note=self._note,
        )

        def clean(text: str) -> str:
            text = redact(text, secrets)
            # write_fixture marks the header only when `clean` changes something; the chunks
            # were redacted before rendering, so say it here.
            return _mark_redacted(text) if redacted is not None else text

        path = write_fixture(self.directory, fixture, clean=clean)
        self.written.append(path)
