"""The step after an accepted answer: the grader assesses it, and the engine decides the probe.

The configured grader assesses everything said so far about the question (`engine.grading.assess`:
one small structured call, through the same evidence check as the final grade; after the first
answer it carries the last checked assessment, `carried`, and reads only what came since), and
THE probing policy (`grading.score.probe_targets`) picks the most important key point it leaves
missed or partial, or none when the important points are covered. The decision is journaled
(`Assessed`) before the probe is asked, so a resumed session asks the same probe (and carries
the same verdicts), and the final grade reuses them.

When the grader cannot assess (a replay recorded before assessments existed), or its call fails
or is cancelled, our offline coverage estimate stands in for the decision (with a Notice when
something failed), by the rule the engine used before assessments: probe while the estimate
finds any key point missing, at the first. The estimate quotes no evidence, so it cannot say
the important points are covered; and recordings made under that rule replay unchanged. The
answer is on disk already, so it is never lost either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from interviewer.domain import (
    Carried,
    Exchange,
    KeyPointVerdict,
    Question,
    Usage,
    Verdict,
    answer_text,
)
from interviewer.engine.cancel import StreamCancelled
from interviewer.engine.events import Notice
from interviewer.engine.grading import AnswerLimits, Assessment, Reuse, assess, cut_answers
from interviewer.engine.probing import MissingFn
from interviewer.errors import AssessUnsupported, ProviderError, ReplayMismatch
from interviewer.grading.score import probe_targets
from interviewer.journal import Assessed
from interviewer.providers.base import Provider

Wait = Callable[[Awaitable[Assessment]], Awaitable[Assessment]]
"""Awaits a call the candidate may stop, e.g. `CancelScope.wait_for`."""


@dataclass(frozen=True)
class Decided:
    record: Assessed
    notice: Notice | None = None


async def decide(
    question: Question,
    exchanges: tuple[Exchange, ...],
    grader: Provider,
    limits: AnswerLimits,
    *,
    missing: MissingFn,
    wait: Wait,
    earlier: Carried | None = None,
) -> Decided:
    """Assess `exchanges` with `grader` and decide the next probe's targets (none: grade now).
    With `earlier` (`carried`) the grader reads only what came after it."""
    notice: Notice | None = None
    usage = Usage()
    try:
        assessment = await wait(assess(question, exchanges, grader, limits, earlier))
    except ReplayMismatch:
        raise  # a set-up error: an estimate in its place would hide that the replay diverged
    except AssessUnsupported as exc:
        reason = str(exc)
    except StreamCancelled:
        reason = "assessment stopped"
        notice = Notice("Assessment stopped; the offline estimate decides the follow-up.")
    except ProviderError as exc:
        reason = str(exc)
        spent = getattr(exc, "usage", None)
        usage = spent if isinstance(spent, Usage) else Usage()
        notice = Notice(
            f"The grader's assessment failed ({exc}); the offline estimate decides the follow-up.",
            provider_failed=True,
        )
    else:
        record = Assessed(
            question_id=question.id,
            answers=len(exchanges),
            targets=probe_targets(question, assessment.verdicts),
            verdicts=assessment.verdicts,
            flags=assessment.flags,
            method=assessment.method,
            grader=grader.name,
            usage=assessment.usage,
        )
        return Decided(record)
    # The embedding model is CPU work: keep the event loop (and the TUI) responsive.
    text = answer_text(cut_answers(exchanges, limits.max_chars))
    estimated = await asyncio.to_thread(missing, question, text)
    record = Assessed(
        question_id=question.id,
        answers=len(exchanges),
        targets=tuple(estimated),
        method="coverage",
        grader="offline estimate",
        fallback=reason,
        usage=usage,
    )
    return Decided(record, notice)


def carried(assessments: Sequence[Assessed], grader: str, answers: int) -> Carried | None:
    """What a later call of `grader` about a question with `answers` exchanges carries: the
    latest of its own checked assessments of fewer exchanges (journaled, so a resumed session
    carries the same). None when there is none, e.g. only offline estimates decided so far."""
    for record in reversed(assessments):
        own = record.grader in ("", grader)  # another grader's verdicts are not its own
        if record.verdicts is not None and own and 0 < record.answers < answers:
            return Carried(verdicts=record.verdicts, answers=record.answers, flags=record.flags)
    return None


def grading_basis(
    assessments: Sequence[Assessed], answers: int, grader: str, *, same: bool
) -> tuple[Reuse | None, Carried | None]:
    """What the final grade by `grader` builds on: its own assessment of exactly these
    `answers` (`Reuse`: only the prose is asked for; `same`: it is the session's grader, not an
    offline stand-in), else an earlier one carried forward (`carried`), else neither."""
    last = assessments[-1] if assessments else None
    own = last is not None and last.grader in ("", grader)
    if same and own and last and last.answers == answers and last.verdicts is not None:
        return Reuse(last.verdicts, last.flags), None
    return None, carried(assessments, grader, answers)


def newly_covered(earlier: Sequence[Assessed]) -> tuple[str, ...]:
    """Key points the latest assessment in `earlier` found covered that the one before it had
    not: what the candidate's latest answer added (an offline probe acknowledges it)."""
    latest = [a.verdicts for a in earlier if a.verdicts is not None]
    if not latest:
        return ()

    def covered(verdicts: tuple[KeyPointVerdict, ...]) -> list[str]:
        return [v.key_point_id for v in verdicts if v.verdict is Verdict.COVERED]

    before = set(covered(latest[-2])) if len(latest) > 1 else set()
    return tuple(point for point in covered(latest[-1]) if point not in before)
