"""`--record DIR` and `--provider replay` from the command line, and `interviewer replay SESSION`."""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path

import pytest

from interviewer.cli import main
from interviewer.commands.playback import play
from interviewer.errors import ExitCode
from interviewer.journal import AnswerGiven, read_records
from interviewer.providers.fixture_io import load_directory
from interviewer.providers.replay import demo_fixtures
from tests.providers.test_record_replay_http import assert_no_secrets

DEMO_ANSWERS = Path(str(demo_fixtures())) / "answers.jsonl"
SESSION_ARGS = ["--seed", "7", "--count", "2", "--answers", str(DEMO_ANSWERS)]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    for name in ("INTERVIEWER_PROVIDER", "INTERVIEWER_GRADER_PROVIDER", "INTERVIEWER_RECORD_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


def sessions(home: Path) -> list[Path]:
    return sorted((home / "data" / "sessions").glob("*.jsonl"))


def report_essentials(path: Path) -> list[object]:
    report = json.loads(path.read_text(encoding="utf-8"))
    return [
        (
            q["question_id"],
            q["probes"],
            q["exchanges"],
            q["evaluation"]["score"],
            q["evaluation"]["verdicts"],
            q["evaluation"]["feedback"],
        )
        for q in report["questions"]
    ]


def test_record_offline_from_the_cli_then_replay_strictly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-N0tUsedByOfflineButSetAnyway0123456789")
    fixtures = tmp_path / "rec"
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert (
        main(
            [
                "run",
                "--provider",
                "offline",
                "--record",
                str(fixtures),
                *SESSION_ARGS,
                "--report",
                str(first),
            ]
        )
        == 0
    )
    recorded = load_directory(fixtures)
    assert recorded and {f.kind for f in recorded} == {"offline"}
    assert_no_secrets(fixtures)
    assert (
        main(
            [
                "run",
                "--provider",
                "replay",
                "--fixtures",
                str(fixtures),
                *SESSION_ARGS,
                "--report",
                str(second),
            ]
        )
        == 0
    )
    assert report_essentials(first) == report_essentials(second)
    assert json.loads(second.read_text("utf-8"))["grader"] == "replay:rec"
    assert "error" not in capsys.readouterr().err


def test_strict_replay_of_other_answers_fails_with_the_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = tmp_path / "rec"
    assert main(["run", "--provider", "offline", "--record", str(fixtures), *SESSION_ARGS]) == 0
    other = tmp_path / "other.jsonl"
    lines = DEMO_ANSWERS.read_text("utf-8").splitlines()
    lines[0] = json.dumps({"text": json.loads(lines[0])["text"].replace("wiki", "intranet")})
    other.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    code = main(
        [
            "run",
            "--provider",
            "replay",
            "--fixtures",
            str(fixtures),
            "--seed",
            "7",
            "--count",
            "2",
            "--answers",
            str(other),
        ]
    )
    captured = capsys.readouterr()
    # A mismatch is a set-up error: the run stops at it, says why, and nothing stands in for
    # the recording (no bank probe, no offline grading).
    assert code == ExitCode.REPLAY_MISMATCH
    # The recording assessed each answer (the offline grader does): the first request that
    # differs is the assessment of the changed answer.
    assert "no recorded fixture matches assessment of question explain-to-non-technical" in (
        captured.err
    )
    assert "from the bank" not in captured.out
    assert "Follow-up 1" not in captured.out


def test_replay_command_prints_the_session_and_writes_the_report_again(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = tmp_path / "original.json"
    assert main(["run", "--provider", "replay", *SESSION_ARGS, "--report", str(original)]) == 0
    [journal] = sessions(home)
    capsys.readouterr()
    again = tmp_path / "again.md"
    again_json = tmp_path / "again.json"
    assert main(["replay", journal.stem[:12], "--instant", "--report", str(again_json)]) == 0
    assert main(["replay", str(journal), "--headless", "--report", str(again)]) == 0
    out = capsys.readouterr().out
    assert out.count("Replaying session") == 2
    for answer in DEMO_ANSWERS.read_text("utf-8").splitlines():
        assert json.loads(answer)["text"] in out
    assert "Follow-up 2: Suppose one of those canary strings does come back." in out
    assert "--- Feedback ---" in out and "missed: ongoing-monitoring" in out
    assert re.search(r"^Score: \d+\.\d / 10 \(graded by replay:scripted-demo\)$", out, re.M)
    assert "2 of 2 question(s) graded; session finished" in out
    assert json.loads(again_json.read_text("utf-8")) == json.loads(original.read_text("utf-8"))
    assert again.read_text("utf-8").startswith("# Interview report: ai-security")


def test_replay_of_an_unknown_session_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", "20990101"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("interviewer: error: no session '20990101'")
    assert len(err.strip().splitlines()) == 1


def test_pace_waits_the_recorded_gaps_capped(home: Path) -> None:
    assert main(["run", "--provider", "replay", *SESSION_ARGS]) == 0
    records = read_records(sessions(home)[0])
    start = records[0].t
    # Space the records 0, 2, 4, ... seconds apart, then make one gap a long think.
    spaced = [r.model_copy(update={"t": start + 2.0 * i}) for i, r in enumerate(records)]
    spaced[3:] = [r.model_copy(update={"t": r.t + 100}) for r in spaced[3:]]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    out = io.StringIO()
    asyncio.run(play(spaced, out, pace=True, max_wait=5.0, sleep=sleep))
    assert waits == [2.0, 2.0, 5.0] + [2.0] * (len(records) - 4)
    waits.clear()
    asyncio.run(play(spaced, io.StringIO(), pace=False, sleep=sleep))
    assert waits == []


def test_replayed_text_is_sanitised(home: Path) -> None:
    assert main(["run", "--provider", "replay", *SESSION_ARGS]) == 0
    records = read_records(sessions(home)[0])
    index = next(i for i, r in enumerate(records) if isinstance(r, AnswerGiven))
    hostile = "\x1b[2J\x1b]0;pwned\x07 cleared your screen"
    records[index] = records[index].model_copy(update={"text": hostile})
    out = io.StringIO()
    asyncio.run(play(records, out))
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text
    assert "cleared your screen" in text
