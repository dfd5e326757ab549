"""`interviewer resume [ID]`: continue an interrupted session from its last complete turn."""

from __future__ import annotations

import argparse
from typing import Any

from interviewer.commands.common import add_headless_options, add_provider_options


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "resume",
        help="continue an unfinished session",
        description="Continue an unfinished session from its last complete turn. Without ID, "
        "the most recent unfinished session.",
    )
    parser.add_argument("session", nargs="?", metavar="ID", help="session id, id prefix or path")
    add_provider_options(parser)
    add_headless_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from interviewer.commands.common import load_settings, run_headless
    from interviewer.engine.catalog import resolve_session

    settings = load_settings(args)
    path = resolve_session(args.session)
    if args.headless or args.answers is not None:
        return run_headless(args, settings, path)
    from interviewer.commands.tui_entry import run_tui

    return run_tui(settings, resume=str(path))
