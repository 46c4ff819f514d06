"""Vector stores by name: ``faiss`` (embedded default, files in the index version folder) or ``milvus`` (Milvus Lite
file or a Milvus server). The setting ``vector_store`` chooses; the index manifest records which one built it."""

from __future__ import annotations

from pathlib import Path

from .base import StoreError, VectorStore
from .faiss_store import HNSW_EF_SEARCH, FaissStore, vector_index

__all__ = ["HNSW_EF_SEARCH", "STORES", "StoreError", "Stores", "VectorStore", "vector_index"]

STORES = ("faiss", "milvus")


class Stores:
    """Creates, opens and drops stores for one index folder with the connection details of the settings."""

    def __init__(self, settings=None, index_dir: Path | None = None):
        from ..settings import Settings

        self.settings = settings or Settings(**({"index_dir": index_dir} if index_dir else {}))
        self.index_dir = Path(index_dir or self.settings.index_dir)

    @property
    def kind(self) -> str:
        return self.settings.vector_store

    def milvus_uri(self) -> str:
        """A Milvus server's URI, or by default a Milvus Lite file beside the index versions."""
        if self.settings.milvus_uri:
            return self.settings.milvus_uri
        self.index_dir.mkdir(parents=True, exist_ok=True)
        return str(self.index_dir / "milvus.db")

    def _milvus_token(self) -> str | None:
        token = self.settings.milvus_token
        return token.get_secret_value() if token else None

    def new(self, version: str, dim: int) -> VectorStore:
        if self.kind == "milvus":
            from .milvus_store import MilvusStore, collection_name

            name = collection_name(self.settings.milvus_collection, version)
            return MilvusStore(self.milvus_uri(), self._milvus_token(), name, dim, create=True)
        return FaissStore(dim, self.settings.ann_threshold)

    def open(self, kind: str, folder: Path, dim: int) -> VectorStore:
        if kind == "milvus":
            from .milvus_store import MilvusStore

            return MilvusStore.open(folder, self.milvus_uri(), self._milvus_token(), dim)
        if kind == "faiss":
            return FaissStore.open(folder, dim, self.settings.ann_threshold)
        raise StoreError(f"unknown vector store {kind!r} (known: {', '.join(STORES)})")

    def drop(self, kind: str, folder: Path, dim: int) -> None:
        """Free a pruned version's store; a store that cannot be reached is left (and logged by the caller)."""
        if kind == "milvus":
            from .milvus_store import drop_version

            drop_version(folder, self.milvus_uri(), self._milvus_token())
