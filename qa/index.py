"""The built index: dense vectors (FAISS or Milvus, qa/store), chunk store, keyword index and a manifest of how it
was built, written atomically.

Layout: ``index/CURRENT`` names the active version folder (``v-…``), replaced with one ``os.replace``; a build writes a
new folder first, so a crash at any point leaves the previous index loadable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .leases import leased_versions, pruning_lock
from .lexical import LexicalIndex
from .schema import Chunk, DocMeta
from .store import StoreError, Stores, VectorStore

log = logging.getLogger(__name__)

FORMAT_VERSION = 5  # 4: per-document records for incremental builds; 5: vectors in a named store, ids beside them
FILES = ("chunks.jsonl", "documents.json")  # and the store's own files, all listed in the manifest's checksums


class IndexUnavailable(RuntimeError):
    """The index cannot be used; ``message_zh`` tells users, ``args[0]`` tells logs, both say how to recover."""

    def __init__(self, message: str, message_zh: str):
        super().__init__(message)
        self.message_zh = message_zh


@dataclass
class Manifest:
    model: str
    dim: int
    chunker: dict
    files: dict[str, str]  # corpus file name -> sha256
    built_at: str
    build_seconds: float
    documents: int
    chunks: int
    skipped: list[dict] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)  # index file -> sha256, to catch corruption
    format: int = FORMAT_VERSION
    store: str = "faiss"  # which vector store holds the vectors


@dataclass
class DocRecord:
    """What the index keeps of a document so that an unchanged file is never read, chunked or embedded again."""

    meta: DocMeta
    sha256: str  # of the file and its sidecar, as file_sha256 computes it
    added_at: str  # ISO time the document first entered the index
    updated_at: str  # ISO time its current content was indexed
    terms: list[str] = field(default_factory=list)  # names it adds to the keyword tokenizer's dictionary

    @classmethod
    def from_dict(cls, d: dict) -> DocRecord:
        return cls(**{**d, "meta": DocMeta(**d["meta"])})


@dataclass
class Index:
    manifest: Manifest
    vectors: VectorStore
    chunks: list[Chunk]
    records: dict[str, DocRecord]
    path: Path
    embed_keys: list[str] = field(default_factory=list)  # hash of the text each vector was computed from
    lexical: LexicalIndex | None = None
    docs: dict[str, DocMeta] = field(init=False)

    def __post_init__(self):
        self.docs = {doc_id: r.meta for doc_id, r in self.records.items()}

    def search(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk position, cosine) pairs, best first; chunk ids are positions in ``chunks``."""
        return self.vectors.search(query_vec, min(k, len(self.chunks)))

    def vector_matrix(self) -> np.ndarray:
        return self.vectors.vectors(np.arange(len(self.chunks)))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def current_path(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    return index_dir / pointer.read_text(encoding="utf-8").strip()


def read_manifest(index_dir: Path) -> Manifest | None:
    path = current_path(index_dir)
    if path is None or not (path / "manifest.json").exists():
        return None
    try:
        return Manifest(**json.loads((path / "manifest.json").read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None


def write_index(
    index_dir: Path,
    manifest: Manifest,
    vectors: np.ndarray,
    chunks: list[Chunk],
    records: dict[str, DocRecord],
    embed_keys: list[str] | None = None,
    lexical: LexicalIndex | None = None,
    stores: Stores | None = None,
    *,
    switch: bool = True,
) -> Path:
    """Write a new version folder, then (``switch``) make it current in one rename; a version written without
    switching is made current by ``switch_version`` or removed by the next prune. Older versions are removed after,
    except those a process still leases (qa/leases.py)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    stores = stores or Stores(index_dir=index_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    final = index_dir / f"v-{stamp}"
    tmp = index_dir / f".tmp-{stamp}"
    tmp.mkdir()
    store = stores.new(final.name, manifest.dim)
    store.add(np.arange(len(chunks)), vectors, [_payload(c, records) for c in chunks])
    store.save(tmp)
    manifest.store = store.name
    with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for i, c in enumerate(chunks):
            key = {"embed_key": embed_keys[i]} if embed_keys else {}
            f.write(json.dumps({**c.to_dict(), **key}, ensure_ascii=False) + "\n")
    (tmp / "documents.json").write_text(
        json.dumps({k: asdict(v) for k, v in records.items()}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    if lexical is not None:
        lexical.save(tmp / "lexical")
    manifest.checksums = {str(p.relative_to(tmp)): _sha256(p) for p in _files(tmp)}
    (tmp / "manifest.json").write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1), encoding="utf-8")
    for p in _files(tmp):
        with p.open("rb") as f:
            os.fsync(f.fileno())
    tmp.rename(final)
    _fsync_dir(index_dir)
    if switch:
        switch_version(index_dir, final.name, stores)
    return final


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch_version(index_dir: Path, name: str, stores: Stores | None = None) -> None:
    """Make version ``name`` current in one rename, then remove the older ones."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    pointer_tmp = index_dir / f".CURRENT-{stamp}"
    with pointer_tmp.open("w", encoding="utf-8") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(pointer_tmp, index_dir / "CURRENT")
    _fsync_dir(index_dir)
    _prune(index_dir, name, stores or Stores(index_dir=index_dir))


def prune_uncommitted(index_dir: Path, stores: Stores | None = None) -> None:
    """Remove versions written but never made current (a document job stopped before its commit)."""
    current = current_path(index_dir)
    if current is not None:
        _prune(index_dir, current.name, stores or Stores(index_dir=index_dir))


def _payload(chunk: Chunk, records: dict[str, DocRecord]) -> dict:
    """What a store keeps with a vector: enough to cite the chunk without the local chunk store."""
    return {"doc_id": chunk.doc_id, "chunk": chunk.to_dict(), "doc": asdict(records[chunk.doc_id].meta)}


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _prune(index_dir: Path, keep: str, stores: Stores) -> None:
    """Remove older versions (and their Milvus collections) that no process holds a lease on (qa/leases.py: a worker
    or a running request may still search one), and leftovers of crashed builds. Callers hold the build lock."""
    leased = leased_versions(index_dir)
    for p in index_dir.iterdir():
        if p.name == keep or p.name in leased or not p.name.startswith(("v-", ".tmp-", ".CURRENT-")):
            continue
        if p.is_dir():
            manifest = _manifest_at(p)
            if manifest is not None and manifest.store != "faiss":
                try:
                    stores.drop(manifest.store, p, manifest.dim)
                except StoreError as exc:
                    log.warning("store of pruned version %s not dropped: %s", p.name, exc)
            shutil.rmtree(p, ignore_errors=True)
            log.info("pruned index version %s", p.name)
        else:
            p.unlink(missing_ok=True)


def prune_unused(index_dir: Path, stores: Stores) -> bool:
    """Prune the versions nobody uses any more, unless a build is running (it prunes when it ends); called by a
    serving process when it lets go of a version, so an old Milvus collection does not wait for the next build."""
    with pruning_lock(index_dir, wait=False) as locked:
        current = current_path(index_dir)
        if not locked or current is None:
            return False
        _prune(index_dir, current.name, stores)
        return True


def _manifest_at(folder: Path) -> Manifest | None:
    try:
        return Manifest(**json.loads((folder / "manifest.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def load_index(index_dir: Path, stores: Stores | None = None, version: Path | None = None) -> Index:
    """Load and verify the active index (or ``version``, a version folder a caller has leased: CURRENT may move on
    while it loads); any defect raises IndexUnavailable instead of answering wrongly."""
    rebuild_en, rebuild_zh = "run `policyqa build` to rebuild it", "请运行 policyqa build 重建索引"
    path = version or current_path(index_dir)
    if path is None:
        raise IndexUnavailable(f"no index in {index_dir}: {rebuild_en}", f"还没有建立索引，{rebuild_zh}。")
    t0 = time.perf_counter()
    try:
        manifest = Manifest(**json.loads((path / "manifest.json").read_text(encoding="utf-8")))
        if manifest.format != FORMAT_VERSION:
            raise ValueError(f"index format {manifest.format}, expected {FORMAT_VERSION}")
        missing = [name for name in FILES if name not in manifest.checksums]
        if missing:
            raise ValueError(f"manifest lists no {missing[0]}")
        for name, digest in manifest.checksums.items():
            if _sha256(path / name) != digest:
                raise ValueError(f"{name} does not match its checksum")
        vectors = (stores or Stores(index_dir=index_dir)).open(manifest.store, path, manifest.dim)
        with (path / "chunks.jsonl").open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        embed_keys = [row.pop("embed_key", "") for row in rows]
        chunks = [Chunk.from_dict(row) for row in rows]
        stored = json.loads((path / "documents.json").read_text(encoding="utf-8"))
        records = {k: DocRecord.from_dict(v) for k, v in stored.items()}
        if vectors.count() != len(chunks) or len(chunks) != manifest.chunks:
            raise ValueError("vector count or dimension does not match the chunk store")
        if any(c.doc_id not in records for c in chunks):
            raise ValueError("a chunk names an unknown document")
        lexical = LexicalIndex.load(path / "lexical", len(chunks)) if (path / "lexical").is_dir() else None
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, StoreError) as exc:
        raise IndexUnavailable(
            f"index at {path} is damaged ({exc}): {rebuild_en}", f"索引文件已损坏或不完整，{rebuild_zh}。"
        ) from exc
    log.info("loaded index %s (%d chunks) in %.2fs", path.name, len(chunks), time.perf_counter() - t0)
    return Index(manifest, vectors, chunks, records, path, embed_keys, lexical)
