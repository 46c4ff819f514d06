"""`make bench`: where the time and memory go — build, warm queries by stage, serving memory, and a synthetic corpus
a hundred times larger — reported as figures and as ratios to the naive baseline measured in the same run.

Embedding 100k chunks would take hours on 2 cores, so the large corpora are built from real sentences: each sentence
is embedded and tokenised once, and a synthetic chunk is 3–5 of them — its vector the normalised mean of theirs, its
words the union of theirs. Index building, search latency, memory and recall are then measured for real; embedding
time at that size is extrapolated from the measured throughput and labelled so.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

import numpy as np

from .settings import PROJECT_ROOT, Settings

# what issue 18 changed, set back: torch for questions, passages in document order in batches of 16
TODAY = {"query_encoder": "torch", "embed_order": "document", "embed_batch_size": 16}
SPEED_FIELDS = ("query_encoder", "embed_order", "embed_batch_size", "threads")

QUERY_COLUMNS = ["config", "queries", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "first_p50_ms", "cpu_p50_ms"]
QUERY_COLUMNS += ["cpu_mean_ms", "cached_p50_ms"]
STAGES = ["embed_ms", "dense_search_ms", "lexical_ms", "fusion_ms", "rerank_ms", "answer_ms"]


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) if values else 0.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_run(settings: Settings, label: str) -> dict:
    """A cold build in a child process (no vectors to re-use), so its peak memory is its own."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "POLICYQA_INDEX_DIR": tmp, "POLICYQA_CORPUS_DIR": str(settings.corpus_dir)}
        index_fields = set(settings.chunker_signature()) - {"version"} | set(SPEED_FIELDS)
        overrides = json.dumps(settings.model_dump(mode="json", include=index_fields))
        code = (
            "import json,sys,time; from qa import Settings, build_index; "
            f"s=Settings(**json.loads({overrides!r})); t=time.perf_counter(); r=build_index(s, progress=False); "
            "print(json.dumps({'seconds': time.perf_counter()-t, 'documents': r.documents, 'chunks': r.chunks}))"
        )
        t0 = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
        r = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "config": label,
        "documents": r["documents"],
        "chunks": r["chunks"],
        "build_s": r["seconds"],
        "process_s": wall,
        "docs_per_s": r["documents"] / r["seconds"],
        "chunks_per_s": r["chunks"] / r["seconds"],
        "peak_rss_mb": peak,
    }


def incremental_run(settings: Settings) -> dict:
    """Changes to a built index, in this process (model loaded): add one new document, check an unchanged corpus,
    remove the document. The new document is a corpus file with its digits shifted and each paragraph's sentences
    rotated, so its chunks are new text; a one-line chunk without digits keeps its vector by text hash, as in real
    use (both counts are reported)."""
    from .build import build_index
    from .documents import add_files, remove_documents
    from .ingest import corpus_files

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(settings.corpus_dir, root / "corpus")
        shutil.copytree(settings.index_dir, root / "index")
        s = settings.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index"})
        src = corpus_files(s.corpus_dir)[0]
        new = root / f"bench-new{src.suffix}"
        lines = src.read_text(encoding="utf-8").translate(str.maketrans("0123456789", "1234567890")).split("\n")
        new.write_text("\n".join(_rotated(line) for line in lines), encoding="utf-8")
        before = build_index(s, progress=False).chunks
        t = time.perf_counter()
        _, added = add_files(s, [new], progress=False)
        add_s = time.perf_counter() - t
        t = time.perf_counter()
        build_index(s, progress=False)
        check_s = time.perf_counter() - t
        t = time.perf_counter()
        _, removed = remove_documents(s, [new.name], progress=False)
        remove_s = time.perf_counter() - t
    return {
        "add_s": add_s,
        "add_embedded": added.embedded,
        "add_doc_chunks": added.chunks - before,
        "up_to_date_check_s": check_s,
        "remove_s": remove_s,
        "remove_embedded": removed.embedded,
    }


def _rotated(line: str) -> str:
    parts = [p for p in re.split(r"(?<=。)", line) if p]
    return "".join(parts[1:] + parts[:1]) if len(parts) > 2 else line


def embedding_throughput(settings: Settings, texts: list[str]) -> dict:
    """Passages per second as a build embeds them (its order and batch size), the model already loaded."""
    from .build import embedding_order
    from .embed import Embedder

    emb = Embedder(settings)
    emb.passages(texts[:8])
    order, batch = embedding_order(texts, settings.embed_order), settings.embed_batch_size
    t = time.perf_counter()
    for start in range(0, len(order), batch):
        emb.passages([texts[j] for j in order[start : start + batch]])
    s = time.perf_counter() - t
    return {"texts": len(texts), "seconds": s, "texts_per_s": len(texts) / s, "chars_per_s": sum(map(len, texts)) / s}


def query_run(settings: Settings, label: str, questions: list[str], rounds: int = 2) -> dict:
    """Warm latency over the gold questions, by stage (the query-vector cache is cleared so every embed is real)."""
    from .answer import PolicyQA

    qa = PolicyQA(settings)
    qa.ask("预热")
    totals, stages, cpu = [], {s: [] for s in STAGES}, []
    for _ in range(rounds):
        qa.embedder._cached_query.cache_clear()
        for q in questions:
            c = time.process_time()  # CPU of the whole process (every thread): what load inflates least
            a = qa.ask(q)
            cpu.append((time.process_time() - c) * 1000)
            totals.append(a.timings["total_ms"])
            for s in STAGES:
                stages[s].append(a.timings.get(s, 0.0))
    cached = []
    for q in questions[:50]:  # the same questions again: now from the query cache
        t = time.perf_counter()
        qa.ask(q)
        cached.append((time.perf_counter() - t) * 1000)
    return {
        "config": label,
        "queries": len(totals),
        "p50_ms": pct(totals, 50),
        "p95_ms": pct(totals, 95),
        "p99_ms": pct(totals, 99),
        "mean_ms": mean(totals),
        "first_p50_ms": pct(totals[: len(questions)], 50),  # the first round: no question asked before
        "cpu_p50_ms": pct(cpu, 50),
        "cpu_mean_ms": mean(cpu),
        "cached_p50_ms": pct(cached, 50),
        "stages_mean_ms": {s: mean(v) for s, v in stages.items()},
    }


def serving_rss(settings: Settings) -> float:
    """Resident memory of a process that has loaded the assistant and answered a few questions."""
    code = (
        "from qa import PolicyQA, Settings; from qa.bench import rss_mb; "
        f"qa=PolicyQA(Settings(index_dir={str(settings.index_dir)!r}, query_encoder={settings.query_encoder!r}, "
        f"threads={settings.threads})); "
        "[qa.ask(q) for q in ('老年人那块谁牵头？','湖南流动科技馆要巡展几站？')]; print(rss_mb())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


# --- the synthetic large corpus ----------------------------------------------------------------------------------


def sentence_pool(settings: Settings, limit: int = 600) -> tuple:
    from .embed import Embedder
    from .ingest import read_corpus
    from .lexical import Tokenizer, bigrams

    docs, _ = read_corpus(settings.corpus_dir)
    sentences = [s.strip() for d in docs for s in re.split(r"(?<=[。；！？])|\n", d.text) if len(s.strip()) >= 12]
    rng = np.random.default_rng(0)
    pool = [sentences[i] for i in rng.permutation(len(sentences))[:limit]]
    vecs = Embedder(settings).passages(pool)
    tok = Tokenizer()
    return pool, vecs, [tok.words(s) for s in pool], [bigrams(s) for s in pool]


def synthetic(n: int, vecs: np.ndarray, words: list[list[str]], grams: list[list[str]], seed: int):
    rng = np.random.default_rng(seed)
    picks = [rng.choice(len(vecs), size=rng.integers(3, 6), replace=False) for _ in range(n)]
    mat = np.stack([vecs[p].mean(axis=0) for p in picks]).astype(np.float32)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    return mat, [[w for i in p for w in words[i]] for p in picks], [[g for i in p for g in grams[i]] for p in picks]


def scale_run(n: int, pool, questions: list[str], settings: Settings) -> list[dict]:
    import faiss

    from .embed import Embedder
    from .lexical import Tokenizer, _bm25, bigrams
    from .store import HNSW_EF_SEARCH, vector_index

    _, vecs, words, grams = pool
    mat, w_tokens, g_tokens = synthetic(n, vecs, words, grams, seed=n)
    emb = Embedder(settings)
    qvecs = np.concatenate([emb.query(q) for q in questions])
    tok = Tokenizer()
    q_words = [tok.words(q, query=True) for q in questions]
    q_grams = [bigrams(q) for q in questions]

    t = time.perf_counter()
    words_bm25, grams_bm25 = _bm25(w_tokens), _bm25(g_tokens)
    lexical_build = time.perf_counter() - t
    rows, exact_ids = [], None
    for kind, threshold in (("flat", n + 1), ("hnsw", 0)):
        t = time.perf_counter()
        index = vector_index(mat, mat.shape[1], threshold)
        build = time.perf_counter() - t
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = HNSW_EF_SEARCH
        size = len(faiss.serialize_index(index)) / 2**20
        lat, ids_all = [], []
        for qi, q in enumerate(qvecs):
            t = time.perf_counter()
            _, ids = index.search(q.reshape(1, -1), 50)
            for bm25, toks in ((words_bm25, q_words[qi]), (grams_bm25, q_grams[qi])):
                known = [x for x in toks if x in bm25.vocab_dict]
                if known:
                    bm25.get_scores(known)
            lat.append((time.perf_counter() - t) * 1000)
            ids_all.append(ids[0][:10])
        if exact_ids is None:
            exact_ids = ids_all
        recall = mean(len(set(a) & set(b)) / 10 for a, b in zip(exact_ids, ids_all))
        rows.append(
            {
                "chunks": n,
                "index": kind,
                "vector_build_s": build,
                "lexical_build_s": lexical_build,
                "index_mb": size,
                "search_p50_ms": pct(lat, 50),
                "search_p95_ms": pct(lat, 95),
                "recall@10": recall,
                "process_rss_mb": rss_mb(),
            }
        )
        del index
    return rows


# --- report -------------------------------------------------------------------------------------------------------


def plots(out: Path, queries: list[dict], scale: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    left = np.zeros(len(queries))
    for s in STAGES:
        vals = np.array([q["stages_mean_ms"][s] for q in queries])
        ax.barh([q["config"] for q in queries], vals, left=left, label=s.removesuffix("_ms"))
        left += vals
    ax.set_xlabel("mean ms per question (warm)")
    ax.set_title("Where the query time goes")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "latency_by_stage.png", dpi=110)
    plt.close(fig)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    for kind in ("flat", "hnsw"):
        rows = [r for r in scale if r["index"] == kind]
        a1.plot([r["chunks"] for r in rows], [r["search_p95_ms"] for r in rows], marker="o", label=kind)
        a2.plot([r["chunks"] for r in rows], [r["index_mb"] for r in rows], marker="o", label=kind)
        a2.plot([r["chunks"] for r in rows], [r["process_rss_mb"] for r in rows], ls="--", label=f"{kind} RSS")
    for a, label in ((a1, "search p95 ms (dense + BM25)"), (a2, "vector index MB (process RSS dashed)")):
        a.set_xscale("log")
        a.set_xlabel("chunks")
        a.set_ylabel(label)
        a.legend()
    a1.axhline(150, color="grey", ls="--", lw=0.8)
    fig.suptitle("Growth with corpus size")
    fig.tight_layout()
    fig.savefig(out / "scaling.png", dpi=110)
    plt.close(fig)


def _table(rows: list[dict], cols: list[str]) -> str:
    def fmt(v):
        return f"{v:.3f}" if isinstance(v, float) and v < 1 else f"{v:.1f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def run(out: Path, sizes: tuple[int, ...] = (10_000, 100_000)) -> dict:
    from .embed import query_threads
    from .evaluate import DEFAULT_GOLD, NAMED_CONFIGS, config_settings, load_gold

    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    base = Settings(threads=Settings().cpu_threads())  # fixed and printed: figures compare like with like
    questions = [it.question for it in load_gold(DEFAULT_GOLD)]
    today = base.model_copy(update=TODAY)
    configs = [("default", base), ("today (before #18)", today), config_settings("baseline", base)]
    print("build …", flush=True)
    builds = [build_run(s, name) for name, s in configs]
    from .build import build_index

    for _, s in configs:
        build_index(s, progress=False)
    from .index import load_index

    texts = [c.text for c in load_index(base.index_dir).chunks]
    throughput = embedding_throughput(base, texts)
    throughput_today = embedding_throughput(today, texts)
    print("incremental …", flush=True)
    incremental = incremental_run(base)
    print("queries …", flush=True)
    queries = [query_run(s, name, questions) for name, s in configs]
    if base.query_encoder != "onnx":  # the fp32 export beside the default's encoder, same run: what int8 gives
        fp32 = base.model_copy(update={"query_encoder": "onnx"})
        queries.append(query_run(fp32, "default, fp32 ONNX questions", questions))
    rss = serving_rss(base)
    rss_today = serving_rss(today)
    print("scale …", flush=True)
    pool = sentence_pool(base)
    scale = [row for n in sizes for row in scale_run(n, pool, questions[:100], base)]
    for row in scale:
        row["embed_extrapolated_s"] = row["chunks"] / throughput["texts_per_s"]
    plots(out, queries, scale)
    from . import ocr_bench

    ocr = ocr_bench.run(out)
    d, old, b = queries[:3]
    result = {
        "builds": builds,
        "threads": base.threads,
        "query_threads": query_threads(base),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "embedding": throughput,
        "embedding_today": throughput_today,
        "serving_rss_mb_today": rss_today,
        "queries": queries,
        "serving_rss_mb": rss,
        "incremental": incremental,
        "scale": scale,
        "named_configs": list(NAMED_CONFIGS),
        "ocr": ocr,
    }
    (out / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    md = [
        "# Benchmark",
        f"Machine: {os.cpu_count()} CPU cores; torch and ONNX Runtime threads fixed at {base.threads}, the question "
        f"encoder's at {query_threads(base)}; load average {load_before:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end (other work shares the machine). Run by `make bench`.",
        "## Against today's configuration (before issue 18), same run",
        _table(
            [
                {
                    "figure": name,
                    "today": a,
                    "now": c,
                    "ratio": f"×{c / a:.2f}",
                }
                for name, a, c in (
                    ("build chunks/s (cold, five documents)", builds[1]["chunks_per_s"], builds[0]["chunks_per_s"]),
                    ("embedding chunks/s", throughput_today["texts_per_s"], throughput["texts_per_s"]),
                    ("warm question p50 ms", old["p50_ms"], d["p50_ms"]),
                    ("warm question p95 ms", old["p95_ms"], d["p95_ms"]),
                    ("query embedding ms (mean)", old["stages_mean_ms"]["embed_ms"], d["stages_mean_ms"]["embed_ms"]),
                    ("serving memory MB", rss_today, rss),
                )
            ],
            ["figure", "today", "now", "ratio"],
        ),
        "## Build (five documents, cold, in a child process; model conversion excluded)",
        _table(
            builds,
            ["config", "documents", "chunks", "build_s", "process_s", "docs_per_s", "chunks_per_s", "peak_rss_mb"],
        ),
        f"Embedding throughput: {throughput['texts_per_s']:.1f} chunks/s ({throughput['chars_per_s']:.0f} chars/s).",
        "## Incremental changes (in process, model loaded)",
        f"Add one new document of {incremental['add_doc_chunks']} chunks ({incremental['add_embedded']} embedded, the "
        "rest had identical text in the index already): "
        f"{incremental['add_s']:.2f} s (×{incremental['add_s'] / builds[0]['build_s']:.2f} of a cold full build); "
        f"unchanged corpus check: {incremental['up_to_date_check_s'] * 1000:.0f} ms; remove it "
        f"({incremental['remove_embedded']} embedded): {incremental['remove_s']:.2f} s "
        f"(×{incremental['remove_s'] / builds[0]['build_s']:.2f}).",
        "## Queries (warm, every gold question twice, query cache cleared)",
        _table(queries, QUERY_COLUMNS),
        "first_p50: the first round only (no question seen before); cpu: process CPU time per question, all threads.",
        "Mean ms by stage:",
        _table([{"config": q["config"], **q["stages_mean_ms"]} for q in queries], ["config", *STAGES]),
        f"Ratios default / baseline: p50 ×{d['p50_ms'] / b['p50_ms']:.2f}, p95 ×{d['p95_ms'] / b['p95_ms']:.2f}; "
        f"build time ×{builds[0]['build_s'] / builds[2]['build_s']:.2f}.",
        f"Serving process resident memory: {rss:.0f} MB.",
        "![stages](latency_by_stage.png)",
        "## Synthetic larger corpora (vectors from real sentence embeddings; see qa/bench.py)",
        _table(
            scale,
            [
                "chunks",
                "index",
                "vector_build_s",
                "lexical_build_s",
                "index_mb",
                "search_p50_ms",
                "search_p95_ms",
                "recall@10",
                "process_rss_mb",
                "embed_extrapolated_s",
            ],
        ),
        "" if scale else "Not run this time (`python -m qa.bench --no-scale`); the figures above stand alone.",
        "Search = dense top-50 + both BM25 scorings over all chunks; a whole `ask` adds the query embedding and "
        f"answer stages measured above (≈{d['stages_mean_ms']['embed_ms'] + d['stages_mean_ms']['answer_ms']:.0f} ms)."
        " Embedding time at these sizes is extrapolated from the measured throughput, not run.",
        "![scaling](scaling.png)",
        *ocr_bench.section(ocr),
    ]
    (out / "results.md").write_text("\n\n".join(md) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    run(Path(args[0]) if args else PROJECT_ROOT / "bench", () if "--no-scale" in sys.argv else (10_000, 100_000))
