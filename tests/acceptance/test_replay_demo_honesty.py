"""The replay demo with the candidate's own answers: it says once that the replies are now a
script, every evaluation says it is the recording's and not a grade, and a grader's quote that is
not in the answer is never "you said". With the recorded answers, none of that shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from interviewer.cli import main
from interviewer.domain import REJECTED_QUOTE_LABEL, SCRIPTED_FLAG, SCRIPTED_NOTE
from interviewer.providers.replay import demo_fixtures

DEMO_ANSWERS = Path(str(demo_fixtures())) / "answers.jsonl"
OWN_ANSWERS = [
    "I once told our board that the chatbot could read files their staff could not, and that "
    "this was a real risk to customer data we had to fix before launch.",
    "We drew the flow on a whiteboard and agreed to restrict which folders it may search, "
    "with a review by the security team every quarter.",
    "The outcome was a short written decision, owners for each fix, and a date to check in.",
    "I would list every data source the assistant touches, check who may read each one, and "
    "test whether answers ever include documents the user should not see.",
    "I would plant marker strings in restricted files and watch the outputs and logs for them.",
    "If a marker came back I would stop the rollout, find the path it took, and fix the access.",
]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    for name in ("INTERVIEWER_PROVIDER", "INTERVIEWER_GRADER_PROVIDER", "INTERVIEWER_RECORD_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


def run_demo(answers: Path, report: Path) -> int:
    args = ["run", "--provider", "replay", "--seed", "7", "--count", "2"]
    return main([*args, "--answers", str(answers), "--report", str(report)])


def test_own_answers_are_told_once_and_never_shown_the_script_as_theirs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps({"text": a}) + "\n" for a in OWN_ANSWERS), "utf-8")
    report_json, report_md = tmp_path / "own.json", tmp_path / "own.md"
    assert run_demo(answers, report_json) == 0
    out = capsys.readouterr().out
    # The engine says it once (in the first probe's place), not once per reply.
    assert " ".join(out.split()).count(SCRIPTED_NOTE) == 1 + out.count("Scripted replay:")
    assert out.count("Scripted replay:") == 2 and "Score: " not in out
    assert f"{REJECTED_QUOTE_LABEL}:" in out
    data = json.loads(report_json.read_text("utf-8"))
    evaluations = [q["evaluation"] for q in data["questions"]]
    assert len(evaluations) == 2
    for evaluation in evaluations:
        assert SCRIPTED_FLAG in evaluation["flags"]
        assert any(f.startswith("evidence_rejected:") for f in evaluation["flags"])
    assert run_demo(answers, report_md) == 0
    markdown = report_md.read_text("utf-8")
    assert markdown.count("(scripted)") == 2 and f"{REJECTED_QUOTE_LABEL}:" in markdown
    for line in markdown.splitlines():
        if REJECTED_QUOTE_LABEL in line:
            assert "you said" not in line


def test_the_recorded_answers_replay_as_recorded_with_no_script_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_json = tmp_path / "demo.json"
    assert run_demo(DEMO_ANSWERS, report_json) == 0
    out = capsys.readouterr().out
    assert " ".join(SCRIPTED_NOTE.split()[:4]) not in " ".join(out.split())
    assert "Scripted replay:" not in out and out.count("Score: ") == 2
    data = json.loads(report_json.read_text("utf-8"))
    assert all(SCRIPTED_FLAG not in q["evaluation"]["flags"] for q in data["questions"])


async def test_the_tui_says_it_plays_a_script_and_never_labels_a_rejected_quote_yours(
    home: Path,
) -> None:
    from interviewer.tui.app import build_app
    from interviewer.tui.screens.feedback import FeedbackScreen
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.widgets.editor import AnswerEditor
    from interviewer.tui.widgets.status import StatusBar
    from tests.acceptance.test_real_providers import SIZE, settings_for
    from tests.tui.harness import engine_idle, fixed_clock, screen_text, wait_until

    app = build_app(settings_for("replay", "practice", seed=7), clock=fixed_clock)
    shown: list[str] = []  # every toast, kept: under load one may expire before the check
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        shown.append(message)
        notify(message, **options)

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#start")), what="start screen")
        assert "a scripted demo interview" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
        await wait_until(pilot, lambda: engine_idle(app), what="first question")
        assert "replay:scripted-demo" in str(app.screen.query_one(StatusBar).render())
        for text in OWN_ANSWERS[:3]:
            if isinstance(app.screen, FeedbackScreen):
                break
            app.screen.query_one(AnswerEditor).load_text(text)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: engine_idle(app), what="reply")
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        text = " ".join(screen_text(app).split())
        assert "Scripted replay:" in text and "not a grade of you" in text
        assert f"{REJECTED_QUOTE_LABEL}:" in text
        assert "you said" not in text  # every quote of the script was rejected here
        assert [message for message in shown if SCRIPTED_NOTE in message] == [SCRIPTED_NOTE]
