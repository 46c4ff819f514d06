"""FAISS, the embedded default: exact inner product while it is fast, HNSW above ``ann_threshold`` vectors."""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np

from .base import StoreError

HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 256  # efSearch 96 → recall@10 0.92, 256 → 0.97+ at 100k
FILE, IDS_FILE = "vectors.faiss", "vectors.ids.json"


def vector_index(vectors: np.ndarray, dim: int, ann_threshold: int) -> faiss.Index:
    """Exact search while it is fast; above ``ann_threshold`` vectors an HNSW graph (measured in `make bench`:
    recall@10 against exact search 0.97 at 100k chunks with efSearch 256; exact search there is still 22 ms p95)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
    if len(vectors) > ann_threshold:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(vectors)
    return index


def _read_shared(path: Path) -> faiss.Index:
    """Flat indexes are memory-mapped read-only: worker processes share the file's pages instead of each holding a
    copy (an unlinked file stays mapped while a worker uses it). Other kinds are read into memory."""
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
    except RuntimeError:
        return faiss.read_index(str(path))


class FaissStore:
    """Vectors in a FAISS index, row i holding chunk ``ids[i]`` of document ``docs[i]``; payloads stay in the
    index's own chunk store, which the FAISS side shares a process with."""

    name = "faiss"

    def __init__(
        self,
        dim: int,
        ann_threshold: int = 100_000,
        index: faiss.Index | None = None,
        ids: np.ndarray | None = None,
        docs: list[str] | None = None,
    ):
        self.dim, self.ann_threshold = dim, ann_threshold
        self.index = index if index is not None else vector_index(np.zeros((0, dim)), dim, ann_threshold)
        self.ids = ids if ids is not None else np.zeros(0, dtype=np.int64)
        self.docs = docs or []
        self._mapped = index is not None  # opened from a file: memory-mapped, so never written in place

    def add(self, ids: np.ndarray, vectors: np.ndarray, payloads: list[dict]) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        to_hnsw = self.index.ntotal + len(vectors) > self.ann_threshold and not hasattr(self.index, "hnsw")
        if to_hnsw or self._mapped:  # a new index in memory: a mapped one is read-only
            self.index = vector_index(np.vstack([self._all(), vectors]), self.dim, self.ann_threshold)
            self._mapped = False
        elif len(vectors):
            self.index.add(vectors)
        self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])
        self.docs += [p["doc_id"] for p in payloads]

    def remove_document(self, doc_id: str) -> int:
        """Rebuilt in memory (an opened, memory-mapped index is read-only)."""
        keep = np.array([d != doc_id for d in self.docs], dtype=bool)
        removed = int((~keep).sum())
        if removed:  # HNSW cannot delete; rebuilding keeps both kinds on one path
            self.index = vector_index(self._all()[keep], self.dim, self.ann_threshold)
            self._mapped = False
            self.ids = self.ids[keep]
            self.docs = [d for d, k in zip(self.docs, keep) if k]
        return removed

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, self.index.ntotal)
        if k <= 0:
            return []
        scores, rows = self.index.search(np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1), k)
        return [(int(self.ids[r]), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def search_payloads(self, query: np.ndarray, k: int) -> list[tuple[int, float, dict]]:
        return [(i, s, {}) for i, s in self.search(query, k)]

    def count(self) -> int:
        return int(self.index.ntotal)

    def _all(self) -> np.ndarray:
        return self.index.reconstruct_n(0, self.index.ntotal) if self.index.ntotal else np.zeros((0, self.dim))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        row = {int(c): r for r, c in enumerate(self.ids)}
        matrix = self._all()
        return matrix[[row[int(i)] for i in ids]] if len(ids) else np.zeros((0, self.dim), dtype=np.float32)

    def save(self, folder: Path) -> list[str]:
        faiss.write_index(self.index, str(folder / FILE))
        (folder / IDS_FILE).write_text(json.dumps({"ids": self.ids.tolist(), "docs": self.docs}), encoding="utf-8")
        return [FILE, IDS_FILE]

    @classmethod
    def open(cls, folder: Path, dim: int, ann_threshold: int = 100_000) -> FaissStore:
        try:
            index = _read_shared(folder / FILE)
            stored = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(f"FAISS vectors in {folder} cannot be read: {exc}") from exc
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = HNSW_EF_SEARCH  # not stored in the file
        ids = np.asarray(stored["ids"], dtype=np.int64)
        if index.d != dim or len(ids) != index.ntotal or len(stored["docs"]) != index.ntotal:
            raise StoreError(f"FAISS vectors in {folder} do not match their ids or dimension {dim}")
        return cls(dim, ann_threshold, index, ids, stored["docs"])

    def drop(self) -> None:
        return None  # everything lives in the version folder, which the pruning removes
