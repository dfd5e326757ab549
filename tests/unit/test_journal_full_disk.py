"""A failed append (a full disk) leaves the journal at its last complete record, so "send
again" works and no earlier answer is lost."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from interviewer.engine.state import load_state
from interviewer.journal import AnswerGiven, Journal, QuestionOpened, read_records
from tests.unit.test_journal import header

ROOT = Path(__file__).parents[2]
REAL_WRITE = os.write
REAL_FTRUNCATE = os.ftruncate


def half_then_enospc(failures: list[int]) -> Callable[[int, bytes], int]:
    """An os.write that, while `failures` holds a count, writes half of an answer record and
    then fails the way a full disk does."""

    def write(fd: int, data: bytes) -> int:
        if failures and failures[0] > 0 and b'"type": "answer"' in data:
            failures[0] -= 1
            REAL_WRITE(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return REAL_WRITE(fd, data)

    return write


def started(tmp_path: Path) -> Journal:
    journal = Journal.create(header(), tmp_path)
    journal.append(QuestionOpened(question_id="q1", number=1))
    return journal


def test_send_again_after_a_full_disk_keeps_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = started(tmp_path)
    good = journal.path.read_bytes()
    failures = [2]
    monkeypatch.setattr(os, "write", half_then_enospc(failures))
    for _ in range(2):  # the user presses "send again" while the disk is still full
        with pytest.raises(OSError, match="No space left"):
            journal.append(AnswerGiven(question_id="q1", text="a long careful answer"))
        assert journal.path.read_bytes() == good
    journal.append(AnswerGiven(question_id="q1", text="a long careful answer"))
    journal.close()
    records = read_records(journal.path)
    assert [r.type for r in records] == ["session", "question", "answer"]  # type: ignore[attr-defined]
    assert load_state(journal.path).opened[0].answers == ["a long careful answer"]


def test_a_failed_cut_is_retried_before_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = started(tmp_path)
    good = journal.path.read_bytes()
    cuts = [1]

    def ftruncate(fd: int, size: int) -> None:
        if cuts[0] > 0:
            cuts[0] -= 1
            raise OSError(errno.EIO, "Input/output error")
        REAL_FTRUNCATE(fd, size)

    monkeypatch.setattr(os, "write", half_then_enospc([1]))
    monkeypatch.setattr(os, "ftruncate", ftruncate)
    with pytest.raises(OSError, match="No space left"):
        journal.append(AnswerGiven(question_id="q1", text="first try"))
    assert journal.path.read_bytes() != good  # the torn half is still there
    journal.append(AnswerGiven(question_id="q1", text="second try"))
    journal.close()
    assert load_state(journal.path).opened[0].answers == ["second try"]


# A real short write: the kernel writes up to the file-size limit, then fails (EFBIG, the same
# path as ENOSPC). In a child process, so the limit cannot touch pytest's own files.
CHILD = textwrap.dedent(
    """
    import asyncio, resource, signal, sys
    from pathlib import Path
    from interviewer.config import InterviewSettings
    from interviewer.engine.session import Interview
    from tests.fakes import ScriptedProvider, make_question

    ANSWER = "I would keep system instructions apart from retrieved content every time."

    async def drain(events):
        return [event async for event in events]

    async def main():
        provider = ScriptedProvider()
        interview = Interview.new(
            InterviewSettings(max_probes=1, min_answer_words=5), "bank",
            [make_question("q1")], interviewer=provider, grader=provider,
            journal_dir=Path(sys.argv[1]),
        )
        await drain(interview.start())
        print(interview.journal_path, flush=True)
        size = interview.journal_path.stat().st_size
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limits = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 20, limits[1]))
        try:
            await drain(interview.submit(ANSWER))
        except OSError as exc:
            print("failed:", exc.errno, flush=True)
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        provider.enqueue_probe("And monitoring?")
        await drain(interview.submit(ANSWER))
        print("ok", flush=True)

    asyncio.run(main())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE semantics")
def test_engine_retry_after_a_short_write_journals_one_answer(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=True,
    )
    path_line, failed = done.stdout.splitlines()[:2]
    assert failed == f"failed: {errno.EFBIG}"
    records = read_records(Path(path_line))
    # The decision to probe is journaled (an assessment record) before the probe.
    assert [r.type for r in records] == ["session", "question", "answer", "assessment", "probe"]  # type: ignore[attr-defined]
    state = load_state(Path(path_line))
    assert state.opened[0].answers == [
        "I would keep system instructions apart from retrieved content every time."
    ]
