"""The assistant: one object that holds the model and index and turns a question into a cited Answer.

The CLI, the web app and the evaluation all call ``PolicyQA.ask``; there is no second copy of the pipeline.
"""

from __future__ import annotations

import re
import threading
import time

from .answerability import Judge, Signals, field_present
from .answerers import direct_answer, header_field_missing
from .bilingual import english_groups
from .embed import Embedder
from .highlight import answers, best_segment
from .index import Index, load_index
from .lexicon import Lexicon, load_lexicon, local_lexicon_path
from .normalize import fold
from .places import ordinary_words
from .question import analyse
from .retrieve import Retriever
from .schema import Answer, Confidence, Hit, Question, QuestionType
from .settings import Settings
from .store import Stores

MAX_QUESTION_CHARS = 500


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


class PolicyQA:
    """Load once, ask many times (thread-safe: the model and index are read-only after loading)."""

    def __init__(self, settings: Settings | None = None, *, index: Index | None = None, warm: bool = True):
        """``warm``: load now what the first question would (gazetteer, pinyin), so a server's first user does not
        wait; a one-shot CLI question passes False and loads only what its question needs."""
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
        self.lexicon = load_lexicon(local_lexicon_path(self.settings.corpus_dir))
        self.retriever = Retriever(self.index, self.embedder, self.settings, self.lexicon)
        self.judge = Judge(self.index.chunks, self.index.docs, lexicon=self.lexicon)
        self.ordinary = ordinary_words(self.judge.knows)  # 惠民 of 科普惠民: a word here, not a county
        if warm:
            analyse("预热 Puyang", places=self.retriever.places, lexicon=self.lexicon)  # gazetteer, jieba, pinyin
            self.english("science fiction")  # the dictionary's reverse index
            _ = self.embedder.onnx  # the question encoder, now rather than on the first question
        self._sections: dict[tuple, list] = {}
        for c in self.index.chunks:
            self._sections.setdefault((c.doc_id, tuple(c.section_path), c.kind), []).append(c)
        self._lock = threading.Lock()

    def ask(self, question: str, k: int | None = None, history: list[str] | None = None) -> Answer:
        text = clean_question(question, self.settings.max_question_chars)
        k = k or self.settings.top_k
        t0 = time.perf_counter()
        if self.settings.understand_questions:
            earlier = [h.strip()[:500] for h in history or [] if isinstance(h, str) and h.strip()]
            places, lexicon = self.retriever.places, self.lexicon
            q = analyse(text, earlier, places=places, lexicon=lexicon, english=self.english, ordinary=self.ordinary)
        else:
            q = Question(text=text, search_text=text, qtype=QuestionType.OTHER, subject=text, base=text)
        timings: dict[str, float] = {}
        with self._lock:  # one forward pass at a time: torch on 2 cores gains nothing from parallel queries
            hits = self.retriever.search(q, k, timings)
        t = time.perf_counter()
        q.unknown = self.judge.unknown_words(q)  # what no passage can say counts for none (highlight.counted_words)
        for h in hits:
            h.highlight = best_segment(q, h)  # the answerers read the best sentence; mark_answering keeps it or not
        candidate = direct_answer(q, hits)  # evidence for the decision too: a field question's field was found
        missing = candidate is None and header_field_missing(q, hits)  # a named document that prints no such field
        signals = self.judge.signals(q, hits, field_present(q, hits[:2]), candidate is not None, missing)
        confidence = self.judge.confidence(signals) if self.settings.detect_no_answer else Confidence.HIGH
        shown = candidate is not None and topic_shown(q, signals, hits[candidate.passage], self.lexicon)
        found = candidate if confidence is Confidence.HIGH and shown else None
        if found and found.passage > 0:  # the proving passage (of the answer document) goes first
            hits.insert(0, hits.pop(found.passage))
        mark_answering(q, hits, confidence, self.judge.word_idf)
        timings["answer_ms"] = (time.perf_counter() - t) * 1000
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return Answer(
            question=text,
            passages=hits,
            answer=found.text if found else None,
            no_answer=confidence is Confidence.NONE,
            confidence=confidence,
            timings=timings,
            understood_as=q.search_text if q.resolved_from else None,
            signals=signals,
            probability=self.judge.model.probability(signals),
        )

    def english(self, text: str) -> list[tuple[str, ...]]:
        """Chinese words of this corpus for the English words of ``text`` (qa/bilingual.py)."""
        return english_groups(text, self.judge.knows)

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


def topic_shown(q: Question, signals: Signals, proof: Hit, lexicon: Lexicon) -> bool:
    """A lead unit, a responsible unit or a number answers for one task; the passages must say some of the asked
    topic for the answer to be that task's. An English question shares no characters with them: the passage the
    answer comes from must say one of the Chinese terms of its topic (farmers' scientific literacy → 农民, 科学素质),
    not only its type cue (牵头) or what a document is called (方案) — the first 牵头单位 of a passage about another
    task is not given as the answer. A document's own 文号, date or issuer needs no topic."""
    if q.qtype.about_document:
        return True
    if not q.latin:
        return signals.coverage > 0
    generic = set(lexicon.document_kinds) | lexicon.answer_kinds
    terms = [t for t in q.glossed.split() if len(t) >= 2 and t not in generic and not lexicon.names_type(t)]
    text = fold(" ".join([*proof.chunk.section_path, proof.chunk.text]))
    return any(fold(t) in text for t in terms)


def mark_answering(q: Question, hits: list[Hit], confidence: Confidence, weight=None) -> None:
    """Highlight the answering sentence, only in passages that answer; none when nothing answers. ``ask`` has set
    each hit's best segment already (a pure function of the question and the passage): it is kept, not found again."""
    for rank, h in enumerate(hits):
        answering = confidence is not Confidence.NONE and answers(q, h, rank, weight)
        h.highlight = (h.highlight or best_segment(q, h)) if answering else None
