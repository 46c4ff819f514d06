"""Corpus → index: read, chunk, embed (re-using vectors of unchanged chunks) and write atomically."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import numpy as np
from tqdm import tqdm

from .chunk import chunk_with
from .embed import Embedder
from .index import FORMAT_VERSION, IndexUnavailable, Manifest, load_index, read_manifest, write_index
from .ingest import Skipped, corpus_files, file_sha256, read_corpus
from .lexical import LexicalIndex, corpus_terms
from .schema import Chunk
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class BuildSummary:
    documents: int
    chunks: int
    embedded: int  # chunks whose vectors were computed, not re-used
    seconds: float
    skipped: list[Skipped]
    rebuilt: bool = True

    def line(self) -> str:
        if not self.rebuilt:
            return f"index is up to date: {self.documents} documents, {self.chunks} chunks"
        s = (
            f"built index: {self.documents} documents, {self.chunks} chunks "
            f"({self.embedded} embedded, {self.chunks - self.embedded} re-used) in {self.seconds:.1f}s"
        )
        if self.skipped:
            s += "; skipped " + ", ".join(f"{x.file} ({x.reason})" for x in self.skipped)
        return s


def corpus_hashes(settings: Settings) -> dict[str, str]:
    return {p.name: file_sha256(p) for p in corpus_files(settings.corpus_dir)}


def stale_reason(settings: Settings) -> str | None:
    """Why the index does not reflect the corpus and settings, or None when it does."""
    manifest = read_manifest(settings.index_dir)
    if manifest is None:
        return "no index has been built"
    if manifest.format != FORMAT_VERSION:
        return f"index format {manifest.format} is older than {FORMAT_VERSION}"
    if manifest.model != settings.model:
        return f"model changed ({manifest.model} → {settings.model})"
    if manifest.chunker != settings.chunker_signature():
        return "chunker settings changed"
    if manifest.files != corpus_hashes(settings):
        return "corpus changed"
    return None


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embedding_texts(chunks: list[Chunk], settings: Settings) -> list[str]:
    return [c.embed_text(settings.embed_context) for c in chunks]


def previous_vectors(settings: Settings) -> dict[str, np.ndarray]:
    """Vectors of the current index keyed by the hash of their embedded text, when built with the same model."""
    manifest = read_manifest(settings.index_dir)
    if manifest is None or manifest.model != settings.model:
        return {}
    try:
        old = load_index(settings.index_dir)
    except IndexUnavailable:
        return {}
    matrix = old.vector_matrix()
    return {key: matrix[i] for i, key in enumerate(old.embed_keys) if key}


def build_index(settings: Settings, *, force: bool = False, progress: bool = True) -> BuildSummary:
    """Build the index if it is stale (or ``force``); return what was done."""
    if not force and stale_reason(settings) is None:
        m = read_manifest(settings.index_dir)
        return BuildSummary(m.documents, m.chunks, 0, 0.0, [], rebuilt=False)
    t0 = time.perf_counter()
    docs, skipped = read_corpus(settings.corpus_dir)
    chunks: list[Chunk] = []
    for doc in docs:
        for c in chunk_with(
            settings.chunker, doc, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap
        ):
            c.chunk_id = len(chunks)
            chunks.append(c)

    cache = previous_vectors(settings)
    embedder = Embedder(settings)
    texts = embedding_texts(chunks, settings)
    keys = [_text_key(t) for t in texts]
    todo = [i for i, key in enumerate(keys) if key not in cache]
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for i, key in enumerate(keys):
        if key in cache:
            vectors[i] = cache[key]
    batch = max(1, settings.embed_batch_size)
    with tqdm(total=len(todo), desc="embedding", unit="chunk", disable=not progress or not todo) as bar:
        for start in range(0, len(todo), batch):
            ids = todo[start : start + batch]
            vectors[ids] = embedder.passages([texts[i] for i in ids])
            bar.update(len(ids))

    manifest = Manifest(
        model=settings.model,
        dim=embedder.dim,
        chunker=settings.chunker_signature(),
        files={d.meta.file: d.sha256 for d in docs} | {s.file: "" for s in skipped},
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=0.0,
        documents=len(docs),
        chunks=len(chunks),
        skipped=[asdict(s) for s in skipped],
    )
    # a skipped file keeps its real hash so an unchanged broken file does not force endless rebuilds
    manifest.files.update({s.file: file_sha256(settings.corpus_dir / s.file) for s in skipped})
    manifest.build_seconds = round(time.perf_counter() - t0, 2)
    lexical = LexicalIndex.build([c.embed_text(settings.lexical_context) for c in chunks], corpus_terms(docs, chunks))
    metas = {d.doc_id: d.meta for d in docs}
    write_index(settings.index_dir, manifest, vectors, chunks, metas, keys, lexical, settings.ann_threshold)
    summary = BuildSummary(len(docs), len(chunks), len(todo), time.perf_counter() - t0, skipped)
    log.info(summary.line())
    return summary
