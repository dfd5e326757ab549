"""`interviewer replay SESSION`: play a past session back from its journal.

Questions, the candidate's answers, the probes and the feedback are shown in the order they
happened, in the TUI (`interviewer.tui.playback_app`) or, with --headless or off a terminal, as
plain sanitised text (`interviewer.headless.TextRenderer`, which also draws live headless
sessions); instantly or at the recorded pace (the gaps between journal records, each capped by
--max-wait: candidates think for minutes), through the one playback loop,
`interviewer.engine.state.play_back`. No provider is called: the journal holds everything.
`--report` writes the session's report again.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from interviewer.domain import Sleep
    from interviewer.engine.state import SessionState
    from interviewer.journal import _Record


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replay",
        help="play a past session back (answers, probes, feedback)",
        description=(
            "Play a past session back from its journal: questions, answers, follow-up probes "
            "and feedback, instantly or at the recorded pace. Nothing is sent to any provider."
        ),
    )
    parser.add_argument(
        "session", metavar="SESSION", help="session id (or a unique prefix) or journal path"
    )
    speed = parser.add_mutually_exclusive_group()
    speed.add_argument(
        "--pace", action="store_true", help="wait between steps as long as the candidate did"
    )
    speed.add_argument(
        "--instant", action="store_true", help="show everything at once (the default)"
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=5.0,
        metavar="S",
        help="with --pace: longest single pause in seconds (default 5)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="OUT",
        help="write the session report again to OUT (.json, or .md for Markdown)",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="plain text output instead of the TUI (also used when not on a terminal)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import asyncio
    import sys

    from interviewer.engine.catalog import resolve_session
    from interviewer.engine.state import SessionState
    from interviewer.errors import InterviewerError
    from interviewer.journal import read_records

    if args.max_wait < 0:
        raise InterviewerError("--max-wait must be 0 or more seconds")
    path = resolve_session(args.session)
    records = read_records(path)
    state = SessionState.from_records(records, source=str(path))
    if args.headless or not (sys.stdout.isatty() and sys.stdin.isatty()):
        asyncio.run(
            play(records, sys.stdout, pace=args.pace, max_wait=args.max_wait, sleep=asyncio.sleep)
        )
    else:
        from interviewer.tui.playback_app import PlaybackApp

        PlaybackApp(records, source=str(path), pace=args.pace, max_wait=args.max_wait).run()
    if args.report is not None:
        from interviewer.report import write_report

        write_report(args.report, state.report())
        print(f"Report written to {args.report}")
    return 0


async def play(
    records: Sequence[_Record],
    out: TextIO,
    *,
    pace: bool = False,
    max_wait: float = 5.0,
    sleep: Sleep | None = None,
) -> SessionState:
    """Print `records` (a journal, header first) as a transcript; return the folded state."""
    from datetime import UTC, datetime

    from interviewer.engine.state import SessionState, play_back
    from interviewer.headless import TextRenderer

    state = SessionState.from_records(records[:1])
    header = state.header
    renderer = TextRenderer(out, header)
    started = datetime.fromtimestamp(header.t, UTC)
    renderer.write(
        f"Replaying session {header.session_id} ({started:%Y-%m-%d %H:%M} UTC)\n"
        f"Bank {header.bank_id}, {len(header.questions)} question(s), {header.mode} mode; "
        f"interviewer {header.interviewer}, grader {header.grader}\n"
    )

    async def wait(gap: float) -> None:
        if gap > 0 and sleep is not None:
            await sleep(gap)

    async for record in play_back(records, state, pace=pace, max_wait=max_wait, wait=wait):
        renderer.show(record)
    report = state.report()
    score = "-" if report.overall_score is None else f"{report.overall_score:.1f}"
    status = "finished" if report.finished else "unfinished"
    graded = sum(1 for q in report.questions if q.evaluation is not None)
    renderer.write(
        f"\nOverall score: {score} / 10 ({graded} of {len(header.questions)} "
        f"question(s) graded; session {status})\n"
    )
    return state
