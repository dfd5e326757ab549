"""`interviewer bank`: list, show, validate and import question banks.

Everything printed from a bank file is untrusted text (a bank may come from anywhere), so it goes
through interviewer.text.sanitize before it reaches the terminal.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interviewer.domain import Bank


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bank",
        help="list, show, validate and import question banks",
        description="Work with question banks: the shipped ones and those you imported.",
    )
    actions = parser.add_subparsers(dest="bank_command", metavar="ACTION")
    parser.set_defaults(handler=lambda _args: _usage(parser))

    listing = actions.add_parser(
        "list",
        help="list the banks you can use with --bank",
        description="List shipped and imported banks: id, title, question count, source, file.",
    )
    listing.set_defaults(handler=handle_list)

    show = actions.add_parser(
        "show",
        help="show one question with its key points, probes and sample answer",
        description="Show one question of a bank: text, difficulty, tags, key points, probes "
        "and sample answer. Without ID, list the bank's questions.",
    )
    show.add_argument(
        "question_id",
        metavar="ID",
        nargs="?",
        help="question id; without it, list the bank's questions with their ids",
    )
    show.add_argument(
        "--bank",
        metavar="ID|FILE",
        help="bank id or .toml file (default: the configured bank, ai-security unless changed)",
    )
    show.add_argument(
        "--json", action="store_true", help="print the question (or the whole bank) as JSON"
    )
    show.set_defaults(handler=handle_show)

    validate = actions.add_parser(
        "validate",
        help="check bank files and show every problem",
        description="Check bank files; print `ok` or every problem of each. Exit 1 on any problem.",
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="bank .toml file")
    validate.set_defaults(handler=handle_validate)

    imp = actions.add_parser(
        "import",
        help="turn a plain-text question list into a bank",
        description="Import a plain-text file laid out as 'Question N' / 'Difficulty: x' / "
        "question text / 'Sample answer' / answer text, repeated. Key points and probes are "
        "derived from the sample answers: review them before relying on the grades. "
        "A .toml bank file is validated and installed as it is.",
    )
    imp.add_argument(
        "file", type=Path, metavar="FILE", help="the plain-text question list (or a .toml bank)"
    )
    imp.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="where to write the bank (default: your banks folder, as ID.toml)",
    )
    imp.add_argument(
        "--id", dest="bank_id", metavar="ID", help="bank id (default: from the file name)"
    )
    imp.add_argument("--title", metavar="T", help="bank title (default: from the file name)")
    imp.add_argument("--force", action="store_true", help="overwrite an existing bank file")
    imp.set_defaults(handler=handle_import)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def handle_list(args: argparse.Namespace) -> int:
    from interviewer.bank.loader import list_banks
    from interviewer.text.sanitize import clean_line

    infos = list_banks()
    rows = [
        (
            clean_line(info.id),
            clean_line(info.title) if info.error is None else "(invalid)",
            str(info.questions) if info.error is None else "-",
            info.source,
            clean_line(str(info.path)),
        )
        for info in infos
    ]
    header = ("ID", "TITLE", "QUESTIONS", "SOURCE", "PATH")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    seen: set[str] = set()
    for info in infos:
        if info.error is not None:
            print(f"warning: {clean_line(info.error)}")
        elif info.id in seen:
            print(
                f"warning: {clean_line(str(info.path))}: bank id {clean_line(info.id)!r} is "
                "already taken by an earlier bank, so --bank with that id never picks this one"
            )
        seen.add(info.id)
    return 0


def handle_show(args: argparse.Namespace) -> int:
    import json

    from interviewer.bank.loader import find_bank, find_question
    from interviewer.text.sanitize import clean_for_terminal

    ref = args.bank
    if ref is None:
        from interviewer.config import load_config

        ref = load_config()[0].interview.bank
    bank = find_bank(ref)
    if args.question_id is None:
        return _show_questions(bank, as_json=args.json)
    question = find_question(bank, args.question_id, "ID")
    if args.json:
        # ensure_ascii keeps control characters from the file escaped in the output.
        print(json.dumps(question.model_dump(mode="json"), indent=2))
        return 0
    lines = [
        f"{question.id}  [{question.difficulty.value}]  bank: {bank.id}",
        f"tags: {', '.join(question.tags) or '-'}",
        "",
        question.text,
        "",
        "Key points (most important first):",
    ]
    for number, point in enumerate(question.key_points, start=1):
        lines.append(f"  {number}. {point.id}: {point.text}")
        lines.extend(f"       probe: {probe}" for probe in point.probes)
    lines += ["", "Sample answer:", question.sample_answer]
    print(clean_for_terminal("\n".join(lines)))
    return 0


def _show_questions(bank: Bank, *, as_json: bool) -> int:
    import json

    from interviewer.text.sanitize import clean_line

    if as_json:
        print(json.dumps(bank.model_dump(mode="json"), indent=2))
        return 0
    print(clean_line(f"{bank.id}: {bank.title} ({len(bank.questions)} questions)"))
    for question in bank.questions:
        print(clean_line(f"  {question.id}  [{question.difficulty.value}]  {question.text}"))
    print(f"show one with `interviewer bank show ID --bank {clean_line(bank.id)}`")
    return 0


def handle_validate(args: argparse.Namespace) -> int:
    from interviewer.bank.loader import load_bank, validate_bank_file
    from interviewer.text.sanitize import clean_line

    failed = 0
    for path in args.paths:
        errors = validate_bank_file(path)
        if errors:
            failed += 1
            for error in errors:
                print(clean_line(error))
        else:
            count = len(load_bank(path).questions)
            print(f"ok: {clean_line(str(path))} ({count} questions)")
    if failed:
        print(f"{failed} of {len(args.paths)} files have problems")
        return 1
    return 0


def handle_import(args: argparse.Namespace) -> int:
    from interviewer.bank.loader import (
        dump_bank_toml,
        is_valid_id,
        list_banks,
        parse_bank_toml,
        parse_seed_text,
    )
    from interviewer.bank.plaintext import slugify
    from interviewer.errors import BankError
    from interviewer.paths import user_banks_dir, write_private_text
    from interviewer.text.sanitize import clean_line

    source: Path = args.file
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError(f"{source}: no such file") from None
    except UnicodeDecodeError:
        raise BankError(f"{source}: not valid UTF-8; save the file as UTF-8") from None
    except OSError as exc:
        raise BankError(f"{source}: cannot read: {exc.strerror or exc}") from None
    bank_id = args.bank_id or slugify(source.stem, drop_stopwords=False) or "imported"
    if not is_valid_id(bank_id):
        raise BankError(
            f'--id "{clean_line(bank_id)}" is not a valid bank id; use lowercase letters, digits '
            'and single hyphens, e.g. "my-bank"'
        )
    is_toml = source.suffix.lower() == ".toml"
    if is_toml:
        # Already in our format: install it as written (comments included) once it validates.
        if args.bank_id or args.title:
            raise BankError(
                f"{source}: --id and --title apply to plain-text imports; edit [bank] in the "
                "TOML file instead"
            )
        bank = parse_bank_toml(text, str(source))
    else:
        bank = parse_seed_text(text, str(source), bank_id=bank_id, title=args.title)
    out: Path | None = args.out
    if out is None:
        shipped = {info.id for info in list_banks() if info.source == "shipped"}
        if bank.id in shipped:
            fix = "change `id` under [bank] in the file" if is_toml else "choose another with --id"
            raise BankError(f'bank id "{bank.id}" is taken by a shipped bank; {fix}')
        out = user_banks_dir() / f"{bank.id}.toml"
    if out.exists() and not args.force:
        raise BankError(f"{out}: already exists; use --force to overwrite it")
    rendered = text if is_toml else dump_bank_toml(bank)
    parse_bank_toml(rendered, str(out))  # what we write must load; fail before writing
    write_private_text(out, rendered)
    ref = bank.id if args.out is None else str(out)
    print(f"imported {len(bank.questions)} questions from {clean_line(str(source))}")
    print(f"wrote {clean_line(str(out))}")
    if not is_toml:
        print(
            "key points and probes were derived from the sample answers: review them, then "
            f"check with `interviewer bank validate {clean_line(str(out))}`"
        )
        print(
            "the offline grader only compares words with these key points, so a right answer in "
            "other words scores low: add [[concepts]] (the other words candidates use for each "
            "idea) and `examples`, or grade with a model (`provider` in your config)"
        )
    print(f"use it with `interviewer run --bank {clean_line(ref)}`")
    return 0
