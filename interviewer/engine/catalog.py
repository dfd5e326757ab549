"""The session catalog: finding a session by id or prefix, and summarising them all."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from interviewer import paths
from interviewer.engine.state import load_state
from interviewer.errors import JournalError


def resolve_session(ref: str | None) -> Path:
    """A session id, a unique id prefix, a journal path, or None for the latest unfinished."""
    if ref is not None and (ref.endswith(".jsonl") or os.sep in ref):
        path = Path(ref).expanduser()
        if not path.is_file():
            raise JournalError(f"{path}: no such session journal")
        return path
    directory = paths.sessions_dir()
    candidates = sorted(directory.glob("*.jsonl")) if directory.is_dir() else []
    if ref is None:
        for path in reversed(candidates):
            try:
                if not load_state(path).finished:
                    return path
            except JournalError:
                continue
        raise JournalError("no unfinished session to resume (see `interviewer history`)")
    matches = [p for p in candidates if p.stem.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise JournalError(f"no session {ref!r} in {directory} (see `interviewer history`)")
    raise JournalError(f"{ref!r} matches {len(matches)} sessions; give more of the id")


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    path: Path
    started_at: datetime
    bank_id: str
    interviewer: str
    grader: str
    answered: int
    total: int
    finished: bool
    overall_score: float | None


def list_sessions(directory: Path | None = None) -> tuple[list[SessionSummary], list[str]]:
    """All sessions, oldest first, and a warning per unreadable journal."""
    directory = directory or paths.sessions_dir()
    summaries: list[SessionSummary] = []
    warnings: list[str] = []
    if not directory.is_dir():
        return summaries, warnings
    for path in sorted(directory.glob("*.jsonl")):
        try:
            state = load_state(path)
        except JournalError as exc:
            warnings.append(str(exc))
            continue
        report = state.report()
        summaries.append(
            SessionSummary(
                session_id=state.header.session_id,
                path=path,
                started_at=report.started_at,
                bank_id=state.header.bank_id,
                interviewer=state.header.interviewer,
                grader=state.header.grader,
                answered=sum(1 for q in state.opened if q.evaluation is not None),
                total=len(state.header.questions),
                finished=report.finished,
                overall_score=report.overall_score,
            )
        )
    return summaries, warnings
