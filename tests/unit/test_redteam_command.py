"""`interviewer redteam` in-process: options, output, CI gating, and asking before paid runs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from interviewer.audit.corpus import FAMILIES
from interviewer.audit.cost import estimate
from interviewer.cli import main
from interviewer.config import BUILTIN_PROFILES
from interviewer.domain import Question
from interviewer.engine.grading import AnswerLimits
from interviewer.errors import ExitCode
from tests.unit.test_redteam_fakes import BrittleGrader, FakeGrader, GullibleGrader

QUESTION_ID = "secure-ml-pipeline"


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    monkeypatch.delenv("INTERVIEWER_PROVIDER", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return tmp_path


def use_grader(monkeypatch: pytest.MonkeyPatch, grader: FakeGrader) -> None:
    monkeypatch.setattr(
        "interviewer.providers.registry.build_provider", lambda settings, name, role: grader
    )


def test_json_report_on_the_offline_provider(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "redteam",
            "--provider",
            "offline",
            "--questions",
            QUESTION_ID,
            "--limit",
            "3",
            "--positions",
            "end",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    report = json.loads(out)
    assert report["provider"] == "offline"
    assert report["question_ids"] == [QUESTION_ID]
    assert report["attacks"] == 3
    assert report["benign"] >= 5
    assert report["positions"] == ["end"]
    assert report["attack_success"]["total"] == 3 * 3
    assert report["false_flags"]["total"] == report["benign"] * 3
    # A limit takes one attack from each family in turn.
    assert set(report["by_technique"]) >= set(FAMILIES[:3])


def test_table_report_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "redteam",
            "--provider",
            "offline",
            "--questions",
            QUESTION_ID,
            "--techniques",
            "terminal_escape,markup",
            "--bases",
            "weak",
            "--no-benign",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Attack success rate" in out
    assert "terminal_escape" in out
    assert "\x1b" not in out
    assert "[@click" not in out  # attack texts are never printed


def test_max_asr_gates_on_the_attack_success_rate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_grader(monkeypatch, GullibleGrader())
    args = [
        "redteam",
        "--questions",
        QUESTION_ID,
        "--techniques",
        "direct_override",
        "--bases",
        "weak",
        "--no-benign",
    ]
    assert main([*args, "--max-asr", "0"]) == 1
    assert "above --max-asr 0" in capsys.readouterr().err
    assert main([*args, "--max-asr", "1"]) == 0
    assert main(args) == 0  # no threshold, no gate


def test_a_grader_that_goes_down_fails_the_run_even_at_max_asr_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first grading works, every later one gets a server error: the attack success rate
    # would be over the one trial that worked.
    args = [
        "redteam",
        "--questions",
        QUESTION_ID,
        "--techniques",
        "direct_override",
        "--bases",
        "weak",
        "--no-benign",
        "--max-asr",
        "0",
    ]
    use_grader(monkeypatch, BrittleGrader(error_after=1))
    assert main([*args, "--json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    failed = report["failed"]
    assert failed["total"] == report["calls"] and failed["hits"] == failed["total"] - 1
    assert failed["rate"] > 0.9
    assert "of provider calls failed" in captured.err and "--max-failures 0.05" in captured.err
    use_grader(monkeypatch, BrittleGrader(error_after=1))
    assert main(args) == 1
    out = capsys.readouterr().out
    assert f"Failed gradings       {100 * failed['rate']:6.2f}%" in out
    # A threshold the user raised on purpose lets the run count.
    use_grader(monkeypatch, BrittleGrader(error_after=1))
    assert main([*args, "--max-failures", "1"]) == 0


def test_a_healthy_grader_reports_no_failed_gradings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_grader(monkeypatch, FakeGrader())
    args = ["redteam", "--questions", QUESTION_ID, "--limit", "2", "--no-benign", "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["failed"] == {"hits": 0, "total": report["calls"], "rate": 0.0}


def test_paid_run_needs_yes_when_stdin_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    grader = FakeGrader(label="openai:gpt-4o-mini", local=False)
    use_grader(monkeypatch, grader)
    args = ["redteam", "--provider", "openai", "--questions", QUESTION_ID, "--limit", "2"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "pass --yes" in err
    assert "grading calls" in err and "$" in err
    assert grader.calls == 0
    assert main([*args, "--yes", "--json"]) == 0
    assert grader.calls > 0


def test_paid_run_asks_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    grader = FakeGrader(label="openai:gpt-4o-mini", local=False)
    use_grader(monkeypatch, grader)
    args = [
        "redteam",
        "--provider",
        "openai",
        "--questions",
        QUESTION_ID,
        "--limit",
        "1",
        "--no-benign",
        "--json",
    ]
    monkeypatch.setattr("sys.stdin", TTY("n\n"))
    assert main(args) == 2
    assert "cancelled" in capsys.readouterr().err
    assert grader.calls == 0
    monkeypatch.setattr("sys.stdin", TTY("y\n"))
    assert main(args) == 0
    assert grader.calls == 3 + 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--questions", "nope"], 'no question "nope" (--questions)'),
        (["--bases", "medium"], "--bases: expected some of weak, partial, strong"),
        (["--positions", "start,top"], "--positions"),
        (["--techniques", "rot14"], "unknown technique 'rot14'"),
        (["--limit", "0"], "--limit"),
        (["--max-asr", "5"], "--max-asr"),
        (["--max-failures", "-0.1"], "--max-failures"),
        (["--bank", "no-such-bank"], "unknown bank"),
    ],
)
def test_user_errors_are_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["redteam", "--provider", "offline", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_list_techniques(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["redteam", "--list-techniques"]) == 0
    out = capsys.readouterr().out
    assert "homoglyph" in out
    assert "benign" in out


def make(question_text: str = "Q?") -> Question:
    from interviewer.bank.loader import find_bank

    return find_bank("ai-security").questions[0].model_copy(update={"text": question_text})


def test_estimate_counts_calls_tokens_and_cost() -> None:
    question = make()
    answer = "I would hash the datasets and verify signatures before every training run. " * 4
    profile = BUILTIN_PROFILES["openai"]
    result = estimate(
        [(question, answer), (question, answer), (question, "")],
        profile,
        AnswerLimits(min_words=8, max_chars=6000),
    )
    assert result.calls == 2  # the empty answer never reaches the provider
    # At least the sample answer, key points and the answer, at ~4 characters per token.
    floor = (len(question.sample_answer) + len(answer)) // 4
    assert result.input_tokens > 2 * floor
    assert result.output_tokens == 2 * (200 + 45 * len(question.key_points))
    assert result.cost_usd == pytest.approx(
        (result.input_tokens * 0.15 + result.output_tokens * 0.60) / 1e6
    )
    free = estimate(
        [(question, answer)], BUILTIN_PROFILES["ollama"], AnswerLimits(min_words=8, max_chars=6000)
    )
    assert free.cost_usd is None
    assert "unknown" in free.describe()


def test_offline_runs_leave_key_points_without_canaries(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["redteam", "--questions", QUESTION_ID, "--limit", "1", "--no-benign", "--json"]
    assert main(["redteam", "--provider", "offline", *args[1:]]) == 0
    assert json.loads(capsys.readouterr().out)["key_point_canaries"] is False
    use_grader(monkeypatch, FakeGrader(label="openai:gpt-4o-mini", local=False))
    assert main([*args, "--provider", "openai", "--yes"]) == 0
    assert json.loads(capsys.readouterr().out)["key_point_canaries"] is True


def test_record_then_replay_gives_the_same_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["redteam", "--questions", QUESTION_ID, "--limit", "2", "--positions", "end", "--json"]
    rec = tmp_path / "rec"
    assert main([*args, "--provider", "offline", "--record", str(rec)]) == 0
    recorded = json.loads(capsys.readouterr().out)
    assert len(list(rec.iterdir())) == recorded["calls"]
    replay = ["--provider", "replay", "--fixtures", str(rec)]
    # Offline runs plant no key point canary, so the replay must not either to match.
    assert main([*args, *replay, "--no-key-point-canaries"]) == 0
    replayed = json.loads(capsys.readouterr().out)
    for key in ("attack_success", "false_flags", "leaks", "findings", "clean"):
        assert replayed[key] == recorded[key], key
    assert main([*args, *replay]) == ExitCode.REPLAY_MISMATCH
    assert "CANARY-" in capsys.readouterr().err  # the mismatch shows the difference
