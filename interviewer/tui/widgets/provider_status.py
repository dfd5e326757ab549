"""The Start screen's provider line: what will answer, whether it is ready, and a local server
offered as a one-key choice.

Both lookups are `interviewer.providers.check`'s, run in thread workers once the first frame is
drawn, so neither slows the launch nor holds the UI: the readiness check is `providers check
--no-call` (key, model list, model served; no model call, no tokens), the local servers are
those answering on their usual ports. Offline and replay are ready at once, with no worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.worker import get_current_worker

from interviewer.config import LOCAL_KINDS, ProviderProfile, Settings
from interviewer.errors import ConfigError
from interviewer.text.sanitize import clean_line
from interviewer.tui.ports import ProviderProbes, SessionProvider
from interviewer.tui.widgets.safe import SafeStatic

if TYPE_CHECKING:
    from interviewer.providers.check import LocalServer, Verdict

_API = {"openai": "OpenAI", "anthropic": "Anthropic"}
USE_LOCAL_KEY = "l"


def profile_label(settings: Settings, name: str) -> str:
    """What answers for profile `name`: its name and model, then how it is reached: "ollama:
    llama3.1:8b (OpenAI-compatible server at localhost:11434)", "openai: gpt-4o-mini (OpenAI
    API)". The wire format is not the vendor: a local model spoken to in OpenAI's format is not
    an OpenAI model."""
    try:
        profile = settings.profile(name)
    except ConfigError:
        return f"{name} (not configured)"
    if profile.kind == "offline":
        return "offline (embedded grader, no network, no key)"
    if profile.kind == "replay" and profile.fixtures is None:
        # The shipped demo: hand-written replies, whatever the candidate types.
        where = "a scripted demo interview: hand-written replies played back, no network"
    elif profile.kind == "replay":
        where = "recorded replies played back, no network"
    elif profile.base_url:
        api = _API.get(profile.kind, profile.kind)
        where = f"{api}-compatible server at {_server(profile.base_url)}"
    else:
        where = f"{_API.get(profile.kind, profile.kind)} API"
    return f"{name}: {profile.model} ({where})" if profile.model else f"{name} ({where})"


def provider_label(settings: Settings) -> str:
    """`profile_label` for the one or two roles."""
    label = profile_label(settings, settings.provider)
    if settings.grader_provider and settings.grader_provider != settings.provider:
        label += f"; grading by {profile_label(settings, settings.grader_provider)}"
    return label


def _server(base_url: str) -> str:
    """host:port of a base URL (the path and any credentials in it are not for the screen)."""
    try:
        parsed = urlsplit(base_url)
        host, port = parsed.hostname, parsed.port
    except ValueError:
        return clean_line(base_url)
    if not host:
        return clean_line(base_url)
    return clean_line(f"{host}:{port}" if port else host)


def verdict_summary(profile: ProviderProfile, verdicts: Sequence[Verdict]) -> tuple[bool, str]:
    """(ready, one line) from the checks of `profile`: "key set, reachable (120 ms), model
    served", or the first failure and what to do about it."""
    failed = next((v for v in verdicts if v.status == "fail"), None)
    if failed is not None:
        if failed.check == "key" and profile.api_key_env:
            return False, f"{profile.api_key_env} is not set: export it or choose another provider"
        return False, f"{failed.detail} (or choose another provider)"
    if any(v.check == "ready" for v in verdicts):
        return True, "ready"
    parts = ["key set" if profile.api_key_env else "no key needed"]
    for verdict in verdicts:
        if verdict.check == "reachable":
            took = "" if verdict.took_s is None else f" ({verdict.took_s * 1000:.0f} ms)"
            parts.append(f"reachable{took}")
        elif verdict.check == "model":
            parts.append("model served")
    return True, ", ".join(parts)


def _same_server(a: str | None, b: str) -> bool:
    if a is None:
        return False
    return _server(a).replace("localhost", "127.0.0.1") == _server(b).replace(
        "localhost", "127.0.0.1"
    )


@dataclass(frozen=True)
class LocalOffer:
    """A local server not in use yet, and the profile pressing `USE_LOCAL_KEY` would choose."""

    server: LocalServer
    choice: SessionProvider
    existing: bool = False
    """The profile is one of the config's (it points there and names a served model)."""

    def line(self) -> str:
        server = self.server
        count = len(server.models)
        models = f"{count} model" if count == 1 else f"{count} models"
        use = f"your profile {self.choice.name}" if self.existing else "it"
        return (
            f"Local {server.title} at 127.0.0.1:{server.port} with {models} — press "
            f"{USE_LOCAL_KEY} to use {use} for this session"
        )


def local_offer(settings: Settings, servers: Sequence[LocalServer]) -> LocalOffer | None:
    """The first server that the chosen profiles do not use already and that lists a model."""
    from interviewer.providers.check import model_listed

    in_use = [settings.profile(n).base_url for n in _roles(settings) if _known(settings, n)]
    for server in servers:
        if not server.models or any(_same_server(url, server.base_url) for url in in_use):
            continue
        for name in settings.profile_names():
            profile = settings.profile(name)
            if _same_server(profile.base_url, server.base_url) and model_listed(
                profile.model, server.models
            ):
                return LocalOffer(server, SessionProvider(name, profile), existing=True)
        return LocalOffer(server, SessionProvider(server.profile_name, server.profile()))
    return None


def _roles(settings: Settings) -> list[str]:
    return list(dict.fromkeys([settings.provider, settings.grader_profile_name]))


def _known(settings: Settings, name: str) -> bool:
    return name in settings.profile_names()


@dataclass
class _Role:
    mark: str
    text: str
    ready: bool | None = None
    """None while the check runs."""


class ProviderStatus(Vertical):
    """The provider line of the Start screen (see the module docstring)."""

    DEFAULT_CSS = """
    ProviderStatus { height: auto; }
    ProviderStatus .-fail { color: $error; }
    ProviderStatus #local-offer { color: $accent; }
    ProviderStatus #local-offer.-empty { display: none; }
    """

    def __init__(
        self, settings: Settings, probes: ProviderProbes | None = None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._settings = settings
        self._probes = probes or ProviderProbes()
        self._roles: dict[str, _Role] = {}
        self._servers: Sequence[LocalServer] = ()
        self.offer: LocalOffer | None = None

    def compose(self) -> ComposeResult:
        self._roles = self._initial(self._settings)
        for name, role in self._roles.items():
            yield SafeStatic(self._line(name, role), classes=self._role_classes(role))
        yield SafeStatic("", id="local-offer", classes="-empty")

    class Resized(Message):
        """The status now takes more or fewer lines (a local server offered, a long reason):
        the Start screen fits its other rows again."""

    def on_mount(self) -> None:
        # After the first frame: the launch must not wait for a port or a key check.
        self.call_after_refresh(self._look_up)

    def on_resize(self, event: Resize) -> None:
        self.post_message(self.Resized())

    def _look_up(self) -> None:
        self._check(self._settings)
        ports = self._probes.local_ports
        if ports is None or ports:
            self._detect()

    # -- what is shown ---------------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        """The status lines as shown, one per role."""
        return [self._line(name, role) for name, role in self._roles.items()]

    @property
    def settled(self) -> bool:
        """Every check has answered."""
        return all(role.ready is not None for role in self._roles.values())

    @staticmethod
    def _initial(settings: Settings) -> dict[str, _Role]:
        roles = {}
        for name in _roles(settings):
            kind = settings.profile(name).kind if _known(settings, name) else ""
            if kind in LOCAL_KINDS:
                roles[name] = _Role("●", "ready", True)
            elif not kind:
                roles[name] = _Role("✘", "define it or choose another provider", False)
            else:
                roles[name] = _Role("…", "checking…")
        return roles

    def _line(self, name: str, role: _Role) -> str:
        grading = len(self._roles) > 1 and name != self._settings.provider
        label = profile_label(self._settings, name)
        return f"{role.mark} {'grading by ' if grading else ''}{label} — {role.text}"

    @staticmethod
    def _role_classes(role: _Role) -> str:
        return "-fail" if role.ready is False else ""

    async def show(self, settings: Settings) -> None:
        """Show `settings`' providers (the choice changed) and check them again."""
        self._settings = settings
        self._roles = self._initial(settings)
        await self.remove_children(SafeStatic)
        statics = [
            SafeStatic(self._line(name, role), classes=self._role_classes(role))
            for name, role in self._roles.items()
        ]
        offer = SafeStatic("", id="local-offer", classes="-empty")
        await self.mount_all([*statics, offer])
        self._check(settings)
        self._found(self._servers)

    def _redraw(self) -> None:
        statics = [s for s in self.query(SafeStatic).results(SafeStatic) if s.id != "local-offer"]
        for static, (name, role) in zip(statics, self._roles.items(), strict=False):
            static.set_text(self._line(name, role))
            static.set_class(role.ready is False, "-fail")

    # -- the workers -----------------------------------------------------------------------

    def _check(self, settings: Settings) -> None:
        if not self.settled:  # offline and replay are settled already: no thread for them
            self._run_checks(settings)

    @work(thread=True, exclusive=True, group="provider-check", exit_on_error=False)
    def _run_checks(self, settings: Settings) -> None:
        worker = get_current_worker()
        for name in _roles(settings):
            if not _known(settings, name) or settings.profile(name).kind in LOCAL_KINDS:
                continue
            try:
                verdicts = asyncio.run(self._probes.check(settings, name))
                ready, text = verdict_summary(settings.profile(name), verdicts)
            except Exception as exc:  # a status line: whatever broke is said, never raised
                ready, text = False, clean_line(str(exc)) or type(exc).__name__
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._checked, settings, name, ready, text)

    def _checked(self, settings: Settings, name: str, ready: bool, text: str) -> None:
        if not self.is_attached or settings is not self._settings or name not in self._roles:
            return  # the choice changed meanwhile: a newer check is running
        self._roles[name] = _Role("●" if ready else "✘", text, ready)
        self._redraw()

    @work(thread=True, exclusive=True, group="local-detect", exit_on_error=False)
    def _detect(self) -> None:
        try:
            servers = asyncio.run(self._probes.detect(self._probes.local_ports))
        except Exception as exc:  # detection is a bonus: a failure only goes to the log
            self.log.warning(f"local server detection failed: {exc!r}")
            return
        self.app.call_from_thread(self._found, servers)

    def _found(self, servers: Sequence[LocalServer]) -> None:
        self._servers = servers
        if not self.is_attached:
            return  # the Start screen has gone meanwhile
        self.offer = local_offer(self._settings, servers)
        line = self.query_one("#local-offer", SafeStatic)
        line.set_text(self.offer.line() if self.offer else "")
        line.set_class(self.offer is None, "-empty")

    async def use_local(self) -> SessionProvider | None:
        """Show the offered local server as the provider, checked again, and return it (the
        Start screen tells the app, which keeps it for this run); None when none is offered."""
        if self.offer is None:
            return None
        choice = self.offer.choice
        await self.show(choice.applied(self._settings))
        self.notify(
            f"This session uses {clean_line(choice.name)} at "
            f"{clean_line(choice.profile.base_url or '')} for probes and grading. Your config "
            "file is unchanged: `interviewer providers` prints a profile to paste into it.",
            title="Local server",
            markup=False,
        )
        return choice
