"""The offline grader on an imported course quiz: one-sentence sample answers, no curation.

Run by hand: `python bench/bench_quiz.py [--answers]`.

tests/data/quiz/quiz.txt is a 12-question CS quiz in `interviewer bank import`'s plain-text
layout, each sample answer one sentence of 2-4 ideas; tests/data/quiz/answers.jsonl holds 10
answers per question, written fresh and labelled 0-10 by a strict examiner, one of each kind
(KINDS). The quiz is imported exactly as `bank import` does (key points and probes derived from
the sample answers; no examples, no concepts) and every answer is graded through the engine's
grading path with the offline provider. Prints pairwise ordering accuracy within a question (ties
wrong), MAE, and per kind the mean label and mean score; `--answers` lists every answer.

This is what a user gets from the offline grader before reviewing an imported bank: it measures
how far word matching goes when the bank carries no vocabulary of its own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interviewer.audit import ordering
from interviewer.bank.plaintext import parse_seed_text
from interviewer.domain import Bank
from tests.devset import offline_scores

QUIZ_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "quiz"
KINDS = (
    "full-own",
    "full-terse",
    "full-long",
    "partial-most",
    "partial-one",
    "vague",
    "wrong",
    "negated",
    "other",
    "off-topic",
)


@dataclass(frozen=True)
class Answer:
    question: int
    """1-based, in quiz order."""
    kind: str
    label: float
    text: str


def load() -> tuple[Bank, list[Answer]]:
    quiz = QUIZ_DIR / "quiz.txt"
    bank = parse_seed_text(quiz.read_text(encoding="utf-8"), quiz.name)
    answers = []
    lines = (QUIZ_DIR / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if line.strip():
            data = json.loads(line)
            try:
                answers.append(
                    Answer(
                        int(data["question"]), data["kind"], float(data["label"]), data["answer"]
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise SystemExit(f"answers.jsonl:{number}: bad row ({exc})") from exc
    return bank, answers


def scores(bank: Bank, answers: list[Answer]) -> list[float]:
    return offline_scores(
        [(f"q{a.question} {a.kind}", bank.questions[a.question - 1], a.text) for a in answers]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", action="store_true", help="list every answer's score")
    args = parser.parse_args()
    bank, answers = load()
    graded = scores(bank, answers)
    items = [ordering.Graded(a.question, a.label, s) for a, s in zip(answers, graded, strict=True)]
    print(f"{len(bank.questions)} questions, {len(answers)} answers, offline grader")
    print(f"{'kind':14} {'n':>3} {'label':>6} {'score':>6}")
    for kind in KINDS:
        chosen = [(a, s) for a, s in zip(answers, graded, strict=True) if a.kind == kind]
        if chosen:
            label = statistics.fmean(a.label for a, _ in chosen)
            score = statistics.fmean(s for _, s in chosen)
            print(f"{kind:14} {len(chosen):3} {label:6.2f} {score:6.2f}")
    pairs = ordering.pairwise(items)
    print(
        f"pairwise {pairs.accuracy:.3f} ({pairs.right}/{pairs.pairs} pairs within a question, "
        f"ties wrong), MAE {ordering.mae(items):.2f}"
    )
    if args.answers:
        for answer, score in zip(answers, graded, strict=True):
            print(
                f"  q{answer.question:<2} {answer.kind:13} label {answer.label:4g} "
                f"score {score:4g}  {answer.text[:70]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
