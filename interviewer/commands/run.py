"""`interviewer run`: start an interview in the TUI, or headless in the terminal."""

from __future__ import annotations

import argparse
from typing import Any

from interviewer.commands.common import add_headless_options, add_session_options


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="start an interview (the default command)",
        description="Start a mock interview: the TUI, or plain terminal mode with --headless.",
    )
    add_session_options(parser)
    add_headless_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from interviewer.commands.common import load_settings, run_headless

    settings = load_settings(args)
    if args.headless or args.answers is not None:
        return run_headless(args, settings, None)
    from interviewer.commands.tui_entry import run_tui

    return run_tui(settings)
