"""Does what was retrieved answer the question? Decided from evidence — how much of the question the best passages
cover, how close they are in meaning, and whether the places and years the question names belong to their
documents — never from whether the question's words are in a vocabulary.

The signals are a typed record; a logistic regression over them (weights in ``qa/data/answerability.json``, fitted
on dev questions only by ``python -m qa.calibrate``) gives the probability that the passages answer, and two
thresholds turn it into the three states users see: answered, 可能相关, not found.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from .highlight import holds_field, subject_words
from .lexical import bigrams
from .lexicon import Lexicon, load_lexicon
from .metadata import identity
from .normalize import fold
from .places import gazetteer_places, within
from .question import asks_several, english_asked
from .schema import Chunk, Confidence, DocMeta, Hit, Question, QuestionType

WEIGHTS_FILE = Path(__file__).with_name("data") / "answerability.json"


@dataclass(frozen=True)
class Signals:
    """What the decision looks at; every field is a number in [0, 1] (booleans as 0/1)."""

    dense: float  # cosine of the question and the closest of the top two passages
    coverage: float  # IDF-weighted share of the question's content bigrams found in the top two passages
    best_coverage: float  # the same for the single best-covered passage of the top two
    known: float  # share of the question's content bigrams that occur anywhere in the corpus
    missing: float  # share of the question's content words neither in the corpus nor in the passages' words
    constraints: float  # 1 when every place and year named is met by a top passage's document (or none is named)
    named: float  # 1 when the question names a place or year
    field: float  # for field questions: 1 when a top passage holds the asked field (牵头, 负责, a number, a date …)
    asks_field: float  # 1 when the question asks for a field (a unit, a number, an issuer, a date, a 文号)
    answered: float  # 1 when a field question got a short answer from the answer document (0 for other questions)
    latin: float  # 1 for a question in English: keyword signals say little, meaning carries it
    asked_found: float  # share of the nouns beside the question word (主席, 地址, 奖金) the top passages say (1: none)

    @staticmethod
    def directions() -> dict[str, int]:
        """Which way a signal may push the probability (+1 up, -1 down, 0 either): more coverage, a closer meaning or
        a found field never make an answer less likely. The fit respects these, so it cannot learn a quirk of the dev
        questions (a negative weight on closeness) that would not hold on others."""
        return {
            "dense": 1,
            "coverage": 1,
            "best_coverage": 1,
            "missing": -1,
            "constraints": 1,
            "field": 1,
            "answered": 1,
            "asked_found": 1,
        }

    def vector(self) -> list[float]:
        return [float(getattr(self, f.name)) for f in fields(self)]  # astuple deep-copies: 0.4 ms a question

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class Model:
    """Logistic regression: p = σ(w·x + b); p ≥ high → answered, p < low → not found, between → 可能相关."""

    weights: dict[str, float]
    bias: float
    high: float
    low: float

    def probability(self, s: Signals) -> float:
        z = self.bias + sum(self.weights.get(n, 0.0) * x for n, x in zip(Signals.names(), s.vector()))
        return 1.0 / (1.0 + math.exp(-z))

    def confidence(self, s: Signals) -> Confidence:
        p = self.probability(s)
        return Confidence.HIGH if p >= self.high else Confidence.NONE if p < self.low else Confidence.LOW

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> Model:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data["high"], data["low"])


def constraint_met(name: str, hit: Hit, named: Sequence[str] = (), own: Sequence[str] = ()) -> bool:
    """A place or year the question names belongs to this passage: its document is named by it, or it says it.
    A document of a place inside the one named does not speak for it (咸安区's plan, which cites 湖北's, for 湖北全省),
    unless the question also names a place inside it (``named``: 咸宁咸安, or 咸安 and 湖北省科协 compared). A year
    the question gives as the document's own (``own``: 2023年科普工作要点) must name the document, not its text."""
    if within(hit.meta.issuer or hit.meta.title, name) and not any(within(p, name) for p in named):
        return False
    key = fold(name)
    if key in identity(hit.meta):
        return True
    return name not in own and key in fold(" ".join([*hit.chunk.section_path, hit.chunk.text]))


def _met(q: Question, name: str, hit: Hit) -> bool:
    return constraint_met(name, hit, q.places, q.doc_years)


def constraints_met(q: Question, hits: list[Hit], depth: int = 3) -> bool:
    """The places and years the question names belong to the passages. One place and one year must meet in one
    passage of the top ones (湖南2024年 is not 湖南's 2023 要点 and 湖北's 2024 one); a question naming several places
    (or several years) is a comparison: each is met by a passage of its own."""
    if len(q.places) >= 2:  # a place that only qualifies another named (浙江衢州常山县) is met through it
        met = {p for p in q.places if any(_met(q, p, h) for h in hits)}
        return all(p in met or any(within(o, p) for o in met) for p in q.places)
    if len(q.years) >= 2:
        names = [*q.places, *q.years]
        return all(any(_met(q, n, h) for h in hits) for n in names)
    names = [*q.places, *q.years]
    return any(all(_met(q, n, h) for n in names) for h in hits[:depth]) if names else True


def said(word: str, text: str, lexicon: Lexicon) -> bool:
    """``text`` (folded) says ``word``: whole, every bigram of it, or a word documents use for it (老人 → 老年人)."""
    if fold(word) in text or all(g in text for g in bigrams(word)):
        return True
    if len(word) >= 3 and re.search(".?".join(map(re.escape, fold(word))), text):
        return True  # a character the question leaves out: 预约票 for 预约门票
    if any(
        short in word and fold(word.replace(short, full)) in text for full, short in lexicon.unit_abbreviations.items()
    ):
        return True  # a body named by its 公文 short form: 镇政府 for 镇人民政府, 卫健局 for 卫生健康局
    return any(fold(w) in text for w in lexicon.colloquial.get(word, "").split())


# a question asking where something is held or sits; 在哪个文件里 asks for a document, not a place
WHERE_RE = re.compile(
    r"哪里|哪儿|何处|何地|什么地方|什么地点|哪个(?:城市|地方|地点|场馆|市|县|区|镇|村|乡|省)|\bwhere\b", re.I
)
# where a sentence says something is (驻董马库村, 设在省科技馆, 在长沙举办): a place or venue after 驻/设在/位于/在
SITED_RE = re.compile(
    r"(?:驻|设在|设于|位于|落户|在)([\u4e00-\u9fa5]{2,8}?(?:省|市|县|区|镇|乡|村|馆|广场|会场|礼堂|中心))"
)


def place_said(q: Question, contexts: list[str]) -> bool:
    """A sentence of the passages that says some of the question's topic also names a place the question does not
    (镇人民政府驻董马库村 for 镇政府设在哪个村; nothing in 办好2022世界公众科学素质促进大会 for 在哪里举办)."""
    words = [fold(w) for w in (q.glossed.split() if q.latin else subject_words(q.subject or q.base)) if len(w) >= 2]
    own = [fold(p) for p in q.places]
    for sentence in re.split(r"[。；;！!？?\n]", " ".join(contexts)):
        if any(w in sentence for w in words):
            names = [*gazetteer_places(sentence), *(m.group(1) for m in SITED_RE.finditer(sentence))]
            if any(not any(p in n or n in p for p in own) for n in names):
                return True
    return False


def field_present(q: Question, hits: list[Hit]) -> bool:
    """A passage can give what a field question asks: the cue in its text, or the document's own header field."""
    header = {QuestionType.DOC_NO: "doc_no", QuestionType.DATE: "date", QuestionType.ISSUER: "issuer"}
    return any(
        holds_field(q.qtype, h.chunk.text) or (q.qtype in header and bool(getattr(h.meta, header[q.qtype])))
        for h in hits
    )


class Judge:
    """Signals and the decision for one loaded index (bigram document frequencies are counted once)."""

    def __init__(
        self, chunks: list[Chunk], docs: dict[str, DocMeta], model: Model | None = None, lexicon: Lexicon | None = None
    ):
        self.model = model or Model.load()
        self.lexicon = lexicon or load_lexicon()
        self.df: Counter[str] = Counter()
        for c in chunks:
            self.df.update(set(bigrams(c.text)))
        for meta in docs.values():
            self.df.update(set(bigrams(identity(meta))))
        self.n = max(1, len(chunks))

    def knows(self, word: str) -> bool:
        """Some indexed passage or document name says every bigram of ``word``."""
        grams = bigrams(word)
        return bool(grams) and all(g in self.df for g in grams)

    def idf(self, gram: str) -> float:
        return math.log((self.n + 1) / (self.df.get(gram, 0) + 1)) + 1.0

    def word_idf(self, word: str) -> float:
        """A word is as rare as its rarest bigram: 老年人 outweighs 科学 in 老年人科学素质提升行动."""
        return max((self.idf(g) for g in bigrams(word)), default=1.0)

    def content_grams(self, q: Question) -> list[str]:
        return list(dict.fromkeys(bigrams(q.subject or q.base or q.search_text)))

    def signals(
        self, q: Question, hits: list[Hit], field_present: bool, answered: bool, field_missing: bool = False
    ) -> Signals:
        top = hits[:2]
        grams = self.content_grams(q)
        known = [g for g in grams if g in self.df]
        contexts = [fold(" ".join([identity(h.meta), *h.chunk.section_path, h.chunk.text])) for h in top]
        weight = sum(self.idf(g) for g in known) or 1.0

        def covered(text: str) -> float:
            return sum(self.idf(g) for g in known if g in text) / weight if known else 0.0

        words = subject_words(q.subject or q.base)
        absent = q.unknown or self.unknown_words(q)  # PolicyQA.ask has named them already
        return Signals(
            dense=max((h.dense for h in top), default=0.0),
            coverage=covered(" ".join(contexts)),
            best_coverage=max((covered(c) for c in contexts), default=0.0),
            known=len(known) / len(grams) if grams else 0.0,
            missing=len(absent) / len(words) if words else 0.0,
            constraints=1.0 if constraints_met(q, hits) else 0.0,
            named=1.0 if (q.years or q.places) else 0.0,
            field=1.0 if field_present else 0.0,
            asks_field=1.0 if q.qtype.is_field and not asks_several(q) else 0.0,
            answered=1.0 if answered and q.qtype.is_field else 0.0,
            latin=1.0 if q.latin else 0.0,
            asked_found=0.0 if field_missing else self.asked_found(q, contexts),
        )

    def unknown_words(self, q: Question) -> tuple[str, ...]:
        """The subject's words that no indexed passage or document name uses (not all their bigrams occur)."""
        return tuple(w for w in subject_words(q.subject or q.base) if not all(g in self.df for g in bigrams(w)))

    def asked_found(self, q: Question, contexts: list[str]) -> float:
        """Right topic, missing attribute: 广东省科协的主席是谁 retrieves 广东省科协's 要点, which never says 主席. A
        question asking where something is (在哪里举办, 放在哪个市, where was it held) asks for a place: a sentence of
        the passages about its topic must name one the question does not."""
        text = " ".join(contexts)
        if WHERE_RE.search(q.base) and not place_said(q, contexts):
            return 0.0
        if q.latin:  # the Chinese terms of the English phrase asked for (total budget → 预算 or 经费)
            groups = english_asked(q.base, self.lexicon)
            return sum(any(fold(t) in text for t in g) for g in groups) / len(groups) if groups else 1.0
        if not q.asked:
            return 1.0
        return sum(said(w, text, self.lexicon) for w in q.asked) / len(q.asked)

    def confidence(self, s: Signals) -> Confidence:
        return self.model.confidence(s)
