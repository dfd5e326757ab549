"""`interviewer history`: past sessions with their scores."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "history",
        help="list past sessions and their scores",
        description="List past sessions, oldest first, with bank, providers and scores.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import json
    import sys

    from interviewer.engine.catalog import list_sessions
    from interviewer.text.sanitize import clean_line

    sessions, warnings = list_sessions()
    for warning in warnings:
        print(f"warning: {clean_line(warning)}", file=sys.stderr)
    if args.json:
        rows = [
            {
                "session_id": s.session_id,
                "started_at": s.started_at.isoformat(),
                "bank": s.bank_id,
                "interviewer": s.interviewer,
                "grader": s.grader,
                "graded": s.answered,
                "questions": s.total,
                "finished": s.finished,
                "overall_score": s.overall_score,
                "path": str(s.path),
            }
            for s in sessions
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not sessions:
        print("No sessions yet. Start one with `interviewer run`.")
        return 0
    print(f"{'SESSION':<24} {'STARTED':<16} {'BANK':<14} {'PROVIDER':<22} {'DONE':>7} {'SCORE':>5}")
    for s in sessions:
        score = "-" if s.overall_score is None else f"{s.overall_score:.1f}"
        done = f"{s.answered}/{s.total}" + ("" if s.finished else "*")
        print(
            f"{clean_line(s.session_id):<24} {s.started_at:%Y-%m-%d %H:%M} "
            f"{clean_line(s.bank_id)[:14]:<14} {clean_line(s.interviewer)[:22]:<22} "
            f"{done:>7} {score:>5}"
        )
    if any(not s.finished for s in sessions):
        print("* unfinished: continue with `interviewer resume ID`")
    return 0
