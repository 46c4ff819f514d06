"""Question → ranked Hits: dense and keyword rankings fused by reciprocal rank, a bonus for chunks that hold the
field a question asks for, neighbouring pieces of one section merged, and an optional cross-encoder on top.
"""

from __future__ import annotations

import logging
import re
import time

import numpy as np

from .embed import Embedder
from .index import Index
from .question import PLACES, Question
from .schema import Chunk, Hit
from .settings import Settings

log = logging.getLogger(__name__)

# which chunks carry the answer to each question type
FIELD_FOR_TYPE = {
    "lead": ("牵头单位",),
    "responsible": ("责任单位",),
    "issuer": ("发文单位",),
    "date": ("成文日期",),
    "doc_no": ("文号",),
}
TEXT_CUE_FOR_TYPE = {"lead": "牵头", "responsible": "负责"}


def places_of(index: Index) -> list[str]:
    """Place names a question may point at: provinces, and the places that issue the indexed documents."""
    found = set(PLACES)
    for meta in index.docs.values():
        for name in (meta.title, meta.issuer):
            if m := re.match(r"^(?:\d{4}年)?([\u4e00-\u9fa5]{2,3}?)(?:省|市|区|县|自治区)", name):
                found.add(m.group(1))
    return sorted(found, key=len, reverse=True)


def rrf(rankings: list[tuple[np.ndarray, float]], k: int, n: int) -> np.ndarray:
    """Σ weight / (k + rank) over the rankings (each an array of chunk positions, best first)."""
    fused = np.zeros(n, dtype=np.float64)
    for order, weight in rankings:
        if weight:
            fused[order] += weight / (k + np.arange(1, len(order) + 1))
    return fused


def top_positions(scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the best ``depth`` positive scores, best first."""
    depth = min(depth, len(scores))
    idx = np.argpartition(-scores, depth - 1)[:depth] if depth < len(scores) else np.arange(len(scores))
    idx = idx[scores[idx] > 0]
    return idx[np.argsort(-scores[idx], kind="stable")]


def answer_field_mask(chunks: list[Chunk], qtype: str) -> np.ndarray:
    fields = FIELD_FOR_TYPE.get(qtype, ())
    cue = TEXT_CUE_FOR_TYPE.get(qtype)
    return np.array(
        [any(f in c.fields for f in fields) or (cue is not None and cue in c.text) for c in chunks], dtype=bool
    )


def _groups(names: list[str], question: Question) -> list[list[str]]:
    """Places are alternatives (湖北和湖南 → either), each year is required."""
    places = [n for n in names if n not in question.years]
    return ([places] if places else []) + [[y] for y in question.years]


class Retriever:
    """Dense, lexical or hybrid retrieval as the settings say; one object per loaded index."""

    def __init__(self, index: Index, embedder: Embedder, settings: Settings):
        self.index, self.embedder, self.settings = index, embedder, settings
        self.reranker = load_reranker(settings.reranker) if settings.reranker else None
        self._masks: dict[str, np.ndarray] = {}
        self.places = places_of(index)

    def dense_scores(self, question: Question, timings: dict[str, float] | None = None) -> np.ndarray:
        timings = timings if timings is not None else {}
        t = time.perf_counter()
        qvec = self.embedder.query(question.search_text)
        timings["embed_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        scores = np.zeros(len(self.index.chunks), dtype=np.float32)
        for pos, score in self.index.search(qvec, self.settings.candidates):
            scores[pos] = score
        timings["dense_search_ms"] = (time.perf_counter() - t) * 1000
        return scores

    def search(self, question: Question, k: int, timings: dict[str, float] | None = None) -> list[Hit]:
        s, n = self.settings, len(self.index.chunks)
        timings = timings if timings is not None else {}
        rankings: list[tuple[np.ndarray, float]] = []
        dense = self.dense_scores(question, timings) if s.retriever in ("dense", "hybrid") else np.zeros(n, np.float32)
        if s.retriever in ("dense", "hybrid"):
            rankings.append((top_positions(dense, s.candidates), s.weight_dense))
        t = time.perf_counter()
        if s.retriever in ("lexical", "hybrid") and self.index.lexical is not None:
            lex = self.index.lexical
            rankings.append((top_positions(lex.word_scores(question.search_text), s.candidates), s.weight_words))
            rankings.append((top_positions(lex.bigram_scores(question.search_text), s.candidates), s.weight_bigrams))
        timings["lexical_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        fused = rrf(rankings, s.rrf_k, n)
        if s.weight_type and question.qtype in FIELD_FOR_TYPE:
            mask = self._mask(question.qtype)
            fused[mask & (fused > 0)] += s.weight_type / (s.rrf_k + 1)
        if s.weight_place and (named := self.named_docs(question)):
            mask = np.array([c.doc_id in named for c in self.index.chunks])
            fused[mask & (fused > 0)] += s.weight_place / (s.rrf_k + 1)
        order = top_positions(fused, max(k * 3, s.rerank_candidates if self.reranker else 0))
        hits = [
            Hit(
                self.index.chunks[i],
                self.index.docs[self.index.chunks[i].doc_id],
                float(fused[i]),
                dense=float(dense[i]),
            )
            for i in order
        ]
        timings["fusion_ms"] = (time.perf_counter() - t) * 1000
        if self.reranker is not None:
            t = time.perf_counter()
            hits = rerank(self.reranker, question.search_text, hits[: s.rerank_candidates])
            timings["rerank_ms"] = (time.perf_counter() - t) * 1000
        return (merge_neighbours(hits) if s.merge_neighbours else hits)[:k]

    def named_docs(self, question: Question) -> set[str]:
        """Documents whose title or issuer names a place or year the question names (湖南…, 2022年…)."""
        names = [p for p in self.places if p in question.search_text] + question.years
        if not names:
            return set()
        return {
            doc_id
            for doc_id, m in self.index.docs.items()
            if all(any(n in f"{m.title}{m.issuer}{m.date}" for n in group) for group in _groups(names, question))
        }

    def _mask(self, qtype: str) -> np.ndarray:
        if qtype not in self._masks:
            self._masks[qtype] = answer_field_mask(self.index.chunks, qtype)
        return self._masks[qtype]


def merge_neighbours(hits: list[Hit]) -> list[Hit]:
    """Consecutive text pieces of one section that were both retrieved become one passage, ranked at the better."""
    out: list[Hit] = []
    for h in hits:
        c = h.chunk
        partner = next(
            (
                o
                for o in out
                if o.chunk.doc_id == c.doc_id
                and o.chunk.kind == c.kind == "text"
                and o.chunk.section_path == c.section_path
                and abs(o.chunk.chunk_id - c.chunk_id) == 1
                and len(o.merged_from) < 3
            ),
            None,
        )
        if partner is None:
            out.append(h)
            continue
        first, second = (partner.chunk, c) if partner.chunk.chunk_id < c.chunk_id else (c, partner.chunk)
        overlap = max(0, first.span[1] - second.span[0])
        text = first.text + ("" if overlap else "\n") + second.text[overlap:]
        partner.chunk = Chunk(
            first.chunk_id,
            first.doc_id,
            text,
            first.section_path,
            (first.span[0], second.span[1]),
            first.kind,
            {**first.fields, **second.fields},
        )
        partner.merged_from.append(c.chunk_id)
    return out


def load_reranker(name: str):
    from sentence_transformers import CrossEncoder

    return CrossEncoder(name, device="cpu", local_files_only=True)


def rerank(model, query: str, hits: list[Hit]) -> list[Hit]:
    """Order candidates by the cross-encoder; its score becomes the hit's score."""
    if not hits:
        return hits
    scores = model.predict([(query, h.chunk.text) for h in hits], show_progress_bar=False)
    for h, sc in zip(hits, np.asarray(scores, dtype=np.float32).reshape(len(hits), -1)[:, -1]):
        h.score = float(sc)
    return sorted(hits, key=lambda h: -h.score)
