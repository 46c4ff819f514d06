"""Corpus → index, incrementally: an unchanged file (same content hash, same model and chunker) keeps its chunks and
vectors without being read again; new and changed files are read, chunked and embedded; removed ones drop out.
The keyword side is re-tokenised over everything (BM25 statistics and jieba's dictionary are corpus-wide, and it is
cheap next to embedding). The result equals a full rebuild, and is written as a new version switched atomically.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .chunk import chunk_with
from .embed import Embedder
from .index import FORMAT_VERSION, DocRecord, Index, IndexUnavailable, Manifest, load_index, read_manifest, write_index
from .ingest import IngestError, Skipped, corpus_files, file_sha256, page_of, read_document
from .lexical import LexicalIndex, document_terms
from .ocr import ocr_context
from .schema import Chunk
from .settings import Settings
from .store import Stores

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total): 'reading' files, 'ocr' pages, 'embedding' chunks,
# 'writing'


@dataclass
class BuildSummary:
    documents: int
    chunks: int
    embedded: int  # chunks whose vectors were computed, not re-used
    seconds: float
    skipped: list[Skipped]
    rebuilt: bool = True
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    partial: list[Skipped] = field(default_factory=list)  # indexed files with parts left out (a page whose OCR failed)
    version: str = ""  # the index version folder written (not yet switched to when the build was asked not to)

    def line(self) -> str:
        if not self.rebuilt:
            return f"index is up to date: {self.documents} documents, {self.chunks} chunks"
        changes = ", ".join(f"{n} {what}" for what, n in self._changes(("added", "updated", "removed")))
        s = (
            f"built index: {self.documents} documents{f' ({changes})' if changes else ''}, {self.chunks} chunks "
            f"({self.embedded} embedded, {self.chunks - self.embedded} re-used) in {self.seconds:.1f}s"
        )
        if self.skipped:
            s += "; skipped " + ", ".join(f"{x.file} ({x.reason})" for x in self.skipped)
        if self.partial:
            s += "; incomplete " + ", ".join(f"{x.file} ({x.reason})" for x in self.partial)
        return s

    def _changes(self, labels: tuple[str, str, str]) -> list[tuple[str, int]]:
        """(label, count) of added, updated and removed documents, the empty ones left out."""
        counts = (len(self.added), len(self.updated), len(self.removed))
        return [(label, n) for label, n in zip(labels, counts) if n]

    def line_zh(self) -> str:
        """The same for the admin page's users."""
        if not self.rebuilt:
            return f"索引已是最新：{self.documents} 个文件，{self.chunks} 个段落"
        changes = "，".join(f"{what} {n} 个" for what, n in self._changes(("新增", "更新", "删除")))
        s = f"索引已更新：{self.documents} 个文件（{changes or '无变化'}），{self.chunks} 个段落"
        s += f"（新计算 {self.embedded} 个，沿用 {self.chunks - self.embedded} 个），用时 {self.seconds:.1f} 秒"
        s += f"；跳过 {len(self.skipped)} 个无法读取的文件" if self.skipped else ""
        return s + "".join(f"；{x.file}：{x.reason_zh}" for x in self.partial)


@dataclass
class _Part:
    """One document's share of the index."""

    record: DocRecord
    chunks: list[Chunk]
    vectors: np.ndarray | None  # None until embedded
    keys: list[str]


class NothingToIndex(RuntimeError):
    """No file of the corpus could be read (or it is empty): there is nothing to answer from. ``message_zh`` says
    which files were tried and why they failed."""

    def __init__(self, skipped: list[Skipped]):
        names = "; ".join(f"{s.file} ({s.reason})" for s in skipped[:10])
        names_zh = "；".join(f"{s.file}（{s.reason_zh}）" for s in skipped[:10])
        super().__init__(
            f"no readable document in the corpus{': ' + names if names else ' (it is empty)'}; nothing was changed"
        )
        self.skipped = skipped
        self.message_zh = f"没有可以读取的文件{'：' + names_zh if names_zh else '（文件夹为空）'}。索引未改动。"


@dataclass
class Change:
    """Files a document job adds (corpus name → staged path) and removes (corpus names), seen by the build before
    they are moved: the corpus folder changes only when the index version reflecting it is switched to."""

    add: dict[str, Path] = field(default_factory=dict)
    remove: set[str] = field(default_factory=set)


def corpus_view(settings: Settings, change: Change | None = None) -> dict[str, Path]:
    """Corpus name → the file to read, with a pending change applied."""
    view = {p.name: p for p in corpus_files(settings.corpus_dir)}
    if change:
        for name in change.remove:
            view.pop(name, None)
        view.update(change.add)
    return dict(sorted(view.items()))


def corpus_hashes(settings: Settings, change: Change | None = None) -> dict[str, str]:
    return {name: file_sha256(path) for name, path in corpus_view(settings, change).items()}


def stale_reason(settings: Settings, change: Change | None = None) -> str | None:
    """Why the index does not reflect the corpus and settings, or None when it does."""
    manifest = read_manifest(settings.index_dir)
    if manifest is None:
        return "no index has been built"
    if manifest.format != FORMAT_VERSION:
        return f"index format {manifest.format} is older than {FORMAT_VERSION}"
    if manifest.store != settings.vector_store:
        return f"vector store changed ({manifest.store} → {settings.vector_store})"
    if manifest.model != settings.model:
        return f"model changed ({manifest.model} → {settings.model})"
    if manifest.chunker != settings.chunker_signature():
        return "chunker settings changed"
    if manifest.files != corpus_hashes(settings, change):
        return "corpus changed"
    return None


_HELD = threading.local()


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder (the CLI and an admin upload may both start one); others wait. A
    thread that holds it may take it again (a document job holds it across its build and the commit after)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    key = str(index_dir.resolve())
    held = _HELD.__dict__.setdefault("dirs", set())
    if key in held:
        yield
        return
    with (index_dir / ".build.lock").open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(f, fcntl.LOCK_UN)


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embedding_texts(chunks: list[Chunk], settings: Settings) -> list[str]:
    return [c.embed_text(settings.embed_context) for c in chunks]


def previous_index(settings: Settings) -> Index | None:
    """The current index if its vectors can be re-used: same format and model, and loadable. Its store may differ
    from the configured one (it is opened by the kind its manifest names): moving to Milvus embeds nothing."""
    manifest = read_manifest(settings.index_dir)
    if manifest is None or manifest.model != settings.model or manifest.format != FORMAT_VERSION:
        return None
    try:
        return load_index(settings.index_dir, Stores(settings))
    except IndexUnavailable as exc:
        log.warning("previous index not re-used: %s", exc)
        return None


def _kept_parts(old: Index, matrix: np.ndarray, settings: Settings) -> dict[str, _Part]:
    """Each document of the old index with its chunks and vectors (``matrix``), when built with today's chunker."""
    if old.manifest.chunker != settings.chunker_signature():
        return {}
    rows: dict[str, list[int]] = {}
    for i, c in enumerate(old.chunks):
        rows.setdefault(c.doc_id, []).append(i)
    return {
        doc_id: _Part(
            rec,
            [old.chunks[i] for i in rows.get(doc_id, [])],
            matrix[rows.get(doc_id, [])],
            [old.embed_keys[i] if i < len(old.embed_keys) else "" for i in rows.get(doc_id, [])],
        )
        for doc_id, rec in old.records.items()
    }


def _read_part(
    name: str, path: Path, sha: str, old: DocRecord | None, settings: Settings, now: str
) -> tuple[_Part, list[str]]:
    """A document's chunks (each with the page it starts on, for paged files) and what was left out of it."""
    doc = read_document(path, name)
    chunks = chunk_with(settings.chunker, doc, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    for c in chunks:
        if mark := page_of(doc, c.span[0]):
            c.page, c.scanned = mark.number, mark.scanned
    record = DocRecord(doc.meta, sha, old.added_at if old else now, now, document_terms(doc, chunks))
    return _Part(record, chunks, None, [_text_key(t) for t in embedding_texts(chunks, settings)]), doc.warnings


def _embed(
    parts: list[_Part],
    cache: dict[str, np.ndarray],
    dim: int | None,
    settings: Settings,
    *,
    progress: bool,
    report: Progress,
) -> tuple[int, int]:
    """Fill the parts' vectors: by text hash from the old index where it has them, else computed. The model is
    loaded only when something needs embedding (a removal alone never loads it)."""
    todo = [(p, i) for p in parts for i, key in enumerate(p.keys) if key not in cache]
    embedder = Embedder(settings) if todo or dim is None else None
    dim = embedder.dim if embedder else dim
    for p in parts:
        p.vectors = np.zeros((len(p.chunks), dim), dtype=np.float32)
        for i, key in enumerate(p.keys):
            if key in cache:
                p.vectors[i] = cache[key]
    texts = [p.chunks[i].embed_text(settings.embed_context) for p, i in todo]
    batch = max(1, settings.embed_batch_size)
    order = embedding_order(texts, settings.embed_order)
    with tqdm(
        total=len(todo), desc="计算向量 embedding", unit=" chunks", disable=not progress or not todo, smoothing=0.1
    ) as bar:
        for start in range(0, len(order), batch):
            group = order[start : start + batch]
            for j, vec in zip(group, embedder.passages([texts[j] for j in group])):
                p, i = todo[j]
                p.vectors[i] = vec
            bar.update(len(group))
            report("embedding", start + len(group), len(todo))
    return len(todo), dim


def embedding_order(texts: list[str], how: str) -> list[int]:
    """Longest first: a batch of similar lengths pads little (padding is computed like real tokens), and the time
    left shown starts as an over-estimate that shrinks, never one that grows. Length in characters tracks tokens
    closely for Chinese. ``document`` keeps the corpus order (the order before issue 18, kept for comparison)."""
    if how == "document":
        return list(range(len(texts)))
    return sorted(range(len(texts)), key=lambda j: -len(texts[j]))


def _page_bar(report: Progress, progress: bool) -> Callable[[str, int, int], None]:
    """Per OCR'd page: the 'ocr' stage for the admin job, and a bar per file in the terminal."""
    bars: dict[str, tqdm] = {}

    def on_page(file: str, done: int, total: int) -> None:
        report("ocr", done, total)
        if not progress:
            return
        if file not in bars:
            bars[file] = tqdm(total=total, desc=f"识别文字 {file}", unit="页")
        bars[file].update(done - bars[file].n)
        if done >= total:
            bars.pop(file).close()

    return on_page


def build_index(
    settings: Settings,
    *,
    force: bool = False,
    progress: bool = True,
    on_progress: Progress | None = None,
    change: Change | None = None,
    switch: bool = True,
) -> BuildSummary:
    """Bring the index up to date with the corpus (with ``change`` applied); ``force`` reads and chunks every file
    again (vectors are still re-used for identical text, which gives identical vectors). ``switch=False`` writes
    the new version without making it current (a document job switches after moving its files). Returns what was
    done; raises NothingToIndex rather than write an index of nothing."""
    report = on_progress or (lambda stage, done, total: None)
    with build_lock(settings.index_dir):
        if not force and stale_reason(settings, change) is None:
            m = read_manifest(settings.index_dir)
            return BuildSummary(m.documents, m.chunks, 0, 0.0, [], rebuilt=False)
        t0 = time.perf_counter()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        old = previous_index(settings)
        old_vectors = old.vector_matrix() if old else None  # fetched once: from Milvus it crosses the network
        kept = _kept_parts(old, old_vectors, settings) if old and not force else {}  # force: every file is read again
        previous = old.records if old else {}

        files = corpus_view(settings, change)
        parts: dict[str, _Part] = {}
        skipped: list[Skipped] = []
        partial: list[Skipped] = []
        hashes: dict[str, str] = {}
        added, updated = [], []
        for n, (name, path) in enumerate(files.items(), 1):
            sha = hashes[name] = file_sha256(path)
            if name in kept and kept[name].record.sha256 == sha:
                parts[name] = kept[name]
            else:
                try:
                    with ocr_context(settings, _page_bar(report, progress)):
                        parts[name], warnings = _read_part(name, path, sha, previous.get(name), settings, now)
                    partial += [Skipped(name, w, w) for w in warnings]
                except IngestError as exc:
                    log.warning("skipped %s", exc)
                    skipped.append(Skipped(name, exc.reason, exc.reason_zh))
                    continue
                (updated if name in previous else added).append(name)
            report("reading", n, len(files))
        if not parts:
            raise NothingToIndex(skipped)
        removed = sorted(set(previous) - set(parts))

        cache = {key: old_vectors[i] for i, key in enumerate(old.embed_keys) if key} if old else {}
        fresh = [p for p in parts.values() if p.vectors is None]
        dim = old.manifest.dim if old else None
        embedded, dim = _embed(fresh, cache, dim, settings, progress=progress, report=report)

        report("writing", 0, 1)
        chunks, vectors, keys = [], [], []
        for name in sorted(parts):  # file order, as a full build has it, so both give the same chunk ids
            p = parts[name]
            for c, vec, key in zip(p.chunks, p.vectors, p.keys):
                c.chunk_id = len(chunks)
                chunks.append(c)
                vectors.append(vec)
                keys.append(key)
        matrix = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, dim), dtype=np.float32)
        terms = sorted({t for p in parts.values() for t in p.record.terms})
        lexical = LexicalIndex.build([c.embed_text(settings.lexical_context) for c in chunks], terms)
        manifest = Manifest(
            model=settings.model,
            dim=dim,
            chunker=settings.chunker_signature(),
            files=hashes,  # skipped files keep their hash: an unchanged broken file does not force endless rebuilds
            built_at=now,
            build_seconds=round(time.perf_counter() - t0, 2),
            documents=len(parts),
            chunks=len(chunks),
            skipped=[asdict(s) for s in skipped],
        )
        records = {name: parts[name].record for name in sorted(parts)}
        version = write_index(
            settings.index_dir, manifest, matrix, chunks, records, keys, lexical, Stores(settings), switch=switch
        )
        report("writing", 1, 1)
    summary = BuildSummary(
        len(parts), len(chunks), embedded, time.perf_counter() - t0, skipped, True, added, updated, removed, partial
    )
    summary.version = version.name
    log.info(summary.line())
    return summary
