"""`make bench-large`: the corpus plus 1,000 distractor documents (qa/distractors.py), built for real — no
extrapolation — and measured: build time and throughput, index size on disk, serving memory, warm p50/p95 per
question, and the gold figures with the distractors against the corpus alone. Today's configuration (torch
questions; passages in document order, batches of 16) is measured in the same run on a sample, for the ratios.
Writes bench/large.md and bench/large.json. Not part of `make test` (it embeds thousands of chunks).
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .settings import PROJECT_ROOT, Settings

TODAY = {"query_encoder": "torch", "embed_order": "document", "embed_batch_size": 16}


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def timed_build(settings: Settings, *, progress: bool) -> dict:
    """A cold build in a child process (its own peak memory), the progress bar on stderr when asked."""
    overrides = settings.model_dump(
        mode="json", include={"corpus_dir", "index_dir", "embed_order", "embed_batch_size", "threads"}
    )
    code = (
        "import json,time; from qa.build import build_index; from qa.settings import Settings; "
        f"s=Settings(**json.loads({json.dumps(overrides)!r})); t=time.perf_counter(); "
        f"r=build_index(s, progress={progress}); "
        "print(json.dumps({'seconds': time.perf_counter()-t, 'documents': r.documents, 'chunks': r.chunks}))"
    )
    before = _children_peak_mb()
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["chunks_per_s"] = r["chunks"] / r["seconds"]
    r["peak_rss_mb"] = max(_children_peak_mb(), before)
    r["index_mb"] = folder_mb(settings.index_dir)
    return r


def _children_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def serving_rss(settings: Settings) -> float:
    code = (
        "from qa.answer import PolicyQA; from qa.settings import Settings; from qa.bench import rss_mb; "
        f"qa=PolicyQA(Settings(index_dir={str(settings.index_dir)!r}, query_encoder={settings.query_encoder!r})); "
        "[qa.ask(q) for q in ('老年人那块谁牵头？','湖南流动科技馆要巡展几站？')]; print(rss_mb())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def gold_figures(settings: Settings, items, k: int = 5) -> dict:
    from .evaluate import metrics, run_config

    run = run_config("large", settings, items, k, progress=False)
    m = metrics(run)
    answerable = [r for r in run.results if r.answerable]
    m["false_no_answer"] = sum(r.no_answer for r in answerable) / len(answerable) if answerable else 0.0
    return {key: m[key] for key in ("hit@1", f"hit@{k}", "mrr", "no_answer_f1", "false_no_answer") if key in m}


def run(
    out: Path, n_docs: int = 1000, sample_docs: int = 30, work: Path | None = None, size: dict | None = None
) -> dict:
    """``work``: keep the generated corpus and built indexes there; a second run re-uses a fresh build and its
    recorded figures (the build is most of the time) and measures everything else again. ``size``: the
    distractors' sections_per_doc and max_section_chars (write_distractors' defaults: office-size documents)."""
    if work is None:
        with tempfile.TemporaryDirectory() as tmp:
            return run(out, n_docs, sample_docs, Path(tmp), size)
    return _run(out, n_docs, sample_docs, work, size or {})


def _run(out: Path, n_docs: int, sample_docs: int, root: Path, size: dict) -> dict:
    from .bench import query_run
    from .build import stale_reason
    from .distractors import write_distractors
    from .evaluate import DEFAULT_GOLD, load_gold
    from .ingest import corpus_files

    threads = Settings().cpu_threads()
    base = Settings(threads=threads)
    items = load_gold(DEFAULT_GOLD)
    questions = [it.question for it in items]
    result: dict = {"threads": threads, "cpu_count": os.cpu_count(), "load_before": os.getloadavg()}
    corpus = root / "corpus"
    large = base.model_copy(update={"corpus_dir": corpus, "index_dir": root / "index"})
    recorded = root / "build.json"
    if recorded.exists() and stale_reason(large) is None:
        result.update(json.loads(recorded.read_text(encoding="utf-8")))
        print(f"re-using the build in {root}: {result['build']}", flush=True)
    else:
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(base.corpus_dir, corpus)
        t = time.perf_counter()
        stats = write_distractors(corpus, n_docs, **size)
        defaults = inspect.signature(write_distractors).parameters
        shape = {k: size.get(k, defaults[k].default) for k in ("sections_per_doc", "max_section_chars")}
        result["distractors"] = {**stats.__dict__, **shape, "seconds": time.perf_counter() - t}
        if stats.violations:
            raise RuntimeError(f"distractors hold gold evidence: {stats.violations[:5]}")
        print(f"{stats.documents} distractors written; building {len(corpus_files(corpus))} documents …")
        result["build"] = timed_build(large, progress=True)
        recorded.write_text(json.dumps({k: result[k] for k in ("distractors", "build")}), encoding="utf-8")
        print(f"built: {result['build']}", flush=True)

    # today's configuration against the new one on the same sample of documents, for the build ratio
    sample = root / "sample"
    for old in (sample, root / "sample-today", root / "sample-new", root / "alone"):
        shutil.rmtree(old, ignore_errors=True)
    sample.mkdir()
    for p in sorted(corpus.glob("distractor-*.txt"))[:sample_docs]:
        shutil.copy(p, sample / p.name)
    result["sample_build"] = {
        label: timed_build(
            base.model_copy(update={"corpus_dir": sample, "index_dir": root / f"sample-{label}", **cfg}),
            progress=False,
        )
        for label, cfg in (("today", TODAY), ("new", {}))
    }

    result["serving_rss_mb"] = {
        label: serving_rss(large.model_copy(update=cfg))
        for label, cfg in (("today", {"query_encoder": "torch"}), ("new", {}))
    }
    result["queries"] = {
        label: query_run(large.model_copy(update=cfg), label, questions, rounds=1)
        for label, cfg in (("today", {"query_encoder": "torch"}), ("new", {}))
    }
    result["gold"] = {
        "with_distractors": gold_figures(large, items),
        "corpus_alone": gold_figures(base.model_copy(update={"index_dir": root / "alone"}), items),
    }
    result["load_after"] = os.getloadavg()
    out.mkdir(parents=True, exist_ok=True)
    (out / "large.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "large.md").write_text(report(result), encoding="utf-8")
    return result


def report(r: dict) -> str:
    b, s, q, g, d = r["build"], r["sample_build"], r["queries"], r["gold"], r["distractors"]
    rss = r["serving_rss_mb"]
    serving = ["| | today (torch questions) | new (ONNX questions) | ratio |", "|---|---|---|---|"]
    serving.append(f"| resident memory MB | {rss['today']:.0f} | {rss['new']:.0f} | ×{rss['new'] / rss['today']:.2f} |")
    for key in ("p50_ms", "p95_ms", "mean_ms"):
        serving.append(
            f"| warm question {key.removesuffix('_ms')} ms | {q['today'][key]:.1f} | {q['new'][key]:.1f} | "
            f"×{q['new'][key] / q['today'][key]:.2f} |"
        )
    gold = ["| | corpus alone | with the distractors |", "|---|---|---|"]
    gold += [f"| {k} | {g['corpus_alone'][k]:.3f} | {g['with_distractors'][k]:.3f} |" for k in g["corpus_alone"]]
    blocks = [
        "# 1,000-document benchmark (`make bench-large`)",
        f"Threads fixed at {r['threads']} (torch and ONNX Runtime) on {r['cpu_count']} cores. Load average "
        f"{r['load_before'][0]:.1f} before the run and {r['load_after'][0]:.1f} after: other work shared the machine, "
        "so absolute times are slower than on an idle machine; the ratios compare configurations in the same run.",
        f"Corpus: the real documents plus {d['documents']} distractors recombined from {d['sources']} source documents "
        f"(corpus and eval/devdocs; {d['sections_used']} sections under other places, years, units and numbers, "
        f"{d['sections_per_doc'][0]}–{d['sections_per_doc'][1]} a document of at most {d['max_section_chars']} "
        "characters each). "
        f"Checked against {d['evidence_strings']} gold evidence strings: {d['lines_dropped']} lines still holding one "
        f"were dropped; {len(d['violations'])} finished documents hold one.",
        "## Build (cold, for real)",
        f"{b['documents']} documents, {b['chunks']} chunks in {b['seconds']:.0f} s ({b['chunks_per_s']:.1f} chunks/s); "
        f"index {b['index_mb']:.1f} MB on disk; peak build memory {b['peak_rss_mb']:.0f} MB.",
        f"Same run, {s['new']['documents']} of the distractors built with both configurations: today's "
        f"{s['today']['chunks_per_s']:.2f} chunks/s, new {s['new']['chunks_per_s']:.2f} chunks/s "
        f"(×{s['new']['chunks_per_s'] / s['today']['chunks_per_s']:.2f}).",
        "## Serving the large index (every gold question once, query cache cleared)",
        "\n".join(serving),
        "## Gold figures: with the distractors against the corpus alone (k = 5)",
        "\n".join(gold),
        "`false_no_answer`: share of answerable gold questions answered “no answer”.",
    ]
    return "\n\n".join(blocks) + "\n"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=PROJECT_ROOT / "bench")
    parser.add_argument("--docs", type=int, default=1000, help="distractor documents")
    parser.add_argument("--sample", type=int, default=30, help="documents built with both configurations")
    parser.add_argument("--render", action="store_true", help="only rewrite large.md from large.json")
    parser.add_argument("--work", type=Path, default=None, help="keep corpus and indexes here (re-used when fresh)")
    parser.add_argument("--sections", default=None, help="sections per distractor, MIN-MAX [default: 8-16]")
    parser.add_argument("--section-chars", type=int, default=None, help="longest section kept [default: 3000]")
    args = parser.parse_args()
    size = {}
    if args.sections:
        size["sections_per_doc"] = tuple(int(x) for x in args.sections.split("-"))
    if args.section_chars:
        size["max_section_chars"] = args.section_chars
    if args.render:
        data = json.loads((args.out / "large.json").read_text(encoding="utf-8"))
        (args.out / "large.md").write_text(report(data), encoding="utf-8")
    else:
        run(args.out, args.docs, args.sample, args.work, size)
