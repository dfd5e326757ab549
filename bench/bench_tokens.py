"""Input tokens of one scripted interview: the shipped bank's 10 questions, 2 probes each.

The real engine and the real `OpenAIProvider` (prompt rendering, fences, assessment, probes,
grading) run against a fake OpenAI-compatible server behind `httpx2.MockTransport`: it answers
every assessment "missed" (so each question gets both probes), streams a short probe, and
returns a valid grading. Every request body it receives is counted, per kind of call (told
apart by what the request's schema asks for), and split into what the characters are spent
on: bank text (the question and key points), fenced text (the candidate's answers and earlier
probes), the fence lines, and the rest (our instructions and the key point ids).

Tokens are ESTIMATED as characters / 4 (no tokenizer is installed; the same ratio the Anthropic
provider uses for its cache minimum), over the text of every message sent: system prompt,
transcript, reminders. The json_schema `response_format` is counted apart (servers that compile
it into the prompt bill it too; OpenAI caches it). The answers are the replay demo's six
(200-500 characters each), reused in turn.

    python bench/bench_tokens.py
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx2

from interviewer.bank.loader import find_bank, select_questions
from interviewer.config import InterviewSettings, ProviderProfile
from interviewer.domain import Question
from interviewer.engine.session import Interview
from interviewer.providers.openai import OpenAIProvider
from interviewer.providers.replay import demo_fixtures

CHARS_PER_TOKEN = 4
PROBE = "Could you walk me through how you would check that in practice?"


def tokens(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


class FakeServer:
    """Scripted replies by request kind; records what each request spent its characters on."""

    def __init__(self, questions: Sequence[Question], *, covering: bool = False) -> None:
        self.questions = questions
        self.covering = covering
        """Cover the first point asked about and find the next partial, quoting the newest
        answer (the realistic scenario); else every point is missed (the worst case)."""
        self.seen: list[Seen] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        text = "".join(str(message["content"]) for message in body["messages"])
        system = len(str(body["messages"][0]["content"]))
        schema = json.dumps(body.get("response_format", ""))
        self.seen.append(Seen(kind(body), len(text), system, len(schema), *self._parts(text)))
        if body.get("stream"):
            return _stream(PROBE)
        wanted = body["response_format"]["json_schema"]["schema"]["properties"]
        reply: dict[str, Any] = {}
        if "verdicts" in wanted:
            reply["verdicts"] = {
                point: {"verdict": "missed", "evidence": ""}
                for point in wanted["verdicts"]["properties"]
            }
            if self.covering:
                reply["verdicts"] |= _covering(list(reply["verdicts"]), text)
        if "feedback" in wanted:
            reply |= {"strengths": [], "gaps": ["depth"], "feedback": "Say more about the how."}
        return _completion(json.dumps(reply))

    def _parts(self, text: str) -> tuple[int, int, int]:
        """Characters of fence lines, of fenced text (the candidate's answers and the probes),
        and of bank text (the question and key points) in `text`."""
        lines = _FENCE_LINE.findall(text)
        fenced = sum(len(match.group(3)) for match in _FENCED.finditer(text))
        question = next(q for q in self.questions if q.text in text)
        bank = sum(
            text.count(part) * len(part)
            for part in (question.text, *(point.text for point in question.key_points))
        )
        return sum(len(line) for line in lines), fenced, bank


def _covering(points: list[str], text: str) -> dict[str, dict[str, str]]:
    """The realistic scenario's verdicts: the first point asked about covered and the second
    partial, each quoting eight words of the newest answer in `text`."""
    newest = [match.group(3) for match in _FENCED.finditer(text) if match.group(1) == "ANSWER"]
    said = newest[-1].split() if newest else []
    quotes = (" ".join(said[:8]), " ".join(said[8:16]))
    verdicts = ("covered", "partial")
    return {
        point: {"verdict": verdict, "evidence": quote}
        for point, verdict, quote in zip(points, verdicts, quotes, strict=False)
        if len(quote.split()) == 8
    }


def kind(body: dict[str, Any]) -> str:
    """What a request is for: a streamed probe, or what its schema asks for (verdicts, prose,
    or both)."""
    if body.get("stream"):
        return "probe"
    wanted = body["response_format"]["json_schema"]["schema"]["properties"]
    if "verdicts" not in wanted:
        return "feedback"
    return "grade" if "feedback" in wanted else "assess"


_FENCE_LINE = re.compile(r"<<<(?:BEGIN|END) \w+ \w+>>>")
_FENCED = re.compile(r"<<<BEGIN (\w+) (\w+)>>>\n(.*?)\n<<<END \1 \2>>>", re.DOTALL)


@dataclass(frozen=True)
class Seen:
    """One request: its kind and character counts (all messages, the system one, the
    response_format, fence lines, fenced text, bank text)."""

    kind: str
    chars: int
    system: int
    schema: int
    fence_lines: int
    fenced: int
    bank: int


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


async def interview(server: FakeServer, questions: Sequence[Question], journal_dir: Path) -> None:
    profile = ProviderProfile.model_validate(
        {"kind": "openai", "model": "bench", "base_url": "http://127.0.0.1:9/v1"}
    )
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle))
    provider = OpenAIProvider("bench", profile, "grader", http_client=client)
    settings = InterviewSettings(count=10, max_probes=2, seed=1)
    lines = (demo_fixtures() / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    answers = cycle(json.loads(line)["text"] for line in lines if line.strip())
    session = Interview.new(
        settings, "ai-security", tuple(questions), interviewer=provider, grader=provider,
        journal_dir=journal_dir,
    )  # fmt: skip
    async for _ in session.start():
        pass
    while not session.finished:
        async for _ in session.submit(next(answers)):
            pass
    await session.aclose()


def main() -> None:
    questions = select_questions(find_bank("ai-security"), difficulties=(), count=10, seed=1)
    for covering, title in (
        (False, "every assessment finds every point missed (the worst case; the target)"),
        (True, "each answer covers one more point and half of the next (realistic)"),
    ):
        server = FakeServer(questions, covering=covering)
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(interview(server, questions, Path(folder)))
        report(server.seen, title)
    print(
        "  system: the system prompts (bank text included); bank: the question and key points,"
        "\n  wherever sent; fenced: the candidate's answers, earlier probes and quotes; fences:"
        "\n  the fence lines; other: our instructions and the key point ids"
    )


def report(seen_all: Sequence[Seen], title: str) -> None:
    print(f"Input tokens per 10-question interview, 2 probes each (characters / 4): {title}")
    print(
        f"  {'call':<9} {'calls':>5} {'tokens':>7}   of which: {'system':>6} {'bank':>6}"
        f" {'fenced':>6} {'fences':>6} {'other':>6}"
    )
    for name in ("assess", "probe", "grade", "feedback", "total"):
        seen = [s for s in seen_all if name in (s.kind, "total")]
        if not seen:
            continue
        chars = sum(s.chars for s in seen)
        fenced = sum(s.fenced for s in seen)
        lines = sum(s.fence_lines for s in seen)
        bank = sum(s.bank for s in seen)
        other = chars - fenced - lines - bank
        print(
            f"  {name:<9} {len(seen):>5} {tokens(chars):>7,}   of which: "
            f"{tokens(sum(s.system for s in seen)):>6,} {tokens(bank):>6,} {tokens(fenced):>6,}"
            f" {tokens(lines):>6,} {tokens(other):>6,}"
        )
    schema = tokens(sum(s.schema for s in seen_all))
    print(f"  json_schema response_format, counted apart: {schema:,} tokens")


if __name__ == "__main__":
    main()
