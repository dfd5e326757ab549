"""The bank the Start screen's warm-up read is the one Start uses, unless its file changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from interviewer.tui.backend import BankCache

SHIPPED = Path(__file__).parents[2] / "question_bank" / "ai-security.toml"


def test_a_bank_read_once_is_reused_until_its_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    shutil.copy(SHIPPED, path)
    cache = BankCache()
    first = cache.get(str(path))
    assert cache.get(str(path)) is first  # not read again
    text = path.read_text(encoding="utf-8")
    line = f'title = "{first.title}"'
    assert line in text
    path.write_text(text.replace(line, 'title = "Edited title"', 1), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = cache.get(str(path))
    assert again is not first
    assert again.title == "Edited title"
