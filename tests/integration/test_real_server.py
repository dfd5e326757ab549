"""Against a real OpenAI-compatible server and a real tiny model: a headless interview with
probes and grading, `interviewer grade`, and a TUI interview under Pilot. The assertions are on
behaviour, never on the model's wording: grading went through the model (the report names the
profile, no offline stand-in), every probe shown passed the output check, and the requests and
the time stay within bounds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interviewer.bank.loader import find_bank
from interviewer.config import load_config
from interviewer.domain import Question
from interviewer.engine.state import load_state
from interviewer.providers.output_check import probe_problem
from tests.integration.conftest import LlmServer

pytestmark = pytest.mark.integration

ANSWERS = (
    "I would log every request with the user, the model version, the prompt template and each "
    "tool call, redact personal data before it is stored, and alert on spikes in refusals.",
    "I would add dashboards for abuse signals and tie each alert to a playbook and an owner, so "
    "someone acts on it quickly and the logs can be correlated with the application logs.",
)
# One 500 for json_schema (llama.cpp takes json_object only), then the remembered rung. Per
# question at most: two probe drafts, and grading's rung + repair + length retry, twice over
# (headless retries a failed grading once).
MAX_REQUESTS_PER_QUESTION = 10
MAX_SECONDS_PER_QUESTION = 420


def _question(question_id: str) -> Question:
    return find_bank("ai-security").question(question_id)


def _run(args: list[str], home: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTERVIEWER_HOME": str(home)}
    env.pop("INTERVIEWER_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def _assert_server_use(server: LlmServer, before: int, questions: int) -> list[int]:
    statuses = server.statuses()[before:]
    assert 0 < len(statuses) <= MAX_REQUESTS_PER_QUESTION * questions, statuses
    # The unsupported rung costs one request per session, and nothing is retried on it.
    assert statuses.count(500) <= 1, statuses
    return statuses


def test_headless_interview_probes_and_grades_through_the_model(
    llm_server: LlmServer, tmp_path: Path
) -> None:
    config = llm_server.config(tmp_path)
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps({"text": a}) + "\n" for a in ANSWERS * 2), "utf-8")
    report = tmp_path / "report.json"
    before, started = len(llm_server.statuses()), time.monotonic()
    args = ["run", "--config", str(config), "--headless", "--answers", str(answers)]
    done = _run(
        [*args, "--report", str(report)],
        tmp_path / "home",
        timeout=MAX_SECONDS_PER_QUESTION,
    )
    elapsed = time.monotonic() - started
    assert done.returncode in (0, 4), done.stderr  # 4: a bank probe stood in for a bad draft
    assert "offline grader instead" not in done.stdout
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["finished"] and data["grader"] == llm_server.label
    for item in data["questions"]:
        evaluation = item["evaluation"]
        assert evaluation["grader"] == llm_server.label and evaluation["method"] == "model"
        question = _question(item["question_id"])
        said = [exchange["answer"] for exchange in item["exchanges"]]
        assert item["probes"], "max_probes = 1 and the answers leave points uncovered"
        for probe in item["probes"]:
            assert probe_problem(probe, question, said) is None, probe
            assert probe in done.stdout  # what was checked is what was shown
    statuses = _assert_server_use(llm_server, before, len(data["questions"]))
    assert elapsed < MAX_SECONDS_PER_QUESTION * len(data["questions"])
    print(
        f"\nheadless: exit {done.returncode}, {len(statuses)} requests {statuses}, {elapsed:.0f} s"
    )


def test_grade_command_grades_through_the_model(llm_server: LlmServer, tmp_path: Path) -> None:
    config = llm_server.config(tmp_path)
    before, started = len(llm_server.statuses()), time.monotonic()
    args = ["grade", "--config", str(config), "--question", "ai-logging-monitoring"]
    done = _run(
        [*args, "--answer", ANSWERS[0], "--json"],
        tmp_path / "home",
        timeout=MAX_SECONDS_PER_QUESTION,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    evaluation = json.loads(done.stdout)
    assert evaluation["grader"] == llm_server.label and evaluation["method"] == "model"
    assert len(evaluation["verdicts"]) == len(_question("ai-logging-monitoring").key_points)
    statuses = _assert_server_use(llm_server, before, 1)
    # grading alone: the unsupported rung, the working one, at most a repair and a length retry
    assert len(statuses) <= 4, statuses
    print(f"\ngrade: {len(statuses)} requests {statuses}, {elapsed:.0f} s")


async def test_tui_interview_under_pilot(
    llm_server: LlmServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviewer.tui.app import build_app
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.screens.report import ReportScreen
    from interviewer.tui.widgets.editor import AnswerEditor
    from tests.tui.harness import engine_idle, start_interview, wait_until
    from tests.tui.test_flow import SIZE

    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    settings, _ = load_config(llm_server.config(tmp_path), environ={})
    app = build_app(settings)
    before, started = len(llm_server.statuses()), time.monotonic()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        journal = screen.interview.journal_path
        for answer in ANSWERS:
            if not isinstance(app.screen, InterviewScreen):
                break
            app.screen.query_one(AnswerEditor).load_text(answer)
            await pilot.press("ctrl+s")
            await wait_until(
                pilot, lambda: engine_idle(app), limit=MAX_SECONDS_PER_QUESTION, what="the model"
            )
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ReportScreen),
            limit=MAX_SECONDS_PER_QUESTION,
            what="report",
        )
    elapsed = time.monotonic() - started
    opened = load_state(journal).opened[0]
    assert opened.prompts[1:], "max_probes = 1 and the answer leaves points uncovered"
    for prompt in opened.prompts[1:]:
        assert probe_problem(prompt.text, opened.question, opened.answers) is None, prompt.text
    evaluation = opened.evaluation
    assert evaluation is not None
    assert evaluation.grader == llm_server.label and evaluation.method == "model"
    statuses = _assert_server_use(llm_server, before, 1)
    assert elapsed < MAX_SECONDS_PER_QUESTION
    print(f"\ntui: {len(statuses)} requests {statuses}, {elapsed:.0f} s")
