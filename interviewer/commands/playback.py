"""`interviewer replay SESSION`: play a past session back from its journal.

Questions, the candidate's answers, the probes and the feedback are shown in the order they
happened, in the TUI (`interviewer.tui.playback_app`) or, with --headless or off a terminal, as
plain sanitised text; instantly or at the recorded pace (the gaps between journal records,
each capped by --max-wait: candidates think for minutes). No provider is called: the journal
holds everything. `--report` writes the session's report again.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from interviewer.engine.state import SessionState
    from interviewer.journal import Evaluated, _Record

Sleep = Callable[[float], Awaitable[None]]


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
        from interviewer.tui.playback_app import ReplayApp

        ReplayApp(records, source=str(path), pace=args.pace, max_wait=args.max_wait).run()
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
    from interviewer.engine.state import SessionState

    state = SessionState.from_records(records[:1])
    printer = _Printer(out, state)
    printer.header()
    last_t = state.header.t
    for record in records[1:]:
        if pace and sleep is not None:
            gap = min(max(record.t - last_t, 0.0), max_wait)
            if gap > 0:
                await sleep(gap)
        last_t = max(last_t, record.t)
        state.apply(record)
        printer.show(record)
    printer.footer()
    return state


class _Printer:
    def __init__(self, out: TextIO, state: SessionState) -> None:
        from interviewer.sanitize import clean_for_terminal

        self.out = out
        self.state = state
        self._clean = clean_for_terminal
        self._probes_seen = 0

    def write(self, text: str) -> None:
        self.out.write(self._clean(text))
        self.out.flush()

    def header(self) -> None:
        from datetime import UTC, datetime

        h = self.state.header
        started = datetime.fromtimestamp(h.t, UTC)
        self.write(
            f"Replaying session {h.session_id} ({started:%Y-%m-%d %H:%M} UTC)\n"
            f"Bank {h.bank_id}, {len(h.questions)} question(s), {h.mode} mode; "
            f"interviewer {h.interviewer}, grader {h.grader}\n"
        )

    def show(self, record: _Record) -> None:
        from interviewer.journal import (
            AnswerGiven,
            Evaluated,
            GradingFailedRecord,
            ProbeGiven,
            QuestionOpened,
            SessionEnded,
        )

        if isinstance(record, QuestionOpened):
            current = self.state.current
            assert current is not None
            question = current.question
            total = len(self.state.header.questions)
            self.write(
                f"\n=== Question {record.number}/{total} [{question.difficulty}] ===\n"
                f"{question.text}\n"
            )
        elif isinstance(record, AnswerGiven):
            answer = record.text if record.text.strip() else "(no answer: skipped)"
            self.write("\n" + "\n".join(f"> {line}" for line in answer.splitlines()) + "\n")
        elif isinstance(record, ProbeGiven):
            cut = " [interrupted]" if record.interrupted else ""
            self.write(f"\nFollow-up {record.number}: {record.text}{cut}\n")
        elif isinstance(record, Evaluated):
            self._evaluation(record)
        elif isinstance(record, GradingFailedRecord):
            self.write(f"\nGrading failed: {record.message}\n")
        elif isinstance(record, SessionEnded):
            self.write("\nSession ended.\n")

    def _evaluation(self, record: Evaluated) -> None:
        evaluation = record.evaluation
        lines = [
            "",
            f"--- Feedback: {evaluation.score:.1f} / 10 (graded by {evaluation.grader}) ---",
        ]
        for verdict in evaluation.verdicts:
            evidence = f' — "{verdict.evidence}"' if verdict.evidence else ""
            lines.append(f"  {verdict.verdict.value:>7}: {verdict.key_point_id}{evidence}")
        lines += [f"  + {strength}" for strength in evaluation.strengths]
        lines += [f"  - {gap}" for gap in evaluation.gaps]
        if evaluation.flags:
            lines.append(f"  flags: {', '.join(evaluation.flags)}")
        if evaluation.feedback:
            lines += ["", evaluation.feedback]
        self.write("\n".join(lines) + "\n")

    def footer(self) -> None:
        report = self.state.report()
        score = "-" if report.overall_score is None else f"{report.overall_score:.1f}"
        status = "finished" if report.finished else "unfinished"
        graded = sum(1 for q in report.questions if q.evaluation is not None)
        self.write(
            f"\nOverall score: {score} / 10 ({graded} of {len(self.state.header.questions)} "
            f"question(s) graded; session {status})\n"
        )
