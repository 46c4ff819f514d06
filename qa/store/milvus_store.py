"""Milvus through pymilvus: the same client talks to Milvus Lite (a local file, what the tests use) and to a Milvus
standalone or cluster deployment (``milvus_uri`` http://host:19530 and ``milvus_token``).

One collection per index version, named after it, so a build never changes what a running reader searches and the
version switch stays one atomic rename of index/CURRENT; pruning an old version — once no worker or request can
still search it (qa/leases.py) — drops its collection. Each row holds the chunk and its document's citation fields, so
one search call returns everything a cited answer needs.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import numpy as np

from .base import StoreError

POINTER_FILE = "milvus.json"
BATCH = 1000
OUTPUT = ["doc_id", "payload"]


_clients: dict[tuple[str, str], object] = {}
_clients_lock = threading.Lock()


def _client(uri: str, token: str | None, *, fresh: bool = False):
    """One client per URI and process: every index version opened in a process shares the connection (a client
    each piles up gRPC channels, which Milvus Lite answers with 'too many pings' and a dropped connection)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:  # optional: the FAISS default needs none of it
        raise StoreError(
            "vector_store 'milvus' needs pymilvus (and milvus-lite for a local file): pip install 'policyqa[milvus]'"
        ) from exc
    key = (uri, token or "")
    with _clients_lock:
        if fresh:
            _clients.pop(key, None)
        if key not in _clients:
            try:
                _clients[key] = MilvusClient(uri=uri, token=token or "")
            except Exception as exc:  # connection errors come in many types
                raise StoreError(f"cannot connect to Milvus at {uri}: {exc}") from exc
        return _clients[key]


def collection_name(prefix: str, version: str) -> str:
    """Milvus names allow letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}_{version}")[:255]


class MilvusStore:
    name = "milvus"

    def __init__(self, uri: str, token: str | None, collection: str, dim: int, *, create: bool):
        self.uri, self.token, self.collection, self.dim = uri, token, collection, dim
        self.client = _client(uri, token)
        try:
            self._attach(create)
        except StoreError:
            raise
        except Exception as exc:  # a dropped connection: one retry with a new client, then a clear error
            self.client = _client(uri, token, fresh=True)
            try:
                self._attach(create)
            except Exception as again:
                raise StoreError(f"cannot use Milvus at {uri}: {again}") from exc

    def _attach(self, create: bool) -> None:
        if create:
            self._create()
        elif not self.client.has_collection(self.collection):
            raise StoreError(f"Milvus collection {self.collection} not found at {self.uri}")
        else:
            self.client.load_collection(self.collection)

    def _create(self) -> None:
        from pymilvus import DataType, MilvusClient

        if self.client.has_collection(self.collection):
            self.client.drop_collection(self.collection)
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=1024)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_field("payload", DataType.JSON)
        index = self.client.prepare_index_params()
        # FLAT is exact, as the FAISS default below its threshold; a large server deployment may choose HNSW here
        index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        self.client.create_collection(self.collection, schema=schema, index_params=index)

    def add(self, ids: np.ndarray, vectors: np.ndarray, payloads: list[dict]) -> None:
        rows = [
            {"id": int(i), "doc_id": p["doc_id"], "vector": np.asarray(v, dtype=np.float32).tolist(), "payload": p}
            for i, v, p in zip(ids, vectors, payloads)
        ]
        for start in range(0, len(rows), BATCH):
            self.client.insert(self.collection, rows[start : start + BATCH])

    def remove_document(self, doc_id: str) -> int:
        result = self.client.delete(self.collection, filter=f"doc_id == {json.dumps(doc_id, ensure_ascii=False)}")
        if isinstance(result, dict):  # pymilvus versions differ: a count, or the deleted keys
            return int(result.get("delete_count", 0))
        return len(result or [])

    def search_payloads(self, query: np.ndarray, k: int) -> list[tuple[int, float, dict]]:
        if k <= 0:
            return []
        vec = np.asarray(query, dtype=np.float32).reshape(-1).tolist()
        hits = self.client.search(
            self.collection, data=[vec], limit=k, output_fields=OUTPUT, search_params={"metric_type": "IP"}
        )
        return [(int(h["id"]), float(h["distance"]), h["entity"].get("payload") or {}) for h in hits[0]]

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        return [(i, s) for i, s, _ in self.search_payloads(query, k)]

    def count(self) -> int:
        rows = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        found: dict[int, list[float]] = {}
        wanted = [int(i) for i in ids]
        for start in range(0, len(wanted), BATCH):
            part = wanted[start : start + BATCH]
            for row in self.client.get(self.collection, ids=part, output_fields=["vector"]):
                found[int(row["id"])] = row["vector"]
        if len(found) != len(set(wanted)):
            raise StoreError(f"Milvus collection {self.collection} lacks {len(set(wanted)) - len(found)} vectors")
        return np.asarray([found[i] for i in wanted], dtype=np.float32).reshape(len(wanted), self.dim)

    def save(self, folder: Path) -> list[str]:
        self.client.flush(self.collection)
        self.client.load_collection(self.collection)
        pointer = {"collection": self.collection, "dim": self.dim, "count": self.count()}
        (folder / POINTER_FILE).write_text(json.dumps(pointer), encoding="utf-8")
        return [POINTER_FILE]

    @classmethod
    def open(cls, folder: Path, uri: str, token: str | None, dim: int) -> MilvusStore:
        try:
            pointer = json.loads((folder / POINTER_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"no Milvus pointer in {folder}: {exc}") from exc
        store = cls(uri, token, pointer["collection"], dim, create=False)
        if pointer.get("dim") != dim:
            raise StoreError(f"Milvus collection {store.collection} has dimension {pointer.get('dim')}, not {dim}")
        return store

    def drop(self) -> None:
        if self.client.has_collection(self.collection):
            self.client.drop_collection(self.collection)


def drop_version(folder: Path, uri: str, token: str | None) -> None:
    """Drop the collection a pruned version folder names, without loading it into memory first (as opening does)."""
    try:
        name = json.loads((folder / POINTER_FILE).read_text(encoding="utf-8"))["collection"]
    except (OSError, ValueError, KeyError) as exc:
        raise StoreError(f"no Milvus pointer in {folder}: {exc}") from exc
    client = _client(uri, token)
    try:
        if client.has_collection(name):
            client.drop_collection(name)
    except Exception as exc:  # connection errors come in many types
        raise StoreError(f"Milvus collection {name} not dropped at {uri}: {exc}") from exc
