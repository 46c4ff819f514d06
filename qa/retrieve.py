"""Question → ranked Hits. Dense search over the FAISS index; later retrievers plug in beside it."""

from __future__ import annotations

from .embed import Embedder
from .index import Index
from .schema import Hit


class DenseRetriever:
    """Cosine similarity between the question and each chunk's path-prefixed text."""

    def __init__(self, index: Index, embedder: Embedder):
        self.index = index
        self.embedder = embedder

    def search(self, question: str, k: int) -> list[Hit]:
        qvec = self.embedder.query(question)
        hits = []
        for pos, score in self.index.search(qvec, k):
            chunk = self.index.chunks[pos]
            hits.append(Hit(chunk=chunk, meta=self.index.docs[chunk.doc_id], score=score))
        return hits
