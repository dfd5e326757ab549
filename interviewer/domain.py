"""Value types shared by the bank, the engine, the providers, the journal and the report.

They are pydantic models so the journal and the JSON report serialise them without glue code.
All are frozen: an evaluation, once made, is a record, not a workspace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sleep = Callable[[float], Awaitable[None]]
"""How code that waits (retry backoff, paced replay, journal playback) sleeps: `asyncio.sleep`
unless a test passes one that returns at once and records the delay."""


class FrozenModel(BaseModel):
    """The base of every record type (here, the journal, the report, fixtures, audit results):
    frozen, and an unknown field is an error (a misspelt key in a journal line fails loudly)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class KeyPoint(FrozenModel):
    """One thing a good answer covers. A question's key points are listed most important first."""

    id: str
    text: str
    probes: tuple[str, ...] = Field(min_length=1)
    """Follow-up questions, in an interviewer's voice, that invite the candidate to cover this point
    without giving it away."""
    examples: tuple[str, ...] = ()
    """Sentences in which different candidates make this point in their own words (optional):
    the offline grader compares answers with them as with the key point itself. Never shown to
    the candidate nor sent to a model."""


class Concept(FrozenModel):
    """One idea of a bank's field and the phrases that say it (a bank's `[[concepts]]` table).

    The offline grader appends `name` to every text (answer sentence, key point, sample answer)
    that mentions one of `terms`, so an answer and a key point that say one thing in different
    words share words. How terms match is `interviewer.grading.lexicon`'s to define and the bank
    format documentation's to explain."""

    name: str
    """The words appended to a text that mentions the concept, e.g. "hash integrity"."""
    terms: tuple[str, ...] = Field(min_length=1)
    """Plain phrases that signal the concept, e.g. "checksum", "sha-256", "vulnerab*"."""


class Question(FrozenModel):
    id: str
    text: str
    difficulty: Difficulty
    tags: tuple[str, ...] = ()
    sample_answer: str
    key_points: tuple[KeyPoint, ...]
    concepts: tuple[Concept, ...] = ()
    """The vocabulary of the question's bank (its `[[concepts]]`): every question carries it, so
    a journal's snapshot of the question grades as the bank did when the session ran."""
    other_key_points: tuple[str, ...] = ()
    """The key points of each other question of its bank, one text per question (the loader
    fills it): the offline grader tells an answer to another question by them. Carried for the
    same reason as `concepts`."""

    @property
    def key_points_text(self) -> str:
        """The question's key points as one text: its entry in another question's
        `other_key_points`."""
        return " ".join(point.text for point in self.key_points)

    def key_point(self, key_point_id: str) -> KeyPoint:
        for point in self.key_points:
            if point.id == key_point_id:
                return point
        raise KeyError(key_point_id)


class Bank(FrozenModel):
    id: str
    title: str
    description: str = ""
    questions: tuple[Question, ...]
    concepts: tuple[Concept, ...] = ()
    """The bank file's `[[concepts]]`; the loader gives every question the same tuple."""
    min_key_points: int = 1
    """Fewest key points a question of this bank may have (`[bank] min_key_points`): the format
    allows 1 to 8, and a curated bank can insist on more."""

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


class Verdict(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    MISSED = "missed"


VERDICT_CREDIT: dict[Verdict, float] = {
    Verdict.COVERED: 1.0,
    Verdict.PARTIAL: 0.5,
    Verdict.MISSED: 0.0,
}


class KeyPointVerdict(FrozenModel):
    key_point_id: str
    verdict: Verdict
    evidence: str | None = None
    """The candidate's own sentence that shows the point; required for covered and partial."""
    credit: float | None = Field(default=None, ge=0.0, le=1.0)
    """Graded credit (0-1) for a covered or partial verdict, when the grader measures one (the
    offline grader does). Absent, the verdict's level counts (`VERDICT_CREDIT`); a missed verdict,
    or one whose evidence fails the check, earns nothing either way."""
    opposed: bool = False
    """The evidence says the opposite of the point ("I would not log tool calls"), as the
    offline grader reads polarity: its small credit keeps a denial above an off-topic answer,
    but it shows no grasp of the point, so it reads "argued against", never "partly covered"."""


class Usage(FrozenModel):
    """Tokens and cost of one or more provider calls. Adds up with `+`."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    """Input tokens served from the provider's prompt cache (a subset of input_tokens)."""
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            cost_usd=round(self.cost_usd + other.cost_usd, 8),
            calls=self.calls + other.calls,
        )


class Exchange(FrozenModel):
    """One prompt the candidate saw and what they answered to it."""

    kind: Literal["question", "probe"]
    prompt: str
    answer: str
    key_point_id: str | None = None
    """For a probe: the key point it aimed at."""
    interrupted: bool = False
    """For a probe: the stream was cut short (cancel, idle timeout, error) and this is partial."""
    truncated: bool = False
    """The answer was cut to the grader's length limit (`[interview] max_answer_chars`) before
    any provider saw it; the journal keeps the full text."""


class Carried(FrozenModel):
    """The checked verdicts of an earlier assessment of one question, carried into the grader's
    later calls about it: those read only the exchanges after the first `answers` ones, and ask
    only about the key points not yet covered (`open_ids`). Covered points stay covered with
    their quote; a partial one is sent with its quote so the model can upgrade it."""

    verdicts: tuple[KeyPointVerdict, ...]
    answers: int
    """How many exchanges the assessment read (the later call sends the ones after these)."""
    flags: tuple[str, ...] = ()
    """The evidence check's flags on those verdicts (`Assessed.flags`)."""

    def open_ids(self, question: Question) -> tuple[str, ...]:
        """Key points of `question` the carried verdicts do not cover, in the bank's order."""
        covered = {v.key_point_id for v in self.verdicts if v.verdict is Verdict.COVERED}
        return tuple(point.id for point in question.key_points if point.id not in covered)

    def partial(self) -> tuple[KeyPointVerdict, ...]:
        """The partial verdicts with a quote: what a later call is shown of earlier answers."""
        return tuple(v for v in self.verdicts if v.verdict is Verdict.PARTIAL and v.evidence)


def answer_text(exchanges: tuple[Exchange, ...]) -> str:
    """Everything the candidate said about one question, as graders read it and evidence is
    checked against it."""
    return "\n\n".join(exchange.answer for exchange in exchanges if exchange.answer.strip())


class GraderOutput(FrozenModel):
    """What a grader claims. Untrusted: the engine checks evidence and computes the score."""

    verdicts: tuple[KeyPointVerdict, ...]
    strengths: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    feedback: str = ""
    """Prose feedback for the candidate (Markdown)."""


GradingMethod = Literal["model", "coverage", "pre-check"]
"""How a score was reached: a model read the answer; the offline key-point coverage estimate;
or the pre-check, before any grader."""

COVERAGE_NOTE = (
    "Offline estimate: it checks which key ideas the answer mentions, not whether what it says is "
    "right. For a grader that reads meaning, set `provider` in your config to a local model or an "
    "API profile, and test it with `interviewer providers check`."
)
"""Shown wherever a coverage-estimate score appears, so nobody takes it for a judgement."""

IGNORED_FLAG = "ignored:"
"""Evaluation flag prefix: `ignored:<sentence>` for each sentence set aside as addressed to the
grader (or as code), so the candidate sees exactly what earned nothing and why."""


EVIDENCE_REJECTED_FLAG = "evidence_rejected:"
"""Evaluation flag prefix: `evidence_rejected:<key point id>` when the grader's quote for that
key point is not in the answer; the verdict is then missed and keeps the quote."""

REJECTED_QUOTE_LABEL = "quoted by the grader, not found in your answer"
"""How a rejected quote is introduced wherever it is shown: it is never the candidate's words."""

SCRIPTED_FLAG = "scripted"
"""Evaluation flag: the verdicts and prose are a recording's, replayed for answers other than the
recorded ones (a position-matched replay such as the demo), so they do not judge this answer."""

SCRIPTED_NOTE = (
    "Your answers differ from the recording, so the replies from here on are the scripted ones, "
    "not a judgement of what you wrote; quotes not in your answers are rejected."
)
"""Said once when a replay's answers leave the recording, and shown with each scripted result."""


class SamplePointer(FrozenModel):
    """Where the sample answer makes a key point the candidate missed or only touched on."""

    key_point_id: str
    sentence: str
    """The sample answer's sentence that the offline matcher pairs with the key point."""


class Evaluation(FrozenModel):
    """The checked, scored evaluation of one question."""

    question_id: str
    score: float = Field(ge=0, le=10)
    verdicts: tuple[KeyPointVerdict, ...]
    strengths: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    feedback: str = ""
    grader: str
    """Which provider graded, e.g. "offline" or "openai:gpt-4o-mini"; says when offline stood in."""
    method: GradingMethod = "model"
    """How the score was reached (`GradingMethod`); "coverage" scores carry `COVERAGE_NOTE`."""
    flags: tuple[str, ...] = ()
    """Why the score is what it is when not from verdicts alone: "empty", "too_short",
    "gibberish", "grading_failed", "evidence_rejected:<key point id>" (`EVIDENCE_REJECTED_FLAG`),
    "truncated", "ignored:<sentence>" (`IGNORED_FLAG`), "scripted" (`SCRIPTED_FLAG`)."""
    usage: Usage = Usage()
    pointers: tuple[SamplePointer, ...] = ()
    """For each missed or partial key point, the sample answer's sentence that makes it: shown
    in practice mode (and with the sample answer), whichever grader graded."""

    def quote_rejected(self, key_point_id: str) -> bool:
        """The grader quoted evidence for this key point that is not in the answer."""
        return f"{EVIDENCE_REJECTED_FLAG}{key_point_id}" in self.flags

    @property
    def scripted(self) -> bool:
        """The verdicts and prose are a recording's, not a judgement of this answer."""
        return SCRIPTED_FLAG in self.flags

    @property
    def set_aside(self) -> tuple[str, ...]:
        """The sentences ignored as addressed to the grader (from the `ignored:` flags)."""
        return tuple(f[len(IGNORED_FLAG) :] for f in self.flags if f.startswith(IGNORED_FLAG))

    @property
    def notes(self) -> tuple[str, ...]:
        """The flags a reader needs spelled out: the set-aside sentences, rejected quotes and
        the script are each shown in words where they belong."""
        return tuple(
            flag
            for flag in self.flags
            if not flag.startswith((IGNORED_FLAG, EVIDENCE_REJECTED_FLAG)) and flag != SCRIPTED_FLAG
        )

    @model_validator(mode="before")
    @classmethod
    def _method_of_earlier_journals(cls, data: Any) -> Any:
        # Journals written before `method` existed: their grader label says it.
        if isinstance(data, dict) and "method" not in data:
            known = {"offline": "coverage", "pre-check": "pre-check"}
            if data.get("grader") in known:
                return {**data, "method": known[data["grader"]]}
        return data
