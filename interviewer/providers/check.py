"""`interviewer providers` without a terminal: profile rows, `check` verdicts, local servers.

A check never prints a key: only the name of the variable that holds it. Each check is one line
(`Verdict`); a failed one stops the checks that depend on it (no reachability without a key).
The structured-output check sends the real grading request for a one-key-point question, once
per rung of the provider's ladder until one works, with no retries: it costs tokens on a paid
API, so `--no-call` skips it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from interviewer.config import LOCAL_KINDS, ProviderProfile, Settings
from interviewer.domain import Difficulty, Exchange, KeyPoint, Question
from interviewer.errors import InterviewerError
from interviewer.providers.retry import Transient

if TYPE_CHECKING:
    from interviewer.providers.remote import RemoteProvider

Status = Literal["ok", "warn", "fail", "skip"]

LOCAL_SERVERS: dict[int, str] = {11434: "ollama", 1234: "lmstudio", 8080: "llamacpp", 8000: "vllm"}
"""The usual port of each local OpenAI-compatible server, and the profile name we suggest."""
LOCAL_SERVER_TITLES = {"ollama": "Ollama", "lmstudio": "LM Studio", "llamacpp": "llama.cpp"}
"""How each server's makers spell it (vLLM and others: their kind as it is)."""
PROBE_TIMEOUT_S = 0.3
"""Per port: a local server answers in milliseconds; nothing listening fails at once."""

CHECK_QUESTION = Question(
    id="check",
    text="What does HTTPS add to HTTP?",
    difficulty=Difficulty.EASY,
    sample_answer="HTTPS encrypts traffic with TLS and authenticates the server.",
    key_points=(
        KeyPoint(id="tls", text="Encryption with TLS", probes=("How is the traffic protected?",)),
    ),
)
CHECK_ANSWER = "It encrypts the connection with TLS so nobody can read it on the way."


@dataclass(frozen=True)
class Verdict:
    """One line of `providers check`."""

    check: str
    status: Status
    detail: str
    took_s: float | None = None
    """How long the check's request took, where it made one (the model list)."""

    def line(self) -> str:
        return f"  {self.status.upper():<4} {self.check:<11} {self.detail}"


@dataclass(frozen=True)
class ProfileRow:
    """One row of `interviewer providers`: no secret, only where the key comes from."""

    name: str
    kind: str
    model: str
    server: str
    key: str


def key_status(profile: ProviderProfile, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    if profile.kind in LOCAL_KINDS:
        return "not needed"
    if profile.api_key_env:
        if env.get(profile.api_key_env, "").strip():
            return f"key set in ${profile.api_key_env}"
        return f"missing: set ${profile.api_key_env}"
    return "keyless local server" if profile.base_url else "missing: set api_key_env"


def server_of(profile: ProviderProfile) -> str:
    if profile.kind == "offline":
        return "(embedded, no network)"
    if profile.kind == "replay":
        return "(recorded fixtures)"
    if profile.base_url:
        return profile.base_url
    return "api.openai.com" if profile.kind == "openai" else "api.anthropic.com"


def profile_rows(settings: Settings, environ: Mapping[str, str] | None = None) -> list[ProfileRow]:
    rows = []
    for name in settings.profile_names():
        profile = settings.profile(name)
        rows.append(
            ProfileRow(
                name,
                profile.kind,
                profile.model or "-",
                server_of(profile),
                key_status(profile, environ),
            )
        )
    return rows


def model_listed(model: str, ids: Sequence[str]) -> bool:
    """The model, or the dated snapshot an alias names (claude-haiku-4-5-20251001), or Ollama's
    default tag (llama3.1 is llama3.1:latest)."""
    return any(i == model or i.startswith(f"{model}-") or i == f"{model}:latest" for i in ids)


async def check_profile(settings: Settings, name: str, *, call: bool = True) -> list[Verdict]:
    """Every check of profile `name`, in order; a failed check skips those that need it."""
    profile = settings.profile(name)
    if profile.kind in LOCAL_KINDS:
        what = "plays recorded fixtures" if profile.kind == "replay" else "no key, no network"
        return [Verdict("ready", "ok", f"{what}: ready")]
    verdicts: list[Verdict] = []
    key = key_status(profile)
    if key.startswith("missing"):
        return [Verdict("key", "fail", f"{key} (api_key_env of [providers.{name}])")]
    verdicts.append(Verdict("key", "ok", key))
    # One request per check: the user wants to know what is wrong now, not after retries.
    quick = profile.model_copy(update={"max_retries": 0})
    provider = _build(settings, name, quick)
    try:
        started = time.perf_counter()
        try:
            ids = await provider.list_models()
        except (InterviewerError, Transient) as exc:
            verdicts.append(Verdict("reachable", "fail", str(exc)))
            return verdicts
        took = time.perf_counter() - started
        verdicts.append(
            Verdict("reachable", "ok", f"{server_of(profile)} lists {len(ids)} models", took)
        )
        if model_listed(profile.model, ids):
            verdicts.append(Verdict("model", "ok", f"{profile.model} is served"))
        else:
            shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
            verdicts.append(
                Verdict(
                    "model",
                    "fail",
                    f"{profile.model} is not in the server's list ({shown or 'empty'}); "
                    f"set model in [providers.{name}]",
                )
            )
            return verdicts
        verdicts.append(Verdict("latency", "ok", f"model list in {took * 1000:.0f} ms"))
        if not call:
            verdicts.append(Verdict("structured", "skip", "not tried (--no-call)"))
            return verdicts
        verdicts.extend(await _structured(provider))
    finally:
        await provider.aclose()
    return verdicts


def _build(settings: Settings, name: str, profile: ProviderProfile) -> RemoteProvider:
    """The provider for `profile`, never wrapped in the recorder (a check is not a session)."""
    from interviewer.config import RecordSettings
    from interviewer.providers.registry import build_provider

    quick = settings.model_copy(
        update={"providers": {**settings.providers, name: profile}, "record": RecordSettings()}
    )
    from interviewer.providers.remote import RemoteProvider

    provider = build_provider(quick, name, "grader")
    assert isinstance(provider, RemoteProvider)  # openai and anthropic kinds only
    return provider


async def _structured(provider: RemoteProvider) -> list[Verdict]:
    from interviewer.prompts import render_grade
    from interviewer.providers.base import GradeRequest
    from interviewer.providers.structured import InvalidGrade, grade_schema, parse_grade

    request = GradeRequest(
        question=CHECK_QUESTION,
        exchanges=(Exchange(kind="question", prompt=CHECK_QUESTION.text, answer=CHECK_ANSWER),),
    )
    started = time.perf_counter()
    try:
        raw, rung = await provider.structured_reply(
            render_grade(request), grade_schema(CHECK_QUESTION)
        )
    except (InterviewerError, Transient) as exc:
        return [Verdict("structured", "fail", str(exc))]
    took = time.perf_counter() - started
    latency = Verdict("grading", "ok", f"one grading call in {took:.1f} s")
    try:
        parse_grade(raw, CHECK_QUESTION)
    except InvalidGrade as exc:
        return [
            Verdict(
                "structured",
                "warn",
                f"{rung} is taken, but the reply was not a usable grade ({exc}): a real "
                "grading call would need a repair turn",
            ),
            latency,
        ]
    return [Verdict("structured", "ok", f"{rung} works: the reply is a valid grade"), latency]


@dataclass(frozen=True)
class LocalServer:
    """An OpenAI-compatible server found listening on this machine."""

    kind: str
    port: int
    models: tuple[str, ...]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def title(self) -> str:
        return LOCAL_SERVER_TITLES.get(self.kind, self.kind)

    @property
    def profile_name(self) -> str:
        return f"{self.kind}-local"

    def profile(self) -> ProviderProfile:
        """The profile that uses this server's first model; local models are slow, so the
        time budgets are those of the built-in `ollama` profile."""
        return ProviderProfile(
            kind="openai",
            base_url=self.base_url,
            model=self.models[0] if self.models else "MODEL",
            timeout_s=300,
            call_budget_s=600,
        )

    def profile_toml(self) -> str:
        """`profile()` as a config table ready to paste (the other models as a comment)."""
        profile = self.profile()
        lines = [
            f"[providers.{self.profile_name}]",
            f'kind = "{profile.kind}"',
            f'base_url = "{profile.base_url}"',
            f'model = "{profile.model}"',
            f"timeout_s = {profile.timeout_s:g}",
            f"call_budget_s = {profile.call_budget_s:g}",
        ]
        if len(self.models) > 1:
            lines.append(f"# also served: {', '.join(self.models[1:])}")
        return "\n".join(lines)


async def _probe(client: object, port: int, kind: str) -> LocalServer | None:
    import httpx2

    assert isinstance(client, httpx2.AsyncClient)
    models: list[str] = []
    urls = [f"http://127.0.0.1:{port}/v1/models"]
    if kind == "ollama":
        urls.append(f"http://127.0.0.1:{port}/api/tags")
    found = False
    for url in urls:
        try:
            response = await client.get(url)
            body = response.json() if response.status_code == 200 else None
        except (httpx2.HTTPError, ValueError):
            continue
        if not isinstance(body, dict):
            continue
        found = True
        for item in body.get("data") or body.get("models") or ():
            ident = item.get("id") or item.get("name") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident not in models:
                models.append(ident)
    return LocalServer(kind, port, tuple(models)) if found else None


async def _listening(port: int, timeout_s: float) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout_s)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def detect_local(
    ports: Mapping[int, str] | None = None, timeout_s: float | None = None
) -> list[LocalServer]:
    """Local servers listening on their usual ports (all probed at once, `timeout_s` each;
    None: `PROBE_TIMEOUT_S`, read at the call so the test suite can lengthen it on a loaded
    machine)."""
    wanted = LOCAL_SERVERS if ports is None else ports
    timeout = PROBE_TIMEOUT_S if timeout_s is None else timeout_s
    # A bare connect first: a closed port refuses at once, and with none open (the usual case)
    # the HTTP client is not even imported (the TUI looks while it launches).
    listening = await asyncio.gather(*(_listening(port, timeout) for port in wanted))
    open_ports = {p: kind for (p, kind), up in zip(wanted.items(), listening, strict=True) if up}
    if not open_ports:
        return []
    import httpx2

    async with httpx2.AsyncClient(timeout=timeout, trust_env=False) as client:
        found = await asyncio.gather(
            *(_probe(client, port, kind) for port, kind in open_ports.items())
        )
    return [server for server in found if server is not None]
