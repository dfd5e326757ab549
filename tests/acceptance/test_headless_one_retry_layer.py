"""Headless mode has exactly one retry layer: the provider's own. A grading call that keeps
failing costs max_retries + 1 requests, then the offline grader stands in."""

from __future__ import annotations

import io
from pathlib import Path

import httpx2
import pytest

from interviewer.bank.loader import find_bank, select_questions
from interviewer.config import InterviewSettings
from interviewer.engine.session import Interview
from interviewer.headless import HeadlessRunner
from interviewer.providers.openai import OpenAIProvider
from tests.providers.support import OPENAI_KEY, Sleeps, profile

ANSWER = (
    "I would label retrieved text as untrusted, keep it out of the system prompt, check every "
    "tool call against the user's permissions and log what the model did."
)


async def test_a_persistent_grading_fault_makes_only_the_providers_attempts(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", OPENAI_KEY)
    paths: list[str] = []

    def unavailable(request: httpx2.Request) -> httpx2.Response:
        paths.append(request.url.path)
        return httpx2.Response(503, json={"error": {"message": "overloaded"}})

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(unavailable))
    grader = OpenAIProvider(
        "openai", profile("openai", max_retries=3), "grader", http_client=client, sleep=Sleeps()
    )
    # No probes: the one provider call of the session is the grading of this answer.
    settings = InterviewSettings(count=1, max_probes=0, seed=1, mode="practice")
    questions = select_questions(find_bank("ai-security"), difficulties=(), count=1, seed=1)
    interview = Interview.new(
        settings, "ai-security", questions, interviewer=grader, grader=grader,
        journal_dir=home / "sessions",
    )  # fmt: skip
    out = io.StringIO()
    runner = HeadlessRunner(interview, out, interactive=False)
    try:
        finished = await runner.run(iter([ANSWER]))
    finally:
        await interview.aclose()
    assert finished
    assert len(paths) == 4  # max_retries + 1, once: no second layer on top
    assert set(paths) == {"/v1/chat/completions"}
    text = out.getvalue()
    assert "Retrying grading" not in text
    assert "offline grader instead" in text
    evaluation = interview.report().questions[0].evaluation
    assert evaluation is not None and evaluation.grader == "offline"
