"""The real catalog (banks, journal) and interview factory behind the TUI's ports.

Everything heavy is imported when first used (the launch imports this module), and engine
construction runs in a thread, so the UI keeps drawing meanwhile. `EngineFactory.warm_up` loads
it all ahead, while the Start screen is shown (see `interviewer.tui.warm_up`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer import paths
from interviewer.config import Settings
from interviewer.tui.ports import BankChoice, SessionRow, StartChoice

if TYPE_CHECKING:
    from interviewer.domain import Bank, Question
    from interviewer.engine.session import Interview
    from interviewer.report import Report


class JournalCatalog:
    """Banks from `interviewer.bank.loader`, sessions and reports from `interviewer.journal`."""

    def __init__(self, sessions_dir: Path | None = None) -> None:
        self._sessions_dir = sessions_dir
        self.warnings: list[str] = []

    def banks(self) -> Sequence[BankChoice]:
        from interviewer.bank.loader import list_banks

        return [
            BankChoice(info.id, info.title, info.questions)
            for info in list_banks()
            if info.error is None
        ]

    def sessions(self) -> Sequence[SessionRow]:
        from interviewer.engine.catalog import list_sessions

        summaries, self.warnings = list_sessions(self._sessions_dir)
        return [
            SessionRow(
                id=s.session_id,
                started_at=s.started_at,
                bank_id=s.bank_id,
                provider=s.interviewer
                if s.grader == s.interviewer
                else f"{s.interviewer} / {s.grader}",
                finished=s.finished,
                overall_score=s.overall_score,
                ref=str(s.path),
                answered=s.answered,
                total=s.total,
            )
            for s in summaries
        ]

    def load_report(self, ref: str) -> tuple[Report, tuple[Question, ...]]:
        from interviewer.engine.state import load_state

        state = load_state(Path(ref))
        return state.report(), state.header.questions

    def discard(self, ref: str) -> Path:
        """Move the journal (and its draft) to `paths.discarded_dir()`. The journal's writer
        lock is taken first: a session open in another interviewer process is refused, and
        nothing can append to the file while it moves."""
        from interviewer.engine.state import load_state
        from interviewer.errors import JournalError
        from interviewer.journal import Journal

        source = Path(ref)
        state = load_state(source)
        if state.finished:
            raise JournalError(f"{source}: a finished session is kept; only unfinished ones go")
        target_dir = paths.ensure_private_dir(paths.discarded_dir())
        journal = Journal(source)  # the lock, or JournalError naming the other process
        try:
            target = _free_name(target_dir / source.name)
            os.replace(source, target)
        finally:
            journal.close()
        draft = paths.drafts_dir() / f"{state.header.session_id}.txt"
        if draft.is_file():
            os.replace(draft, _free_name(target_dir / f"{target.stem}.draft.txt"))
        return target


def _free_name(path: Path) -> Path:
    """`path`, or `name-2.ext`, `name-3.ext`... when it is taken (nothing is overwritten)."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


class BankCache:
    """The banks read so far, by reference; one is read again when its file changed since."""

    def __init__(self) -> None:
        self._banks: dict[str, tuple[Path, tuple[int, int], Bank]] = {}
        self._lock = threading.Lock()  # the warm-up thread and an opening thread

    def get(self, ref: str) -> Bank:
        from interviewer.bank.loader import find_bank_file

        with self._lock:
            cached = self._banks.get(ref)
        if cached is not None:
            path, stamp, bank = cached
            with contextlib.suppress(OSError):
                if _stamp(path) == stamp:
                    return bank
        path, bank = find_bank_file(ref)
        with self._lock, contextlib.suppress(OSError):
            self._banks[ref] = (path, _stamp(path), bank)
        return bank


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def _open(settings: Settings, choice: StartChoice, banks: BankCache) -> Interview:
    from interviewer.bank.loader import select_questions
    from interviewer.engine.catalog import resolve_session
    from interviewer.engine.session import Interview
    from interviewer.providers.registry import build_pair

    if choice.provider is not None:
        settings = choice.provider.applied(settings)
    interviewer, grader = build_pair(settings)
    if choice.resume is not None:
        path = resolve_session(choice.resume)
        return Interview.resume(path, interviewer=interviewer, grader=grader)
    options = settings.interview.model_copy(update={"mode": choice.mode, "bank": choice.bank})
    bank = banks.get(choice.bank)
    questions = select_questions(
        bank, difficulties=choice.difficulty, count=choice.count, seed=options.seed
    )
    return Interview.new(options, bank.id, questions, interviewer=interviewer, grader=grader)


class EngineFactory:
    """Builds real `Interview`s from the settings and the Start screen's choice."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._banks = BankCache()

    async def __call__(self, choice: StartChoice) -> Interview:
        return await asyncio.to_thread(_open, self._settings, choice, self._banks)

    def warm_up(self) -> None:
        """Import the engine and the profiles' provider modules, read the chosen bank, load
        the embedding model and compile the bank's concept terms, while the candidate reads the
        Start screen (run in a thread): neither the first question nor the first answer then
        waits for them."""
        from interviewer.engine.catalog import resolve_session  # noqa: F401 (imported to load)
        from interviewer.engine.session import Interview  # noqa: F401
        from interviewer.errors import InterviewerError
        from interviewer.grading.lexicon import concepts
        from interviewer.grading.matcher import get_embedder
        from interviewer.providers.registry import preload

        settings = self._settings
        bank = None
        with contextlib.suppress(InterviewerError, OSError):  # Start reports it, if it matters
            preload(settings)
            bank = self._banks.get(settings.interview.bank)
        get_embedder()
        if bank is not None and bank.questions:
            # A few thousand terms take ~0.2 s to compile: not on the first answer's grading.
            concepts(bank.questions[0].concepts, "")
