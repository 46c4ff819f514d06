"""Question → ranked Hits: dense and keyword rankings fused by reciprocal rank, a bonus for chunks that hold the
field a question asks for, neighbouring pieces of one section merged, and an optional cross-encoder on top.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .answerability import identity
from .embed import Embedder
from .highlight import DOC_NO_RE, PURPOSE_CUE_RE
from .index import Index
from .lexicon import Lexicon, load_lexicon, unit_aliases
from .metadata import cn_date, split_issuers
from .normalize import fold, to_simplified
from .places import within
from .question import LISTS_DOCUMENTS_RE, asks_several, years_in
from .schema import Chunk, Hit, Question, QuestionType
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
# … or say it in their text: a purpose question has no field, only passages that state a purpose or a cause
TEXT_CUE_FOR_TYPE = {"lead": re.compile("牵头"), "responsible": re.compile("负责"), "purpose": PURPOSE_CUE_RE}


PLACE_RE = re.compile(r"([\u4e00-\u9fa5]{2,3}?)(?:省|自治区|市|自治州|州|新区|区|县|镇|乡)")


def leading_places(name: str) -> list[str]:
    """Places a body or title opens with: 金华市婺城区人民政府 → 金华, 婺城; 中共杭州市委 → 杭州."""
    s = re.sub(r"^(?:中共|关于印发|关于)", "", to_simplified(name).strip())
    out, pos = [], 0
    while m := PLACE_RE.match(s, pos):
        if m.group(1) in load_lexicon().not_places:
            break
        out.append(m.group(1))
        pos = m.end()
    return out


LEADING_ORG_RE = re.compile(r"^(?:(?:19|20)\d{2}年)?([\u4e00-\u9fa5]{2,8}?(?:科协|协会|学会|研究会|委员会|联合会))")


def places_of(index: Index, lexicon: Lexicon) -> list[str]:
    """Names a question may point at a document by: provinces (general), and from the indexed documents themselves
    the places their titles, issuers and file names open with, their issuers and the short forms of those
    (湖北省科学技术协会 → 湖北省科协), and an organisation a title opens with (中国科协2022年…)."""
    from .metadata import split_issuers

    found = set(lexicon.places)
    for doc_id, meta in index.docs.items():
        for name in (meta.title, meta.issuer, Path(doc_id).stem):
            found.update(leading_places(name))
            if m := LEADING_ORG_RE.match(to_simplified(name)):
                found.add(m.group(1))
        for body in split_issuers(to_simplified(meta.issuer)):
            found.update([body, *unit_aliases(body, lexicon)])
    return sorted((n for n in found if len(n) >= 2), key=len, reverse=True)


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
        [any(f in c.fields for f in fields) or bool(cue and cue.search(c.text)) for c in chunks], dtype=bool
    )


class Retriever:
    """Dense, lexical or hybrid retrieval as the settings say; one object per loaded index."""

    def __init__(self, index: Index, embedder: Embedder, settings: Settings, lexicon: Lexicon | None = None):
        self.index, self.embedder, self.settings = index, embedder, settings
        self.reranker = load_reranker(settings.reranker) if settings.reranker else None
        self._masks: dict[str, np.ndarray] = {}
        self.lexicon = lexicon or load_lexicon()
        self.places = places_of(index, self.lexicon)
        self._identity = {doc_id: identity(meta) for doc_id, meta in index.docs.items()}
        # each chunk's document as a position in _doc_ids: a per-document share becomes a per-chunk one by indexing
        self._doc_ids = list(dict.fromkeys(c.doc_id for c in index.chunks))
        where = {d: i for i, d in enumerate(self._doc_ids)}
        self._chunk_doc = np.array([where[c.doc_id] for c in index.chunks], dtype=np.intp)
        self._bare = np.array([bare_header(c, index.docs[c.doc_id]) for c in index.chunks], dtype=bool)

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
        # an English question shares only stray tokens (2023, GDP) with Chinese documents: its keywords are the
        # Chinese terms of its policy words (lexicon.gloss), and none when it has none
        keywords = f"{question.glossed} {question.looked_up}".strip() if question.latin else question.search_text
        if s.retriever in ("lexical", "hybrid") and self.index.lexical is not None and keywords:
            lex = self.index.lexical
            scale = LATIN_KEYWORD_SCALE if question.latin else 1.0
            rankings.append((top_positions(lex.word_scores(keywords), s.candidates), s.weight_words * scale))
            rankings.append((top_positions(lex.bigram_scores(keywords), s.candidates), s.weight_bigrams * scale))
        timings["lexical_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        fused = rrf(rankings, s.rrf_k, n)
        named = self.named_docs(question) if s.weight_place else {}
        if named:
            share = np.array([named.get(d, 0.0) for d in self._doc_ids], dtype=np.float64)[self._chunk_doc]
        if named and question.qtype.about_document and question.qtype in FIELD_FOR_TYPE:
            # a named document's passages holding the asked field (its header, a 文号 it cites) are candidates even
            # when the question's words missed them (依据的2021年中央一号文件 shares no word with 《…意见》（中发…）)
            fused[(share > 0) & self._mask(question.qtype) & (fused == 0)] = 1.0 / (s.rrf_k + s.candidates)
        if s.weight_type and (question.qtype in FIELD_FOR_TYPE or question.qtype in TEXT_CUE_FOR_TYPE):
            mask = self._mask(question.qtype)
            fused[mask & (fused > 0)] += s.weight_type / (s.rrf_k + 1)
        if named:
            fused[(share > 0) & (fused > 0)] += (s.weight_place / (s.rrf_k + 1) * share)[(share > 0) & (fused > 0)]
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
        if not question.qtype.about_document:  # a header is no answer to what a document says: after the content
            hits = sorted(hits, key=lambda h: bool(self._bare[h.chunk.chunk_id]))
            if not question.latin:
                hits = content_before_title(question, hits, lambda h: bool(self._bare[h.chunk.chunk_id]))
        if question.qtype is QuestionType.PURPOSE:
            hits = stated_purpose_first(question, hits, self._mask("purpose"), self.lexicon)
        hits = merge_neighbours(hits) if s.merge_neighbours else hits
        if listed := self.listed_documents(question):  # 哪几份是2023年发的: each such document's header first
            heads = [self.header_hit(d, question) for d in listed[:k]]
            return [*heads, *[h for h in hits if h.chunk.doc_id not in listed]][:k]
        return with_each_place(hits, self.per_place_docs(question), k)

    def listed_documents(self, question: Question) -> list[str]:
        """For a question asking which documents were issued in a year or by a place (哪几份是2023年发的, 哪些是河南省
        内城市发布的), the documents whose header says so — issued that year (date, else 文号), of that place or a
        place inside it — oldest first; [] for any other question."""
        if not LISTS_DOCUMENTS_RE.search(question.base) or not (question.years or question.places):
            return []
        out = []
        for doc_id, meta in self.index.docs.items():
            year = meta.date[:4] or next(iter(years_in(meta.doc_no)), "")
            ident = self._identity[doc_id]
            body = meta.issuer or meta.title
            if all(y == year for y in question.years) and all(
                fold(p) in ident or within(body, p) for p in question.places
            ):
                out.append(doc_id)
        return sorted(out, key=lambda d: self.index.docs[d].date or "9999")

    def header_hit(self, doc_id: str, question: Question) -> Hit:
        """The passage of a document that shows the header asked about: the one printing its date when a year is
        asked (a signature block at its end), else its opening."""
        meta = self.index.docs[doc_id]
        chunks = sorted((c for c in self.index.chunks if c.doc_id == doc_id), key=lambda c: c.span[0])
        shown = cn_date(meta.date) if question.years and meta.date else ""
        chunk = next((c for c in chunks if shown and shown in c.text), chunks[0])
        return Hit(chunk, meta, 1.0)

    def named_docs(self, question: Question) -> dict[str, float]:
        """Documents a question points at by the places and years of their titles, issuers, dates and file names
        (湖南…, 2022年…), each with the share of the named places it matches (湖南省民政厅…花垣县 beats any 湖南
        document for a question naming both). Several places may also be alternatives (湖北和湖南 → either, each
        at its share); every year is required, unless the places are of several documents compared."""
        if not (question.places or question.years):
            return {}
        places = [fold(p) for p in question.places]
        # comparing documents of two places (咸安的方案和湖北省科协24年要点), a year is one document's, not both
        years = [fold(y) for y in question.years] if not (len(places) >= 2 and asks_several(question)) else []
        out = {}
        for doc_id, ident in self._identity.items():
            matched = sum(p in ident for p in places)
            if (not places or matched) and all(y in ident for y in years):
                out[doc_id] = matched / len(places) if places else 1.0
        return out

    def per_place_docs(self, question: Question) -> list[set[str]]:
        """For a question naming several places, the documents of each: each place gets its own best passage."""
        if len(question.places) < 2:
            return []
        return [{d for d, ident in self._identity.items() if fold(p) in ident} for p in question.places]

    def _mask(self, qtype: str) -> np.ndarray:
        """Chunks that can hold the asked field; for a 文号, also those citing one (《…》（中发〔2021〕1号）)."""
        if qtype not in self._masks:
            mask = answer_field_mask(self.index.chunks, qtype)
            if qtype == "doc_no":
                mask = mask | np.array([bool(DOC_NO_RE.search(to_simplified(c.text))) for c in self.index.chunks])
            self._masks[qtype] = mask
        return self._masks[qtype]


LATIN_KEYWORD_SCALE = 0.5  # the terms are a rough translation: half the weight of a Chinese question's keywords
CN_DATE_RE = re.compile(r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日")
BARE_CHARS = 10  # what a header leaves besides its document's names: 文件, （征求意见稿）


# 版记 and signature-block notes that name no content: the attachment line (附件：《…》任务分解表), 此件公开发布
SIGNATURE_NOTES_RE = re.compile(r"^[ \t\u3000]*附件\s*[:：][^\n]*$|[（(]此件[^（）()\n]{0,10}[）)]", re.M)
TOC_RE = re.compile(r"^[ \t\u3000]*目[ \t\u3000]*录[ \t\u3000]*$", re.M)
TOC_LINE_CHARS = 20  # a contents line: a heading and perhaps its page number


# a numbered heading: 4.1 响应分级 / 二、 / （三） / 第二章 — the numbering 公文 use for sections
HEADING_NUMBER_RE = re.compile(
    r"^(?:\d+(?:[.．]\d+)*[.．、\s]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十\d]+[章节条])"
)
SENTENCE_END_RE = re.compile(r"[。；;！？!?]")


def table_of_contents(text: str) -> bool:
    """A 目录: the line 目录 followed by short heading lines — or, where the chunker cut a long 目录 at its section
    headings, a run of numbered heading lines alone (4.应急响应 / 4.1 响应分级 / 4.2 响应行动), with no sentence in
    it. It names every section's topic, so it matches questions about them, but says nothing of any."""
    m = TOC_RE.search(text)
    lines = [line.strip() for line in text[m.end() if m else 0 :].split("\n") if line.strip()]
    if len(lines) < 3 or sum(len(line) <= TOC_LINE_CHARS for line in lines) < 0.8 * len(lines):
        return False
    if m:
        return True
    return not SENTENCE_END_RE.search(text) and all(HEADING_NUMBER_RE.match(line) for line in lines)


def bare_header(chunk: Chunk, meta) -> bool:
    """The chunk holds nothing but its document's names — title, issuers, 文号, date (湖南省人民政府办公厅文件 /
    湘政办发〔2009〕24号; a title over two lines with （征求意见稿）; a signature block with its 附件 line) — or is a
    table of contents. It proves a header field; for any other
    question it matched only because the question names the document, and it ranked above the passage that
    answers."""
    if table_of_contents(chunk.text):
        return True
    text = re.sub(r"\s+", "", fold(SIGNATURE_NOTES_RE.sub("", chunk.text)))
    names = [meta.title, *split_issuers(to_simplified(meta.issuer)), meta.issuer, meta.doc_no]
    for name in sorted({re.sub(r"\s+", "", fold(n)) for n in names if n}, key=len, reverse=True):
        text = text.replace(name, "")
    return len(re.findall(r"[\u4e00-\u9fff]", CN_DATE_RE.sub("", text))) < BARE_CHARS


TITLE_SWAP_DEPTH = 10  # how far down a better passage of the same document is looked for


def _titles(title: str) -> list[str]:
    """A document's title, and for a notice that 印发 another (关于印发《甲省2023年科普工作要点》的通知) the title of
    what it prints, which opens the text after the notice."""
    inner = re.findall(r"《([^《》]+)》", title)
    return [t for t in (re.sub(r"\s+", "", fold(x)) for x in (title, *inner)) if t]


def _opening_text(hit: Hit, text: str, title: str) -> str:
    """An opening chunk's text less its title and its 主送 line: the bodies it is sent to (各省级学会…) say nothing
    about the topic, though their names share its words (学会科普 and 各省级学会)."""
    from .highlight import recipients_line

    body = text.replace(title, "")
    if recipients := re.sub(r"\s+", "", fold(recipients_line(hit.chunk.text) or "")):
        body = body.replace(recipients, "")
    return body


def content_before_title(
    question: Question,
    hits: list[Hit],
    navigation: Callable[[Hit], bool] = lambda h: False,
    depth: int = TITLE_SWAP_DEPTH,
) -> list[Hit]:
    """A document's opening chunk (its title, 主送 line and first lines) matches every question that names the
    document, and so outranked the passage of the same document that answers (宿州文旅融合实施意见里说的六大工程 →
    the title chunk, 六大工程 second). Where a lower passage of that document says more of the question's topic (its
    words less those naming the document) than the opening chunk's text after its title and 主送 line does, the two
    change places; other documents keep their ranks. A navigation chunk (a 目录 naming the topic) is never the one
    moved up: it says the topic's words and nothing about it."""
    from .highlight import topic_overlap

    out = list(hits)
    for i, h in enumerate(out[:depth]):
        text = re.sub(r"\s+", "", fold(h.chunk.text))
        title = next((t for t in _titles(h.meta.title) if t in text), None)
        if not title:
            continue
        own = topic_overlap(question, h, _opening_text(h, text, title))
        later = [
            (topic_overlap(question, g, g.chunk.text), j)
            for j, g in enumerate(out[i + 1 : depth], i + 1)
            if g.chunk.doc_id == h.chunk.doc_id and not navigation(g)
        ]
        if later and (best := max(later, key=lambda x: (x[0], -x[1])))[0] > own:
            out[i], out[best[1]] = out[best[1]], out[i]
    return out


def stated_purpose_first(question: Question, hits: list[Hit], states: np.ndarray, lexicon: Lexicon) -> list[Hit]:
    """What a document is for (这个方案制定出来主要是想达到什么目的) is what its opening states (为…，结合实际，制定本
    方案): asked about a document, that passage of the first-ranked document goes before the document's others. A
    purpose asked of a measure (为什么要开展…行动) is not the document's."""
    if not hits or not any(k in question.base for k in lexicon.document_kind_words):
        return hits
    doc = hits[0].chunk.doc_id
    ours = [i for i, h in enumerate(hits[:TITLE_SWAP_DEPTH]) if h.chunk.doc_id == doc]
    if states[hits[ours[0]].chunk.chunk_id]:
        return hits
    j = next((i for i in ours if states[hits[i].chunk.chunk_id]), None)
    if j is None:
        return hits
    out = list(hits)
    out.insert(ours[0], out.pop(j))
    return out


def with_each_place(hits: list[Hit], groups: list[set[str]], k: int) -> list[Hit]:
    """The top k, made to hold the best passage of each named place's documents (湖北和湖南的…各是 → one of each),
    in rank order; without named places, simply the top k."""
    extras: list[Hit] = []
    for docs in groups:
        if docs and not any(h.chunk.doc_id in docs for h in [*hits[:k], *extras]):
            best = next((h for h in hits[k:] if h.chunk.doc_id in docs and h not in extras), None)
            if best is not None:
                extras.append(best)
    top = [*hits[: k - len(extras)], *extras]
    order = {id(h): i for i, h in enumerate(hits)}
    return sorted(top, key=lambda h: order[id(h)])


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
