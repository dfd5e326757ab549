"""Feedback a candidate can act on (issue 10, item 5): no key point cut mid-phrase, each gap a
full sentence naming what was missing, strengths quoting the candidate's sentence, and in
practice mode a pointer from each missed point to the sample answer's sentence that makes it."""

from __future__ import annotations

import io
import re

import pytest

from interviewer.audit.answers import plant_canaries
from interviewer.audit.canaries import find_leaks
from interviewer.bank.loader import find_bank
from interviewer.domain import (
    Evaluation,
    GraderOutput,
    KeyPoint,
    KeyPointVerdict,
    SamplePointer,
    Verdict,
)
from interviewer.engine.grading import AnswerLimits, Graded, grade
from interviewer.grading.pointers import sample_pointers
from interviewer.providers.offline import OfflineProvider, gap, grade_output, label, strength
from interviewer.report import evaluation_text
from interviewer.text.words import STOPWORDS, word_spans, words
from tests.unit.test_redteam_fakes import FakeGrader, system_prompt

BANK = find_bank("ai-security")
POINTS = [(q, p) for q in BANK.questions for p in q.key_points]
LIMITS = AnswerLimits(min_words=8, max_chars=6000)
PIPELINE = BANK.question("secure-ml-pipeline")
PARTIAL = (
    "I'd check where every dataset comes from, validate the schema, and only let the ingestion "
    "job write to the raw bucket. I would also scan our Python packages and container images "
    "for known vulnerabilities before they reach training."
)


def contiguous(part: list[str], whole: list[str]) -> bool:
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


@pytest.mark.parametrize(("question", "point"), POINTS, ids=[p.id for _, p in POINTS])
def test_every_gap_names_the_whole_key_point_as_a_sentence(
    question: object, point: KeyPoint
) -> None:
    for verdict in (Verdict.MISSED, Verdict.PARTIAL):
        sentence = gap(point, verdict)
        # Nothing of the key point is cut: all its words, in order, end to end.
        assert contiguous(words(point.text), words(sentence)), sentence
        assert sentence.endswith("."), sentence
        assert sentence[:1].isupper()
    missed = gap(point, Verdict.MISSED)
    assert words(missed)[-len(words(point.text)) :] == words(point.text)


@pytest.mark.parametrize(("question", "point"), POINTS, ids=[p.id for _, p in POINTS])
def test_every_label_is_a_whole_phrase_of_its_key_point(question: object, point: KeyPoint) -> None:
    name = label(point)
    tokens = words(name)
    assert len(tokens) >= 2
    assert tokens[-1] not in STOPWORDS, name  # "such as", "and the", "a specific" ...
    # The key point's words from the start (parenthetical asides left out), ending where the
    # key point's own clause ends: at its end, or at a colon, semicolon or spaced dash.
    text = re.sub(r"\s*\([^()]*\)", "", point.text)
    whole = words(text)
    assert whole[: len(tokens)] == tokens, name
    if len(tokens) < len(whole):
        spans = list(word_spans(text))
        between = text[spans[len(tokens) - 1][0] : spans[len(tokens)][0]]
        assert re.search(r"[:;]|\s[-–—]\s", between), (name, between)


def test_the_gap_the_issue_quoted_is_whole_now() -> None:
    point = BANK.question("identified-ai-security-risk").key_point("concrete-risk")
    sentence = gap(point, Verdict.MISSED)
    assert "Not covered: describes a specific." not in sentence
    assert sentence == (
        "Not shown in your answer: describes a specific, concrete AI security risk they found, "
        "such as a chatbot or RAG assistant retrieving documents without document-level "
        "permissions, and why it mattered — unauthorised data exposure."
    )
    assert label(point).endswith("and why it mattered")


def test_strengths_quote_the_candidates_sentence_and_gaps_cover_the_rest() -> None:
    output = grade_output(PIPELINE, PARTIAL)
    by_id = {v.key_point_id: v for v in output.verdicts}
    covered = [v for v in output.verdicts if v.verdict is Verdict.COVERED]
    assert covered, "the partial answer should cover something"
    for verdict in covered:
        assert verdict.evidence and verdict.evidence in PARTIAL
        point = PIPELINE.key_point(verdict.key_point_id)
        assert strength(point, verdict.evidence) in output.strengths
        assert f"“{verdict.evidence}”" in strength(point, verdict.evidence)
    missed = [p for p in PIPELINE.key_points if by_id[p.id].verdict is Verdict.MISSED]
    for point in missed:
        assert gap(point, Verdict.MISSED) in output.gaps
    assert len(output.gaps) == len(PIPELINE.key_points) - len(covered)


def test_offline_feedback_with_whole_key_points_is_not_a_leak() -> None:
    planted = plant_canaries(PIPELINE, key_points=False)
    output = grade_output(PIPELINE, PARTIAL)
    assert any(len(words(g)) > 12 for g in output.gaps)  # long enough to have tripped it
    prompt = system_prompt(planted.question)
    assert find_leaks(output, PARTIAL, planted, system_prompt=prompt) == ()


# ---------------------------------------------------------------------------------------------
# Pointers into the sample answer


def test_each_missed_point_points_to_a_sentence_of_the_sample_answer() -> None:
    verdicts = tuple(
        KeyPointVerdict(key_point_id=p.id, verdict=Verdict.MISSED) for p in PIPELINE.key_points
    )
    pointers = sample_pointers(PIPELINE, verdicts)
    assert [p.key_point_id for p in pointers] == [p.id for p in PIPELINE.key_points]
    for pointer in pointers:
        assert pointer.sentence in PIPELINE.sample_answer
    by_id = {p.key_point_id: p.sentence for p in pointers}
    assert "securing data ingestion" in by_id["data-integrity"]
    assert "scan third-party libraries" in by_id["dependency-scanning"]
    assert "monitor for drift" in by_id["production-monitoring"]


def test_covered_points_get_no_pointer() -> None:
    first, *rest = PIPELINE.key_points
    verdicts = (
        KeyPointVerdict(key_point_id=first.id, verdict=Verdict.COVERED, evidence="x"),
        *(KeyPointVerdict(key_point_id=p.id, verdict=Verdict.PARTIAL, evidence="y") for p in rest),
    )
    assert [p.key_point_id for p in sample_pointers(PIPELINE, verdicts)] == [p.id for p in rest]


async def graded(provider: object, answer: str) -> Evaluation:
    from interviewer.domain import Exchange

    exchange = Exchange(kind="question", prompt=PIPELINE.text, answer=answer)
    result: Evaluation | None = None
    async for event in grade(PIPELINE, (exchange,), provider, LIMITS):  # type: ignore[arg-type]
        if isinstance(event, Graded):
            result = event.evaluation
    assert result is not None
    return result


@pytest.mark.parametrize("provider", [OfflineProvider(), FakeGrader()], ids=["offline", "llm"])
async def test_the_engine_carries_pointers_for_every_grader(provider: object) -> None:
    evaluation = await graded(provider, PARTIAL)
    open_points = [v.key_point_id for v in evaluation.verdicts if v.verdict is not Verdict.COVERED]
    assert open_points
    assert [p.key_point_id for p in evaluation.pointers] == open_points
    assert all(p.sentence in PIPELINE.sample_answer for p in evaluation.pointers)


async def test_an_llm_graders_gaps_are_its_own() -> None:
    @__import__("dataclasses").dataclass
    class Worded(FakeGrader):
        def judge(self, question: object, answer: str) -> GraderOutput:
            output = super().judge(question, answer)  # type: ignore[arg-type]
            return output.model_copy(update={"gaps": ("Say more about monitoring.",)})

    evaluation = await graded(Worded(), PARTIAL)
    assert evaluation.gaps == ("Say more about monitoring.",)
    assert evaluation.pointers  # the pointer still applies


async def test_an_empty_answer_points_to_the_sample_for_every_point() -> None:
    evaluation = await graded(OfflineProvider(), "")
    assert evaluation.method == "pre-check"
    assert len(evaluation.pointers) == len(PIPELINE.key_points)


def test_practice_text_output_shows_the_pointer() -> None:
    evaluation = Evaluation(
        question_id=PIPELINE.id,
        score=0.0,
        verdicts=(KeyPointVerdict(key_point_id="data-integrity", verdict=Verdict.MISSED),),
        grader="offline",
        method="coverage",
        pointers=(SamplePointer(key_point_id="data-integrity", sentence="Hash the datasets."),),
    )
    practice = evaluation_text(evaluation, practice=True)
    assert '   missed: data-integrity\n           the sample answer: "Hash the datasets."\n' in (
        practice
    )
    assert "Hash the datasets." not in evaluation_text(evaluation)


def test_headless_practice_run_prints_pointers_and_interview_run_does_not() -> None:
    from interviewer.headless import TextRenderer
    from interviewer.journal import Evaluated, SessionStarted

    def header(mode: str) -> SessionStarted:
        return SessionStarted(
            session_id="s1",
            bank_id=BANK.id,
            mode=mode,
            interviewer="offline",
            grader="offline",
            max_probes=0,
            min_answer_words=8,
            max_answer_chars=6000,
            questions=(PIPELINE,),
        )

    evaluation = Evaluation(
        question_id=PIPELINE.id,
        score=0.0,
        verdicts=(KeyPointVerdict(key_point_id="data-integrity", verdict=Verdict.MISSED),),
        grader="offline",
        pointers=(SamplePointer(key_point_id="data-integrity", sentence="Hash the datasets."),),
    )
    for mode, shown in (("practice", True), ("interview", False)):
        out = io.StringIO()
        renderer = TextRenderer(out, header(mode), hold_feedback=False)
        renderer.show(Evaluated(t=0.0, question_id=PIPELINE.id, evaluation=evaluation))
        assert ('the sample answer: "Hash the datasets."' in out.getvalue()) is shown
