"""Keyword retrieval: BM25 over jieba words and over character bigrams, so partial names (卫健局 → 区卫健局) match.

Unit and programme names found in the corpus (区卫健局, 荆楚科普大讲堂 …) are added to jieba's dictionary at build
time and saved with the index, so queries are cut the same way as the documents were.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import bm25s
import jieba
import numpy as np

from .jieba_dict import new_tokenizer
from .lexicon import load_lexicon, unit_aliases
from .normalize import fold
from .schema import Chunk, Document

jieba.setLogLevel(logging.WARNING)
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Function words and question words (qa/data/lexicon.toml): they say how something is asked, not what about.
STOPWORDS = load_lexicon().stopwords
_CJK_OR_ALNUM = re.compile(r"[\u4e00-\u9fff0-9a-z%]")
QUOTED_RE = re.compile(r"[“\"《「]([^“”\"《》「」\n]{2,16})[”\"》」]")
# 省卫健委 / 区总工会 … standing as a list item or after a separator, not the tail of 社区服务中心
UNIT_RE = re.compile(
    r"(?:(?<=[、，,；;：:（(\s])|^)(?:区|省|市|县)[\u4e00-\u9fa5]{1,8}?(?:局|委|厅|办|部|会|中心)(?=[、，,；;）)\s牵]|$)"
)
TABLE_UNIT_RE = re.compile(r"[\u4e00-\u9fa5]{2,14}")


# words of 公文 questions that jieba would otherwise cut wrongly (发文字号 → 发文 / 文字 / 字号)
DOMAIN_TERMS = ["发文字号", "文号", "牵头单位", "责任单位", "配合单位", "发文单位", "成文日期", "印发", "转发"]
UNIT_FIELD_RE = re.compile(r"牵头|责任|负责|配合|承办|主办")  # table columns that list bodies, whatever their name


class Tokenizer:
    """A jieba tokenizer of its own (jieba's global one is shared with any other user in the process)."""

    def __init__(self, terms: list[str] | None = None):
        self._jieba = new_tokenizer()  # a copy of the dictionary read once per process (qa/jieba_dict.py)
        self._lock = threading.Lock()
        self.terms = sorted(set(terms or []))
        for t in [*DOMAIN_TERMS, *self.terms]:
            self._jieba.add_word(t, freq=20000)

    def words(self, text: str, *, query: bool = False) -> list[str]:
        """Documents are cut for search (荆楚科普大讲堂 also yields 大讲堂), questions precisely, so a partial name
        in a question still matches while a full one is not outscored by documents that repeat its parts."""
        cut = self._jieba.lcut if query else self._jieba.lcut_for_search
        with self._lock:  # jieba's lazy initialisation is not thread-safe
            toks = [t for piece in text.split() for t in cut(fold(piece))]
        # single characters (办, 期, 年 …) match everywhere and drown the real terms; bigrams cover them instead
        return [t for t in toks if len(t) > 1 and t not in STOPWORDS and _CJK_OR_ALNUM.search(t)]


SHORT_TEXT = 24  # a word or a question's subject: bigrammed again against every sentence of every passage


def bigrams(text: str) -> list[str]:
    """Character bigrams of the folded text (its one character, if that is all). A short text is memoised: the
    highlighter and the answerability signals bigram a question's few words once per sentence they look at, ~250
    calls per question. Long texts (chunks at build time) are not kept: each is seen once."""
    if len(text) <= SHORT_TEXT:
        return list(_short_bigrams(text))
    return _bigrams(text)


@lru_cache(maxsize=16384)
def _short_bigrams(text: str) -> tuple[str, ...]:
    return tuple(_bigrams(text))


def _bigrams(text: str) -> list[str]:
    chars = [c for c in fold(text) if _CJK_OR_ALNUM.match(c)]
    return [a + b for a, b in itertools.pairwise(chars)] or chars


def document_terms(doc: Document, chunks: list[Chunk]) -> list[str]:
    """Names worth keeping whole: responsibility-table units, quoted programme names, 区X局-style bodies.

    Kept per document, so an incremental build can form the corpus dictionary without re-reading unchanged files.
    """
    found: set[str] = set()
    for c in chunks:
        for key, value in c.fields.items():
            if not UNIT_FIELD_RE.search(key):
                continue
            for unit in re.split(r"[、，,；;\s]+", value):
                if 2 <= len(unit) <= 14 and TABLE_UNIT_RE.fullmatch(unit):
                    found.add(unit)
    for m in QUOTED_RE.finditer(doc.text):
        name = m.group(1).strip()
        if not re.search(r"[，,。；：:]", name):
            found.add(name)
    found.update(m.group(0) for m in UNIT_RE.finditer(doc.text))
    lexicon = load_lexicon()
    found.update(alias for unit in list(found) for alias in unit_aliases(unit, lexicon))  # 区卫生健康局 → 区卫健局
    return sorted(t for t in found if len(t) >= 2 and re.fullmatch(r"[\u4e00-\u9fa5A-Za-z0-9·+]+", t))


def corpus_terms(docs: list[Document], chunks: list[Chunk]) -> list[str]:
    """The tokenizer dictionary of a whole corpus: the union of its documents' terms."""
    return sorted({t for d in docs for t in document_terms(d, [c for c in chunks if c.doc_id == d.doc_id])})


class LexicalIndex:
    """Two BM25 indexes over the same chunks: jieba words and character bigrams."""

    def __init__(self, tokenizer: Tokenizer, words: bm25s.BM25, grams: bm25s.BM25, size: int):
        self.tokenizer, self.words_bm25, self.grams_bm25, self.size = tokenizer, words, grams, size

    @classmethod
    def build(cls, texts: list[str], terms: list[str]) -> LexicalIndex:
        tok = Tokenizer(terms)
        return cls(tok, _bm25([tok.words(t) for t in texts]), _bm25([bigrams(t) for t in texts]), len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "terms.json").write_text(json.dumps(self.tokenizer.terms, ensure_ascii=False), encoding="utf-8")
        self.words_bm25.save(str(folder / "words"), show_progress=False)
        self.grams_bm25.save(str(folder / "bigrams"), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        terms = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        words = bm25s.BM25.load(str(folder / "words"), show_progress=False)
        grams = bm25s.BM25.load(str(folder / "bigrams"), show_progress=False)
        return cls(Tokenizer(terms), words, grams, size)

    def word_scores(self, query: str) -> np.ndarray:
        return self._scores(self.words_bm25, self.tokenizer.words(query, query=True))

    def bigram_scores(self, query: str) -> np.ndarray:
        return self._scores(self.grams_bm25, bigrams(query))

    def _scores(self, bm25: bm25s.BM25, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in bm25.vocab_dict]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(bm25.get_scores(known), dtype=np.float32)


def _bm25(corpus_tokens: list[list[str]]) -> bm25s.BM25:
    model = bm25s.BM25()
    # an empty chunk still needs a row; a token nothing else uses keeps row numbers aligned with chunk positions
    model.index([toks or ["\x00empty"] for toks in corpus_tokens], show_progress=False)
    return model
