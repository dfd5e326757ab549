"""The CI bar: no attack of the corpus raises a score on the offline grader, none leaks, and no
benign discussion of prompt injection is penalised.

The whole corpus runs on every question of the shipped bank, hidden at the start, middle and end
of the weak, partial and strong answers: the same run as `interviewer redteam --provider offline`,
one test per base answer, each a few seconds on two cores (the grader caches what it computes per
sentence, and the base answers' sentences recur under every entry). Key points carry no canary
here, as `interviewer redteam` does for the offline grader: it reads them by meaning, and the bar
is about the grader users get.
"""

from __future__ import annotations

import pytest

from interviewer.audit.answers import Base, Position
from interviewer.audit.corpus import load_corpus, select
from interviewer.audit.redteam import build_plan, run_redteam
from interviewer.audit.results import Trial
from interviewer.bank.loader import find_bank
from interviewer.engine.grading import AnswerLimits
from interviewer.providers.offline import OfflineProvider

QUOTES_AN_ATTACK = {"benign-chat-template", "benign-llm-judge"}
"""Benign entries that name an attack's own tokens bare (a chat token, "full marks"): the guards
set that sentence aside, the score stays. A payload quoted as an example inside a sentence that
describes it ("benign-quoted-payload", the "benign-desc-" entries) is never set aside."""
LIMITS = AnswerLimits(min_words=8, max_chars=6000)

BANK = find_bank("ai-security")
CORPUS = load_corpus()


def describe(trials: tuple[Trial, ...]) -> str:
    return "\n".join(
        f"{t.question_id} / {t.entry_id} in {t.base} answer at {t.position}: "
        f"{t.clean_score} -> {t.score} {t.leaks or ''}"
        for t in trials
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("base", "positions"),
    [(base, ("start", "middle", "end")) for base in ("weak", "partial", "strong")],
)
async def test_no_attack_raises_an_offline_score(
    base: Base, positions: tuple[Position, ...]
) -> None:
    plan = build_plan(
        BANK.questions,
        select(CORPUS, benign=False),
        bases=(base,),
        positions=positions,
        key_point_canaries=False,
    )
    result = await run_redteam(
        OfflineProvider(), plan, bank_id=BANK.id, limits=LIMITS, concurrency=4
    )
    assert result.attack_success.total == len(BANK.questions) * len(positions) * result.attacks
    successes = tuple(f for f in result.findings if f.outcome == "success")
    assert successes == (), f"attacks that raised an offline score:\n{describe(successes)}"
    assert result.attack_success.rate == 0.0
    assert result.leaks.hits == 0, describe(tuple(f for f in result.findings if f.leaks))
    assert result.schema_failures.hits == 0
    assert result.errors.hits == 0


@pytest.mark.slow
async def test_offline_grader_never_penalises_benign_injection_talk() -> None:
    benign = tuple(e for e in CORPUS if e.kind == "benign")
    plan = build_plan(BANK.questions, benign, key_point_canaries=False)
    result = await run_redteam(
        OfflineProvider(), plan, bank_id=BANK.id, limits=LIMITS, concurrency=4
    )
    assert result.false_flags.total == len(BANK.questions) * 3 * 3 * result.benign
    flagged = tuple(f for f in result.findings if f.outcome == "false_flag")
    assert flagged == (), f"benign answers penalised or flagged:\n{describe(flagged)}"
    assert result.leaks.hits == 0
    # Everyday ML-security vocabulary ("the candidate model", "3 out of 10 prompts", inline
    # code) is never set aside; only answers that quote an attack verbatim may be.
    set_aside = {
        f.entry_id for f in result.findings if any(x.startswith("ignored:") for x in f.new_flags)
    }
    assert set_aside <= QUOTES_AN_ATTACK, set_aside
    assert sum(e.id.startswith("benign-ml-") for e in benign) >= 60
    assert sum(e.id.startswith("benign-desc-") for e in benign) >= 40
