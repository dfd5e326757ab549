"""The engine and everything below it load without Textual; --version stays light."""

from __future__ import annotations

import importlib.util
import pkgutil
import subprocess
import sys

import interviewer

CORE_PACKAGES = (
    "errors", "paths", "text", "domain", "report", "config", "bank", "prompts", "journal", "bank_facts",
    "grading", "providers", "engine", "audit", "headless",
)  # fmt: skip
"""Every top-level module and package of interviewer below the TUI (the layers contract in
pyproject.toml lists the same ones; the test below checks nothing else is there)."""
FRONT = ("__main__", "cli", "commands", "tui")


def modules_of(name: str) -> list[str]:
    """`interviewer.<name>` and, for a package, every module in it (without importing them)."""
    spec = importlib.util.find_spec(f"interviewer.{name}")
    assert spec is not None, name
    found = [f"interviewer.{name}"]
    for info in pkgutil.walk_packages(
        spec.submodule_search_locations or [], f"interviewer.{name}."
    ):
        found.append(info.name)
    return found


CORE = [module for name in CORE_PACKAGES for module in modules_of(name)]


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_every_module_is_core_or_front_end() -> None:
    top = {info.name for info in pkgutil.iter_modules(interviewer.__path__)}
    assert top == {*CORE_PACKAGES, *FRONT}
    assert {
        "interviewer.engine.session",
        "interviewer.audit.redteam",
        "interviewer.bank.loader",
    } < set(CORE)


def test_core_never_imports_textual() -> None:
    modules = loaded_after("\n".join(f"import {name}" for name in CORE))
    assert set(CORE) <= modules
    assert not {m for m in modules if m.split(".")[0] in ("textual", "rich")}
    assert not {m for m in modules if m.startswith(("interviewer.tui", "interviewer.commands"))}


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
