"""Run a gold Q&A set through PolicyQA and measure retrieval: one number per question, then aggregates.

A passage is relevant when it contains one of the question's evidence strings, compared after width and whitespace
folding (a table row's evidence, cells between |, when it shows every cell). Answerable questions the system
declares unanswerable count as misses: the user was told "no answer".
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import mean

from tqdm import tqdm

from .normalize import fold
from .schema import DocMeta
from .settings import PROJECT_ROOT, Settings

DEFAULT_GOLD = PROJECT_ROOT / "eval" / "gold.jsonl"
DEFAULT_GOLDS = (DEFAULT_GOLD, PROJECT_ROOT / "eval" / "devdocs" / "gold.jsonl")
KNOWN_CATEGORIES = {
    "lead_unit",
    "responsible_units",
    "number_target",
    "event_or_programme",
    "issuer_or_date",
    "purpose",
    "cross_document",
    "unanswerable",
    "doc_number",
}
SPLITS = ("blind", "dev")  # blind first: written before a change and never looked at while tuning
META_FIELDS = ("title", "issuer", "date", "doc_no")
FOLDER_NOTES = {"readme.md", "sources.md"}  # a gold folder's own documentation, not documents to index
INDEX_SETTINGS = {"chunker", "chunk_size", "chunk_overlap", "embed_context", "lexical_context", "model"}
NAMED_CONFIGS: dict[str, dict] = {
    "default": {},
    # the naive baseline: fixed 500-character windows, raw text embedded, dense search only
    "baseline": {
        "chunker": "fixed",
        "chunk_size": 500,
        "chunk_overlap": 50,
        "embed_context": "none",
        "retriever": "dense",
        "understand_questions": False,
        "merge_neighbours": False,
        "detect_no_answer": False,
        "weight_type": 0.0,
        "weight_place": 0.0,
    },
}


@dataclass
class GoldItem:
    id: str
    question: str
    doc: str | None
    evidence: list[str]
    answer: str | None
    category: str
    split: str = "dev"
    style: str = "plain"

    @property
    def answerable(self) -> bool:
        return bool(self.evidence)


@dataclass
class QuestionResult:
    id: str
    question: str
    category: str
    answerable: bool
    no_answer: bool
    ranks: list[int]  # 1-based ranks of relevant passages among those returned
    evidence_found: float  # share of evidence strings present in the returned passages
    ideal_relevant: int  # relevant chunks that exist in the index (for nDCG)
    top_score: float
    latency_ms: float
    passage_lengths: list[int]
    passages: list[dict] = field(default_factory=list)
    gold_answer: str | None = None
    answer: str | None = None
    evidence: dict[str, float] = field(default_factory=dict)  # the no-answer signals of the answer
    confidence: str = "high"
    split: str = "dev"
    style: str = "plain"

    @property
    def first_rank(self) -> int | None:
        return None if (self.no_answer and self.answerable) or not self.ranks else self.ranks[0]


@dataclass
class ConfigRun:
    name: str
    settings: Settings
    results: list[QuestionResult]
    k: int


def load_gold(path: Path) -> list[GoldItem]:
    items = []
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                items.append(
                    GoldItem(
                        id=str(raw["id"]),
                        question=str(raw["question"]),
                        doc=raw.get("doc"),
                        evidence=[str(e) for e in raw.get("evidence") or []],
                        answer=raw.get("answer"),
                        category=str(raw.get("category") or "uncategorised"),
                        split=str(raw.get("split") or "dev"),
                        style=str(raw.get("style") or "plain"),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not a gold item ({exc})") from exc
    return items


def gold_problems(items: list[GoldItem], doc_texts: dict[str, str], *, strict_categories: bool = True) -> list[str]:
    """Why a gold file is unsound: unknown evidence, duplicate ids, evidence of the wrong length, odd categories."""
    problems, seen = [], set()
    folded = {name: fold(t) for name, t in doc_texts.items()}
    for it in items:
        if it.id in seen:
            problems.append(f"{it.id}: duplicate id")
        seen.add(it.id)
        if strict_categories and it.category not in KNOWN_CATEGORIES:
            problems.append(f"{it.id}: unknown category {it.category!r}")
        pool = [folded[it.doc]] if it.doc in folded else list(folded.values())
        for ev in it.evidence:
            if not 4 <= len(ev) <= 40:
                problems.append(f"{it.id}: evidence {ev!r} is {len(ev)} characters (4–40 allowed)")
            if not any(fold(ev) in t for t in pool):
                problems.append(f"{it.id}: evidence {ev!r} is in no document")
    return problems


def config_settings(spec: str, base: Settings) -> tuple[str, Settings]:
    """A named configuration ('default', 'baseline') or a JSON file of setting overrides (optional 'name')."""
    if spec in NAMED_CONFIGS:
        overrides, name = dict(NAMED_CONFIGS[spec]), spec
    else:
        path = Path(spec)
        if not path.exists():
            raise ValueError(f"unknown configuration {spec!r}: use {', '.join(NAMED_CONFIGS)} or a JSON file")
        overrides = json.loads(path.read_text(encoding="utf-8"))
        name = overrides.pop("name", path.stem)
    settings = base.model_copy(update=overrides)
    if overrides and not (INDEX_SETTINGS & overrides.keys()):
        return name, settings  # only query-time settings changed: the main index serves
    if overrides:
        sig = json.dumps(settings.chunker_signature() | {"model": settings.model}, sort_keys=True)
        tag = hashlib.sha256(sig.encode()).hexdigest()[:10]
        settings = settings.model_copy(update={"index_dir": base.index_dir / "eval" / f"{name}-{tag}"})
    return name, settings


def _relevant(text: str, evidence_folded: list[str]) -> bool:
    t = fold(text)
    return any(_holds(t, e) for e in evidence_folded)


def _holds(text_folded: str, evidence_folded: str) -> bool:
    """Evidence copied from a table row of the source text (区委宣传部 | 区文旅局 …, cells between |) is held by a
    passage that shows every cell: a table row is indexed as 表头：值 lines, not as the source's | line."""
    if evidence_folded in text_folded:
        return True
    cells = [c for c in evidence_folded.split("|") if c]
    return len(cells) > 1 and all(c in text_folded for c in cells)


def run_config(name: str, settings: Settings, items: list[GoldItem], k: int, *, progress: bool = True) -> ConfigRun:
    from .answer import PolicyQA
    from .build import build_index

    build_index(settings, progress=progress)
    qa = PolicyQA(settings)
    folded_chunks = [fold(c.text) for c in qa.index.chunks]
    qa.ask("预热")  # the first call pays one-off costs that are not query latency
    results = []
    for it in tqdm(items, desc=f"eval {name}", unit="q", disable=not progress):
        ev = [fold(e) for e in it.evidence]
        t0 = time.perf_counter()
        answer = qa.ask(it.question, k=k)
        latency = (time.perf_counter() - t0) * 1000
        texts = [h.chunk.text for h in answer.passages]
        joined = fold("\n".join(texts))
        results.append(
            QuestionResult(
                id=it.id,
                question=it.question,
                category=it.category,
                answerable=it.answerable,
                no_answer=answer.no_answer,
                ranks=[i + 1 for i, t in enumerate(texts) if ev and _relevant(t, ev)],
                evidence_found=(sum(_holds(joined, e) for e in ev) / len(ev)) if ev else 0.0,
                ideal_relevant=sum(any(_holds(c, e) for e in ev) for c in folded_chunks) if ev else 0,
                top_score=answer.passages[0].score if answer.passages else 0.0,
                latency_ms=latency,
                passage_lengths=[len(t) for t in texts],
                passages=[
                    {**h.to_dict(), "relevant": bool(ev) and _relevant(h.chunk.text, ev)} for h in answer.passages
                ],
                gold_answer=it.answer,
                answer=answer.answer,
                evidence={**(asdict(answer.signals) if answer.signals else {}), "probability": answer.probability},
                confidence=str(answer.confidence),
                split=it.split,
                style=it.style,
            )
        )
    return ConfigRun(name, settings, results, k)


def _ndcg(r: QuestionResult, k: int) -> float:
    if r.first_rank is None:
        return 0.0
    dcg = sum(1 / math.log2(rank + 1) for rank in r.ranks if rank <= k)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(max(r.ideal_relevant, 1), k) + 1))
    return dcg / ideal


def _p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, math.ceil(0.95 * len(s)) - 1)] if s else 0.0


def retrieval_metrics(results: list[QuestionResult], k: int) -> dict[str, float]:
    answerable = [r for r in results if r.answerable]
    if not answerable:
        return {}

    def hit(n: int) -> float:
        return mean(r.first_rank is not None and r.first_rank <= n for r in answerable)

    return {
        "hit@1": hit(1),
        "hit@3": hit(3),
        f"hit@{k}": hit(k),
        "mrr": mean(1 / r.first_rank if r.first_rank else 0.0 for r in answerable),
        f"ndcg@{k}": mean(_ndcg(r, k) for r in answerable),
        f"recall@{k}": mean(0.0 if r.no_answer else r.evidence_found for r in answerable),
    }


def no_answer_metrics(results: list[QuestionResult]) -> dict[str, float]:
    tp = sum(r.no_answer and not r.answerable for r in results)
    fp = sum(r.no_answer and r.answerable for r in results)
    positives = sum(not r.answerable for r in results)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"no_answer_precision": precision, "no_answer_recall": recall, "no_answer_f1": f1}


def direct_answer_metrics(results: list[QuestionResult]) -> dict[str, float]:
    """Of the questions with a gold short answer: how many got a direct answer, and how many of those were right."""
    asked = [r for r in results if r.gold_answer and r.answerable]
    given = [r for r in asked if r.answer]
    right = [r for r in given if _same_answer(r.gold_answer, r.answer)]
    return {
        "direct_answer_rate": len(given) / len(asked) if asked else 0.0,
        "direct_answer_accuracy": len(right) / len(given) if given else 0.0,
    }


def _direct_outcome(r: QuestionResult) -> str | None:
    """'right' or 'wrong' for a direct answer to a question with a gold short answer, None when none was due or
    given: an outcome, so a blind question's line may keep it."""
    if not (r.gold_answer and r.answerable and r.answer):
        return None
    return "right" if _same_answer(r.gold_answer, r.answer) else "wrong"


def _same_answer(gold: str, given: str) -> bool:
    """The gold answer is in the given one or the reverse; dates compare as dates (2023626 = 2023年6月26日)."""
    from .metadata import date_in

    if (d := date_in(gold)) and d == date_in(given.split("：", 1)[-1]):
        return True
    gold_, given_ = _unlisted(gold), _unlisted(given)  # 中共宿州市委、宿州市人民政府 = 中共宿州市委宿州市人民政府
    value = _unlisted(given.split("：", 1)[-1])
    if (named := set(_listed(gold))) and named < set(_listed(given)):
        return False  # 区科协、区发改局、区科经局 (another row's lead units) is no answer for 区科经局 alone
    return gold_ in given_ or (bool(value) and value in gold_)


def _listed(text: str) -> list[str]:
    """The names of a list of bodies (区科协、区科经局), without a label (牵头单位：) or a date in brackets."""
    value = re.sub(r"（[^（）]*）$", "", text.split("：", 1)[-1])
    return [fold(p) for p in re.split(r"[、，,]", value) if p.strip()]


def _unlisted(text: str) -> str:
    """Folded, without the separators of a list of names (、，, and spaces): how it is written is not what it says."""
    return re.sub(r"[、，,\s]", "", fold(text))


def user_metrics(results: list[QuestionResult]) -> dict[str, float]:
    """What the user sees: answered with the right passage first, told "no answer" although the documents answer,
    or shown passages as only 可能相关 (low confidence)."""
    answerable = [r for r in results if r.answerable]
    if not answerable:
        return {}
    return {
        "right@1": mean(r.confidence != "none" and r.first_rank == 1 for r in answerable),
        "passage@1": mean(bool(r.ranks) and r.ranks[0] == 1 for r in answerable),  # retrieval alone
        "false_no_answer": mean(r.confidence == "none" for r in answerable),
        "low_confidence": mean(r.confidence == "low" for r in answerable),
    }


def summary(results: list[QuestionResult], k: int) -> dict:
    lengths = [n for r in results for n in r.passage_lengths]
    return {
        "questions": len(results),
        "answerable": sum(r.answerable for r in results),
        **user_metrics(results),
        **retrieval_metrics(results, k),
        **no_answer_metrics(results),
        **direct_answer_metrics(results),
        "latency_mean_ms": mean(r.latency_ms for r in results) if results else 0.0,
        "latency_p95_ms": _p95([r.latency_ms for r in results]),
        "mean_passage_chars": mean(lengths) if lengths else 0.0,
    }


def metrics(run: ConfigRun) -> dict:
    """All questions, then each split (blind first) and each category, as flat dicts of figures."""
    rs = run.results
    by_cat: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in rs:
        by_cat[r.category].append(r)
    per_category = {}
    for cat, group in sorted(by_cat.items()):
        m = retrieval_metrics(group, run.k) if any(r.answerable for r in group) else {}
        if not all(r.answerable for r in group):
            unans = [r for r in group if not r.answerable]
            m["no_answer_accuracy"] = mean(r.no_answer for r in unans)
        per_category[cat] = {"n": len(group), **m}
    splits = {sp: summary(g, run.k) for sp in SPLITS if (g := [r for r in rs if r.split == sp])}
    return {"config": run.name, "k": run.k, **summary(rs, run.k), "splits": splits, "per_category": per_category}


def load_metadata_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def _same_field(name: str, gold, got: str) -> bool:
    """Gold issuer is a list of bodies (joint issuers); the system joins them with spaces or 、."""
    if name == "issuer":
        bodies = [fold(b) for b in gold or []]
        parts = [fold(x) for x in re.split(r"[\s、,，;；]+", got) if x.strip()]
        return sorted(bodies) == sorted(parts)
    return fold(gold or "") == fold(got or "")


def metadata_accuracy(docs: dict[str, DocMeta], gold: list[dict]) -> dict[str, dict]:
    """Share of files whose title / issuer / date / 文号 equal the gold, and the misses by file."""
    out: dict[str, dict] = {}
    for name in META_FIELDS:
        key = "doc_number" if name == "doc_no" else name
        misses = []
        for g in gold:
            meta = docs.get(g["file"])
            got = getattr(meta, name) if meta else ""
            if not _same_field(name, g.get(key), got):
                misses.append({"file": g["file"], "gold": g.get(key), "got": got, "split": g.get("split", "dev")})
        out[name] = {"right": len(gold) - len(misses), "of": len(gold), "misses": misses}
    return out


def documents_beside(gold_path: Path) -> list[Path]:
    """Documents kept next to a gold file (eval/devdocs/): indexed with the corpus when that gold set runs."""
    from .formats import SUPPORTED

    folder = Path(gold_path).parent
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in SUPPORTED and not p.name.startswith(".") and p.name.lower() not in FOLDER_NOTES
    )


def eval_settings(settings: Settings, gold_path: Path) -> Settings:
    """Settings whose corpus is the configured corpus plus the documents beside the gold file, in a folder of its
    own under the index, so the served index is never touched by an evaluation."""
    extra = documents_beside(gold_path)
    if not extra:
        return settings
    from .ingest import corpus_files

    files = corpus_files(settings.corpus_dir) + extra
    tag = hashlib.sha256("\n".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files).encode())
    root = settings.index_dir / "eval" / f"{Path(gold_path).parent.name}-{tag.hexdigest()[:10]}"
    corpus = root / "corpus"
    if not corpus.exists():
        tmp = root / "corpus.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for p in files:
            shutil.copy2(p, tmp / p.name)
        tmp.rename(corpus)
    return settings.model_copy(update={"corpus_dir": corpus, "index_dir": root / "index"})


def signal(r: QuestionResult, name: str) -> float:
    return r.top_score if name == "top_score" else r.evidence.get(name, 0.0)


def _decide(r: QuestionResult, name: str, t: float) -> bool:
    """'top_score': no answer below t; 'probability': no answer when the answerability model's probability that the
    passages answer is below t — the decision the assistant makes, so the sweep shows where its threshold sits."""
    return signal(r, name) < t


def threshold_sweep(results: list[QuestionResult], steps: int = 41, name: str = "top_score") -> list[dict[str, float]]:
    """What a no-answer decision on one signal would give, for thresholds across the observed range."""
    if not results:
        return []
    scores = [signal(r, name) for r in results]
    lo, hi = min(scores), max(scores)
    rows = []
    for i in range(steps):
        t = lo + (hi - lo) * i / (steps - 1)
        simulated = [QuestionResult(**{**asdict(r), "no_answer": _decide(r, name, t)}) for r in results]
        m = no_answer_metrics(simulated)
        kept = [r for r in simulated if r.answerable]
        m["answerable_kept"] = mean(not r.no_answer for r in kept) if kept else 0.0
        rows.append({"threshold": t, **m})
    return rows


def dump_lines(run: ConfigRun) -> list[str]:
    """One JSON line per question; a blind question's line keeps only its outcome, not its text or passages."""
    lines = []
    for r in run.results:
        row = {
            "config": run.name,
            "id": r.id,
            "split": r.split,
            "category": r.category,
            "no_answer": r.no_answer,
            "confidence": r.confidence,
            "rank": r.first_rank,
            "latency_ms": round(r.latency_ms, 2),
            "direct": _direct_outcome(r),
        }
        if r.split != "blind":
            row |= {
                "question": r.question,
                "answer": r.answer,
                "gold_answer": r.gold_answer,
                "evidence": r.evidence,
                "passages": [
                    {key: p[key] for key in ("text", "doc", "section_path", "score", "relevant")} for p in r.passages
                ],
            }
        lines.append(json.dumps(row, ensure_ascii=False))
    return lines
