"""Exit codes a script can trust, and bad input or a refusing disk as one line, not a traceback:
nothing typed is lost and no stray session is left behind."""

from __future__ import annotations

import errno
import io
import json
from pathlib import Path
from typing import Any

import pytest

from interviewer import paths
from interviewer.cli import main
from interviewer.config import Settings
from interviewer.errors import ExitCode, ProviderError, ReplayMismatch
from interviewer.journal import AnswerGiven, Journal
from tests.fakes import ScriptedProvider

ANSWER = (
    "I would validate every data source and check schemas at ingestion, and sign or hash the "
    "datasets so tampering is detectable."
)
ONE = ["--count", "1", "--seed", "1"]


def write_answers(path: Path, *answers: str) -> Path:
    path.write_text("".join(json.dumps({"text": a}) + "\n" for a in answers), encoding="utf-8")
    return path


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("interviewer: error:")]
    assert len(lines) == 1, err
    return lines[0]


def sessions(home: Path) -> list[Path]:
    return sorted((home / "data" / "sessions").glob("*.jsonl"))


def use_model(monkeypatch: pytest.MonkeyPatch, provider: ScriptedProvider) -> None:
    def build_pair(settings: Settings) -> tuple[ScriptedProvider, ScriptedProvider]:
        return provider, provider

    monkeypatch.setattr("interviewer.providers.registry.build_pair", build_pair)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ('{"text": "fine"}\n{"text": "also fine"}\nnot json\n', 3),
        ('{"text": "fine"}\n\n{"text": 3}\n', 3),
        ('{"text": "a lone surrogate \\ud800 here"}\n', 1),
    ],
)
def test_a_bad_answers_file_is_one_line_and_leaves_no_session(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, line: int
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    for _ in range(3):
        assert main(["run", "--answers", str(bad), *ONE]) == ExitCode.BAD_INPUT
        assert f"{bad}:{line}:" in one_line_error(capsys.readouterr().err)
    assert sessions(home) == []


def test_invalid_utf8_in_grade_is_one_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    grade = ["grade", "--question", "secure-ml-pipeline"]
    # What Python makes of invalid UTF-8 in argv (PEP 383: surrogateescape).
    assert main([*grade, "--answer", "validate sources \udcff"]) == ExitCode.BAD_INPUT
    assert "--answer: not valid text" in one_line_error(capsys.readouterr().err)
    bad = tmp_path / "answer.txt"
    bad.write_bytes(b"validate sources \xff and hash")
    assert main([*grade, "--answer-file", str(bad)]) == ExitCode.BAD_INPUT
    assert f"{bad}: not valid UTF-8" in one_line_error(capsys.readouterr().err)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(bad.read_bytes())))
    assert main([*grade, "--answer-file", "-"]) == ExitCode.BAD_INPUT
    assert "(stdin): not valid UTF-8" in one_line_error(capsys.readouterr().err)


def test_a_data_folder_that_cannot_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores chmod: a data folder under a regular file cannot be created by anyone.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(paths.ENV_HOME, str(blocker / "home"))
    answers = write_answers(tmp_path / "a.jsonl", ANSWER)
    assert main(["run", "--answers", str(answers), *ONE]) == ExitCode.CANNOT_WRITE
    error = one_line_error(capsys.readouterr().err)
    assert f"{blocker}/home/data/sessions: cannot write" in error
    assert paths.ENV_HOME in error


def full_disk_for_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    real = Journal.append

    def append(self: Journal, record: Any) -> None:
        if isinstance(record, AnswerGiven):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, record)

    monkeypatch.setattr(Journal, "append", append)


def test_a_full_disk_while_answering_keeps_the_answer_as_a_draft(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    full_disk_for_answers(monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("typed XYZZY answer\nsecond line\n\n"))
    assert main(["run", "--headless", *ONE]) == ExitCode.CANNOT_WRITE
    [journal] = sessions(home)
    error = one_line_error(capsys.readouterr().err)
    assert f"{journal}: cannot write the session (No space left on device)" in error
    assert f"interviewer resume {journal.stem}" in error
    draft = home / "data" / "drafts" / f"{journal.stem}.txt"
    assert draft.read_text(encoding="utf-8") == "typed XYZZY answer\nsecond line"


def test_when_even_the_draft_cannot_be_written_the_answer_is_shown(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    full_disk_for_answers(monkeypatch)

    def no_space(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(paths, "write_private_text", no_space)
    monkeypatch.setattr("sys.stdin", io.StringIO("typed XYZZY answer\n\n"))
    assert main(["run", "--headless", *ONE]) == ExitCode.CANNOT_WRITE
    captured = capsys.readouterr()
    one_line_error(captured.err)
    assert "here it is, to copy:\ntyped XYZZY answer" in captured.out


def test_a_finished_session_exits_0(home: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "a.jsonl", *[ANSWER] * 4)
    assert main(["run", "--answers", str(answers), *ONE, "--max-probes", "1"]) == 0


def test_a_provider_that_never_answers_is_not_exit_0(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = ScriptedProvider()
    for _ in range(4):
        dead.probes.append(ProviderError("connection refused"))
        dead.enqueue_grade(ProviderError("connection refused"))
    use_model(monkeypatch, dead)
    answers = write_answers(tmp_path / "a.jsonl", *[ANSWER] * 4)
    code = main(["run", "--answers", str(answers), *ONE, "--max-probes", "1"])
    captured = capsys.readouterr()
    assert "asking a question from the bank" in captured.out  # the run went on...
    assert "finished." in captured.out
    assert code == ExitCode.PROVIDER_FAILED  # ...but a script is told
    assert "the provider failed" in captured.err


@pytest.mark.parametrize("stage", ["probe", "grade"])
def test_a_replay_mismatch_stops_the_run(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
) -> None:
    replay = ScriptedProvider()
    mismatch = ReplayMismatch("no recorded fixture matches this request\n- old\n+ new")
    if stage == "probe":
        replay.probes.append(mismatch)
    replay.enqueue_grade(mismatch)
    use_model(monkeypatch, replay)
    answers = write_answers(tmp_path / "a.jsonl", *[ANSWER] * 4)
    probes = "1" if stage == "probe" else "0"
    code = main(["run", "--answers", str(answers), *ONE, "--max-probes", probes])
    captured = capsys.readouterr()
    assert code == ExitCode.REPLAY_MISMATCH
    assert "no recorded fixture matches" in captured.err
    assert "from the bank" not in captured.out
    assert "offline grader" not in captured.out
    assert "Score:" not in captured.out


def test_strict_replay_of_other_answers_fails_with_its_own_code(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = tmp_path / "fixtures"
    recorded = write_answers(tmp_path / "a.jsonl", *[ANSWER] * 4)
    run = ["run", *ONE, "--max-probes", "1", "--mode", "practice"]
    assert main([*run, "--answers", str(recorded), "--record", str(fixtures)]) == 0
    capsys.readouterr()
    other = write_answers(tmp_path / "b.jsonl", *["Something else entirely, " + ANSWER] * 4)
    replay = ["--provider", "replay", "--fixtures", str(fixtures)]
    assert main([*run, "--answers", str(other), *replay]) == ExitCode.REPLAY_MISMATCH
    captured = capsys.readouterr()
    assert "Something else entirely" in captured.err  # the diff
    assert "Score:" not in captured.out
