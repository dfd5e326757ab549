"""What our OpenAI provider adds over a bare SDK call, per call and per streamed chunk.

A local OpenAI-compatible server on 127.0.0.1 answers every request after a fixed delay (SSE
chunks for streams, a valid grading JSON otherwise). The same rendered request is sent once
through the bare `AsyncOpenAI` client and once through `OpenAIProvider` (prompt rendering,
retry wrapper, idle-timeout reads, the leak guard's hold-back, JSON validation, usage and cost).

    python bench/bench_provider.py [--calls 40] [--chunks 200] [--delay-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import multiprocessing.sharedctypes
import os
import socket
import statistics
import time
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import openai

from interviewer.config import ProviderProfile
from interviewer.domain import Difficulty, Exchange, KeyPoint, Question
from interviewer.prompts import render_grade, render_probe
from interviewer.providers.base import GradeRequest, ProbeRequest, collect_grade
from interviewer.providers.openai import OpenAIProvider
from interviewer.providers.structured import grade_schema

QUESTION = Question(
    id="bench",
    text="How do you defend against prompt injection?",
    difficulty=Difficulty.HARD,
    sample_answer="Separate instructions from data, constrain tools, monitor, layer controls.",
    key_points=tuple(
        KeyPoint(id=f"kp{i}", text=f"key point number {i} about defences", probes=("Why?",))
        for i in range(1, 6)
    ),
)
ANSWER = "I label untrusted input, check every tool call and watch the logs. " * 20
GRADE = {
    "verdicts": [
        {"key_point_id": f"kp{i}", "verdict": "covered", "evidence": "I label untrusted input"}
        for i in range(1, 6)
    ],
    "strengths": ["clear"],
    "gaps": [],
    "feedback": "Good answer.",
}


SCHEMA = grade_schema(QUESTION)


class Settings:
    delay_s = 0.02
    chunks = 200


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Without this, Nagle plus the client's delayed ACK adds ~40 ms to some replies.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        time.sleep(Settings.delay_s)
        base = {"id": "c", "created": 1, "model": "bench"}
        usage = {"prompt_tokens": 900, "completion_tokens": Settings.chunks, "total_tokens": 1}
        if body.get("stream"):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            kind = {**base, "object": "chat.completion.chunk"}
            for i in range(Settings.chunks):
                delta = {"index": 0, "delta": {"content": f"w{i} "}}
                self._write_chunk(f"data: {json.dumps({**kind, 'choices': [delta]})}\n\n".encode())
            final = {**kind, "choices": [], "usage": usage}
            self._write_chunk(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
            self._write_chunk(b"")
            return
        message = {"role": "assistant", "content": json.dumps(GRADE)}
        reply = {
            **base,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": usage,
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


Run = Callable[[], Awaitable[object]]


async def timed(calls: int, bare: Run, ours: Run) -> tuple[list[float], list[float]]:
    """Alternate the two so drift (CPU frequency, other load) hits both alike."""
    await bare()  # warm up the connection pools
    await ours()
    bare_times: list[float] = []
    our_times: list[float] = []
    for _ in range(calls):
        for run, times in ((bare, bare_times), (ours, our_times)):
            start = time.perf_counter()
            await run()
            times.append(time.perf_counter() - start)
    return bare_times, our_times


def serve(
    port: multiprocessing.sharedctypes.Synchronized[int], delay_s: float, chunks: int
) -> None:
    """The test server, in its own process so it does not share our GIL."""
    Settings.delay_s, Settings.chunks = delay_s, chunks
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port.value = server.server_port
    server.serve_forever()


async def main(calls: int) -> None:
    port = multiprocessing.Value("i", 0)
    process = multiprocessing.Process(
        target=serve, args=(port, Settings.delay_s, Settings.chunks), daemon=True
    )
    process.start()
    while port.value == 0:  # noqa: ASYNC110 - the port comes from another process
        await asyncio.sleep(0.01)
    base_url = f"http://127.0.0.1:{port.value}/v1"
    profile = ProviderProfile(kind="openai", model="bench", base_url=base_url, max_tokens=1024)
    os.environ.pop("OPENAI_API_KEY", None)
    ours = OpenAIProvider("bench", profile, "interviewer")
    bare = openai.AsyncOpenAI(api_key="not-needed", base_url=base_url, max_retries=0)
    exchanges = (Exchange(kind="question", prompt=QUESTION.text, answer=ANSWER),)
    probe_request = ProbeRequest(QUESTION, exchanges, ("kp1",), 1)
    grade_request = GradeRequest(QUESTION, exchanges)

    async def bare_stream() -> None:
        rendered = render_probe(probe_request)
        messages: Any = [{"role": "system", "content": rendered.system}] + [
            {"role": m.role, "content": m.content} for m in rendered.messages
        ]
        stream = await bare.chat.completions.create(
            model="bench",
            messages=messages,
            max_tokens=1024,
            temperature=0.2,
            stream=True,
            stream_options={"include_usage": True},
        )
        async for _chunk in stream:
            pass

    async def our_stream() -> None:
        async for _event in ours.probe(probe_request):
            pass

    async def bare_grade() -> None:
        rendered = render_grade(grade_request)
        messages: Any = [{"role": "system", "content": rendered.system}] + [
            {"role": m.role, "content": m.content} for m in rendered.messages
        ]
        completion = await bare.chat.completions.create(
            model="bench",
            messages=messages,
            max_tokens=1024,
            temperature=0.2,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "grade", "strict": True, "schema": SCHEMA},
            },
        )
        json.loads(completion.choices[0].message.content or "")

    async def our_grade() -> None:
        await collect_grade(ours.grade(grade_request))

    rows = []
    for label, bare_run, our_run, chunks in (
        ("probe (stream)", bare_stream, our_stream, Settings.chunks),
        ("grade (json)", bare_grade, our_grade, 0),
    ):
        bare_times, our_times = await timed(calls, bare_run, our_run)
        for stat, pick in (("median", statistics.median), ("min", min)):
            b, o = pick(bare_times), pick(our_times)
            rows.append((f"{label} {stat}", b, o, o - b, (o - b) / chunks if chunks else None))
    await ours.aclose()
    await bare.close()
    process.terminate()
    process.join()
    print(
        f"server delay {Settings.delay_s * 1000:.0f} ms, {Settings.chunks} chunks per stream, "
        f"{calls} calls each, alternating"
    )
    print(f"{'call':<22}{'bare SDK':>12}{'provider':>12}{'added':>12}{'per chunk':>12}")
    for label, b, o, added, per_chunk in rows:
        chunk = f"{per_chunk * 1e6:.1f} us" if per_chunk is not None else "-"
        print(
            f"{label:<22}{b * 1000:>9.2f} ms{o * 1000:>9.2f} ms{added * 1000:>9.2f} ms{chunk:>12}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--chunks", type=int, default=200)
    parser.add_argument("--delay-ms", type=float, default=20)
    args = parser.parse_args()
    Settings.delay_s = args.delay_ms / 1000
    Settings.chunks = args.chunks
    asyncio.run(main(args.calls))
