"""TUI figures, measured by hand (`python bench/bench_tui.py`); nothing here is a test.

1. Launch, side by side with a bare Textual app showing one line, each in a fresh interpreter
   (so imports count), headless, median of N runs: process start to the Start screen drawn (the
   bare app: to its line drawn), through the same path as `interviewer run` (argument parsing,
   config, `build_app`), as wall time and as CPU time against the bare app's (CPU time is
   less at the mercy of other load on the machine); then Start pressed to the first question
   drawn, timed inside the child, once with Start pressed after the warm-up ended (a candidate
   reading the screen) and once pressed at once. A second bare app draws the Start screen's
   stock widgets unstyled under its line: the floor for any Textual app with that form.
2. Memory at the end of a 10-question interview on a fast fake provider (tracemalloc peak of
   the run, and the process's max RSS).
3. UI time per streamed chunk: one long reply streamed through the TUI versus the same step in
   the engine alone, the worst event-loop stall meanwhile (what a key press would wait; also in
   the main thread's CPU time, which a loaded machine does not inflate), and how long keys
   typed during the stream took to reach the editor. The reply is the grader's
   feedback: probes are checked whole before they are shown (`engine.probe_check`), so
   feedback is what streams. Practice mode draws it; interview mode streams it unseen.

Nothing from `interviewer` is imported at module level: the bare child must not pay for it.
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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

    from interviewer.domain import Question
    from interviewer.engine.session import Interview
    from interviewer.providers.base import (
        AssessDone,
        AssessRequest,
        GradeEvent,
        GradeRequest,
        ProbeEvent,
        ProbeRequest,
    )
    from interviewer.tui.app import InterviewerApp
    from interviewer.tui.ports import StartChoice

READY = "READY"
ANSWER = "An answer with enough words in it to be graded."


class FastProvider:
    """Instant replies: `chunks` pieces per probe and per feedback."""

    def __init__(self, chunks: int = 20) -> None:
        self.chunks = chunks
        self.streaming = False
        """True from the first feedback chunk sent to the last (the bench's stall window)."""

    @property
    def name(self) -> str:
        return "fast-fake"

    @property
    def is_local(self) -> bool:
        return True

    async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        from interviewer.domain import Usage
        from interviewer.providers.base import ProbeDone, TextDelta

        pieces = [f"word{i} " for i in range(self.chunks)]
        for piece in pieces:
            yield TextDelta(piece)
        yield ProbeDone(text="".join(pieces), usage=Usage(input_tokens=500, output_tokens=60))

    async def assess(self, request: AssessRequest) -> AssessDone:
        from interviewer.errors import AssessUnsupported

        raise AssessUnsupported("the benchmark measures streaming, not assessments")

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        from interviewer.domain import GraderOutput, KeyPointVerdict, Usage, Verdict
        from interviewer.providers.base import GradeDone, TextDelta

        pieces = [f"feedback{i} " for i in range(self.chunks)]
        self.streaming = True
        for piece in pieces:
            yield TextDelta(piece)
        self.streaming = False
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


def new_interview(
    provider: FastProvider, journal_dir: Path, count: int, mode: str, max_probes: int = 1
) -> Interview:
    from interviewer.bank.loader import find_bank
    from interviewer.config import InterviewSettings
    from interviewer.engine.session import Interview

    settings = InterviewSettings.model_validate(
        {"max_probes": max_probes, "min_answer_words": 3, "mode": mode}
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
    provider: FastProvider, journal_dir: Path, max_probes: int = 1
) -> Callable[[StartChoice], Awaitable[Interview]]:
    async def factory(choice: StartChoice) -> Interview:
        return new_interview(provider, journal_dir, choice.count, choice.mode, max_probes)

    return factory


def private_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="bench-tui-"))
    os.environ["INTERVIEWER_HOME"] = str(home)
    return home


# -- 1. launch, in a child interpreter ---------------------------------------------------------

SIZE = (100, 30)
WARM_UP_LIMIT_S = 10.0


async def drawn(app: App[Any]) -> None:
    """Return once the screen on top has been refreshed (drawn) after everything it was sent.
    Not `pilot.pause()`: that waits for the process to go idle, i.e. for any background thread
    (the interviewer's warm-up) to end."""
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()


def child_bare(form: bool = False) -> None:
    """A Textual app with no interviewer code: one line, or (`form`) that line above the Start
    screen's stock widgets (three Selects, an Input, two Buttons, labels, Textual's footer),
    unstyled: what any Textual app with such a form pays before the interviewer adds its own."""
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Button, Footer, Input, Label, Select, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("What is prompt injection?", id="line")
            if not form:
                return
            with Vertical():
                for name in ("Question bank", "Difficulty", "Mode"):
                    yield Label(name)
                    yield Select([("first", "first"), ("second", "second")], value="first")
                yield Label("Questions")
                yield Input("5", type="integer", max_length=3)
                with Horizontal():
                    yield Button("Start (ctrl+s)", variant="primary")
                    yield Button("History (F2)")
            yield Footer()

    async def main() -> None:
        app = Bare()
        async with app.run_test(size=SIZE) as pilot:
            while not app.query("#line"):
                await pilot.pause(0.001)
            await drawn(app)
            print("START", flush=True)
            print(f"START_CPU {time.process_time():.6f}", flush=True)
            print(READY, flush=True)

    asyncio.run(main())


def child_interviewer(provider: str, wait_for_warm_up: bool) -> None:
    """The `interviewer run` path up to the Start screen, then Start and the first question."""
    from interviewer.cli import build_parser
    from interviewer.commands.common import load_settings
    from interviewer.tui.app import build_app

    home = private_home()
    name = "offline" if provider == "fast" else provider
    args = build_parser().parse_args(["run", "--provider", name, "--count", "2", "--seed", "7"])
    settings = load_settings(args)
    factory = make_factory(FastProvider(), home / "sessions") if provider == "fast" else None

    async def main() -> None:
        app = build_app(settings, interview_factory=factory)
        async with app.run_test(size=SIZE) as pilot:
            while not app.screen.query("#start"):
                await pilot.pause(0.001)
            await drawn(app)
            print("START", flush=True)
            print(f"START_CPU {time.process_time():.6f}", flush=True)
            warm = await wait_warm_up(app) if wait_for_warm_up else None
            pressed = time.perf_counter()
            app.simulate_key("ctrl+s")  # not pilot.press: it waits for the process to go idle
            while not question_shown(app):  # noqa: ASYNC110
                await asyncio.sleep(0.001)
            await drawn(app)
            print(f"PRESSED {time.perf_counter() - pressed:.6f}", flush=True)
            if warm is not None:
                print(f"WARM {warm:.6f}", flush=True)
            print(READY, flush=True)

    asyncio.run(main())


def question_shown(app: App[Any]) -> bool:
    """The interview screen is on top with its first question drawn. By name, not isinstance:
    importing the interview screen (and the engine under it) before the Start screen is drawn
    would bill the launch for an import the `interviewer run` path makes later."""
    screen = app.screen
    shown = bool(getattr(screen, "question_shown", False))
    return type(screen).__name__ == "InterviewScreen" and shown


async def wait_warm_up(app: InterviewerApp) -> float:
    """Seconds from now until the app's warm-up has started and ended (a candidate reads the
    Start screen meanwhile)."""
    started = time.perf_counter()
    while time.perf_counter() - started < WARM_UP_LIMIT_S:
        if app.warm_up.finished:
            break
        await asyncio.sleep(0.005)
    return time.perf_counter() - started


def time_child(args: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    marks: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        key, _, value = line.strip().partition(" ")
        marks[key] = float(value) if value else time.perf_counter() - started
        if key == READY:
            break
    process.wait(timeout=120)
    return marks


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.0f} ms" if values else "     -   "


def bench_launch(runs: int) -> None:
    print(
        f"1. Launch (fresh interpreter, headless, median of {runs}; "
        f"load average {os.getloadavg()[0]:.2f})"
    )
    print(f"   {'':<34} {'Start screen':>12} {'x bare':>7} {'CPU':>7} {'Start->question':>16}")
    rows = [
        ("bare Textual app, one line", ["--child", "bare"], False),
        ("bare Textual app, stock form", ["--child", "form"], False),
        ("interviewer, fast fake provider", ["--child", "fast"], True),
        ("interviewer, replay provider", ["--child", "replay"], True),
        ("interviewer, offline provider", ["--child", "offline"], True),
        ("  offline, Start pressed at once", ["--child", "offline", "--no-wait"], False),
    ]
    bare = bare_cpu = 0.0
    # Interleaved, so a burst of load on the machine hits every row alike.
    marks: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in rows}
    for _ in range(runs):
        for label, args, _ in rows:
            marks[label].append(time_child(args))
    for label, _, waits in rows:
        start = [m["START"] for m in marks[label]]
        pressed = [m["PRESSED"] for m in marks[label] if "PRESSED" in m]
        warm = [m["WARM"] for m in marks[label] if "WARM" in m]
        cpu = statistics.median(m["START_CPU"] for m in marks[label])
        if not bare:
            bare, bare_cpu = statistics.median(start), cpu
        ratio = statistics.median(start) / bare
        extra = f"   (warm-up ended {ms(warm).strip()} after)" if waits and warm else ""
        print(
            f"   {label:<34} {ms(start):>12} {ratio:6.2f}x {cpu / bare_cpu:6.2f}x "
            f"{ms(pressed):>16}{extra}"
        )


# -- 2. memory over a 10-question interview ----------------------------------------------------


async def run_interview(questions: int, chunks: int) -> tuple[float, float, int]:
    """Drive a whole interview; return (seconds, worst loop lag, answers sent)."""
    from interviewer.config import Settings
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


async def stream_feedback(chunks: int, mode: str) -> tuple[float, int, float, float, list[float]]:
    """Time answer -> the streamed feedback's end (practice: the Feedback screen up; interview:
    the next question up); the worst event-loop stall from the first chunk sent to that end, in
    wall time and in the main thread's CPU time (the part that is the app's own work: on a
    loaded machine the wall figure also holds the time the process was not scheduled, or
    waited for the interpreter lock); and how long keys sent to the editor meanwhile took to
    land in it."""
    from textual import events

    from interviewer.config import Settings
    from interviewer.tui.app import build_app
    from interviewer.tui.screens.feedback import FeedbackScreen
    from interviewer.tui.screens.interview import InterviewScreen
    from interviewer.tui.widgets.editor import AnswerEditor

    home = private_home()
    settings = Settings()
    settings.interview.mode = mode  # type: ignore[assignment]
    settings.interview.count = 2
    provider = FastProvider(chunks)
    factory = make_factory(provider, home / "s", max_probes=0)
    app = build_app(settings, interview_factory=factory)
    lag = cpu_lag = 0.0
    keys: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        while not app.screen.query("#start"):
            await pilot.pause(0.001)
        await pilot.press("ctrl+s")
        while not (isinstance(app.screen, InterviewScreen) and app.screen.question_shown):
            await pilot.pause(0.001)
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        await pilot.pause()
        editor = screen.query_one(AnswerEditor)
        editor.load_text(ANSWER)
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        await screen.action_submit()  # not pilot.press: that waits for the app to go idle
        while not screen.busy:  # noqa: ASYNC110 (the worker starts on the next turn)
            await asyncio.sleep(0)
        sent_all = False  # the provider has begun streaming
        while screen.busy and not isinstance(app.screen, FeedbackScreen):
            before, cpu_before = loop.time(), time.thread_time()
            # From the first chunk sent on, to the reply's end drawn (conservative: the end
            # includes the Feedback screen or the next question appearing).
            streaming = sent_all = sent_all or provider.streaming
            if len(keys) < 20 and app.screen is screen and streaming:
                length = len(editor.text)
                sent = time.perf_counter()
                editor.post_message(events.Key("x", "x"))
                while len(editor.text) == length:  # noqa: ASYNC110 (polling is the measurement)
                    await asyncio.sleep(0)
                keys.append(time.perf_counter() - sent)
            await asyncio.sleep(0.002)
            if streaming:
                lag = max(lag, loop.time() - before - 0.002)
                cpu_lag = max(cpu_lag, time.thread_time() - cpu_before)
        elapsed = time.perf_counter() - started
        return elapsed, screen.chunks_shown, lag, cpu_lag, keys


async def engine_only(chunks: int, mode: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        interview = new_interview(FastProvider(chunks), Path(folder), 2, mode, max_probes=0)
        async for _ in interview.start():
            pass
        started = time.perf_counter()
        async for _ in interview.submit(ANSWER):
            pass
        elapsed = time.perf_counter() - started
        await interview.aclose()
    return elapsed


def bench_chunks(chunks: int, runs: int) -> None:
    print(
        f"3. UI time per streamed chunk (feedback of {chunks} chunks, instant provider, "
        f"median of {runs}; load average {os.getloadavg()[0]:.2f})"
    )
    for mode, seen in (("practice", "drawn"), ("interview", "streamed unseen")):
        results = [asyncio.run(stream_feedback(chunks, mode)) for _ in range(runs)]
        alone = statistics.median(asyncio.run(engine_only(chunks, mode)) for _ in range(runs))
        ui = statistics.median(r[0] for r in results)
        lag = statistics.median(r[2] for r in results)
        worst = max(r[2] for r in results)
        cpu_lag = statistics.median(r[3] for r in results)
        cpu_worst = max(r[3] for r in results)
        keys = [k for r in results for k in r[4]]
        print(f"   {mode} mode (feedback {seen}; {results[0][1]} chunks drawn)")
        print(f"     answer -> feedback's end, through the TUI {ui * 1000:8.1f} ms")
        print(f"     the same step, engine alone              {alone * 1000:8.1f} ms")
        print(
            f"     UI time per chunk                        {(ui - alone) / chunks * 1000:8.3f} ms"
        )
        print(
            f"     worst event-loop stall while streaming   {lag * 1000:8.1f} ms median of runs, "
            f"{worst * 1000:.1f} ms worst run"
        )
        print(
            f"     the same in main-thread CPU time         {cpu_lag * 1000:8.1f} ms median of "
            f"runs, {cpu_worst * 1000:.1f} ms worst run"
        )
        if keys:
            print(
                f"     {len(keys)} keys typed during the streams: median "
                f"{statistics.median(keys) * 1000:.1f} ms, worst {max(keys) * 1000:.1f} ms to land"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description="TUI launch, memory and streaming figures.")
    parser.add_argument("--child", choices=("bare", "form", "fast", "replay", "offline"))
    parser.add_argument("--no-wait", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument(
        "--only", choices=("launch", "memory", "chunks"), help="run one section of the three"
    )
    args = parser.parse_args()
    if args.child in ("bare", "form"):
        child_bare(form=args.child == "form")
    elif args.child is not None:
        child_interviewer(args.child, wait_for_warm_up=not args.no_wait)
    else:
        if args.only in (None, "launch"):
            bench_launch(args.runs)
        if args.only in (None, "memory"):
            bench_memory()
        if args.only in (None, "chunks"):
            bench_chunks(args.chunks, args.runs)


if __name__ == "__main__":
    main()
