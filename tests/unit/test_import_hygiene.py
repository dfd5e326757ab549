"""The engine and everything below it load without Textual; --version stays light."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "interviewer.config",
    "interviewer.bank.loader",
    "interviewer.engine.session",
    "interviewer.journal",
    "interviewer.prompts",
    "interviewer.grading.score",
    "interviewer.grading.coverage",
    "interviewer.providers.registry",
    "interviewer.providers.offline",
    "interviewer.providers.openai",
    "interviewer.providers.anthropic",
    "interviewer.providers.replay",
    "interviewer.providers.record",
    "interviewer.headless",
]


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_core_never_imports_textual() -> None:
    modules = loaded_after("\n".join(f"import {name}" for name in CORE))
    assert not {m for m in modules if m.split(".")[0] in ("textual", "rich")}


def test_offline_path_imports_no_llm_sdk() -> None:
    modules = loaded_after(
        "from interviewer.config import load_config\n"
        "from interviewer.providers.registry import build_pair\n"
        "s, _ = load_config(environ={})\n"
        "build_pair(s)"
    )
    assert "openai" not in modules and "anthropic" not in modules


def test_version_imports_nothing_heavy() -> None:
    modules = loaded_after(
        "import contextlib, io\n"
        "from interviewer.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--version'])\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])"
    )
    heavy = {"textual", "rich", "openai", "anthropic", "wordllama", "numpy", "pydantic"}
    assert not heavy & {m.split(".")[0] for m in modules}
