"""TUI figures, measured by hand (`python bench/bench_tui.py`); nothing here is a test.

1. Launch to first question on screen, side by side with a bare Textual app showing one line:
   a fresh interpreter each run (so imports count), headless, median of N runs.
2. Memory at the end of a 10-question interview on a fast fake provider (tracemalloc peak of
   the run, and the process's max RSS).
3. UI time per streamed chunk: one long probe streamed through the TUI versus the same step in
   the engine alone, the worst event-loop lag meanwhile (what a key press would wait), and
   proof that keys typed during the stream reached the editor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from interviewer.config import InterviewSettings, Settings
from interviewer.domain import GraderOutput, KeyPointVerdict, Question, Usage, Verdict
from interviewer.engine.session import Interview
from interviewer.errors import AssessUnsupported
from interviewer.providers.base import (
    AssessDone,
    AssessRequest,
    GradeDone,
    GradeEvent,
    GradeRequest,
    ProbeDone,
    ProbeEvent,
    ProbeRequest,
    TextDelta,
)
from interviewer.tui.ports import StartChoice

READY = "READY"
ANSWER = "An answer with enough words in it to be graded."


class FastProvider:
    """Instant replies: `chunks` pieces per probe and per feedback."""

    def __init__(self, chunks: int = 20) -> None:
        self.chunks = chunks

    @property
    def name(self) -> str:
        return "fast-fake"

    @property
    def is_local(self) -> bool:
        return True

    async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        pieces = [f"word{i} " for i in range(self.chunks)]
        for piece in pieces:
            yield TextDelta(piece)
        yield ProbeDone(text="".join(pieces), usage=Usage(input_tokens=500, output_tokens=60))

    async def assess(self, request: AssessRequest) -> AssessDone:
        raise AssessUnsupported("the benchmark measures streaming, not assessments")

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        pieces = [f"feedback{i} " for i in range(self.chunks)]
        for piece in pieces:
            yield TextDelta(piece)
        output = GraderOutput(
            verdicts=tuple(
                KeyPointVerdict(key_point_id=p.id, verdict=Verdict.MISSED)
                for p in request.question.key_points
            ),
            feedback="".join(pieces),
        )
        yield GradeDone(output=output, usage=Usage(input_tokens=900, output_tokens=200))

    async def aclose(self) -> None:
        return None


def first_two(question: Question, text: str) -> tuple[str, ...]:
    """Stand-in coverage estimate: always probe, so every question streams a probe."""
    return tuple(p.id for p in question.key_points[:2])


def new_interview(provider: FastProvider, journal_dir: Path, count: int, mode: str) -> Interview:
    from interviewer.bank.loader import find_bank

    settings = InterviewSettings.model_validate(
        {"max_probes": 1, "min_answer_words": 3, "mode": mode}
    )
    return Interview.new(
        settings,
        "ai-security",
        find_bank("ai-security").questions[:count],
        interviewer=provider,
        grader=provider,
        journal_dir=journal_dir,
        missing=first_two,
    )


def make_factory(
    provider: FastProvider, journal_dir: Path
) -> Callable[[StartChoice], Awaitable[Interview]]:
    async def factory(choice: StartChoice) -> Interview:
        return new_interview(provider, journal_dir, choice.count, choice.mode)

    return factory


def private_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="bench-tui-"))
    os.environ["INTERVIEWER_HOME"] = str(home)
    return home


# -- 1. launch to first question, in a child interpreter --------------------------------------


def child_bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("What is prompt injection?", id="line")

    async def main() -> None:
        app = Bare()
        async with app.run_test(size=(100, 30)) as pilot:
            while not app.query("#line"):
                await pilot.pause(0.001)
            await pilot.pause()
            print(READY, flush=True)

    asyncio.run(main())


def child_interviewer(provider: str) -> None:
    from interviewer.tui.app import build_app
    from interviewer.tui.screens.interview import InterviewScreen

    home = private_home()
    settings = Settings(provider=provider if provider != "fast" else "offline")
    settings.interview.count = 2
    settings.interview.seed = 7
    factory = make_factory(FastProvider(), home / "sessions") if provider == "fast" else None

    async def main() -> None:
        app = build_app(settings, interview_factory=factory)
        async with app.run_test(size=(100, 30)) as pilot:
            while not app.screen.query("#start"):
                await pilot.pause(0.001)
            print("START", flush=True)
            await pilot.press("ctrl+s")
            while not (isinstance(app.screen, InterviewScreen) and app.screen.question_shown):
                await pilot.pause(0.001)
            await pilot.pause()
            print(READY, flush=True)

    asyncio.run(main())


def time_child(args: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    marks: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        marks[line.strip()] = time.perf_counter() - started
        if line.strip() == READY:
            break
    process.wait(timeout=120)
    return marks


def bench_launch(runs: int) -> None:
    print(f"1. Launch to first question on screen (fresh interpreter, headless, median of {runs})")
    rows = [
        ("bare Textual app, one line", ["--child", "bare"]),
        ("interviewer, fast fake provider", ["--child", "fast"]),
        ("interviewer, replay provider", ["--child", "replay"]),
        ("interviewer, offline provider", ["--child", "offline"]),
    ]
    for label, args in rows:
        marks = [time_child(args) for _ in range(runs)]
        ready = statistics.median(m[READY] for m in marks)
        start = [m["START"] for m in marks if "START" in m]
        extra = (
            f"  (Start screen drawn at {statistics.median(start) * 1000:5.0f} ms)" if start else ""
        )
        print(f"   {label:<34} {ready * 1000:6.0f} ms{extra}")


# -- 2. memory over a 10-question interview ----------------------------------------------------


async def run_interview(questions: int, chunks: int) -> tuple[float, float, int]:
    """Drive a whole interview; return (seconds, worst loop lag, answers sent)."""
    from interviewer.tui.app import build_app
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.screens.report import ReportScreen
    from interviewer.tui.widgets.editor import AnswerEditor

    home = private_home()
    settings = Settings()
    settings.interview.count = questions
    app = build_app(settings, interview_factory=make_factory(FastProvider(chunks), home / "s"))
    lag = 0.0
    stop = False

    async def ticker() -> None:
        nonlocal lag
        loop = asyncio.get_running_loop()
        while not stop:
            before = loop.time()
            await asyncio.sleep(0.005)
            lag = max(lag, loop.time() - before - 0.005)

    answers = 0
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.screen.query("#start"):
            await pilot.pause(0.001)
        await pilot.press("ctrl+s")
        tick = asyncio.create_task(ticker())
        started = time.perf_counter()
        while not isinstance(app.screen, ReportScreen):
            screen = app.screen
            busy = any(w.group == "engine" and not w.is_finished for w in app.workers)
            editor = screen.query(AnswerEditor)
            if isinstance(screen, InterviewScreen) and not busy and editor.first().text == "":
                editor.first().load_text(ANSWER)
                await pilot.press("ctrl+s")
                answers += 1
            else:
                await pilot.pause(0.001)
        elapsed = time.perf_counter() - started
        stop = True
        await tick
    return elapsed, lag, answers


def bench_memory() -> None:
    print("2. Memory at the end of a 10-question interview (fast fake provider, 1 probe each)")
    elapsed, lag, answers = asyncio.run(run_interview(10, 20))
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"   {answers} answers in {elapsed:.2f} s; worst event-loop lag {lag * 1000:.0f} ms")
    print(f"   process max RSS {rss_mib:6.1f} MiB (interpreter, Textual, engine and the run)")
    tracemalloc.start()
    asyncio.run(run_interview(10, 20))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"   a second run under tracemalloc: peak {peak / 2**20:.1f} MiB allocated by Python, "
        f"{current / 2**20:.1f} MiB still held at the end"
    )


# -- 3. UI time per streamed chunk ---------------------------------------------------------------


async def stream_one_probe(chunks: int) -> tuple[float, int, float, list[float]]:
    """Time answer -> whole probe on screen; the worst loop lag meanwhile; and how long keys
    sent to the editor during the stream took to land in it."""
    from textual import events

    from interviewer.tui.app import build_app
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.widgets.editor import AnswerEditor

    home = private_home()
    app = build_app(Settings(), interview_factory=make_factory(FastProvider(chunks), home / "s"))
    lag = 0.0
    keys: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.screen.query("#start"):
            await pilot.pause(0.001)
        await pilot.press("ctrl+s")
        while not (isinstance(app.screen, InterviewScreen) and app.screen.question_shown):
            await pilot.pause(0.001)
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        editor = screen.query_one(AnswerEditor)
        editor.load_text(ANSWER)
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        await screen.action_submit()  # not pilot.press: that waits for the app to go idle
        while screen.busy or screen.chunks_shown == 0:
            before = loop.time()
            if 0 < screen.chunks_shown < chunks and len(keys) < 20 and screen.busy:
                length = len(editor.text)
                sent = time.perf_counter()
                editor.post_message(events.Key("x", "x"))
                while len(editor.text) == length:  # noqa: ASYNC110 (polling is the measurement)
                    await asyncio.sleep(0)
                keys.append(time.perf_counter() - sent)
            await asyncio.sleep(0.002)
            lag = max(lag, loop.time() - before - 0.002)
        elapsed = time.perf_counter() - started
        return elapsed, screen.chunks_shown, lag, keys


async def engine_only(chunks: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        interview = new_interview(FastProvider(chunks), Path(folder), 1, "interview")
        async for _ in interview.start():
            pass
        started = time.perf_counter()
        async for _ in interview.submit(ANSWER):
            pass
        elapsed = time.perf_counter() - started
        await interview.aclose()
    return elapsed


def bench_chunks(chunks: int) -> None:
    print(f"3. UI time per streamed chunk (one probe of {chunks} chunks, instant provider)")
    ui, shown, lag, keys = asyncio.run(stream_one_probe(chunks))
    alone = asyncio.run(engine_only(chunks))
    print(f"   answer -> probe shown, through the TUI {ui * 1000:8.1f} ms ({shown} chunks)")
    print(f"   the same step, engine alone           {alone * 1000:8.1f} ms")
    print(f"   UI time per chunk                     {(ui - alone) / max(shown, 1) * 1000:8.3f} ms")
    print(f"   worst event-loop lag while streaming  {lag * 1000:8.1f} ms")
    if keys:
        print(
            f"   {len(keys)} keys typed during the stream: median "
            f"{statistics.median(keys) * 1000:.1f} ms, worst {max(keys) * 1000:.1f} ms to land"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="TUI launch, memory and streaming figures.")
    parser.add_argument("--child", choices=("bare", "fast", "replay", "offline"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunks", type=int, default=500)
    args = parser.parse_args()
    if args.child == "bare":
        child_bare()
    elif args.child is not None:
        child_interviewer(args.child)
    else:
        bench_launch(args.runs)
        bench_memory()
        bench_chunks(args.chunks)


if __name__ == "__main__":
    main()
