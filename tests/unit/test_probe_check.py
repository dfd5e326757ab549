"""engine.probe_check through the one probing path: a probe is shown only once it passed the
output check; a bad draft is asked for again once, then the bank's probe stands in."""

from __future__ import annotations

from collections.abc import AsyncIterator

from interviewer.domain import Exchange, Usage
from interviewer.engine.events import Notice, ProbeDelta
from interviewer.engine.probing import Probed, ask_probe
from interviewer.providers.base import ProbeDone, ProbeEvent, ProbeRequest
from interviewer.providers.output_check import probe_problem
from tests.fakes import ScriptedProvider, make_question

QUESTION = make_question()
ANSWER = "I would log every request with its user and model version, and alert on odd tool use."
EXCHANGES = (Exchange(kind="question", prompt=QUESTION.text, answer=ANSWER),)
TARGETS = (QUESTION.key_points[2].id,)
ECHO = (
    "<<<BEGIN PROBE 0123456789abcdef0123>>>\nWrite follow-up probe number 1. Aim it at this "
    "aspect, without naming or revealing it:"
)


async def _run(provider: ScriptedProvider) -> list[object]:
    return [event async for event in ask_probe(QUESTION, EXCHANGES, TARGETS, provider, number=1)]


async def test_an_echoed_draft_is_never_shown_and_the_second_draft_is() -> None:
    provider = ScriptedProvider(usage=Usage(input_tokens=100, calls=1))
    provider.enqueue_probe(ECHO[:20], ECHO[20:])
    provider.enqueue_probe("Which of those ", "would you alert on first?")
    events = await _run(provider)
    deltas = [e.text for e in events if isinstance(e, ProbeDelta)]
    assert deltas == ["Which of those would you alert on first?"]
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert len(notices) == 1 and "fence" in notices[0] and "again" in notices[0]
    probed = events[-1]
    assert isinstance(probed, Probed) and probed.text == deltas[0] and not probed.interrupted
    assert probed.usage == Usage(input_tokens=200, calls=2)  # both drafts are counted


async def test_two_bad_drafts_give_the_bank_probe() -> None:
    provider = ScriptedProvider()
    provider.enqueue_probe(ECHO)
    provider.enqueue_probe(f"{ANSWER} {ANSWER}")
    events = await _run(provider)
    probed = events[-1]
    assert isinstance(probed, Probed)
    assert probed.text == QUESTION.key_points[2].probes[0]
    assert [e.text for e in events if isinstance(e, ProbeDelta)] == [probed.text]
    assert sum(isinstance(e, Notice) for e in events) == 2
    assert all(not e.provider_failed for e in events if isinstance(e, Notice))


async def test_text_after_the_first_question_is_dropped() -> None:
    provider = ScriptedProvider()
    provider.enqueue_probe("What would you alert on? ", ECHO)
    events = await _run(provider)
    probed = events[-1]
    assert isinstance(probed, Probed) and probed.text == "What would you alert on?"
    assert probe_problem(probed.text, QUESTION, [ANSWER]) is None
    assert len(provider.history) == 1


class CutFirst(ScriptedProvider):
    """Ends its first probe stream as a provider does when the stream died mid-reply."""

    async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        first = not self.history
        async for event in super().probe(request):
            if first and isinstance(event, ProbeDone):
                event = ProbeDone(text=event.text, usage=event.usage, interrupted=True)
            yield event


async def test_a_draft_cut_before_its_question_ended_is_asked_again() -> None:
    provider = CutFirst()
    provider.enqueue_probe("Thanks. You ")
    provider.enqueue_probe("Who reads those alerts?")
    events = await _run(provider)
    probed = events[-1]
    assert isinstance(probed, Probed) and probed.text == "Who reads those alerts?"
    assert not probed.interrupted
    assert any(isinstance(e, Notice) and "cut off" in e.text for e in events)
