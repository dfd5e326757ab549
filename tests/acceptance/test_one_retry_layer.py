"""Exactly one retry layer in every mode (issue 11, item 5): against a 127.0.0.1 server that
answers every chat request with 503, one grading costs max_retries + 1 requests in the TUI, in
headless mode and in `interviewer grade`, built from a config file as a user would, never more."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from interviewer.bank.loader import find_bank, select_questions
from interviewer.cli import main
from interviewer.config import load_config
from interviewer.errors import ExitCode
from interviewer.tui.app import build_app
from interviewer.tui.ports import BankChoice
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.editor import AnswerEditor
from tests.tui.harness import MemoryCatalog, engine_idle, notifications, wait_until

MAX_RETRIES = 2
ANSWER = (
    "I would label retrieved text as untrusted, keep it out of the system prompt, check every "
    "tool call against the user's permissions and log what the model did."
)


@dataclass
class Overloaded:
    url: str = ""
    chat_requests: int = 0


class _Handler(BaseHTTPRequestHandler):
    state: Overloaded

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        if self.path == "/v1/chat/completions":
            self.state.chat_requests += 1
        body = json.dumps({"error": {"message": "overloaded", "type": "server_error"}}).encode()
        self.send_response(503)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def overloaded() -> Iterator[Overloaded]:
    state = Overloaded()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), {"state": state}))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def config(folder: Path, server: Overloaded) -> Path:
    """One grading call per session: one question, no probes, feedback after it."""
    path = folder / "config.toml"
    path.write_text(
        'provider = "flaky"\n'
        '[interview]\nbank = "ai-security"\ncount = 1\nmax_probes = 0\nseed = 1\n'
        'mode = "practice"\n'
        f'[providers.flaky]\nkind = "openai"\nmodel = "tiny"\nbase_url = "{server.url}"\n'
        f"max_retries = {MAX_RETRIES}\nretry_max_wait_s = 0\n",
        encoding="utf-8",
    )
    return path


def test_headless_grading_makes_the_providers_attempts_only(
    home: Path, tmp_path: Path, overloaded: Overloaded
) -> None:
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps({"text": ANSWER}) + "\n", encoding="utf-8")
    code = main(["run", "--config", str(config(tmp_path, overloaded)), "--answers", str(answers)])
    assert code == ExitCode.PROVIDER_FAILED  # finished, with the offline grader standing in
    assert overloaded.chat_requests == MAX_RETRIES + 1


def test_the_grade_command_makes_the_providers_attempts_only(
    home: Path, tmp_path: Path, overloaded: Overloaded, capsys: pytest.CaptureFixture[str]
) -> None:
    first = select_questions(find_bank("ai-security"), difficulties=(), count=1, seed=1)[0]
    cfg = str(config(tmp_path, overloaded))
    code = main(["grade", "--config", cfg, "--question", first.id, "--answer", ANSWER])
    assert code == ExitCode.PROVIDER_FAILED
    assert overloaded.chat_requests == MAX_RETRIES + 1
    assert f"gave up after {MAX_RETRIES + 1} attempts" in capsys.readouterr().err


async def test_the_tui_makes_the_providers_attempts_only(
    home: Path, tmp_path: Path, overloaded: Overloaded
) -> None:
    settings, _ = load_config(config(tmp_path, overloaded))
    catalog = MemoryCatalog(bank_list=[BankChoice("ai-security", "AI security", 10)])
    app = build_app(settings, catalog=catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")  # Start, with the config's choices
        await wait_until(pilot, lambda: isinstance(app.screen, InterviewScreen), what="interview")
        await wait_until(pilot, lambda: engine_idle(app), what="first question")
        app.screen.query_one(AnswerEditor).load_text(ANSWER)
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: any("Grading failed" in n for n in notifications(app)),
            limit=60,
            what="grading failed",
        )
        await wait_until(pilot, lambda: engine_idle(app), what="engine idle")
        # nothing retries on its own after the provider's attempts: ctrl+r is the candidate's
        assert overloaded.chat_requests == MAX_RETRIES + 1
