"""The CLI end to end, in a subprocess, on the offline provider: what a user would run."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.errors import ExitCode

ROOT = Path(__file__).parents[2]


def run_cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTERVIEWER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("INTERVIEWER_CONFIG", None)
    env.pop("OPENAI_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    lines = [
        "I would validate every data source and check schemas at ingestion, restrict who can "
        "modify datasets, and sign or hash the datasets so tampering is detectable.",
        "I would isolate training environments and scan dependencies and container images.",
        "In production I would monitor for drift, abuse and prompt injection, with alerts.",
    ] * 4
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps({"text": line}) for line in lines) + "\n")
    return path


def test_version_and_help() -> None:
    result = run_cli(Path("/nonexistent"), "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("interviewer ")
    result = run_cli(Path("/nonexistent"), "--help")
    assert result.returncode == 0
    for command in ("run", "grade", "resume", "history", "bank"):
        assert command in result.stdout


def test_headless_session_report_history_and_resume(tmp_path: Path, answers: Path) -> None:
    home = tmp_path / "home"
    report = tmp_path / "report.json"
    result = run_cli(
        home, "run", "--answers", str(answers), "--count", "2", "--seed", "1",
        "--max-probes", "1", "--mode", "practice", "--report", str(report),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "=== Question 1/2" in result.stdout
    assert "Score:" in result.stdout
    data = json.loads(report.read_text())
    assert data["schema_version"] == 1
    assert data["finished"] is True
    assert len(data["questions"]) == 2
    first = data["questions"][0]
    assert 0 <= first["evaluation"]["score"] <= 10
    assert {v["verdict"] for v in first["evaluation"]["verdicts"]} <= {
        "covered",
        "partial",
        "missed",
    }
    assert first["exchanges"][0]["answer"].startswith("I would validate")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600

    history = run_cli(home, "history", "--json")
    assert history.returncode == 0, history.stderr
    rows = json.loads(history.stdout)
    assert rows[0]["finished"] is True
    assert rows[0]["overall_score"] == data["overall_score"]


def test_answers_running_out_leaves_a_resumable_session(tmp_path: Path) -> None:
    home = tmp_path / "home"
    one = tmp_path / "one.jsonl"
    one.write_text(
        json.dumps({"text": "A first answer about validating data sources and hashing datasets."})
        + "\n"
    )
    result = run_cli(home, "run", "--answers", str(one), "--count", "2", "--seed", "2")
    assert result.returncode == ExitCode.UNFINISHED, result.stderr
    assert "saved as unfinished" in result.stdout
    sessions = list((home / "data" / "sessions").glob("*.jsonl"))
    assert len(sessions) == 1
    assert stat.S_IMODE(sessions[0].stat().st_mode) == 0o600

    more = tmp_path / "more.jsonl"
    more.write_text(
        "\n".join(
            json.dumps(
                {"text": f"Answer number {i} about monitoring, logging and alerting on abuse."}
            )
            for i in range(8)
        )
        + "\n"
    )
    resumed = run_cli(home, "resume", "--answers", str(more), "--report", str(tmp_path / "r.json"))
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["finished"] is True
    assert report["questions"][0]["exchanges"][0]["answer"].startswith("A first answer")


def test_bad_answers_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine answer here"}\n{"txt": "oops"}\n')
    result = run_cli(tmp_path / "home", "run", "--answers", str(bad))
    assert result.returncode == 2
    assert f"{bad}:2:" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_is_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[interview]\ncount = -1\n")
    result = run_cli(tmp_path / "home", "run", "--headless", "--config", str(config), stdin="")
    assert result.returncode == 2
    assert f"{config}: interview.count" in result.stderr
    assert "Traceback" not in result.stderr


def test_grade_json(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path / "home", "grade", "--question", "prompt-injection-defense", "--json",
        "--answer", "I separate system instructions from untrusted content, limit what the model "
        "can see, and put authorization checks around every tool call it makes.",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    evaluation = json.loads(result.stdout)
    assert evaluation["question_id"] == "prompt-injection-defense"
    assert evaluation["score"] > 0


def test_grade_unknown_question(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "home", "grade", "--question", "nope", "--answer", "x")
    assert result.returncode == 2
    assert 'has no question "nope" (--question)' in result.stderr


def test_terminal_answers_need_a_second_blank_line_to_skip() -> None:
    import io

    from interviewer.headless import answers_from_terminal

    typed = io.StringIO("\nfirst line\nsecond line\n\n\n\nlast\n")
    out = io.StringIO()
    answers = list(answers_from_terminal(typed, out))
    assert answers == ["first line\nsecond line", "", "last"]
    assert out.getvalue().count("press Enter again to skip") == 2


def test_ctrl_c_while_typing_keeps_the_unsent_lines(tmp_path: Path) -> None:
    import signal
    import time

    home = tmp_path / "home"
    env = {**os.environ, "INTERVIEWER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "run", "--headless", "--count", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdin is not None and child.stdout is not None
    for line in child.stdout:
        if "Your answer" in line:
            break
    io_stats = Path(f"/proc/{child.pid}/io")
    syscall = Path(f"/proc/{child.pid}/syscall")

    def bytes_read() -> int:
        line = next(x for x in io_stats.read_text().splitlines() if x.startswith("rchar:"))
        return int(line.split()[1])

    def waiting_on_stdin() -> bool:
        # Blocked in read(0, ...): syscall number 0 on x86-64, 63 on arm64.
        fields = syscall.read_text().split()
        return len(fields) > 1 and fields[0] in ("0", "63") and fields[1] == "0x0"

    before = bytes_read()
    typed = "half of an answer XYZZY that was never sent\n"
    child.stdin.write(typed)
    child.stdin.flush()
    deadline = time.monotonic() + 30
    # Interrupt only once the child has taken the line and is waiting for the next one.
    while time.monotonic() < deadline and not (
        bytes_read() >= before + len(typed) and waiting_on_stdin()
    ):
        time.sleep(0.01)
    child.send_signal(signal.SIGINT)
    drafts = home / "data" / "drafts"
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130, err
    saved = list(drafts.glob("*.txt"))
    assert len(saved) == 1
    assert saved[0].read_text() == "half of an answer XYZZY that was never sent"
    assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600
    assert "unsent answer is saved" in out
