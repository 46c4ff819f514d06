"""The assistant: one object that holds the model and index and turns a question into a cited Answer.

The CLI, the web app and the evaluation all call ``PolicyQA.ask``; there is no second copy of the pipeline.
"""

from __future__ import annotations

import re
import threading
import time

from .embed import Embedder
from .extract import best_segment, direct_answer
from .index import Index, load_index
from .lexical import bigrams
from .normalize import fold
from .question import COLLOQUIAL, Question, analyse
from .retrieve import Retriever
from .schema import Answer, Confidence
from .settings import Settings
from .store import Stores

MAX_QUESTION_CHARS = 500
QUESTION_MORPHEMES = re.compile(r"几|哪|谁|什么|多少|怎么|怎样|啥|时候|如何")
FUNCTION_CHARS = "是到里了的在给把被和与要会还都也就"
DEICTIC = re.compile(r"[这那此该本每][\u4e00-\u9fa5]|回事")  # 这条, 那项, 每年 …: pointing words, not content


class BadQuestion(ValueError):
    """A question we cannot search with; the message is for users, in Chinese."""


def clean_question(question: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """Control characters dropped; empty, too long or content-free questions refused with a message for users."""
    q = "".join(ch for ch in (question or "") if ch.isprintable() or ch in " \t").strip()
    if not q:
        raise BadQuestion("请输入问题。")
    if len(q) > limit:
        raise BadQuestion(f"问题太长（{len(q)} 字），请精简到 {limit} 字以内。")
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", q):
        raise BadQuestion("没有看懂这个问题，请用文字描述您想了解的内容。")
    return q


def year_anchored(year: str, hit) -> bool:
    """A year in a question names the document's year (its title or date) or a target year (到2025年)."""
    text = fold(hit.chunk.text)
    return year in f"{hit.meta.title}{hit.meta.date}" or f"到{year}" in text or f"{year}年前" in text


class PolicyQA:
    """Load once, ask many times (thread-safe: the model and index are read-only after loading)."""

    def __init__(self, settings: Settings | None = None, *, index: Index | None = None):
        self.settings = settings or Settings()
        self.index = index or load_index(self.settings.index_dir, Stores(self.settings))
        self.embedder = Embedder(self.settings)
        if self.embedder.dim != self.index.manifest.dim or self.index.manifest.model != self.settings.model:
            from .index import IndexUnavailable

            raise IndexUnavailable(
                f"index was built with {self.index.manifest.model} (dim {self.index.manifest.dim}) but the settings "
                f"name {self.settings.model} (dim {self.embedder.dim}): run `policyqa build`",
                "索引与当前配置的模型不一致，请运行 policyqa build 重建索引。",
            )
        self.retriever = Retriever(self.index, self.embedder, self.settings)
        self.places = self.retriever.places
        self._sections: dict[tuple, list] = {}
        for c in self.index.chunks:
            self._sections.setdefault((c.doc_id, tuple(c.section_path), c.kind), []).append(c)
        self._lock = threading.Lock()

    def ask(self, question: str, k: int | None = None, history: list[str] | None = None) -> Answer:
        text = clean_question(question, self.settings.max_question_chars)
        k = k or self.settings.top_k
        t0 = time.perf_counter()
        if self.settings.understand_questions:
            q = analyse(text, [h.strip()[:500] for h in history or [] if isinstance(h, str) and h.strip()])
        else:
            q = Question(text=text, search_text=text, qtype="other", subject=text)
        timings: dict[str, float] = {}
        with self._lock:  # one forward pass at a time: torch on 2 cores gains nothing from parallel queries
            hits = self.retriever.search(q, k, timings)
        t = time.perf_counter()
        for h in hits:
            h.highlight = best_segment(q, h)
        evidence = self.evidence(q, hits)
        no_answer = self.settings.detect_no_answer and self.is_unanswered(evidence)
        found = None if no_answer else direct_answer(q, hits)
        if found and found[1] > 0:  # the passage that proves the answer goes first
            hits.insert(0, hits.pop(found[1]))
        timings["answer_ms"] = (time.perf_counter() - t) * 1000
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return Answer(
            question=text,
            passages=hits,
            answer=found[0] if found else None,
            no_answer=no_answer,
            confidence=Confidence.NONE if no_answer else Confidence.HIGH,
            timings=timings,
            understood_as=q.search_text if q.resolved_from else None,
            evidence=evidence,
        )

    def surrounding(self, hit) -> str:
        """The whole section a passage belongs to (all its pieces, or all rows of its table group)."""
        c = hit.chunk
        key = (c.doc_id, tuple(c.section_path), c.kind)
        parts = sorted(self._sections.get(key, [c]), key=lambda x: x.span[0])
        if c.kind == "table_row":
            return "\n\n".join(p.text for p in parts)
        text, end = "", -1
        for p in parts:
            if p.span[0] >= end:
                text += ("\n" if text else "") + p.text
            elif p.span[1] > end:
                text += p.text[end - p.span[0] :]
            end = max(end, p.span[1])
        return text

    def evidence(self, q: Question, hits: list) -> dict[str, float]:
        """How well the best passages cover the question: the signals of the no-answer decision."""
        top = hits[:3]
        contexts = [
            fold(" ".join([h.meta.title, h.meta.issuer, h.meta.date, *h.chunk.section_path, h.chunk.text])) for h in top
        ]
        words = self.content_words(q)
        known = [w for w in words if self.in_corpus(w)]
        joined = " ".join(contexts)
        first = contexts[0] if contexts else ""
        places = [p for p in self.places if p in q.search_text]
        anchored = all(year_anchored(y, top[0]) for y in q.years) if top else not q.years
        anchored = anchored and (not places or any(fold(p) in first for p in places))
        return {
            "dense": max((h.dense for h in top), default=0.0),
            "coverage": sum(w in joined for w in known) / len(known) if known else 0.0,
            "unknown_terms": (len(words) - len(known)) / len(words) if words else 0.0,
            "anchored": 1.0 if anchored and all(fold(p) in joined for p in places) else 0.0,
        }

    def in_corpus(self, word: str) -> bool:
        """A word the corpus uses, whole or as consecutive characters (jieba may cut 百馆千场万人 differently);
        a function character jieba glued on (咸安是, 要建) does not make a word unknown."""
        lex = self.index.lexical
        if lex is None:
            return True

        def known(w: str) -> bool:
            return w in lex.words_bm25.vocab_dict or all(g in lex.grams_bm25.vocab_dict for g in bigrams(w))

        core = word.strip(FUNCTION_CHARS)
        synonyms = COLLOQUIAL.get(word, "").split()
        return known(word) or (len(core) >= 2 and known(core)) or any(known(s) for s in synonyms)

    def content_words(self, q: Question) -> list[str]:
        """The question's own words without question words and fillers, as the keyword index cuts them."""
        if self.index.lexical is None:
            return []
        words = self.index.lexical.tokenizer.words(q.subject or q.search_text)
        return list(
            dict.fromkeys(
                w
                for w in words
                if not QUESTION_MORPHEMES.search(w) and len(w.strip(FUNCTION_CHARS)) >= 2 and not DEICTIC.fullmatch(w)
            )
        )

    def is_unanswered(self, ev: dict[str, float]) -> bool:
        s = self.settings
        return (
            ev["anchored"] < 1.0
            or ev["coverage"] < s.min_coverage
            or ev["unknown_terms"] > s.max_unknown_terms
            or ev["dense"] < s.min_dense
        )
