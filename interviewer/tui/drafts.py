"""Unsent answer text on disk, one file per session, so nothing typed is lost (kill -9 included).

The file mirrors the answer editor: the interview screen saves it a moment after the last
keystroke and at once when the engine takes an answer (the editor empties, the file goes), so a
resumed session never offers an answer that was already sent. Writes fsync, so they run in one
background thread, in the order they were asked for: a late write cannot undo a newer one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from interviewer import paths
from interviewer.text.sanitize import clean_line


class DraftStore:
    def __init__(self, directory: Callable[[], Path] = paths.drafts_dir) -> None:
        self._directory = directory
        self._executor: ThreadPoolExecutor | None = None

    def path(self, session_id: str) -> Path:
        # Session ids come from journals on disk: never let one name a file elsewhere.
        name = clean_line(session_id).replace("/", "_").replace("\\", "_")
        return self._directory() / f"{name}.txt"

    def load(self, session_id: str) -> str:
        """The saved draft, or "" (it stays on disk until the engine takes the answer)."""
        try:
            return self.path(session_id).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    def store(self, session_id: str, text: str) -> None:
        """Write the draft now (blank text removes it). Blocking: fsyncs."""
        path = self.path(session_id)
        if text.strip():
            paths.write_private_text(path, text)
        else:
            path.unlink(missing_ok=True)

    def save(self, session_id: str, text: str) -> asyncio.Future[None]:
        """`store` in the background thread, after every save asked for before it."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drafts")
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._executor, self.store, session_id, text)

    def close(self) -> None:
        """Finish the writes already asked for."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


AUTOSAVE_DELAY_S = 1.0
"""Quiet time after the last edit before the draft is written."""
AUTOSAVE_MAX_WAIT_S = 5.0
"""Someone typing without a pause still gets a save this often."""


class DraftMirror:
    """Keeps one session's draft file equal to the editor: `changed()` after every edit
    (written once typing pauses), `save()` when it must be on disk now (the engine took an
    answer, an error kept one). `text` gives the editor's text, or None once it is gone."""

    def __init__(
        self,
        store: DraftStore,
        session_id: str,
        text: Callable[[], str | None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._store = store
        self._session_id = session_id
        self._text = text
        self._on_error = on_error
        self._pending: asyncio.TimerHandle | None = None
        self._dirty_since: float | None = None
        self._on_disk: str | None = None
        """What the file holds, or is being written with; None: not known."""
        self._last_write: asyncio.Future[None] | None = None
        self._failing = False

    def holds(self, text: str) -> None:
        """The file is known to hold `text` (it was just loaded from it)."""
        self._on_disk = text

    def changed(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._dirty_since is None:
            self._dirty_since = now
        if now - self._dirty_since >= AUTOSAVE_MAX_WAIT_S:
            self.save()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(AUTOSAVE_DELAY_S, self.save)

    def save(self) -> None:
        self.stop()
        text = self._text()
        if text is None or text == self._on_disk:
            return
        self._on_disk = text
        self._last_write = self._store.save(self._session_id, text)
        self._last_write.add_done_callback(self._written)

    def stop(self) -> None:
        """Drop a save that is waiting for typing to pause."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._dirty_since = None

    async def flush(self) -> None:
        """Save now and wait until the file is written."""
        self.save()
        if self._last_write is not None:
            with contextlib.suppress(Exception):
                await self._last_write

    def _written(self, write: asyncio.Future[None]) -> None:
        error = None if write.cancelled() else write.exception()
        if error is None:
            self._failing = False
            return
        if write is self._last_write:
            self._on_disk = None  # not known now: the next edit writes again
        if not self._failing:
            self._failing = True  # once per run of failures, not once per keystroke
            self._on_error(error)
