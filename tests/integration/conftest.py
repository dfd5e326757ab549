"""The real server in the loop: `../shared/tools/llm-server` (llama.cpp's OpenAI-compatible
server with SmolLM2-135M-Instruct) started on 127.0.0.1 once per run, and what the tests read
from it. These tests carry the `integration` marker, which the README's test command deselects;
`.ci/run` runs them after it. Without ../shared they fail, saying so: they never skip."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LLM_SERVER = Path(
    os.environ.get("INTERVIEWER_LLM_SERVER") or ROOT.parent / "shared" / "tools" / "llm-server"
)
"""../shared/tools/llm-server from the repository root; $INTERVIEWER_LLM_SERVER names another
copy (a git worktree's parent holds no ../shared)."""
PORT = os.environ.get("INTERVIEWER_LLM_PORT", "8097")
"""Not llm-server's default 8089, so a server started by hand is left alone."""
PROFILE = "llama"
START_LIMIT_S = 1500  # the first start builds llama.cpp (8-10 min on 2 cores)
_REQUEST = re.compile(r'"POST /v1/chat/completions HTTP/1\.1" (\d{3})')


@dataclass(frozen=True)
class LlmServer:
    base_url: str
    model: str
    log: Path

    def statuses(self) -> list[int]:
        """HTTP status of every chat request the server has answered so far, in order."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [int(status) for status in _REQUEST.findall(text)]

    def config(self, folder: Path, *, count: int = 1, max_probes: int = 1) -> Path:
        """A config file with one profile for this server, as a new user would write it."""
        path = folder / "config.toml"
        path.write_text(
            f'provider = "{PROFILE}"\n'
            f"[interview]\ncount = {count}\nmax_probes = {max_probes}\nseed = 1\n"
            f'[providers.{PROFILE}]\nkind = "openai"\nbase_url = "{self.base_url}"\n'
            f'model = "{self.model}"\ntimeout_s = 300\nidle_timeout_s = 120\n'
            "call_budget_s = 600\nmax_tokens = 768\n",
            encoding="utf-8",
        )
        return path

    @property
    def label(self) -> str:
        """How reports name a provider of this profile."""
        return f"{PROFILE}:{self.model}"


def _tool(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LLM_SERVER), *args, "--port", PORT],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def llm_server() -> Iterator[LlmServer]:
    if not LLM_SERVER.is_file():
        pytest.fail(
            f"integration tests need {LLM_SERVER} (the shared llama.cpp server script) next to "
            "the repository; run them on a machine with ../shared, or leave them out with "
            "-m 'not integration' (the README's test command does)",
            pytrace=False,
        )
    was_running = _tool("status", timeout=30).returncode == 0
    started = _tool("start", timeout=START_LIMIT_S)
    if started.returncode != 0:
        pytest.fail(
            f"{LLM_SERVER} start --port {PORT} failed:\n{started.stderr[-2000:]}", pytrace=False
        )
    values = dict(line.split(" ", 1) for line in started.stdout.splitlines() if " " in line)
    try:
        yield LlmServer(values["BASE_URL"], values["MODEL"], Path(values["LOG"]))
    finally:
        if not was_running:
            _tool("stop", timeout=60)
