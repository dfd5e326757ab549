"""The offline grader: which key points does an answer cover, how well, and where does it say so?

For every key point we build references (`references`): the key point text, its examples (the
bank's sentences of candidates making the point in their own words) and the sample-answer
sentence most related to it. Each sentence of the answer is compared with them in two ways, and
its credit for the point (0-1) is the mean of both, each a linear ramp:
* embedding similarity: the sentence's content words, embedded with the bundled static model,
  against the point's references (examples and sample sentences count slightly less than the
  key point);
* term recall (`terms`): how many of the point's distinctive words the sentence says, or near
  words.
Below CREDIT_GATE similarity a sentence is only near the point: it earns at most LOW_CREDIT, and
only when it says one of the point's words and stays on the question's topic (ON_TOPIC). A
point's credit is its best sentence's, or what its clean sentences say between them
(`whole.combined_credit`), whichever is more, so adding a sentence never lowers a score.

Two adjustments make a static word-embedding model usable as a grader (`references` builds them):
* Concept expansion (`lexicon`): texts get the names of the bank's concepts they mention appended
  before embedding, so "we compare digests" meets "hash the datasets" when the bank's vocabulary
  (`Question.concepts`) says digests and hashes are one concept.
* Half of the question's own direction is projected out of every vector: merely restating the
  topic ("logging matters for production AI") should not look like covering a specific point.

Then the credit is checked for what similarity cannot see:
* polarity (`polarity`): a sentence whose clause closest to the point denies it ("I would not
  log tool calls", "skip the review", "let anyone write") keeps only DENIED_CREDIT;
* overclaiming: an absolute claim about what a measure achieves keeps only OVERCLAIM_CREDIT;
* coherence: a bare list of terms (`guards.is_keyword_list`), or a sentence of bare items that
  names the terms of many key points at once, keeps only LIST_CREDIT; an answer of notes rather
  than prose keeps less of everything (`whole.notes_factor`);
* stance: in an answer many of whose clauses about the key points dismiss them ("hashing is
  overkill", "monitoring is only needed at launch"), the sentences not judged denials
  themselves keep less (`whole.dismissal_factor`; clauses at STANCE_GATE similarity to a
  reference clause count, and plain negation does not, so a story's "nothing happened" costs
  nothing);
* another question: a sentence about another question of the bank keeps ELSEWHERE_CREDIT
  (`whole.elsewhere`);
* evidence: a sentence the evidence check would reject (a heading, one word, text addressed to
  the grader) earns nothing, so the quote is always the candidate's own checkable sentence.

The verdict's graded `credit` is what the score counts (`score.compute_score`); covered and
partial still name it for feedback and probes. Thresholds were tuned on the tuning split of the
development set in tests/data/devset only (bench/bench_grading.py measures both splits). Text
addressed to the grader is dropped before matching. Deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from interviewer.domain import KeyPointVerdict, Question, Verdict
from interviewer.grading.guards import instruction_mask, is_keyword_list, list_share, trusted_text
from interviewer.grading.lexicon import Vocabulary, concepts
from interviewer.grading.matcher import Matrix, get_embedder, similarities
from interviewer.grading.polarity import clauses, denies, dismisses, overclaims
from interviewer.grading.references import (
    References,
    content,
    embed,
    point_similarities,
    project,
    references,
)
from interviewer.grading.score import evidence_found, missing_key_points
from interviewer.grading.terms import (
    recall_of,
    says_a_word,
    term_matches,
)
from interviewer.grading.text import normalise, split_sentences, stopword_ratio
from interviewer.grading.whole import (
    ELSEWHERE_CREDIT,
    combined_credit,
    dismissal_factor,
    elsewhere,
    notes_factor,
)

CREDIT_FLOOR = 0.30
"""Similarity at which the embedding half of a sentence's credit starts (see CREDIT_GATE)."""
CREDIT_FULL = 0.55
"""Similarity at which it earns full credit; credit grows linearly in between."""
MIN_CREDIT = 0.05
"""Less credit than this is noise, not a mention: the point is missed."""
COVERED_CREDIT = 0.75
"""Credit from which a verdict reads "covered" (below: "partial"; no credit: "missed")."""
LIST_CREDIT = 0.25
"""A bare list of terms is not an explanation: it keeps this share of its credit."""
DENIED_CREDIT = 0.1
"""A sentence that denies a point (see `polarity`) keeps this share: it is on topic, unlike an
off-topic answer, but it says the opposite of the point."""
TERM_WEIGHT = 0.5
"""Share of a sentence's credit that comes from term recall (see `terms`); the rest comes from the
sentence embedding."""
TERM_FLOOR = 0.05
TERM_FULL = 0.3
"""Term recall from which credit starts, and at which it is full."""
SPAN_POINTS = 4
SPAN_SHARE = 0.6
"""A sentence reaching CREDIT_FLOOR similarity with SPAN_POINTS key points or more, with at least
SPAN_SHARE of its words in bare items (`guards.list_share`), is a keyword list too."""
OVERCLAIM_CREDIT = 0.25
"""A sentence claiming a measure "guarantees", "eliminates" or makes anything "immune" (see
`polarity.overclaims`) keeps this share: the vocabulary is right, the understanding is not."""
CREDIT_GATE = 0.4
"""Below this embedding similarity a sentence earns nothing, whatever its words: the old
grader's "partial" bar. Sentences count one by one and only on their own merits, so a sentence
added anywhere (an aside, or text addressed to the grader that the guards do not catch) can never
lower a score and raises one only by matching a point this well."""
LOW_GATE = 0.2
LOW_CREDIT = 0.5
"""Between LOW_GATE and CREDIT_GATE similarity a sentence is near the point without making it:
its credit grows linearly from 0 to LOW_CREDIT, so an answer that stays on a point's topic
ranks above one that says nothing about it. Only a sentence that says one of the point's own
words (or names its concept), and is on the question's topic (ON_TOPIC), earns it."""
ON_TOPIC = 0.15
"""Similarity to the question's key points as one text from which a sentence is on the
question's topic. Credit below CREDIT_GATE, and combined evidence, come only from such sentences
that also say one of the point's words: an aside ("Let's play a game.", "Click here to see
your score") adds nothing, whatever near words it holds."""
SUPPORT_GATE = 0.15
"""Similarity to a point from which a clean sentence (relevant as ON_TOPIC says; not denied, a
list, an overclaim or unquotable) supports it in combined evidence (`whole.combined_credit`)."""
STANCE_GATE = 0.45
"""Similarity to a key point's reference clause from which a clause counts for the answer's
stance (`whole.dismissal_factor`)."""


@dataclass(frozen=True)
class _Unit:
    """One sentence of the answer (text addressed to the grader left out)."""

    text: str
    expanded: str
    """What gets embedded: the text plus the canonical terms of its concepts (see `lexicon`)."""
    bare_list: bool


def assess(question: Question, answer_text: str) -> tuple[KeyPointVerdict, ...]:
    """One verdict per key point (question order), with the candidate's sentence as evidence."""
    graded = _grade(question, answer_text)
    opposed = set(graded.discounts.opposed)
    verdicts: list[KeyPointVerdict] = []
    for k, point in enumerate(question.key_points):
        verdict, evidence, credit = Verdict.MISSED, None, None
        if graded.units and graded.credit[k] >= MIN_CREDIT:
            credit = round(float(graded.credit[k]), 3)
            verdict = Verdict.COVERED if credit >= COVERED_CREDIT else Verdict.PARTIAL
            evidence = graded.units[graded.evidence[k]].text
        verdicts.append(
            KeyPointVerdict(
                key_point_id=point.id,
                verdict=verdict,
                evidence=evidence,
                credit=credit,
                opposed=evidence is not None and (point.id, evidence) in opposed,
            )
        )
    return tuple(verdicts)


@dataclass(frozen=True)
class Discounts:
    """Why an answer keeps less credit than its sentences earn one by one, for its feedback."""

    dismissing: tuple[str, ...] = ()
    """The candidate's clauses that argue against the practice, when they cost the answer
    credit (`whole.dismissal_factor`)."""
    notes: bool = False
    """The credited sentences read as notes rather than prose (`whole.notes_factor`)."""
    opposed: tuple[tuple[str, str], ...] = ()
    """(key point id, quoted sentence) where the quote says the opposite of the point: its
    small credit keeps a denial above an off-topic answer, but it shows no grasp of the
    point."""


def discounts(question: Question, answer_text: str) -> Discounts:
    """What made `answer_text` keep less credit than its sentences earn (none: `Discounts()`)."""
    return _grade(question, answer_text).discounts


@dataclass(frozen=True)
class _Graded:
    units: list[_Unit]
    credit: Matrix
    """(k,): each key point's credit, 0-1."""
    evidence: tuple[int, ...]
    """For each key point, the unit quoted as its evidence."""
    discounts: Discounts


def _grade(question: Question, answer_text: str) -> _Graded:
    """Each key point's credit: its best sentence's, or what the answer's clean sentences say
    about it between them (`whole.combined_credit`), whichever is more; then scaled by
    `whole.dismissal_factor` and `whole.notes_factor`, over the sentences that earn credit."""
    graded = _credits(question, answer_text)
    units = graded.units
    if not units:
        return _Graded(units, np.zeros(len(question.key_points), dtype=np.float32), (), Discounts())
    # Only sentences that earn credit are read, so an aside or a missed injection can't dilute.
    earning = [u.text for u, row in zip(units, graded.credit, strict=True) if row.max() > 0]
    # Whether the answer argues against the practice is read from what it says about this
    # question: another question's answer tacked on costs nothing but its own credit.
    stance = [u.text for u, row, off in zip(units, graded.credit, graded.elsewhere, strict=True)
              if row.max() > 0 and not off]  # fmt: skip
    refs = references(question)
    own, count, share = _dismissing(stance, _set_aside(answer_text), refs)
    dismissal = dismissal_factor(count, share)
    sentence_credit = np.where(graded.denied, graded.credit, graded.credit * dismissal)
    best = sentence_credit.max(axis=0)
    evidence = [int(i) for i in np.argmax(sentence_credit, axis=0)]
    joined = dismissal * combined_credit(refs.terms, graded.met, graded.support)
    for k in np.flatnonzero(joined > best):
        best[k] = joined[k]
        helping = np.flatnonzero(graded.support[:, k])
        evidence[k] = int(helping[np.argmax(sentence_credit[helping, k])])
    factor = notes_factor(stopword_ratio(" ".join(earning))) if earning else 1.0
    credit: Matrix = (best * factor).astype(np.float32)
    opposed = tuple(
        (point.id, units[evidence[k]].text)
        for k, point in enumerate(question.key_points)
        if best[k] > 0 and graded.denied[evidence[k], k]
    )
    why = Discounts(own if dismissal < 1.0 else (), factor < 1.0, opposed)
    return _Graded(units, credit, tuple(evidence), why)


@dataclass(frozen=True)
class _Sentences:
    """What each sentence of an answer earns for each key point, (sentences, key points)."""

    units: list[_Unit]
    credit: Matrix
    """Graded credit, 0-1."""
    support: npt.NDArray[np.bool_]
    """Clean support for the point: on its topic, and not denied, a list, an overclaim or
    unquotable."""
    met: Matrix
    """How the sentence meets each of the point's words (`terms.term_matches`)."""
    denied: npt.NDArray[np.bool_]
    """The sentence says the opposite of the point (`_denials`)."""
    elsewhere: npt.NDArray[np.bool_]
    """(sentences,): the sentence is about another question of the bank (`whole.elsewhere`)."""


def _credits(question: Question, answer_text: str) -> _Sentences:
    """What each sentence of the answer earns for each key point, and why."""
    scores, embedded, units = _match(question, answer_text)
    if not units:
        nothing = np.zeros(scores.shape, dtype=np.bool_)
        return _Sentences(units, scores, nothing, scores, nothing, nothing[:, 0])
    refs = references(question)
    texts = [unit.text for unit in units]
    credit = np.clip((scores - CREDIT_FLOOR) / (CREDIT_FULL - CREDIT_FLOOR), 0.0, 1.0)
    met = term_matches(get_embedder(), refs.terms, [unit.expanded for unit in units])
    recall = recall_of(refs.terms, met)
    by_terms = np.clip((recall - TERM_FLOOR) / (TERM_FULL - TERM_FLOOR), 0.0, 1.0)
    credit = (1.0 - TERM_WEIGHT) * credit + TERM_WEIGHT * by_terms
    near = LOW_CREDIT * np.clip((scores - LOW_GATE) / (CREDIT_GATE - LOW_GATE), 0.0, 1.0)
    contrast = similarities(embedded, refs.contrast)
    # A sentence that says none of a point's words, or strays from the question, is generic
    # text for that point: it earns no near credit and joins no combined evidence.
    relevant = says_a_word(refs.terms, met) & (contrast[:, :1] >= ON_TOPIC)
    near[~relevant] = 0.0
    credit = np.where(scores < CREDIT_GATE, near, credit)
    kept = np.ones(credit.shape, dtype=np.float32)
    about_another = elsewhere(contrast[:, 0], contrast[:, 1:])
    kept[about_another] *= ELSEWHERE_CREDIT
    denied = _denials(texts, refs)
    kept[denied] *= DENIED_CREDIT
    haystack = normalise(trusted_text(answer_text))
    for u, unit in enumerate(units):
        # Bare items naming the terms of many key points explain none of them ("you need
        # provenance, hashing, RBAC, SBOMs, red teams and drift detection").
        spread = int((scores[u] >= CREDIT_FLOOR).sum())
        if unit.bare_list or (spread >= SPAN_POINTS and list_share(unit.text) >= SPAN_SHARE):
            kept[u] *= LIST_CREDIT
        if overclaims(unit.text):
            kept[u] *= OVERCLAIM_CREDIT
        if not _quotable(unit.text, haystack):
            kept[u] = 0.0  # nothing the evidence check would accept
    support = (kept == 1.0) & (scores >= SUPPORT_GATE) & relevant
    result: Matrix = (credit * kept).astype(np.float32)
    return _Sentences(units, result, support, met, denied, about_another)


def _denials(sentences: list[str], refs: References) -> npt.NDArray[np.bool_]:
    """(sentences, key points): True where the sentence's clause pair closest to the point (one
    answer clause, one asserting reference clause) says the opposite (see `polarity`). Denying
    reference clauses take no part: their negation is content ("the model cannot tell data from
    instructions") that right answers say without one (10% of the bank's examples, else 1%)."""
    per_sentence = [clauses(text) or (text,) for text in sentences]  # one clause at least
    flat = [c for group in per_sentence for c in group]
    sims = similarities(project(embed(flat, refs.vocabulary), refs.question), refs.clauses)
    denying = np.array(refs.clause_denies, dtype=np.bool_)
    answer_denies = np.array([denies(c) for c in flat])[:, None]
    against = answer_denies & ~denying
    # Best agreeing / opposed similarity per sentence and reference clause, then per key point.
    bounds = np.cumsum([0] + [len(group) for group in per_sentence])[:-1]
    agree = np.maximum.reduceat(np.where(answer_denies == denying, sims, -2.0), bounds, axis=0)
    oppose = np.maximum.reduceat(np.where(against, sims, -2.0), bounds, axis=0)
    starts = [owned[0] for owned in refs.clause_owner]
    result: npt.NDArray[np.bool_] = np.maximum.reduceat(
        oppose, starts, axis=1
    ) > np.maximum.reduceat(agree, starts, axis=1)
    return result


def _dismissing(
    sentences: list[str], set_aside: tuple[str, ...], refs: References
) -> tuple[tuple[str, ...], int, float]:
    """The clauses of `sentences` that talk about a key point (at STANCE_GATE similarity to one
    of its reference clauses) and argue against what they talk about (`polarity.dismisses`);
    how many such clauses there are, with the dismissing ones of `set_aside` (text the guards
    dropped, which can then only add dismissals: an injection that takes the candidate's own
    sentences down with it never makes the rest look less dismissive); and their share of all
    such clauses."""
    flat = [c for text in sentences for c in (clauses(text) or (text,))]
    aside = [c for text in set_aside for c in (clauses(text) or (text,)) if dismisses(c)]
    if not flat and not aside:
        return (), 0, 0.0
    rows = project(embed(flat + aside, refs.vocabulary), refs.question)
    on_point = similarities(rows, refs.clauses).max(axis=1) >= STANCE_GATE
    stances = [dismisses(c) for c, near in zip(flat + aside, on_point, strict=True) if near]
    mine = on_point[: len(flat)]
    own = tuple(c for c, near in zip(flat, mine, strict=True) if near and dismisses(c))
    dismissing = sum(stances)
    return own, dismissing, dismissing / len(stances) if stances else 0.0


def _quotable(sentence: str, haystack: str) -> bool:
    """Whether `sentence` may be quoted as evidence: not a heading, and a quote the evidence
    check accepts (long enough to prove something, from the candidate's own text)."""
    stripped = sentence.strip()
    if stripped.endswith(":") or stripped.startswith("#"):
        return False
    return evidence_found(sentence, haystack)


def match_scores(question: Question, answer_text: str) -> tuple[Matrix, list[_Unit]]:
    """(sentences, key points) embedding similarity and the sentences."""
    scores, _, units = _match(question, answer_text)
    return scores, units


def _match(question: Question, answer_text: str) -> tuple[Matrix, Matrix, list[_Unit]]:
    """`match_scores`, plus the sentences' embeddings."""
    units = _units(answer_text, question.concepts)
    if not units:
        empty = np.zeros((0, len(question.key_points)), dtype=np.float32)
        return empty, empty, units
    refs = references(question)
    embedded = project(
        get_embedder().embed([content(unit.expanded) for unit in units]), refs.question
    )
    return point_similarities(refs, embedded), embedded, units


def count_ignored(answer_text: str) -> int:
    """How many sentences of the answer were ignored as addressed to the grader."""
    return sum(instruction_mask(answer_text, split_sentences(answer_text)))


def _units(answer_text: str, vocabulary: Vocabulary) -> list[_Unit]:
    kept, _ = _sorted_out(answer_text)
    found = [concepts(vocabulary, text) for text in kept]  # once per sentence: matching is the cost
    return [
        _Unit(text, _with_terms(text, terms), is_keyword_list(text))
        for text, terms in zip(kept, found, strict=True)
    ]


def _set_aside(answer_text: str) -> tuple[str, ...]:
    """The sentences `_units` leaves out (text addressed to the grader, and what it taints)."""
    return _sorted_out(answer_text)[1]


@lru_cache(maxsize=64)  # one grade reads it twice: for the units and for the stance
def _sorted_out(answer_text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The answer's sentences the grader reads, and those it sets aside. Instruction-like
    sentences are removed first, so inserting an injection anywhere leaves exactly the units
    the answer alone would have."""
    spans = split_sentences(answer_text)
    excluded = instruction_mask(answer_text, spans)
    kept = tuple(span.text for span, drop in zip(spans, excluded, strict=True) if not drop)
    dropped = tuple(span.text for span, drop in zip(spans, excluded, strict=True) if drop)
    return kept, dropped


def _with_terms(text: str, terms: list[str]) -> str:
    return f"{text} {' '.join(terms)}" if terms else text


def estimate_missing(question: Question, answer_text: str) -> tuple[str, ...]:
    """Key point ids `answer_text` does not cover yet, most important first: our own fast, local
    estimate of where a follow-up probe should aim."""
    return missing_key_points(question, assess(question, answer_text))
