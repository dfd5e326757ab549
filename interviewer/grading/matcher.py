"""Sentence embeddings from the WordLlama static embedding model, behind a small typed class.

WordLlama ships its token-embedding table and tokenizer inside the wheel, so the grader never
touches the network. We read those two files directly (safetensors + tokenizers) instead of going
through `WordLlama.load`: importing the wordllama package pulls in requests, its config system and
a Hugging Face fallback, which roughly doubles the load time, and we need none of it. The
embedding is the same computation WordLlama's inference does (mean of token vectors); a test
checks the two agree.

The model loads lazily, once per process: importing `interviewer.grading` stays cheap and the
load is paid by the first grading call only.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]

MODEL_CONFIG = "l2_supercat"
MODEL_DIM = 256
TENSOR_KEY = "embedding.weight"
CACHE_SIZE = 8192
"""Sentence rows kept per process (1 KiB each). Graders see the same sentences again and again:
an answer re-graded after each probe, a red-team run's base answer under every injection."""

_lock = threading.Lock()
_embedder: Embedder | None = None


class Embedder:
    """Unit-length sentence embeddings; cosine similarity is a dot product."""

    def __init__(self, tokenizer: Any, table: Matrix) -> None:
        self._tokenizer = tokenizer
        self._table = table
        self._cache: OrderedDict[str, Matrix] = OrderedDict()
        self._cache_lock = threading.Lock()  # the offline provider grades in worker threads

    @property
    def dim(self) -> int:
        return int(self._table.shape[1])

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One L2-normalised row per text (a text with no known token gives a zero row).

        Rows are cached by text. Each text is tokenised on its own (no padding, no truncation)
        and pooled on its own, so a cached row is exactly the row a fresh call would give.
        """
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return result
        with self._cache_lock:
            rows = [self._cache.get(text) for text in texts]
            for text, row in zip(texts, rows, strict=True):
                if row is not None:
                    self._cache.move_to_end(text)
        missing = list(dict.fromkeys(t for t, row in zip(texts, rows, strict=True) if row is None))
        fresh = dict(zip(missing, self._compute(missing), strict=True))
        with self._cache_lock:
            for text, row in fresh.items():
                self._cache[text] = row
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        for i, (text, row) in enumerate(zip(texts, rows, strict=True)):
            result[i] = fresh[text] if row is None else row
        return result

    def _compute(self, texts: list[str]) -> list[Matrix]:
        if not texts:
            return []
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        last = self._table.shape[0] - 1
        rows: list[Matrix] = []
        for encoding in encodings:
            row = np.zeros(self.dim, dtype=np.float32)
            ids = np.clip(np.asarray(encoding.ids, dtype=np.int64), 0, last)
            if len(ids):
                pooled = self._table[ids].mean(axis=0)
                norm = float(np.linalg.norm(pooled))
                if norm > 0:
                    row = pooled / norm
            row.flags.writeable = False  # shared by every caller that embeds this text
            rows.append(row)
        return rows


PRODUCT_BUDGET = 1 << 18
"""Multiply-adds per BLAS call. Above roughly twice this, OpenBLAS splits a product across
threads; on a busy machine waking them costs 10-20 ms, the product itself a fraction of one."""


def similarities(rows: Matrix, columns: Matrix) -> Matrix:
    """``rows @ columns.T`` (cosines, for unit rows), computed in slices small enough to stay on
    the calling thread."""
    if not len(rows) or not len(columns):
        return np.zeros((len(rows), len(columns)), dtype=np.float32)
    step = max(1, PRODUCT_BUDGET // (len(rows) * rows.shape[1]))
    parts = [rows @ columns[i : i + step].T for i in range(0, len(columns), step)]
    result: Matrix = np.concatenate(parts, axis=1).astype(np.float32, copy=False)
    return result


def model_dir() -> Path:
    """The installed wordllama package folder (found without importing the package)."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package is not installed; reinstall interviewer")
    return Path(next(iter(spec.submodule_search_locations)))


def load_embedder() -> Embedder:
    """Load the bundled model files; never downloads."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from safetensors import safe_open
    from tokenizers import Tokenizer

    root = model_dir()
    tokenizer = Tokenizer.from_file(
        str(root / "tokenizers" / f"{MODEL_CONFIG}_tokenizer_config.json")
    )
    tokenizer.no_padding()
    tokenizer.no_truncation()
    weights = root / "weights" / f"{MODEL_CONFIG}_{MODEL_DIM}.safetensors"
    with safe_open(str(weights), framework="np", device="cpu") as handle:
        table = np.ascontiguousarray(handle.get_tensor(TENSOR_KEY), dtype=np.float32)
    return Embedder(tokenizer, table)


def get_embedder() -> Embedder:
    """The process-wide model, loaded on first use (thread-safe)."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                _embedder = load_embedder()
    return _embedder
