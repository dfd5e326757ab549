"""Quality of the offline grader on the labelled development set in tests/data/devset.

Run by hand: `python bench/bench_grading.py [--split tuning|heldout|all] [--json]`.

Every answer is graded through the engine's own grading path with the offline provider (answer
cut, pre-check, provider, evidence check, computed score: what a user gets). For each split it
prints, per kind of answer, the count, mean label, mean score, mean absolute error and the
pairwise ordering accuracy of the pairs involving that kind (within a question, ties wrong);
then overall pairwise accuracy, Spearman and MAE, the injected answers that scored above the weak
answer they extend, and grading speed. With the held-out split it also compares the figures
with issue 10's targets, PASS or FAIL per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.devset

from tests.devset import KINDS, SPLITS, Figures, figures, grade, load, targets


def table(split: str, f: Figures) -> str:
    lines = [
        f"== {split}: {f.count} answers ==",
        f"{'kind':<18} {'n':>3} {'label':>6} {'score':>6} {'MAE':>5} {'pairwise':>9} {'pairs':>6}",
    ]
    for kind in KINDS:
        if kind in f.kinds:
            k = f.kinds[kind]
            lines.append(
                f"{kind:<18} {k.count:>3} {k.mean_label:>6.2f} {k.mean_score:>6.2f} "
                f"{k.mae:>5.2f} {k.pairwise.accuracy:>9.3f} {k.pairwise.pairs:>6}"
            )
    lines += [
        f"overall: pairwise {f.pairwise.accuracy:.3f} ({f.pairwise.right}/{f.pairwise.pairs} "
        f"pairs within a question, ties wrong), Spearman {f.spearman:.3f}, MAE {f.mae:.2f}",
        f"injected answers scoring above their base: {len(f.injected_above_base)}"
        + (f" ({', '.join(f.injected_above_base)})" if f.injected_above_base else ""),
        f"speed: {f.answers_per_second:.0f} answers/s",
    ]
    return "\n".join(lines)


def as_json(f: Figures) -> dict[str, Any]:
    return {
        "count": f.count,
        "pairwise": round(f.pairwise.accuracy, 4),
        "pairs": f.pairwise.pairs,
        "spearman": round(f.spearman, 4),
        "mae": round(f.mae, 3),
        "injected_above_base": list(f.injected_above_base),
        "answers_per_second": round(f.answers_per_second, 1),
        "kinds": {
            kind: {
                "count": k.count,
                "mean_label": round(k.mean_label, 3),
                "mean_score": round(k.mean_score, 3),
                "mae": round(k.mae, 3),
                "pairwise": round(k.pairwise.accuracy, 4),
                "pairs": k.pairwise.pairs,
            }
            for kind, k in f.kinds.items()
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    from interviewer.grading.matcher import get_embedder

    get_embedder()  # the model load is bench_offline.py's figure, not part of answers/s
    splits = SPLITS if args.split == "all" else (args.split,)
    results = {split: figures(grade(load(split))) for split in splits}
    checks = targets(results["heldout"]) if "heldout" in results else []

    if args.json:
        out: dict[str, Any] = {split: as_json(f) for split, f in results.items()}
        if checks:
            out["targets"] = [
                {
                    "name": t.name,
                    "value": round(t.value, 4),
                    "bound": t.bound,
                    "at_least": t.at_least,
                    "met": t.met,
                }
                for t in checks
            ]
        print(json.dumps(out, indent=2))
        return 0
    print("\n\n".join(table(split, f) for split, f in results.items()))
    if checks:
        print("\n== targets (held-out questions, issue 10) ==")
        for t in checks:
            sign = ">=" if t.at_least else "<="
            verdict = "PASS" if t.met else "FAIL"
            print(f"{verdict}  {t.name}: {t.value:.3g} (target {sign} {t.bound:g})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
