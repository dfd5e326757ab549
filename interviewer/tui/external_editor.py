"""Write the answer in the candidate's own editor ($VISUAL, else $EDITOR), the app suspended.

The text goes to a private temporary file in the drafts folder (mode 0600, removed afterwards)
and comes back only when the editor exits cleanly: a missing editor, a crash or a non-zero exit
leaves the answer box as it was, with a one-line reason.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

from interviewer import paths
from interviewer.text.sanitize import clean_line

ENV_VARS = ("VISUAL", "EDITOR")


class EditorFailed(Exception):
    """The external edit did not happen; the message says why and what to do (one line)."""


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    for name in ENV_VARS:
        value = env.get(name, "").strip()
        if value:
            try:
                command = shlex.split(value)
            except ValueError as exc:
                raise EditorFailed(f"${name} cannot be read as a command ({exc}).") from exc
            if command:
                return command
    raise EditorFailed(
        "Set $EDITOR (or $VISUAL) to use your own editor, e.g. export EDITOR=nano; "
        "your answer is unchanged."
    )


def edit_externally(
    text: str,
    suspend: Callable[[], AbstractContextManager[None]],
    *,
    environ: Mapping[str, str] | None = None,
    folder: Path | None = None,
) -> str:
    """Open `text` in the editor while `suspend()` hands it the terminal; return the result
    (one trailing newline, which most editors add, dropped). Raises `EditorFailed`."""
    command = editor_command(environ)
    where = paths.ensure_private_dir(folder or paths.drafts_dir())
    fd, name = tempfile.mkstemp(prefix=".answer-", suffix=".md", dir=where)  # mode 0600
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            with suspend():
                status = subprocess.call([*command, str(path)])
        except FileNotFoundError as exc:
            raise EditorFailed(
                f"Editor {clean_line(command[0])!r} was not found: fix $EDITOR; your answer is "
                "unchanged."
            ) from exc
        except Exception as exc:  # SuspendNotSupported, permissions, a broken terminal
            raise EditorFailed(
                f"Could not run {clean_line(command[0])!r} "
                f"({clean_line(str(exc)) or type(exc).__name__}); your answer is unchanged."
            ) from exc
        if status != 0:
            raise EditorFailed(
                f"{clean_line(command[0])!r} exited with status {status}; your answer is unchanged."
            )
        try:
            edited = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise EditorFailed(
                f"Could not read the edited answer back ({clean_line(str(exc))}); your answer is "
                "unchanged."
            ) from exc
    finally:
        path.unlink(missing_ok=True)
    added = edited.endswith("\n") and not text.endswith("\n")
    return edited[:-1] if added else edited
