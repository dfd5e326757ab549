"""`interviewer grade`: grade one answer to one question and print the evaluation."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from interviewer.commands.common import add_provider_options


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "grade",
        help="grade a single answer",
        description="Grade one answer to one question with the configured grader.",
    )
    parser.add_argument("--question", required=True, metavar="ID", help="question id")
    parser.add_argument("--bank", metavar="ID|FILE", help="bank holding the question")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--answer", metavar="TEXT", help="the answer text")
    source.add_argument(
        "--answer-file", type=Path, metavar="FILE", help="read the answer from FILE ('-': stdin)"
    )
    parser.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    add_provider_options(parser)
    parser.set_defaults(handler=handle)


def _read_answer(args: argparse.Namespace) -> str:
    import sys

    from interviewer.errors import AnswerError
    from interviewer.headless import require_text

    if args.answer is not None:
        # Invalid UTF-8 on the command line arrives as lone surrogates (PEP 383).
        return require_text(str(args.answer), "--answer")
    path: Path = args.answer_file
    where = "--answer-file - (stdin)" if str(path) == "-" else str(path)
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise AnswerError(f"{path}: cannot read answer file: {exc.strerror or exc}") from None
    try:
        return require_text(data.decode("utf-8"), where)
    except UnicodeDecodeError as exc:
        raise AnswerError(
            f"{where}: not valid UTF-8 (byte {exc.start + 1}); save the answer as UTF-8"
        ) from None


def handle(args: argparse.Namespace) -> int:
    import asyncio
    import sys

    from interviewer.bank.loader import find_bank, find_question
    from interviewer.commands.common import load_settings
    from interviewer.domain import Evaluation, Exchange
    from interviewer.engine.events import FeedbackDelta, Waiting
    from interviewer.engine.grading import AnswerLimits, grade
    from interviewer.headless.waiting import WaitLine
    from interviewer.providers.registry import build_provider
    from interviewer.report import evaluation_text
    from interviewer.text.sanitize import clean_for_terminal

    settings = load_settings(args)
    bank_ref = args.bank or settings.interview.bank
    bank = find_bank(bank_ref)
    question = find_question(bank, args.question, "--question")
    answer = _read_answer(args)
    grader = build_provider(settings, settings.grader_profile_name, "grader")

    async def drive() -> Evaluation:
        evaluation: Evaluation | None = None
        exchange = Exchange(kind="question", prompt=question.text, answer=answer)
        # As in headless mode: who is being waited for, on stderr, until the reply comes.
        waiting = WaitLine(sys.stderr, cancel="ctrl+c stops")
        waiting.see(Waiting(grader.name, "grading"))
        try:
            async for event in grade(
                question, (exchange,), grader, AnswerLimits.of(settings.interview)
            ):
                waiting.stop()
                if isinstance(event, FeedbackDelta):
                    if not args.json:
                        sys.stdout.write(clean_for_terminal(event.text))
                        sys.stdout.flush()
                else:
                    evaluation = event.evaluation
        finally:
            waiting.stop()
            await grader.aclose()
        assert evaluation is not None  # grade() always ends with one
        return evaluation

    evaluation = asyncio.run(drive())
    if args.json:
        print(evaluation.model_dump_json(indent=2))
    else:
        print()
        sys.stdout.write(clean_for_terminal(evaluation_text(evaluation)))
    return 0
