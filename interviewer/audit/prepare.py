"""What `redteam` and `calibrate` share before a run: choosing questions, asking before spending
money, and showing progress."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from interviewer.audit.cost import Estimate, estimate
from interviewer.bank.loader import find_question
from interviewer.domain import Bank, Question
from interviewer.engine.grading import AnswerLimits
from interviewer.errors import InterviewerError

if TYPE_CHECKING:
    from interviewer.config import InterviewSettings, ProviderProfile
    from interviewer.providers.base import Provider


class RunRefused(InterviewerError):
    """A paid run was not confirmed."""


def parse_list(value: str | None) -> list[str] | None:
    """ "a, b,c" -> ["a", "b", "c"]; None stays None."""
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def choose_questions(bank: Bank, ids: Sequence[str] | None) -> tuple[Question, ...]:
    if not ids:
        return bank.questions
    return tuple(find_question(bank, i, "--questions") for i in dict.fromkeys(ids))


def confirm_cost(
    provider: Provider,
    profile: ProviderProfile,
    jobs: Iterable[tuple[Question, str]],
    interview: InterviewSettings,
    *,
    yes: bool,
    command: str,
) -> None:
    """Before a run against a provider that costs money, show its calls and cost and ask."""
    if provider.is_local:
        return
    estimated = estimate(jobs, profile, AnswerLimits.of(interview))
    confirm_paid_run(
        provider.name, estimated, yes=yes, stdin=sys.stdin, stderr=sys.stderr, command=command
    )


def confirm_paid_run(
    provider_name: str,
    estimate: Estimate,
    *,
    yes: bool,
    stdin: TextIO,
    stderr: TextIO,
    command: str,
) -> None:
    """Show the expected calls and cost of a run against a non-local provider, then ask."""
    stderr.write(f"{command} with {provider_name}: {estimate.describe()}.\n")
    stderr.flush()
    if yes:
        return
    if not stdin.isatty():
        raise RunRefused(
            f"{command} would make {estimate.calls} calls to {provider_name}; stdin is not a "
            "terminal to confirm it: pass --yes to go ahead (or cut the run with --limit, "
            "--techniques or --questions, or use --provider offline)"
        )
    stderr.write("Go ahead? [y/N] ")
    stderr.flush()
    reply = stdin.readline().strip().lower()
    if reply not in ("y", "yes"):
        raise RunRefused(f"{command} cancelled; nothing was sent to {provider_name}")


class ProgressLine:
    """`done/total` on one terminal line, rewritten in place; silent when not a terminal."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.enabled = stream.isatty()
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        percent = 100 * done // max(total, 1)
        if percent != self._last or done == total:
            self._last = percent
            self.stream.write(f"\r{self.label}: {done}/{total} ({percent}%)")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
