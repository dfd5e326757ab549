"""From a gap to the sample answer: for each key point an answer missed or only touched on, the
sample answer's sentence that makes it.

The sentence is found with the offline grader's own matching: the sample answer is assessed as
if it were an answer, and the evidence it quotes for a key point is the sentence that covers it.
That depends only on the question, so it is worked out once per question and applies to every
grader's verdicts (an LLM grader's gaps are its own prose; the pointers sit beside them).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from interviewer.domain import KeyPointVerdict, Question, SamplePointer, Verdict


@lru_cache(maxsize=64)
def sample_sentences(question: Question) -> dict[str, str]:
    """Key point id -> the sample answer's sentence for it (points it does not cover are left
    out). Loads the embedding model on first use."""
    from interviewer.grading.coverage import assess

    return {
        verdict.key_point_id: verdict.evidence
        for verdict in assess(question, question.sample_answer)
        if verdict.evidence and verdict.verdict is not Verdict.MISSED
    }


def sample_pointers(
    question: Question, verdicts: Sequence[KeyPointVerdict]
) -> tuple[SamplePointer, ...]:
    """A pointer for every missed or partial verdict, in the verdicts' order."""
    wanted = [v.key_point_id for v in verdicts if v.verdict is not Verdict.COVERED]
    if not wanted or not question.sample_answer.strip():
        return ()
    sentences = sample_sentences(question)
    return tuple(
        SamplePointer(key_point_id=point_id, sentence=sentences[point_id])
        for point_id in wanted
        if point_id in sentences
    )
