"""`interviewer providers`: list profiles and local servers; `providers check` tests one."""

from __future__ import annotations

import argparse
from typing import Any

from interviewer.commands.common import add_config_option


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "providers",
        help="list provider profiles and local servers; check one before you start",
        description="List the provider profiles (built-in and [providers.NAME] of your config) "
        "with where each key comes from (never the key), and any local OpenAI-compatible "
        "server listening on its usual port (Ollama 11434, LM Studio 1234, llama.cpp 8080, "
        "vLLM 8000), with its models and a profile ready to paste.",
    )
    add_config_option(parser)
    parser.set_defaults(handler=handle_list)
    actions = parser.add_subparsers(dest="providers_command", metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="check a profile: key, reachability, model, structured output, latency",
        description="Check provider profile NAME (default: the configured provider and "
        "grader): key present, server reachable (its model list), model served, which "
        "structured-output mode works, latency; one line each. The structured-output check "
        "sends one small grading request (about 600 tokens in, 100 out) per mode until one "
        "works, with no retries: on a paid API that costs tokens; --no-call skips it. "
        "Exit status 0: all passed; 4: a check failed; 2: unknown profile or bad config.",
    )
    add_config_option(check)
    # Unset here must not hide `providers --config FILE check` (a subparser default wins).
    for action in check._actions:
        if action.dest == "config":
            action.default = argparse.SUPPRESS
    check.add_argument("name", nargs="?", metavar="NAME", help="profile to check")
    check.add_argument(
        "--no-call",
        action="store_true",
        help="skip the structured-output check (no model call, no tokens spent)",
    )
    check.set_defaults(handler=handle_check)


def handle_list(args: argparse.Namespace) -> int:
    import asyncio

    from interviewer.commands.common import load_settings
    from interviewer.providers.check import detect_local, profile_rows
    from interviewer.text.sanitize import clean_line

    settings = load_settings(args)
    roles = {settings.provider: "provider", settings.grader_profile_name: "grader"}
    if settings.grader_profile_name == settings.provider:
        roles[settings.provider] = "provider+grader"
    print(f"{'NAME':<16} {'KIND':<9} {'MODEL':<22} {'SERVER':<32} KEY")
    rows = profile_rows(settings)
    for row in rows:
        role = f"  ({roles[row.name]})" if row.name in roles else ""
        print(
            f"{clean_line(row.name)[:16]:<16} {row.kind:<9} {clean_line(row.model)[:22]:<22} "
            f"{clean_line(row.server)[:32]:<32} {row.key}{role}"
        )
    servers = asyncio.run(detect_local())
    for server in servers:
        models = ", ".join(clean_line(m) for m in server.models) or "no models listed"
        print(f"\nFound {server.kind} at {server.base_url}: {models}")
        using = [row.name for row in rows if row.server.rstrip("/") == server.base_url]
        if using:
            print(f"Profile {clean_line(using[0])} points there: --provider {clean_line(using[0])}")
            continue
        print("Add it to your config file to use it with --provider:\n")
        print(_clean_block(server.profile_toml()))
    print("\nCheck one with `interviewer providers check NAME`.")
    return 0


def _clean_block(text: str) -> str:
    from interviewer.text.sanitize import clean_line

    # Model names come from whatever answers on the port: untrusted text.
    return "\n".join(clean_line(line) for line in text.splitlines())


def handle_check(args: argparse.Namespace) -> int:
    import asyncio

    from interviewer.commands.common import load_settings
    from interviewer.errors import ExitCode
    from interviewer.providers.check import check_profile
    from interviewer.text.sanitize import clean_line

    settings = load_settings(args)
    names = (
        [args.name]
        if args.name
        else list(dict.fromkeys([settings.provider, settings.grader_profile_name]))
    )
    for name in names:
        settings.profile(name)  # an unknown NAME is bad input before anything is checked
    failed = False
    for name in names:
        profile = settings.profile(name)
        print(f"{clean_line(name)} ({profile.kind}{':' + profile.model if profile.model else ''})")
        verdicts = asyncio.run(check_profile(settings, name, call=not args.no_call))
        for verdict in verdicts:
            print(clean_line(verdict.line()))
        failed = failed or any(v.status == "fail" for v in verdicts)
    return ExitCode.PROVIDER_FAILED if failed else ExitCode.FINISHED
