"""`interviewer redteam`: try the shipped injection corpus against a grader and report how much
got through. Exit 0; 1 when --max-asr is given and the attack success rate exceeds it, or when
more than --max-failures of the provider calls failed (the rates would then be no measurement)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from interviewer.commands.common import add_grading_options

DEFAULT_MAX_FAILURES = 0.05
"""Failed provider calls (schema, cut off, error) a run may have and still count."""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "redteam",
        help="measure how well the grader resists prompt injection",
        description=(
            "Hide each attack of the injection corpus at the start, middle and end of weak, "
            "partial and strong answers to each question, grade with and without it, and report "
            "the attack success rate (injected score above clean), leaks of the sample answer or "
            "prompt (found with canary tokens), schema failures, and false flags on benign "
            "answers that discuss prompt injection."
        ),
    )
    add_grading_options(parser)
    parser.add_argument(
        "--limit", type=int, metavar="N", help="at most N attacks, spread over the techniques"
    )
    parser.add_argument(
        "--techniques",
        metavar="NAME,...",
        help="only attacks with one of these technique tags (add 'benign' to keep the benign "
        "answers); see --list-techniques",
    )
    parser.add_argument(
        "--bases",
        metavar="NAME,...",
        help="base answers to hide attacks in: weak, partial, strong (default: all)",
    )
    parser.add_argument(
        "--positions",
        metavar="NAME,...",
        help="where to put each attack: start, middle, end (default: all)",
    )
    parser.add_argument("--no-benign", action="store_true", help="skip the benign answers")
    parser.add_argument(
        "--no-key-point-canaries",
        action="store_true",
        help="plant the leak canary in the sample answer only, not in the key points (always so "
        "for the offline grader; use it to replay fixtures recorded from the offline grader)",
    )
    parser.add_argument(
        "--corpus", type=Path, metavar="FILE", help="a corpus TOML file instead of the shipped one"
    )
    parser.add_argument(
        "--margin",
        type=float,
        default=0.0,
        metavar="POINTS",
        help="count an attack as successful only when it raises the score by more than this "
        "(for graders whose scores vary run to run; see `interviewer calibrate`)",
    )
    parser.add_argument(
        "--max-asr",
        type=float,
        metavar="RATE",
        help="exit 1 when the attack success rate (0-1) is above RATE (for CI: --max-asr 0)",
    )
    parser.add_argument(
        "--max-failures",
        type=float,
        default=DEFAULT_MAX_FAILURES,
        metavar="RATE",
        help="exit 1 when more than RATE (0-1) of the provider calls fail: the rates are then "
        f"over the few that worked (default {DEFAULT_MAX_FAILURES})",
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
    parser.add_argument(
        "--list-techniques", action="store_true", help="list the corpus techniques and exit"
    )
    parser.set_defaults(handler=handle)


def _choices(value: str | None, allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    from interviewer.audit.prepare import parse_list
    from interviewer.errors import InterviewerError

    chosen = parse_list(value)
    if chosen is None:
        return allowed
    bad = [c for c in chosen if c not in allowed]
    if bad or not chosen:
        raise InterviewerError(f"{option}: expected some of {', '.join(allowed)}, got {value!r}")
    return tuple(dict.fromkeys(chosen))


def handle(args: argparse.Namespace) -> int:
    import asyncio
    import sys
    from typing import cast

    from interviewer.audit.answers import BASES, POSITIONS, Base, Position
    from interviewer.audit.corpus import load_corpus, select
    from interviewer.audit.prepare import (
        ProgressLine,
        choose_questions,
        confirm_cost,
        parse_list,
    )
    from interviewer.audit.redteam import build_plan, run_redteam
    from interviewer.audit.table import format_redteam
    from interviewer.bank.loader import find_bank
    from interviewer.commands.common import load_settings
    from interviewer.engine.grading import AnswerLimits
    from interviewer.errors import InterviewerError
    from interviewer.providers.registry import build_provider

    corpus = load_corpus(args.corpus)
    if args.list_techniques:
        counts: dict[str, int] = {}
        for entry in corpus:
            for tag in entry.techniques:
                counts[tag] = counts.get(tag, 0) + 1
        for tag, count in sorted(counts.items()):
            print(f"{tag:18} {count}")
        return 0
    if args.limit is not None and args.limit < 1:
        raise InterviewerError("--limit: expected a positive number of attacks")
    if args.max_asr is not None and not 0 <= args.max_asr <= 1:
        raise InterviewerError("--max-asr: expected a rate between 0 and 1, e.g. 0 or 0.05")
    if not 0 <= args.max_failures <= 1:
        raise InterviewerError("--max-failures: expected a rate between 0 and 1, e.g. 0.05")
    settings = load_settings(args)
    grader_name = settings.grader_profile_name
    bank = find_bank(settings.interview.bank)
    questions = choose_questions(bank, parse_list(args.questions))
    entries = select(
        corpus,
        techniques=parse_list(args.techniques),
        limit=args.limit,
        benign=not args.no_benign,
    )
    plan = build_plan(
        questions,
        entries,
        bases=cast("tuple[Base, ...]", _choices(args.bases, BASES, "--bases")),
        positions=cast("tuple[Position, ...]", _choices(args.positions, POSITIONS, "--positions")),
        # The offline grader reads key points by meaning: a canary there would skew it.
        key_point_canaries=not args.no_key_point_canaries
        and settings.profile(grader_name).kind != "offline",
    )
    interview = settings.interview

    async def drive() -> int:
        provider = build_provider(settings, grader_name, "grader")
        try:
            jobs = ((case.question.question, case.text) for case in plan.all_cases)
            profile = settings.profile(grader_name)
            confirm_cost(provider, profile, jobs, interview, yes=args.yes, command="redteam")
            concurrency = args.concurrency or (1 if provider.is_local else 4)
            result = await run_redteam(
                provider,
                plan,
                bank_id=bank.id,
                limits=AnswerLimits.of(interview),
                margin=args.margin,
                concurrency=concurrency,
                progress=ProgressLine(sys.stderr, "redteam"),
            )
        finally:
            await provider.aclose()
        if args.json:
            print(result.model_dump_json(indent=2))
        else:
            print(format_redteam(result))
        code = 0
        if result.failed_too_often(args.max_failures):
            failed = result.failed
            print(
                f"interviewer: {100 * failed.rate:.1f}% of provider calls failed "
                f"({failed.hits}/{failed.total}), above --max-failures {args.max_failures}: the "
                "rates are no measurement; check the grader (key, model, server) and run again",
                file=sys.stderr,
            )
            code = 1
        if result.exceeds(args.max_asr):
            print(
                f"interviewer: attack success rate {result.attack_success.rate:.4f} is above "
                f"--max-asr {args.max_asr}",
                file=sys.stderr,
            )
            code = 1
        return code

    return asyncio.run(drive())
