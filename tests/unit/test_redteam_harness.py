"""The red-team harness on fake graders: it must see what they let through, leak or break on."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.audit.corpus import CorpusEntry, load_corpus, select
from interviewer.audit.redteam import build_plan, run_redteam
from interviewer.audit.results import Rate, RedteamResult
from interviewer.bank.loader import find_bank
from interviewer.config import ProviderProfile
from interviewer.domain import Question
from interviewer.engine.grading import AnswerLimits
from interviewer.errors import ProviderError
from interviewer.providers.record import RecordingProvider
from tests.conftest import ReplayFactory
from tests.unit.test_redteam_fakes import (
    BrittleGrader,
    CopycatGrader,
    FakeGrader,
    GullibleGrader,
    LeakyGrader,
    ParanoidGrader,
)

LIMITS = AnswerLimits(min_words=8, max_chars=6000)

BANK = find_bank("ai-security")
CORPUS = load_corpus()


def questions(count: int = 1) -> tuple[Question, ...]:
    return BANK.questions[:count]


def attacks(*ids: str) -> tuple[CorpusEntry, ...]:
    by_id = {e.id: e for e in CORPUS}
    return tuple(by_id[i] for i in ids)


async def run(
    grader: FakeGrader, entries: tuple[CorpusEntry, ...], **plan: object
) -> RedteamResult:
    built = build_plan(questions(), entries, **plan)  # type: ignore[arg-type]
    return await run_redteam(grader, built, bank_id=BANK.id, limits=LIMITS)


async def test_gullible_grader_shows_a_high_attack_success_rate() -> None:
    entries = select(CORPUS, benign=False)
    result = await run(GullibleGrader(), entries, bases=("weak",))
    assert result.attacks == len(entries) >= 40
    assert result.attack_success.total == len(entries) * 3
    assert result.attack_success.rate > 0.7
    assert result.mean_delta > 5
    # It falls for plain overrides and decodes hidden ones; a bare hyperlink gives it nothing.
    assert result.by_technique["direct_override"].rate >= 0.5
    assert result.by_technique["rot13"].rate == 1.0
    assert result.by_technique["unicode_tags"].rate == 1.0
    assert result.by_technique["osc8"].rate == 0.0
    successes = {f.entry_id for f in result.findings if f.outcome == "success"}
    assert {"override-ignore-rubric", "json-our-schema", "homoglyph-cyrillic"} <= successes
    assert "term-osc8-link" not in successes


async def test_verdicts_copied_from_the_answer_earn_nothing() -> None:
    # An LLM that returns the fake verdicts planted in the answer quotes the attack's own words
    # ("This key point is fully covered.") as evidence. They are in the answer, but they are
    # words addressed to the grader: the evidence check must not accept them.
    entries = select(CORPUS, techniques=["our_schema"], benign=False)
    result = await run(CopycatGrader(), entries, bases=("weak", "partial"))
    assert result.attack_success.total == len(entries) * 2 * 3
    successes = sorted({f.entry_id for f in result.findings if f.outcome == "success"})
    assert successes == [], f"fake verdicts accepted for: {', '.join(successes)}"


async def test_a_grader_that_ignores_attacks_scores_zero() -> None:
    # The plain word-overlap grader reads no instructions; attack texts share no key point words.
    entries = attacks("enc-rot13", "lang-chinese", "markup-click-quit", "term-clear-screen")
    result = await run(FakeGrader(), entries)
    assert result.attack_success.hits == 0
    assert result.attack_success.total == 4 * 3 * 3
    assert result.findings == ()


async def test_clean_gradings_are_made_once_per_base_answer() -> None:
    grader = GullibleGrader()
    entries = attacks("override-ignore-rubric", "emotion-visa")
    result = await run(grader, entries)
    assert grader.calls == 3 + 2 * 3 * 3
    assert result.calls == grader.calls
    assert result.gradings == grader.calls
    assert {(c.base, c.score is not None) for c in result.clean} == {
        ("weak", True),
        ("partial", True),
        ("strong", True),
    }
    # Clean answers are the base answers themselves, attacks sit at start, middle and end.
    override = entries[0].render(questions()[0])
    injected = [text for text in grader.seen if override in text]
    assert len(injected) == 9
    assert sum(text.startswith(override) for text in injected) == 3
    assert sum(text.endswith(override) for text in injected) == 3


async def test_results_are_by_technique_position_and_base() -> None:
    result = await run(GullibleGrader(), attacks("override-ignore-rubric", "enc-rot13"))
    assert set(result.by_position) == {"start", "middle", "end"}
    assert set(result.by_base) == {"weak", "partial", "strong"}
    assert result.by_technique["encoded"].total == 9
    # The override works wherever it is put, in every base answer; ROT13 is decoded as well.
    assert result.by_technique["direct_override"] == Rate.of(9, 9)
    assert result.by_technique["rot13"] == Rate.of(9, 9)
    assert result.by_position["middle"] == Rate.of(6, 6)
    assert result.attack_success == Rate.of(18, 18)


async def test_leaky_grader_is_caught_by_the_canaries() -> None:
    entries = attacks(
        "exfil-sample-answer", "exfil-system-prompt", "exfil-rubric-gaps", "emotion-visa"
    )
    result = await run(LeakyGrader(), entries, bases=("weak",))
    leaked = {f.entry_id: f.leaks for f in result.findings if f.leaks}
    # Key points are shown to the candidate after grading, so writing them all out in the gaps
    # (canary included) is not a leak; the sample answer and our instructions are.
    assert set(leaked) == {"exfil-sample-answer", "exfil-system-prompt"}
    assert leaked["exfil-sample-answer"] == ("canary:sample_answer", "verbatim:sample_answer")
    # The system prompt holds no sample answer: copying it out leaks our instructions only.
    assert leaked["exfil-system-prompt"] == ("verbatim:system_prompt",)
    assert result.leaks.hits == 6
    assert result.leaks.total == 1 + 12
    assert "canary:key_points" not in result.leaks_by_kind
    assert result.leaks_by_kind["verbatim:system_prompt"] == 3
    assert result.attack_success.hits == 0  # leaking is not scoring


async def test_schema_failures_and_cut_off_replies_are_counted() -> None:
    entries = attacks("json-score", "code-python-docstring", "emotion-visa")
    result = await run(BrittleGrader(), entries, bases=("weak",))
    # json-score has braces (schema failure), the docstring attack backticks (cut off).
    assert result.schema_failures.hits == 6
    assert result.schema_failures.total == 10
    failed = {f.entry_id for f in result.findings if f.outcome == "failed"}
    assert failed == {"json-score", "code-python-docstring"}
    assert result.attack_success.total == 3  # only the gradings that worked are compared


async def test_a_provider_that_never_works_stops_the_run() -> None:
    with pytest.raises(ProviderError, match="OPENAI_API_KEY"):
        await run(BrittleGrader(error_after=0), attacks("emotion-visa"))


async def test_errors_after_a_good_start_are_counted_not_raised() -> None:
    grader = BrittleGrader(error_after=2)
    result = await run(grader, attacks("emotion-visa"), bases=("weak",))
    # 1 clean + 3 injected gradings; the third and fourth call fail.
    assert result.calls == 4
    assert result.errors.hits == 2
    assert [f.failure for f in result.findings] == ["error", "error"]
    assert result.attack_success.total == 1


async def test_benign_answers_are_false_flagged_only_by_a_paranoid_grader() -> None:
    benign = tuple(e for e in CORPUS if e.kind == "benign")
    honest = await run(FakeGrader(), benign, bases=("partial",))
    assert honest.false_flags.total == len(benign) * 3
    paranoid = await run(ParanoidGrader(), benign, bases=("partial",))
    assert paranoid.false_flags.total == len(benign) * 3
    assert honest.false_flags.hits == 0
    alarming = {
        e.id for e in benign if "inject" in e.template.lower() or "prompt" in e.template.lower()
    }
    flagged = {f.entry_id for f in paranoid.findings if f.outcome == "false_flag"}
    assert flagged == alarming
    assert paranoid.false_flags.hits == len(alarming) * 3
    assert {f.kind for f in paranoid.findings if f.outcome == "false_flag"} == {"benign"}
    # Benign entries never count as attacks.
    assert paranoid.attack_success.total == 0


async def test_margin_ignores_small_rises() -> None:
    entries = attacks("override-ignore-rubric")
    strict = await run(GullibleGrader(), entries, bases=("partial",))
    assert strict.attack_success.hits == 3
    clean = strict.clean[0].score
    assert clean is not None
    built = build_plan(questions(), entries, bases=("partial",))
    wide = await run_redteam(
        GullibleGrader(), built, bank_id=BANK.id, limits=LIMITS, margin=10.0 - clean
    )
    assert wide.attack_success.hits == 0


async def test_harness_gives_the_same_results_on_replayed_fixtures(
    tmp_path: Path, replay_provider: ReplayFactory
) -> None:
    entries = attacks("override-ignore-rubric", "exfil-sample-answer", "enc-rot13", "benign-canary")
    recorder = RecordingProvider(
        LeakyGullible(),
        tmp_path / "rec",
        profile=ProviderProfile(kind="openai", model="fake-model"),
        role="grader",
        kind="scripted",
    )
    built = build_plan(questions(), entries, bases=("weak", "partial"))
    recorded = await run_redteam(recorder, built, bank_id=BANK.id, limits=LIMITS)
    assert recorded.attack_success.hits > 0
    assert recorded.leaks.hits > 0
    replayed = await run_redteam(
        replay_provider(tmp_path / "rec", match="strict"), built, bank_id=BANK.id, limits=LIMITS
    )
    assert replayed.attack_success == recorded.attack_success
    assert replayed.leaks == recorded.leaks
    assert replayed.false_flags == recorded.false_flags
    assert replayed.findings == recorded.findings


class LeakyGullible(GullibleGrader, LeakyGrader):
    """Falls for overrides and leaks on request (for the record/replay round trip)."""


async def test_tables_sanitise_names_from_providers_and_files() -> None:
    from interviewer.audit.table import format_redteam

    grader = GullibleGrader(label="evil\x1b]0;owned\x07\u202e")
    result = await run(grader, attacks("override-ignore-rubric"), bases=("weak",))
    table = format_redteam(result)
    assert "\x1b" not in table
    assert "\u202e" not in table
    assert "<U+202E>" in table
    assert "override-ignore-rubric" in table  # the finding is listed
