"""Speed of the offline grader. Run by hand: `python bench/bench_offline.py [--repeats N]`.

Prints the model load time (fresh process) and per-answer grading latency (median, p95) over the
development set in tests/data/devset (tuning and held-out answers).
Targets: load < 1 s, < 50 ms per answer.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.devset

from tests.devset import load_all

_LOAD_SNIPPET = """
import time
t = time.perf_counter()
from interviewer.grading.matcher import get_embedder
get_embedder()
print(time.perf_counter() - t)
"""


def load_time() -> float:
    """Import + load in a fresh interpreter, as the first grading of a session pays it."""
    out = subprocess.run(
        [sys.executable, "-c", _LOAD_SNIPPET], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loads", type=int, default=3, help="fresh-process load measurements")
    args = parser.parse_args()

    loads = [load_time() for _ in range(args.loads)]
    print(
        f"model load (fresh process): median {statistics.median(loads):.3f} s, "
        f"max {max(loads):.3f} s over {len(loads)} runs"
    )

    from interviewer.bank.loader import find_bank
    from interviewer.grading.coverage import assess
    from interviewer.grading.matcher import get_embedder
    from interviewer.providers.offline import grade_output

    get_embedder()
    bank = find_bank("ai-security")
    pairs = [(bank.question(r.question), r.answer) for r in load_all()]

    first = time.perf_counter()
    for question in {q.id: q for q, _ in pairs}.values():
        assess(question, "warm-up")  # per-question references are computed once and cached
    print(
        f"reference warm-up for {len({q.id for q, _ in pairs})} questions: "
        f"{(time.perf_counter() - first) * 1000:.1f} ms"
    )

    latencies: list[float] = []
    for _ in range(args.repeats):
        for question, answer in pairs:
            start = time.perf_counter()
            grade_output(question, answer)
            latencies.append((time.perf_counter() - start) * 1000)
    words = statistics.median(len(a.split()) for _, a in pairs)
    print(
        f"grading latency over {len(pairs)} answers x {args.repeats} repeats "
        f"(median answer {words:.0f} words): median {statistics.median(latencies):.2f} ms, "
        f"p95 {percentile(latencies, 0.95):.2f} ms, max {max(latencies):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
