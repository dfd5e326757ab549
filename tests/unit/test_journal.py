"""The journal survives crashes: torn last lines, kill -9, and names damage precisely."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from interviewer.engine.catalog import list_sessions, resolve_session
from interviewer.engine.state import load_state
from interviewer.errors import JournalError
from interviewer.journal import AnswerGiven, Journal, QuestionOpened, SessionStarted, read_records
from tests.fakes import make_question

ROOT = Path(__file__).parents[2]


def header(session_id: str = "20261125-100000-aaaaaa") -> SessionStarted:
    return SessionStarted(
        session_id=session_id,
        bank_id="b",
        mode="interview",
        interviewer="fake",
        grader="fake",
        max_probes=1,
        min_answer_words=3,
        max_answer_chars=1000,
        questions=(make_question("q1"), make_question("q2")),
    )


def write_session(directory: Path, session_id: str = "20261125-100000-aaaaaa") -> Path:
    journal = Journal.create(header(session_id), directory)
    journal.append(QuestionOpened(question_id="q1", number=1))
    journal.append(AnswerGiven(question_id="q1", text="my answer ✓ with “quotes”"))
    journal.close()
    return journal.path


def test_records_round_trip_and_file_is_private(tmp_path: Path) -> None:
    path = write_session(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    state = load_state(path)
    assert state.opened[0].answers == ["my answer ✓ with “quotes”"]
    assert not state.finished


def test_torn_last_line_is_ignored(tmp_path: Path) -> None:
    path = write_session(tmp_path)
    with path.open("a") as handle:
        handle.write('{"type": "answer", "question_id": "q1", "te')
    assert len(read_records(path)) == 3


def test_damaged_middle_line_names_file_and_line(tmp_path: Path) -> None:
    path = write_session(tmp_path)
    lines = path.read_text().splitlines()
    lines[1] = '{"type": "question", "number": "x"}'
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(JournalError, match=rf"{path}:2: invalid journal record"):
        read_records(path)


def test_list_and_resolve_sessions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    sessions = tmp_path / "data" / "sessions"
    write_session(sessions, "20261125-100000-aaaaaa")
    write_session(sessions, "20261125-110000-bbbbbb")
    (sessions / "20261125-120000-broken.jsonl").write_text("not json\n")
    summaries, warnings = list_sessions()
    assert [s.session_id for s in summaries] == ["20261125-100000-aaaaaa", "20261125-110000-bbbbbb"]
    assert len(warnings) == 1 and "broken" in warnings[0]
    assert resolve_session("20261125-11").name == "20261125-110000-bbbbbb.jsonl"
    assert resolve_session(None).name == "20261125-110000-bbbbbb.jsonl"
    with pytest.raises(JournalError, match="matches 3 sessions"):
        resolve_session("20261125-1")
    with pytest.raises(JournalError, match="no session 'zzz'"):
        resolve_session("zzz")


CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from interviewer.config import InterviewSettings
    from interviewer.engine.session import Interview
    from tests.fakes import ScriptedProvider, make_question

    async def main() -> None:
        provider = ScriptedProvider()
        provider.enqueue_probe("What about monitoring?")
        interview = Interview.new(
            InterviewSettings(max_probes=1, min_answer_words=3),
            "bank",
            [make_question("q1"), make_question("q2")],
            interviewer=provider,
            grader=provider,
            journal_dir=Path(sys.argv[1]),
            missing=lambda q, t: ("kp1",),
        )
        async for _ in interview.start():
            pass
        async for _ in interview.submit("The first answer, typed with care before the crash."):
            pass
        print(interview.journal_path, flush=True)
        time.sleep(60)

    asyncio.run(main())
    """
)


def test_kill_9_mid_session_loses_nothing(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        path = Path(child.stdout.readline().strip())
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    state = load_state(path)
    current = state.opened[0]
    assert current.answers == ["The first answer, typed with care before the crash."]
    assert current.prompts[-1].text == "What about monitoring?"
    assert current.awaiting_answer


def test_resume_after_a_torn_line_keeps_the_journal_readable(tmp_path: Path) -> None:
    path = write_session(tmp_path)
    with path.open("a") as handle:
        handle.write('{"type": "answer", "question_id": "q1", "te')
    journal = Journal(path)
    journal.append(AnswerGiven(question_id="q1", text="after the crash"))
    journal.close()
    state = load_state(path)
    assert state.opened[0].answers == ["my answer ✓ with “quotes”", "after the crash"]


def test_lone_surrogates_are_kept_as_replacement_characters(tmp_path: Path) -> None:
    journal = Journal.create(header(), tmp_path)
    journal.append(QuestionOpened(question_id="q1", number=1))
    journal.append(AnswerGiven(question_id="q1", text="bad \ud800 paste"))
    journal.close()
    assert load_state(journal.path).opened[0].answers == ["bad \ufffd paste"]


def test_unknown_question_in_journal_is_a_clear_error(tmp_path: Path) -> None:
    journal = Journal.create(header(), tmp_path)
    journal.append(QuestionOpened(question_id="zzz", number=1))
    journal.close()
    with pytest.raises(JournalError, match="question 'zzz' is not in the session header"):
        load_state(journal.path)


def test_a_session_has_one_writer_at_a_time(tmp_path: Path) -> None:
    path = write_session(tmp_path)
    first = Journal(path)
    with pytest.raises(JournalError, match="open in another interviewer process"):
        Journal(path)
    first.close()
    Journal(path).close()
