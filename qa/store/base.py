"""The dense vector store: what the index needs from FAISS or Milvus, and nothing more.

A store belongs to one index version. A build creates it, ``add``s every chunk's vector with its citation payload and
``save``s it into the version folder (a file for FAISS, a small pointer to the collection for Milvus); readers ``open``
it from that folder. Ids are chunk ids. ``remove_document`` serves in-place maintenance; builds never mutate a store
that readers may be using, they write the next version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class StoreError(RuntimeError):
    """The store cannot be written, opened or searched; the message says which store and why."""


class VectorStore(Protocol):
    name: str
    dim: int

    def add(self, ids: np.ndarray, vectors: np.ndarray, payloads: list[dict]) -> None:
        """Vectors with their chunk ids and what a hit needs for its citation (``payload['doc_id']`` at least)."""

    def remove_document(self, doc_id: str) -> int:
        """Drop every vector of a document; returns how many."""

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk id, inner product) of the ``k`` best, best first."""

    def search_payloads(self, query: np.ndarray, k: int) -> list[tuple[int, float, dict]]:
        """The same with each hit's payload: one call answers a question's dense side, citations included."""

    def count(self) -> int: ...

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of these chunk ids, in that order (a build re-uses them)."""

    def save(self, folder: Path) -> list[str]:
        """Persist into an index version folder; returns the files written there (they are checksummed)."""

    def drop(self) -> None:
        """Free what lives outside the version folder (a Milvus collection) when the version is pruned."""
