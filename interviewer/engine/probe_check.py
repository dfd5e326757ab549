"""A probe is shown only once it has passed `providers.output_check`.

How it fits streaming: the provider still streams (so its idle timer and retries work as before),
but nothing reaches the screen or the journal until the draft has ended (or outgrown any probe,
when reading stops, which saves a rambling model's tokens) and its text up to the end of its first
question passes the check. The probe is then shown whole, and the rest of the draft is dropped: the
prompt asks for one question, and a small model that goes on after it only echoes its prompt.
Streaming the text and replacing it on a failed check would not do: the headless front end cannot
take back what it printed, and "nothing invalid on screen" must hold in both. A draft that fails
(or is cut off before its question ends, or grows past the probe limit without one) is asked for
once more, then the bank's probe is used; each rejection is reported as a `Notice`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from interviewer.domain import Usage
from interviewer.engine.events import Notice
from interviewer.providers.base import ProbeDone, ProbeEvent, ProbeRequest, TextDelta
from interviewer.providers.output_check import MAX_PROBE_CHARS, first_question, probe_problem

DRAFTS = 2
"""The model's draft, and one regeneration, before the bank's probe stands in."""


@dataclass(frozen=True)
class _Draft:
    text: str
    usage: Usage
    problem: str | None


async def _read(stream: AsyncIterator[ProbeEvent], request: ProbeRequest) -> _Draft:
    """Read a draft to its end, or until it outgrows any probe, and check it."""
    answers = [exchange.answer for exchange in request.exchanges]
    buffer, final = "", None
    async with contextlib.aclosing(stream) as events:  # type: ignore[type-var]
        async for event in events:
            if isinstance(event, ProbeDone):
                final = event
                break
            buffer += event.text
            if len(buffer) > MAX_PROBE_CHARS:
                # A rambling draft: stop it (and its tokens); its first question may still do.
                break
    # A draft stopped early never reports its tokens; the request still counts.
    usage = final.usage if final is not None else Usage(calls=1)
    question = first_question(buffer)
    if final is not None:
        # ProbeDone is the provider's truth (it may have replaced a draft that gave a point away).
        question = first_question(final.text)
        text = question if question is not None else final.text.strip()
        if question is None and final.interrupted:
            return _Draft(text, usage, "it was cut off before its question ended")
    else:
        text = question if question is not None else buffer
    return _Draft(text, usage, probe_problem(text, request.question, answers))


async def checked_probe(
    draft: Callable[[], AsyncIterator[ProbeEvent]],
    request: ProbeRequest,
    fallback: Callable[[], str],
) -> AsyncIterator[ProbeEvent | Notice]:
    """The probe of `draft()` once it passes the check, else of a second draft, else
    `fallback()`: one TextDelta and its ProbeDone, after a Notice per rejected draft."""
    usage = Usage()
    for attempt in range(1, DRAFTS + 1):
        got = await _read(draft(), request)
        usage = usage + got.usage
        if got.problem is None:
            yield TextDelta(got.text)
            yield ProbeDone(text=got.text, usage=usage)
            return
        then = "asking it again" if attempt < DRAFTS else "asking a question from the bank"
        yield Notice(f"The interviewer model's probe was not usable ({got.problem}); {then}.")
    text = fallback()
    yield TextDelta(text)
    yield ProbeDone(text=text, usage=usage)
