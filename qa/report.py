"""Evaluation output: a terminal table, report.md, metrics.json, failures, a threshold sweep and two plots."""

from __future__ import annotations

import json
from pathlib import Path

from .evaluate import ConfigRun, metrics, signal, threshold_sweep

HEADLINE = [
    "questions",
    "answerable",
    "right@1",
    "passage@1",
    "false_no_answer",
    "low_confidence",
    "hit@1",
    "hit@3",
    "hit@{k}",
    "mrr",
    "ndcg@{k}",
    "recall@{k}",
    "no_answer_precision",
    "no_answer_recall",
    "no_answer_f1",
    "direct_answer_rate",
    "direct_answer_accuracy",
    "latency_mean_ms",
    "latency_p95_ms",
    "mean_passage_chars",
]


def _columns(all_metrics: list[dict]) -> list[tuple[str, dict]]:
    """One column per configuration and split, blind first; the whole set last."""
    cols = []
    for m in all_metrics:
        cols += [(f"{m['config']} {sp}", m["splits"][sp]) for sp in ("blind", "dev") if sp in m.get("splits", {})]
        cols.append((f"{m['config']} all", m))
    return cols


def _cell(key: str, v) -> str:
    if v is None:
        return "-"
    if key in ("questions", "answerable"):
        return str(int(v))
    return f"{v:.1f}" if key.endswith(("_ms", "_chars")) else f"{v:.3f}"


def _rows(all_metrics: list[dict]) -> list[tuple[str, list[str]]]:
    k = all_metrics[0]["k"]
    cols = _columns(all_metrics)
    return [(key, [_cell(key, m.get(key)) for _, m in cols]) for key in (h.format(k=k) for h in HEADLINE)]


def terminal_table(all_metrics: list[dict]) -> str:
    names = [name for name, _ in _columns(all_metrics)]
    width = max(12, *(len(n) + 2 for n in names))
    lines = ["metric".ljust(22) + "".join(n.rjust(width) for n in names)]
    lines += [key.ljust(22) + "".join(c.rjust(width) for c in cells) for key, cells in _rows(all_metrics)]
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def category_table(all_metrics: list[dict]) -> str:
    k = all_metrics[0]["k"]
    cats = sorted({c for m in all_metrics for c in m["per_category"]})
    header = (
        ["category", "n"]
        + [f"{m['config']} hit@1" for m in all_metrics]
        + [f"{m['config']} hit@{k}" for m in all_metrics]
    )
    rows = []
    for c in cats:
        first = next(m["per_category"][c] for m in all_metrics if c in m["per_category"])
        cells = [c, str(first["n"])]
        for key in ("hit@1", f"hit@{k}"):
            for m in all_metrics:
                pc = m["per_category"].get(c, {})
                v = pc.get(key, pc.get("no_answer_accuracy"))
                cells.append("-" if v is None else f"{v:.2f}")
        rows.append(cells)
    return _md_table(header, rows)


def failures_section(runs: list[ConfigRun], limit_passages: int = 3) -> str:
    """Questions the first configuration gets wrong, what it returned instead, and the right rank in every config."""
    first = runs[0]
    by_id = {run.name: {r.id: r for r in run.results} for run in runs}
    lines = []
    for r in first.results:
        if r.split == "blind":
            continue  # blind questions are counted, never shown: nobody tunes on them
        wrong = (r.answerable and r.first_rank != 1) or (not r.answerable and not r.no_answer)
        if not wrong:
            continue
        ranks = ", ".join(f"{run.name}: {by_id[run.name][r.id].first_rank or '—'}" for run in runs)
        kind = "unanswerable, but passages were given" if not r.answerable else f"rank of right passage ({ranks})"
        lines.append(f"- **{r.id}** [{r.category}] {r.question} — {kind}")
        for p in r.passages[:limit_passages]:
            text = p["text"].replace("\n", " ")[:70]
            lines.append(f"  - {p['score']:.3f} {p['doc']['file'][:12]} › {' › '.join(p['section_path'][-1:])}: {text}")
    return "\n".join(lines) if lines else "None."


def sweep_table(run: ConfigRun, name: str = "top_score", split: str | None = None) -> str:
    rows = [
        [
            f"{r['threshold']:.3f}",
            f"{r['no_answer_precision']:.2f}",
            f"{r['no_answer_recall']:.2f}",
            f"{r['no_answer_f1']:.2f}",
            f"{r['answerable_kept']:.2f}",
        ]
        for r in threshold_sweep([r for r in run.results if split in (None, r.split)], steps=21, name=name)
    ]
    head = "top-1 score < t" if name == "top_score" else "answerability probability < t"
    if not rows:
        return "No questions."
    return _md_table([head, "precision", "recall", "F1", "answerable kept"], rows)


def _font():
    """A CJK font if the machine has one, so free-text category names do not render as boxes."""
    from matplotlib import font_manager

    for name in ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "SimHei", "Source Han Sans SC"):
        if any(f.name == name for f in font_manager.fontManager.ttflist):
            return name
    return None


def plots(runs: list[ConfigRun], all_metrics: list[dict], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if font := _font():
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    k = all_metrics[0]["k"]
    cats = sorted({c for m in all_metrics for c in m["per_category"]})
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(all_metrics)
    for i, m in enumerate(all_metrics):
        vals = [
            m["per_category"].get(c, {}).get("hit@1", m["per_category"].get(c, {}).get("no_answer_accuracy", 0))
            for c in cats
        ]
        ax.bar([x + i * width for x in range(len(cats))], vals, width, label=m["config"])
    ax.set_xticks([x + width * (len(all_metrics) - 1) / 2 for x in range(len(cats))], cats, rotation=25, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("hit@1 (unanswerable: no-answer accuracy)")
    ax.set_title(f"Per-category hit@1 (k={k})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "categories.png", dpi=110)
    plt.close(fig)

    signals = [("top_score", "score of the best passage"), ("probability", "answerability probability")]
    fig, axes = plt.subplots(len(signals), len(runs), figsize=(5 * len(runs), 3.6 * len(signals)), squeeze=False)
    for row, (name, label) in enumerate(signals):
        for ax, run in zip(axes[row], runs):
            ans = [signal(r, name) for r in run.results if r.answerable]
            una = [signal(r, name) for r in run.results if not r.answerable]
            ax.hist([ans, una], bins=20, label=[f"answerable ({len(ans)})", f"unanswerable ({len(una)})"], density=True)
            ax.set_title(f"{run.name}: {name}")
            ax.set_xlabel(label)
            ax.legend()
    fig.tight_layout()
    fig.savefig(out / "scores.png", dpi=110)
    plt.close(fig)
    return ["categories.png", "scores.png"]


def write_report(runs: list[ConfigRun], out: Path, gold_path: Path) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    all_metrics = [metrics(r) for r in runs]
    (out / "metrics.json").write_text(json.dumps(all_metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    images = plots(runs, all_metrics, out)
    table = _md_table(["metric", *[n for n, _ in _columns(all_metrics)]], [[k, *c] for k, c in _rows(all_metrics)])
    md = [
        "# Retrieval evaluation",
        f"Gold set: `{gold_path}` — {all_metrics[0]['questions']} questions, "
        f"{all_metrics[0]['answerable']} answerable.",
        "A passage is correct when it contains an evidence string (width- and whitespace-folded). "
        "Answerable questions answered 'no answer' count as misses.",
        "## Summary",
        table,
        "## Per category",
        category_table(all_metrics),
        f"![categories]({images[0]})",
        "## No-answer signals: answerable vs unanswerable",
        f"![scores]({images[1]})",
        f"## No-answer threshold sweep ({runs[0].name})",
        "The assistant decides from the answerability model's probability (qa/data/answerability.json; below "
        "`low` → not found, below `high` → 可能相关). Its sweep on blind questions, then on dev questions; the "
        "last table shows that the best passage's score alone separates the two groups poorly.",
        "### probability, blind questions",
        sweep_table(runs[0], "probability", "blind"),
        "### probability, dev questions",
        sweep_table(runs[0], "probability", "dev"),
        "### top-1 score, all questions",
        sweep_table(runs[0]),
        f"## Failures of `{runs[0].name}` on dev questions (not first, or passages for an unanswerable question)",
        "Blind questions are counted above and never listed.",
        failures_section(runs),
    ]
    (out / "report.md").write_text("\n\n".join(md) + "\n", encoding="utf-8")
    return all_metrics


def metadata_table(acc: dict[str, dict]) -> str:
    rows = [[name, f"{a['right']}/{a['of']}"] for name, a in acc.items()]
    return _md_table(["field", "right"], rows)


def metadata_misses(acc: dict[str, dict]) -> str:
    lines = [
        f"- {name}: {m['file']} — gold {m['gold']!r}, got {m['got']!r}" for name, a in acc.items() for m in a["misses"]
    ]
    return "\n".join(lines) or "None."


def evaluate_gold_set(runs: list[ConfigRun], gold_path: Path, out: Path | None) -> str:
    """The terminal text for one gold set (and report.md under ``out``): figures by split, metadata per field."""
    from .evaluate import load_metadata_gold, metadata_accuracy

    all_metrics = write_report(runs, out, gold_path) if out else [metrics(r) for r in runs]
    text = terminal_table(all_metrics)
    meta_gold = Path(gold_path).parent / "metadata.jsonl"
    if meta_gold.exists():
        from .index import load_index
        from .store import Stores

        index = load_index(runs[0].settings.index_dir, Stores(runs[0].settings))
        acc = metadata_accuracy(index.docs, load_metadata_gold(meta_gold))
        fields = ", ".join(f"{n} {a['right']}/{a['of']}" for n, a in acc.items())
        text += f"\n\nmetadata ({meta_gold.name}): {fields}"
        if out:
            (out / "metadata.md").write_text(
                "# Metadata\n\n" + metadata_table(acc) + "\n\n## Misses\n\n" + metadata_misses(acc) + "\n",
                encoding="utf-8",
            )
    return text
