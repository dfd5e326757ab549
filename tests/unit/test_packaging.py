"""A non-editable install ships every package: pyproject lists them by hand."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_of_interviewer_is_listed_for_setuptools() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "interviewer").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_every_shipped_bank_file_is_package_data() -> None:
    # The calibration set ships beside its bank; a glob that missed it would make an installed
    # `calibrate` fall back to the generic checks without anyone noticing.
    from fnmatch import fnmatch

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["interviewer._banks"]
    shipped = [p.name for p in (ROOT / "question_bank").iterdir() if p.suffix == ".toml"]
    assert "ai-security.calibration.toml" in shipped
    for name in shipped:
        assert any(fnmatch(name, glob) for glob in globs), f"not package data: {name}"
