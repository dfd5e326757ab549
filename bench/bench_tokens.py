"""Input tokens of one scripted interview: the shipped bank's 10 questions, 2 probes each.

The real engine and the real `OpenAIProvider` (prompt rendering, fences, assessment, probes,
grading) run against a fake OpenAI-compatible server behind `httpx2.MockTransport`: it answers
every assessment "missed" (so each question gets both probes), streams a short probe, and
returns a valid grading. Every request body it receives is counted.

Tokens are ESTIMATED as characters / 4 (no tokenizer is installed; the same ratio the Anthropic
provider uses for its cache minimum), over the text of every message sent: system prompt,
transcript, reminders. The json_schema `response_format` is counted apart (servers that compile
it into the prompt bill it too; OpenAI caches it). The answers are the replay demo's six
(about 450-500 characters each), reused in turn.

    python bench/bench_tokens.py
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx2

from interviewer.bank.loader import find_bank, select_questions
from interviewer.config import InterviewSettings, ProviderProfile
from interviewer.engine.session import Interview
from interviewer.providers.openai import OpenAIProvider
from interviewer.providers.replay import demo_fixtures

CHARS_PER_TOKEN = 4
PROBE = "Could you walk me through how you would check that in practice?"


def estimate(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


class FakeServer:
    """Scripted replies by request kind; records what each request spent its characters on."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        text = "".join(str(message["content"]) for message in body["messages"])
        system = len(str(body["messages"][0]["content"]))
        schema = json.dumps(body.get("response_format", ""))
        user = str(body["messages"][-1]["content"])
        # Every fence line carries the request's marker: count the characters they spend on it.
        markers = re.findall(r"<<<(?:BEGIN|END) \w+ (\w+)>>>", text)
        fence_chars = sum(len(marker) for marker in markers)
        if body.get("stream"):
            self.seen.append(Seen("probe", len(text), system, 0, fence_chars))
            return _stream(PROBE)
        ids = re.search(r"one verdict per key point: (.+)", user)
        kind = "assess" if "Assess the candidate" in user else "grade"
        if ids is None:
            kind = "feedback"
        self.seen.append(Seen(kind, len(text), system, len(schema), fence_chars))
        reply: dict[str, Any] = {}
        if ids is not None:
            reply["verdicts"] = [
                {"key_point_id": kp.strip(), "verdict": "missed", "evidence": ""}
                for kp in ids.group(1).split(",")
            ]
        if kind != "assess":
            reply |= {"strengths": [], "gaps": ["depth"], "feedback": "Say more about the how."}
        return _completion(json.dumps(reply))


@dataclass(frozen=True)
class Seen:
    """One request: its kind and character counts (all messages, the system one, the
    response_format, the fence markers)."""

    kind: str
    chars: int
    system: int
    schema: int
    fences: int


def _stream(text: str) -> httpx2.Response:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    frames = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    body = "".join(f"data: {json.dumps(frame)}\n\n" for frame in frames) + "data: [DONE]\n\n"
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)


def _completion(content: str) -> httpx2.Response:
    message = {"role": "assistant", "content": content}
    return httpx2.Response(
        200,
        json={
            "id": "c",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        },
    )


async def interview(server: FakeServer, journal_dir: Path) -> None:
    profile = ProviderProfile.model_validate(
        {"kind": "openai", "model": "bench", "base_url": "http://127.0.0.1:9/v1"}
    )
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle))
    provider = OpenAIProvider("bench", profile, "grader", http_client=client)
    settings = InterviewSettings(count=10, max_probes=2, seed=1)
    questions = select_questions(find_bank("ai-security"), difficulties=(), count=10, seed=1)
    lines = (demo_fixtures() / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    answers = cycle(json.loads(line)["text"] for line in lines if line.strip())
    session = Interview.new(
        settings, "ai-security", questions, interviewer=provider, grader=provider,
        journal_dir=journal_dir,
    )  # fmt: skip
    async for _ in session.start():
        pass
    while not session.finished:
        async for _ in session.submit(next(answers)):
            pass
    await session.aclose()


def main() -> None:
    server = FakeServer()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(interview(server, Path(folder)))
    calls: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    system: Counter[str] = Counter()
    for seen in server.seen:
        calls[seen.kind] += 1
        tokens[seen.kind] += estimate("x" * seen.chars)
        system[seen.kind] += estimate("x" * seen.system)
    total = sum(tokens.values())
    schema = sum(estimate("x" * seen.schema) for seen in server.seen)
    fences = estimate("x" * sum(seen.fences for seen in server.seen))
    print("Input tokens per 10-question interview, 2 probes each (estimate: characters / 4)")
    for kind in ("assess", "probe", "grade", "feedback"):
        if calls[kind]:
            print(
                f"  {kind:<9} {calls[kind]:>3} calls  {tokens[kind]:>7,} tokens"
                f"  (system prompts {system[kind]:,})"
            )
    print(f"  {'total':<9} {sum(calls.values()):>3} calls  {total:>7,} tokens (messages)")
    print(f"  fence markers: {fences:,} tokens ({fences / total:.1%})")
    print(f"  json_schema response_format, counted apart: {schema:,} tokens")


if __name__ == "__main__":
    main()
