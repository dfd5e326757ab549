"""`interviewer calibrate`: does the grader put the sample answer at the top, an empty or
unrelated answer at the bottom, and give the same answer the same score twice? With the bank's
calibration set, do strong, shallow, negated, keyword-list and off-topic answers land in their
bands and in order? Exit 0 when calibrated, 1 (`ExitCode.FAILED`) when any check fails."""

from __future__ import annotations

import argparse
from typing import Any

from interviewer.commands.common import add_grading_options


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "calibrate",
        help="check that the grader's scores are sane and stable",
        description=(
            "Grade each question's sample answer, an unrelated answer and an empty answer, and "
            "the five answers of the bank's calibration set (<bank>.calibration.toml: strong in "
            "its own words, shallow, negated, off-topic, keyword list), each --repeats times. "
            "Fails (exit 1) when the sample scores below 8, an unrelated or empty answer above "
            "1, repeated gradings spread by more than 1 point, a calibration answer falls "
            "outside its band (strong >= 7, shallow 2-6.5, the rest <= 2.5) or the answers are "
            "out of order (strong > shallow > each of the others), for example when a negated "
            "answer scores above a shallow one."
        ),
    )
    add_grading_options(parser)
    parser.add_argument(
        "--repeats", type=int, default=3, metavar="N", help="gradings of each answer (default 3)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="gradings in flight at once (default 1 for local providers, 4 otherwise)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--yes", "-y", action="store_true", help="do not ask before a run that costs money"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import asyncio
    import sys

    from interviewer.audit.calibrate import calibration_jobs, run_calibration
    from interviewer.audit.prepare import (
        ProgressLine,
        choose_questions,
        confirm_cost,
        parse_list,
    )
    from interviewer.audit.table import format_calibration
    from interviewer.bank.calibration import find_calibration
    from interviewer.bank.loader import find_bank_file
    from interviewer.commands.common import load_settings
    from interviewer.engine.grading import AnswerLimits
    from interviewer.errors import ExitCode, InterviewerError
    from interviewer.providers.registry import build_provider

    if args.repeats < 1:
        raise InterviewerError("--repeats: expected a positive number")
    settings = load_settings(args)
    bank_path, bank = find_bank_file(settings.interview.bank)
    calibration = find_calibration(bank_path, bank)
    questions = choose_questions(bank, parse_list(args.questions))
    grader_name = settings.grader_profile_name
    interview = settings.interview

    async def drive() -> int:
        provider = build_provider(settings, grader_name, "grader")
        try:
            jobs = [
                (q, text) for q, _, text in calibration_jobs(questions, calibration, args.repeats)
            ]
            profile = settings.profile(grader_name)
            confirm_cost(provider, profile, jobs, interview, yes=args.yes, command="calibrate")
            result = await run_calibration(
                provider,
                questions,
                bank_id=bank.id,
                repeats=args.repeats,
                calibration=calibration,
                limits=AnswerLimits.of(interview),
                concurrency=args.concurrency or (1 if provider.is_local else 4),
                progress=ProgressLine(sys.stderr, "calibrate"),
            )
        finally:
            await provider.aclose()
        if args.json:
            print(result.model_dump_json(indent=2))
        else:
            print(format_calibration(result))
        return ExitCode.FINISHED if result.ok else ExitCode.FAILED

    return asyncio.run(drive())
