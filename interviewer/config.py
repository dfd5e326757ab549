"""Settings: pydantic models with a docstring under every field, and `load_config`.

Precedence, lowest first: defaults < config file < environment < command line. The file is the
one named by `--config`, else by `$INTERVIEWER_CONFIG`, else `config.toml` in the platform config
dir (absent is fine: the defaults run the offline provider).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from interviewer import paths
from interviewer.domain import Difficulty
from interviewer.errors import ConfigError

ProviderKind = Literal["offline", "replay", "openai", "anthropic"]
LOCAL_KINDS: tuple[ProviderKind, ...] = ("offline", "replay")
"""Kinds that need no key and no network: always ready."""
StructuredOutput = Literal["auto", "json_schema", "tools", "json_object", "prompt"]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high"]

REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
"""OpenAI's reasoning models: they think before answering, out of the same token budget."""
DEFAULT_MAX_TOKENS = 1024
REASONING_MAX_TOKENS = 8192
"""Default budget for reasoning models: 1,024 tokens is spent on reasoning before any output."""
REASONING_EFFORT_DEFAULT: ReasoningEffort = "low"
"""Grading needs little deliberation; "low" leaves the budget for the answer."""
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts whose calls cost nothing and leave no machine (no cost confirmation for them)."""
FIRST_TOKEN_S = 45.0
"""Default wait for a hosted API's first token: seconds even for a reasoning model at low effort."""
LOCAL_FIRST_TOKEN_S = 240.0
"""Default for a server on this machine: a model on the CPU reads the whole prompt first."""


def is_reasoning_model(model: str) -> bool:
    """gpt-5*, o1/o3/o4*, also behind a router's vendor prefix ("openai/gpt-5")."""
    return model.rsplit("/", 1)[-1].startswith(REASONING_PREFIXES)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProviderProfile(_Strict):
    """One way to reach a model: `[providers.NAME]` in the config file."""

    kind: ProviderKind
    """offline (embedded, no network), replay (recorded fixtures), openai (Chat Completions, any
    OpenAI-compatible base_url), anthropic (Messages API)."""
    model: str = ""
    """Model name as the server knows it, e.g. "gpt-4o-mini" or "claude-haiku-4-5"."""
    base_url: str | None = None
    """Server address for OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp,
    OpenRouter). Unset means the vendor's own API."""
    api_key_env: str | None = None
    """Name of the environment variable that holds the key. The key itself never goes in config.
    Unset with a custom base_url means a keyless local server (a placeholder key is sent)."""
    timeout_s: float = Field(default=60.0, gt=0)
    """Seconds allowed for a whole non-streamed (grading) request, first byte to last. Streams
    are bounded by first_token_timeout_s and idle_timeout_s instead. Local models are slow:
    raise it."""
    connect_timeout_s: float = Field(default=10.0, gt=0)
    """Time allowed to open the connection."""
    first_token_timeout_s: float | None = Field(default=None, gt=0)
    """Seconds from sending a request to the first token of its reply: the first text of a
    streamed probe, the first byte of a grading reply (a server sends that when it has
    finished, so for grading timeout_s bounds it too). Unset: 45, or 240 for a server on this
    machine (base_url on localhost, 127.0.0.1 or ::1). Then the call is retried within
    call_budget_s."""
    idle_timeout_s: float = Field(default=30.0, gt=0)
    """A stream silent for this long after its first token is ended and marked interrupted
    (retried when nothing was shown yet)."""
    call_budget_s: float = Field(default=120.0, gt=0)
    """Longest one probe (to its first text) or grading call may take, retries and waits
    included; then the bank's probe or the grading-failed path takes over. Raise it for slow
    local models."""
    temperature: float = Field(default=0.2, ge=0, le=2)
    """Sampling temperature; grading always uses at most this."""
    max_tokens: int = Field(default=DEFAULT_MAX_TOKENS, ge=16, le=64000)
    """Cap on tokens the model may write per call, reasoning included (unset: 1024, or 8192 for
    reasoning models). A reply cut by this cap is retried once with twice the budget."""
    reasoning_effort: ReasoningEffort | None = None
    """openai kind: how long a reasoning model thinks (none/minimal/low/medium/high). Unset:
    "low" for OpenAI's reasoning models (gpt-5, o-series), not sent otherwise."""
    price_input_per_mtok: float = Field(default=0.0, ge=0)
    """US dollars per million input tokens (for the cost shown in reports)."""
    price_output_per_mtok: float = Field(default=0.0, ge=0)
    """US dollars per million output tokens."""
    price_cached_input_per_mtok: float | None = Field(default=None, ge=0)
    """US dollars per million cached input tokens; unset means the input price."""
    structured_output: StructuredOutput = "auto"
    """How to get structured grading: json_schema (response_format / output_config), tools
    (forced tool use), json_object (openai kind: JSON mode, with the schema for compatible
    servers), prompt (JSON asked for in the prompt), or auto (try them in that order, remember
    the first that works for the session)."""
    max_retries: int = Field(default=3, ge=0, le=10)
    """Retries of connection errors, timeouts, 408/409/429/5xx/529 (our one retry layer)."""
    retry_max_wait_s: float = Field(default=30.0, ge=0)
    """Longest single wait between retries, including a server's retry-after."""
    fixtures: Path | None = None
    """replay only: folder of recorded fixtures (default: the shipped demo set)."""
    match: Literal["strict", "position"] = "strict"
    """replay only: strict matches requests by fingerprint; position replays in recorded order."""
    pace: bool = False
    """replay only: stream chunks at the recorded pace instead of instantly."""

    @field_validator("structured_output", mode="before")
    @classmethod
    def _tool_is_tools(cls, value: object) -> object:
        # "tool" was the name before json_object joined the ladder; old configs keep working.
        return "tools" if value == "tool" else value

    @property
    def local_server(self) -> bool:
        """The profile's server runs on this machine (base_url on a loopback host)."""
        host = urlsplit(self.base_url).hostname if self.base_url else None
        return host in LOCAL_HOSTS

    @property
    def first_token_s(self) -> float:
        """first_token_timeout_s as set, else the default for where the server runs."""
        if self.first_token_timeout_s is not None:
            return self.first_token_timeout_s
        return LOCAL_FIRST_TOKEN_S if self.local_server else FIRST_TOKEN_S

    @property
    def token_budget(self) -> int:
        """max_tokens as set, else the default for this model."""
        if "max_tokens" in self.model_fields_set or not is_reasoning_model(self.model):
            return self.max_tokens
        return REASONING_MAX_TOKENS

    @property
    def effort(self) -> ReasoningEffort | None:
        """reasoning_effort to send: as set, else the default for OpenAI's reasoning models."""
        if self.reasoning_effort is not None:
            return self.reasoning_effort
        if self.kind == "openai" and self.base_url is None and is_reasoning_model(self.model):
            return REASONING_EFFORT_DEFAULT
        return None

    @field_validator("fixtures")
    @classmethod
    def _expand_fixtures(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @model_validator(mode="after")
    def _needs_model(self) -> ProviderProfile:
        if self.kind in ("openai", "anthropic") and not self.model:
            raise ValueError(f"a provider of kind {self.kind!r} needs `model`")
        if self.kind == "anthropic" and self.structured_output == "json_object":
            raise ValueError(
                "structured_output = 'json_object' is for the openai kind; the anthropic kind "
                "takes auto, json_schema, tools or prompt"
            )
        return self


BUILTIN_PROFILES: dict[str, ProviderProfile] = {
    "offline": ProviderProfile(kind="offline"),
    "replay": ProviderProfile(kind="replay"),
    "openai": ProviderProfile(
        kind="openai",
        model="gpt-4o-mini",
        api_key_env="OPENAI_API_KEY",
        price_input_per_mtok=0.15,
        price_output_per_mtok=0.60,
        price_cached_input_per_mtok=0.075,
    ),
    "anthropic": ProviderProfile(
        kind="anthropic",
        model="claude-haiku-4-5",
        api_key_env="ANTHROPIC_API_KEY",
        price_input_per_mtok=1.0,
        price_output_per_mtok=5.0,
        price_cached_input_per_mtok=0.1,
    ),
    "ollama": ProviderProfile(
        kind="openai",
        model="llama3.1:8b",
        base_url="http://127.0.0.1:11434/v1",
        timeout_s=300,
        idle_timeout_s=120,
        call_budget_s=600,
    ),
    "openrouter": ProviderProfile(
        kind="openai",
        model="openai/gpt-4o-mini",
        base_url="https://openrouter.ai/api/v1",
        api_key_env="OPENROUTER_API_KEY",
    ),
}
"""Profiles that work with no `[providers]` table; a user table of the same name replaces one."""


class InterviewSettings(_Strict):
    """`[interview]`: which questions, how many, and how the interview behaves."""

    bank: str = "ai-security"
    """Bank id (see `interviewer bank list`) or path to a bank file."""
    difficulty: list[Difficulty] = Field(default_factory=list)
    """Only ask questions of these difficulties; empty means all."""
    count: int = Field(default=5, ge=1, le=100)
    """How many questions per session (fewer if the bank has fewer)."""
    seed: int | None = None
    """Seed for the question order; unset means a new order each session."""
    max_probes: int = Field(default=2, ge=0, le=5)
    """Follow-up probes per question at most; fewer when the answer already covers the points."""
    mode: Literal["interview", "practice"] = "interview"
    """interview: feedback at the end, like a real interview. practice: feedback after each
    question, and the sample answer on request."""
    min_answer_words: int = Field(default=8, ge=1)
    """Answers shorter than this are recognised as too short before any provider call. A question
    whose sample answer is short asks for less: a third of the sample answer's words, at least 1
    (`interviewer.grading.checks.min_words_for`)."""
    max_answer_chars: int = Field(default=6000, ge=200)
    """Longer answers are cut to this many characters before grading, with a visible notice."""
    question_time_limit_s: int = Field(default=0, ge=0)
    """Per-question timer shown in the TUI (0: no timer). Advisory: nothing is cut off."""


class RecordSettings(_Strict):
    """`[record]`: write every provider exchange to fixture files."""

    dir: Path | None = None
    """Folder for recorded fixtures; unset means do not record. `--record DIR` sets it."""

    @field_validator("dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None


class Settings(_Strict):
    """The whole configuration."""

    provider: str = "offline"
    """Profile used for follow-up probes and, unless grader_provider is set, for grading."""
    grader_provider: str | None = None
    """Profile used for grading; lets a fast model probe and a strong one grade."""
    interview: InterviewSettings = Field(default_factory=InterviewSettings)
    """Interview options."""
    providers: dict[str, ProviderProfile] = Field(default_factory=dict)
    """Named provider profiles, merged over the built-in ones."""
    record: RecordSettings = Field(default_factory=RecordSettings)
    """Recording options."""

    @property
    def grader_profile_name(self) -> str:
        """The profile that grades: grader_provider when set, else provider."""
        return self.grader_provider or self.provider

    def profile(self, name: str) -> ProviderProfile:
        profiles = {**BUILTIN_PROFILES, **self.providers}
        try:
            return profiles[name]
        except KeyError:
            known = ", ".join(sorted(profiles))
            raise ConfigError(
                f"unknown provider {name!r}: define [providers.{name}] in the config file "
                f"or use one of: {known}"
            ) from None

    def profile_names(self) -> list[str]:
        return sorted({**BUILTIN_PROFILES, **self.providers})

    def using(self, name: str, profile: ProviderProfile) -> Settings:
        """These settings with `profile` as profile `name` for probes and grading alike: a
        choice for one session (the TUI's local server), held in memory, never written."""
        return self.model_copy(
            update={
                "provider": name,
                "grader_provider": None,
                "providers": {**self.providers, name: profile},
            }
        )


# Environment variables that override single keys; anything else belongs in the file.
ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "INTERVIEWER_PROVIDER": ("provider",),
    "INTERVIEWER_GRADER_PROVIDER": ("grader_provider",),
    "INTERVIEWER_BANK": ("interview", "bank"),
    "INTERVIEWER_COUNT": ("interview", "count"),
    "INTERVIEWER_MODE": ("interview", "mode"),
    "INTERVIEWER_MAX_PROBES": ("interview", "max_probes"),
    "INTERVIEWER_RECORD_DIR": ("record", "dir"),
}


def find_config_file(explicit: Path | None) -> Path | None:
    """`--config`, else `$INTERVIEWER_CONFIG`, else the platform file if it exists."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found (given with --config)")
        return explicit
    from_env = os.environ.get(paths.ENV_CONFIG)
    if from_env:
        path = Path(from_env).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found (named by ${paths.ENV_CONFIG})")
        return path
    default = paths.default_config_file()
    return default if default.is_file() else None


def _set_path(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    node = data
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            return
        node = child
    node[keys[-1]] = value


def _format_errors(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against config.example.toml)"
        lines.append(f"{source}: {key}: {message}")
    return "\n".join(lines)


def load_config(
    path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[tuple[str, ...], Any] | None = None,
) -> tuple[Settings, Path | None]:
    """Load settings; return them with the file they came from (None: defaults only).

    `overrides` are command-line values keyed by their path, e.g. ("interview", "count").
    """
    env = os.environ if environ is None else environ
    source = find_config_file(path)
    data: dict[str, Any] = {}
    if source is not None:
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source}: cannot read config file: {exc}") from None
    env_used: list[str] = []
    for var, keys in ENV_OVERRIDES.items():
        if env.get(var):
            _set_path(data, keys, env[var])
            env_used.append(var)
    for keys, value in (overrides or {}).items():
        if value is not None:
            _set_path(data, keys, value)
    label = str(source) if source else "defaults"
    if env_used:
        label += f" (with {', '.join(env_used)} from the environment)"
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, label)) from None
    for role, name in (
        ("provider", settings.provider),
        ("grader_provider", settings.grader_provider),
    ):
        if name is not None:
            try:
                settings.profile(name)
            except ConfigError as exc:
                raise ConfigError(f"{label}: {role}: {exc}") from None
    return settings, source
