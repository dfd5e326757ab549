"""The one probing path: (question, exchanges, targets, interviewer) -> the probe's deltas and the
probe to journal.

Whether to probe, and at which key point, is decided before this from the grader's own
assessment (`engine.assessing`); the interviewer model only words the probe. Whatever
goes wrong, the candidate gets a probe: the bank's own (`bank.probes`) when the model fails
before writing anything or writes nothing, the partial text marked interrupted when it fails
or is cancelled midway. The one exception is a strict replay's `ReplayMismatch`: it stops the run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from interviewer.bank.probes import bank_probe
from interviewer.domain import Exchange, Question, Usage
from interviewer.engine.cancel import StreamCancelled
from interviewer.engine.events import Notice, ProbeDelta
from interviewer.engine.probe_check import checked_probe
from interviewer.errors import ProviderError, ReplayMismatch
from interviewer.providers.base import ProbeDone, ProbeEvent, ProbeRequest, Provider, TextDelta

MissingFn = Callable[[Question, str], tuple[str, ...]]
"""Key point ids an answer does not cover yet, most important first: the offline estimate that
decides the probe when the grader cannot assess."""

Guard = Callable[[AsyncIterator[ProbeEvent]], AsyncIterator[ProbeEvent]]
"""Wraps the provider's stream, e.g. `CancelScope.guard` so the candidate can stop it."""


def estimate_missing(question: Question, text: str) -> tuple[str, ...]:
    """Our own offline coverage estimate, standing in when the grader cannot assess."""
    from interviewer.grading.coverage import estimate_missing as estimate

    return estimate(question, text)


@dataclass(frozen=True)
class Probed:
    """The probe the candidate is asked (what the deltas showed, or its bank replacement)."""

    text: str
    usage: Usage = field(default_factory=Usage)
    interrupted: bool = False
    scripted: bool = False
    """A replay's recorded probe for other answers (`ProbeDone.scripted`)."""


async def ask_probe(
    question: Question,
    exchanges: tuple[Exchange, ...],
    targets: tuple[str, ...],
    interviewer: Provider,
    *,
    number: int,
    covered: tuple[str, ...] = (),
    guard: Guard | None = None,
) -> AsyncIterator[ProbeDelta | Notice | Probed]:
    """Stream probe `number` aimed at `targets[0]`; always ends with exactly one `Probed`.
    `covered`: key points the latest answer newly covered (`ProbeRequest`)."""
    request = ProbeRequest(
        question=question,
        exchanges=exchanges,
        target_key_point_ids=targets,
        probe_number=number,
        covered_key_point_ids=covered,
    )
    asked = [exchange.prompt for exchange in exchanges]
    parts: list[str] = []
    final: ProbeDone | None = None
    interrupted = False

    def draft() -> AsyncIterator[ProbeEvent]:
        stream = interviewer.probe(request)
        return guard(stream) if guard is not None else stream

    try:
        # Held back until it passes providers.output_check (see engine.probe_check).
        async for probed in checked_probe(
            draft, request, lambda: bank_probe(question, targets, asked)
        ):
            if isinstance(probed, Notice):
                yield probed
            elif isinstance(probed, TextDelta):
                parts.append(probed.text)
                yield ProbeDelta(probed.text)
            else:
                final = probed
    except StreamCancelled:
        interrupted = True
    except ReplayMismatch:
        raise  # a set-up error: a bank probe in its place would hide that the replay diverged
    except ProviderError as exc:
        if not parts:
            fallback = bank_probe(question, targets, asked)
            yield Notice(
                f"The interviewer model failed ({exc}); asking a question from the bank.",
                provider_failed=True,
            )
            parts, final = [fallback], ProbeDone(text=fallback)
        else:
            interrupted = True
    text = final.text if final is not None else "".join(parts)
    usage = final.usage if final is not None else Usage()
    interrupted = interrupted or (final is not None and final.interrupted)
    if not text.strip():
        # Nothing arrived (cancelled before the first token, or an empty reply): ask the
        # bank's own probe rather than an empty one.
        text, interrupted = bank_probe(question, targets, asked), False
    yield Probed(text, usage, interrupted, scripted=final is not None and final.scripted)
