"""Options shared by the commands that run interviews, and turning them into settings."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interviewer.config import Settings
    from interviewer.engine.session import Interview


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="config file (default: $INTERVIEWER_CONFIG, then the platform config dir)",
    )


def add_provider_options(parser: argparse.ArgumentParser) -> None:
    add_config_option(parser)
    parser.add_argument(
        "--provider",
        metavar="NAME",
        help="provider profile for probes and grading (offline, replay, openai, anthropic, "
        "ollama, openrouter, or a [providers.NAME] of your config)",
    )
    parser.add_argument(
        "--grader-provider", metavar="NAME", help="a different profile for grading only"
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="record every provider exchange as fixtures in DIR (play back: --provider replay)",
    )
    parser.add_argument(
        "--fixtures", type=Path, metavar="DIR", help="fixture folder for --provider replay"
    )
    parser.add_argument(
        "--pace",
        action="store_true",
        default=None,
        help="with --provider replay: stream at the recorded pace",
    )


def add_grading_options(parser: argparse.ArgumentParser) -> None:
    """Provider, bank and question choice for the commands that grade a bank (redteam,
    calibrate)."""
    add_provider_options(parser)
    parser.add_argument("--bank", metavar="ID|FILE", help="question bank id or file")
    parser.add_argument(
        "--questions", metavar="ID,...", help="only these question ids (comma separated)"
    )


def add_session_options(parser: argparse.ArgumentParser) -> None:
    add_provider_options(parser)
    parser.add_argument("--bank", metavar="ID|FILE", help="question bank id or file")
    parser.add_argument(
        "--difficulty",
        action="append",
        choices=("easy", "medium", "hard"),
        help="only questions of this difficulty (repeat for several)",
    )
    parser.add_argument("--count", type=int, metavar="N", help="number of questions")
    parser.add_argument("--seed", type=int, metavar="N", help="seed for the question order")
    parser.add_argument(
        "--max-probes", type=int, metavar="N", help="follow-up probes per question at most"
    )
    parser.add_argument(
        "--mode",
        choices=("interview", "practice"),
        help="interview: feedback at the end; practice: feedback after each question",
    )


def cli_overrides(args: argparse.Namespace) -> dict[tuple[str, ...], Any]:
    """Map parsed options onto config keys (None means "not given")."""

    def get(name: str) -> Any:
        return getattr(args, name, None)

    return {
        ("provider",): get("provider"),
        ("grader_provider",): get("grader_provider"),
        ("record", "dir"): get("record"),
        ("interview", "bank"): get("bank"),
        ("interview", "difficulty"): get("difficulty"),
        ("interview", "count"): get("count"),
        ("interview", "seed"): get("seed"),
        ("interview", "max_probes"): get("max_probes"),
        ("interview", "mode"): get("mode"),
    }


def load_settings(args: argparse.Namespace) -> Settings:
    from interviewer.config import load_config

    settings, _ = load_config(getattr(args, "config", None), overrides=cli_overrides(args))
    fixtures = getattr(args, "fixtures", None)
    pace = getattr(args, "pace", None)
    if fixtures is not None or pace is not None:
        for name in {settings.provider, settings.grader_profile_name}:
            profile = settings.profile(name)
            if profile.kind == "replay":
                update: dict[str, Any] = {}
                if fixtures is not None:
                    update["fixtures"] = fixtures
                if pace is not None:
                    update["pace"] = pace
                settings.providers[name] = profile.model_copy(update=update)
    _demo_defaults(settings)
    return settings


def _demo_defaults(settings: Settings) -> None:
    """`--provider replay` with the shipped demo fixtures plays the interview they script, unless
    the user chose the questions themselves."""
    profile = settings.profile(settings.provider)
    options = settings.interview
    if profile.kind != "replay" or profile.fixtures is not None:
        return
    chosen = options.model_fields_set & {"bank", "seed", "count", "difficulty"}
    if chosen:
        return
    from interviewer.providers.replay import DEMO_BANK, DEMO_COUNT, DEMO_SEED

    options.bank, options.seed, options.count = DEMO_BANK, DEMO_SEED, DEMO_COUNT


def add_headless_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--headless",
        action="store_true",
        help="plain terminal mode instead of the TUI (implied by --answers)",
    )
    parser.add_argument(
        "--answers",
        type=Path,
        metavar="FILE.jsonl",
        help='answers for headless mode, one {"text": "..."} per line, answering each question '
        "or probe in order; without it, answers are read from the terminal",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="OUT",
        help="write the session report to OUT (.json, or .md for Markdown)",
    )


def run_headless(args: argparse.Namespace, settings: Settings, resume: Path | None) -> int:
    """Build the providers and the interview, then drive it from a file or the terminal.

    Returns an `ExitCode`: finished, unfinished (answers ran out), or finished with the provider
    stood in for; errors (bad input, replay mismatch, a disk that refuses) raise."""
    import asyncio
    import sys

    from interviewer.errors import ExitCode
    from interviewer.headless import HeadlessRunner, answers_from_file, answers_from_terminal

    # The answers file is read and checked whole before a session exists: a bad file must not
    # leave an unfinished session behind for `resume` to pick.
    answers = (
        answers_from_file(args.answers)
        if args.answers is not None
        else answers_from_terminal(sys.stdin, sys.stdout)
    )
    interview = _opened(settings, resume)
    runner = HeadlessRunner(interview, sys.stdout, interactive=args.answers is None)

    async def drive() -> bool:
        try:
            return await runner.run(answers)
        finally:
            await interview.aclose()

    finished = asyncio.run(drive())
    if args.report is not None:
        _write_report(args.report, interview)
        print(f"Report written to {args.report}")
    if not finished:
        return ExitCode.UNFINISHED
    if runner.provider_failures:
        print(
            f"interviewer: the provider failed {runner.provider_failures} time(s); bank probes or "
            "offline grading stood in (see the report)",
            file=sys.stderr,
        )
        return ExitCode.PROVIDER_FAILED
    return ExitCode.FINISHED


def _opened(settings: Settings, resume: Path | None) -> Interview:
    from interviewer import paths
    from interviewer.errors import StorageError

    try:
        return open_interview(settings, resume)
    except OSError as exc:
        where = exc.filename or resume or paths.sessions_dir()
        raise StorageError(
            f"{where}: cannot write the session journal ({exc.strerror or exc}); free some disk "
            f"space, or set {paths.ENV_HOME} to a folder you can write to"
        ) from None


def _write_report(path: Path, interview: Interview) -> None:
    from interviewer.errors import StorageError
    from interviewer.report import write_report

    try:
        write_report(path, interview.report())
    except OSError as exc:
        raise StorageError(
            f"{path}: cannot write the report ({exc.strerror or exc}); the session is saved, "
            "choose another --report path or `interviewer history` shows it"
        ) from None


def open_interview(settings: Settings, resume: Path | None = None) -> Interview:
    from interviewer.bank.loader import find_bank, select_questions
    from interviewer.engine.session import Interview
    from interviewer.providers.registry import build_pair

    interviewer, grader = build_pair(settings)
    if resume is not None:
        return Interview.resume(resume, interviewer=interviewer, grader=grader)
    options = settings.interview
    bank = find_bank(options.bank)
    questions = select_questions(
        bank, difficulties=options.difficulty, count=options.count, seed=options.seed
    )
    return Interview.new(options, bank.id, questions, interviewer=interviewer, grader=grader)
