"""The composition root: parse arguments, then hand over to one command module.

Command modules register their arguments cheaply; anything heavy (Textual, LLM SDKs, the
embedding model) is imported only inside the handler that needs it, so `--help` and
`--version` stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from interviewer import __version__
from interviewer.errors import ExitCode, InterviewerError

# Each names a module in interviewer.commands that defines `register(subparsers)` (the
# `replay` command, journal playback, lives in `playback`: "replay" in module names means
# provider fixtures).
COMMANDS = (
    "run",
    "grade",
    "resume",
    "history",
    "playback",
    "bank",
    "providers",
    "redteam",
    "calibrate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description=(
            "A mock interviewer for technical interviews in the terminal. "
            "With no command, starts an interview (same as `interviewer run`)."
        ),
        epilog="Run `interviewer COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"interviewer.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    top_level = ("-h", "--help", "--version")
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in top_level):
        args_list = ["run", *args_list]
    args = parser.parse_args(args_list)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return ExitCode.BAD_INPUT
    try:
        result: int = handler(args)
    except InterviewerError as exc:
        from interviewer.text.sanitize import clean_for_terminal

        # Messages can quote a server's error body or a file's content: untrusted text.
        print(f"interviewer: error: {clean_for_terminal(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as other CLI tools do.
        sys.stderr.close()
        return ExitCode.FINISHED
    except OSError as exc:
        # A disk that is full or read-only is the user's to fix, not a bug: one line, no
        # traceback. The commands that know which file it was say so themselves first.
        where = f"{exc.filename}: " if exc.filename else ""
        print(
            f"interviewer: error: {where}{exc.strerror or exc}; free some disk space or check "
            "that the folder exists and is writable",
            file=sys.stderr,
        )
        return ExitCode.CANNOT_WRITE
    except KeyboardInterrupt:
        print(
            "\ninterviewer: interrupted; the session journal keeps every answer.", file=sys.stderr
        )
        return ExitCode.INTERRUPTED
    return result
