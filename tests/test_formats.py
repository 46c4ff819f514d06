"""Format readers on documents made from the corpus text: the same text, metadata and table groups as the .txt
originals, and every unreadable file refused by name with a Chinese reason."""

from pathlib import Path

import pytest

from qa.chunk import chunk_document
from qa.ingest import IngestError, read_corpus, read_document
from qa.normalize import fold

from .conftest import CORPUS
from .make_formats import write_docx, write_gbk, write_html, write_pdf

WRITERS = {"docx": write_docx, "pdf": write_pdf, "html": write_html}


def original(prefix: str) -> Path:
    return next(p for p in CORPUS.iterdir() if p.name.startswith(prefix))


def convert(prefix: str, fmt: str, tmp_path: Path) -> tuple:
    src = original(prefix)
    orig = read_document(src)
    out = tmp_path / f"{src.stem}.{fmt}"
    if fmt == "html":
        write_html(src.read_text(encoding="utf-8"), out, orig.meta.title, orig.meta.issuer, orig.meta.date)
    else:
        WRITERS[fmt](src.read_text(encoding="utf-8"), out)
    return orig, read_document(out)


def chunk_texts(doc) -> set[str]:
    return {fold(c.text) for c in chunk_document(doc)}


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
@pytest.mark.parametrize("prefix", ["咸安", "湖南", "湖北"])
def test_converted_documents_keep_metadata_and_chunks(prefix, fmt, tmp_path):
    orig, conv = convert(prefix, fmt, tmp_path)
    assert (conv.meta.title, conv.meta.issuer, conv.meta.date, conv.meta.doc_no) == (
        orig.meta.title,
        orig.meta.issuer,
        orig.meta.date,
        orig.meta.doc_no,
    )
    same = chunk_texts(orig) & chunk_texts(conv)
    assert len(same) >= 0.9 * len(chunk_texts(orig)), f"{len(same)} of {len(chunk_texts(orig))} chunks identical"


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_merged_table_cells_keep_their_group_and_lead_unit(fmt, tmp_path):
    """Word vertical merges, PDF cell spans and HTML row spans: continuation rows still know their 牵头单位."""
    orig, conv = convert("咸安", fmt, tmp_path)
    rows = [c for c in chunk_document(conv) if c.kind == "table_row"]
    want = [c for c in chunk_document(orig) if c.kind == "table_row"]
    assert len(rows) == len(want)
    elderly = [c for c in rows if "加强老年人健康科普服务" in c.text]
    assert elderly and elderly[0].fields.get("牵头单位") == "区卫健局"
    assert [c.fields.get("牵头单位") for c in rows] == [c.fields.get("牵头单位") for c in want]


def test_pdf_line_breaks_and_split_words_are_repaired(tmp_path):
    """A PDF wraps every paragraph at the margin; the 湖南 original also splits 科学家精 / 神 across a blank line."""
    _, conv = convert("湖南", "pdf", tmp_path)
    assert "准确把握科学家精神的深刻内涵" in conv.text
    assert "推动流动科技馆全省巡展不低于 15 站" in conv.text.replace("\n", "")
    long_lines = [ln for ln in conv.text.split("\n") if len(ln) > 200]
    assert long_lines, "wrapped lines were not re-joined into paragraphs"


def test_html_drops_navigation_scripts_and_footer(tmp_path):
    _, conv = convert("湖北", "html", tmp_path)
    for boilerplate in ("政务公开", "tracker", "版权所有", "网站地图"):
        assert boilerplate not in conv.text


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-16"])
def test_text_encodings_are_detected(encoding, tmp_path):
    src = original("湖南")
    raw = src.read_text(encoding="utf-8")
    out = tmp_path / "old.txt"
    if encoding == "gb18030":
        write_gbk(raw, out)
    else:
        out.write_bytes(raw.encode(encoding))
    assert read_document(out).text == read_document(src).text


def test_file_properties_fill_only_what_the_text_leaves_empty(tmp_path):
    """Word's author 'Administrator' is no issuer; a title property is used only where the text has none."""
    doc = tmp_path / "notice.docx"
    write_docx("一、工作目标\n\n到2026年建成科普基地50家。", doc, title="某市科普基地建设方案")
    meta = read_document(doc).meta
    assert meta.title == "某市科普基地建设方案" and meta.issuer == "" and meta.date == ""
    _, conv = convert("湖北", "docx", tmp_path)
    assert conv.meta.issuer == "湖北省科学技术协会"  # from the text, not the author property


def _drawing_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(100, 100, 300, 400, fill=1)  # a page with a drawing and no text (scanned pages are OCR'd: test_ocr.py)
    c.showPage()
    c.save()


def _encrypted_pdf(path: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "confidential")
    c.save()


BROKEN = {
    "corrupt.docx": (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "Word 文件已损坏"),
    "corrupt.pdf": (lambda p: p.write_bytes(b"%PDF-1.4\n garbage \x00\x01"), "PDF 文件已损坏"),
    "drawing.pdf": (_drawing_pdf, "没有可识别的文字"),
    "locked.pdf": (_encrypted_pdf, "已加密"),
    "table.xlsx": (lambda p: p.write_bytes(b"PK\x03\x04"), "不支持的文件类型"),
    "old.doc": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0"), "另存为 .docx"),
    "empty.txt": (lambda p: p.write_bytes(b""), "文件内容为空"),
    "blank.md": (lambda p: p.write_text("  \n\n \n", encoding="utf-8"), "文件内容为空"),
    "binary.txt": (lambda p: p.write_bytes(bytes(range(256)) * 20), "不是文本"),
    "menu.html": (lambda p: p.write_text("<html><body><nav>首页</nav><script>x()</script></body></html>"), "正文"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_unreadable_files_are_refused_with_a_reason(name, tmp_path):
    make, reason_zh = BROKEN[name]
    path = tmp_path / name
    make(path)
    with pytest.raises(IngestError) as err:
        read_document(path)
    assert reason_zh in err.value.reason_zh
    assert name in str(err.value)


def test_a_mixed_folder_reads_every_good_file_and_reports_each_broken_one(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for prefix, fmt in (("咸安", "docx"), ("湖南", "pdf"), ("湖北", "html")):
        src = original(prefix)
        orig = read_document(src)
        if fmt == "html":
            write_html(src.read_text(encoding="utf-8"), corpus / f"{prefix}.html", orig.meta.title)
        else:
            WRITERS[fmt](src.read_text(encoding="utf-8"), corpus / f"{prefix}.{fmt}")
    write_gbk(original("广东").read_text(encoding="utf-8"), corpus / "广东.txt")
    for name in ("drawing.pdf", "corrupt.docx", "table.xlsx"):
        BROKEN[name][0](corpus / name)
    docs, skipped = read_corpus(corpus)
    assert sorted(d.doc_id for d in docs) == ["咸安.docx", "广东.txt", "湖北.html", "湖南.pdf"]
    assert sorted(s.file for s in skipped) == ["corrupt.docx", "drawing.pdf", "table.xlsx"]
    assert all(s.reason_zh for s in skipped)


MIXED = {"咸安": "docx", "湖南": "pdf", "湖北": "pdf", "中国科协": "html", "广东": "gbk"}


@pytest.fixture(scope="module")
def mixed_settings(built_settings, tmp_path_factory):
    """The five documents as offices keep them: Word, PDF, a web page and old GBK text; plus two broken files."""
    root = tmp_path_factory.mktemp("mixed")
    corpus = root / "corpus"
    corpus.mkdir()
    for prefix, fmt in MIXED.items():
        src = original(prefix)
        raw = src.read_text(encoding="utf-8")
        if fmt == "gbk":
            write_gbk(raw, corpus / src.name)
        elif fmt == "html":
            meta = read_document(src).meta
            write_html(raw, corpus / f"{src.stem}.html", meta.title, meta.issuer, meta.date)
        else:
            WRITERS[fmt](raw, corpus / f"{src.stem}.{fmt}")
    BROKEN["drawing.pdf"][0](corpus / "drawing.pdf")
    BROKEN["corrupt.docx"][0](corpus / "corrupt.docx")
    return built_settings.model_copy(update={"corpus_dir": corpus, "index_dir": root / "index"})


@pytest.mark.slow
def test_mixed_formats_answer_the_gold_set_like_the_originals(built_settings, mixed_settings):
    from qa.build import build_index
    from qa.evaluate import DEFAULT_GOLD, load_gold, metrics, run_config

    summary = build_index(mixed_settings, progress=False)
    assert summary.documents == 5 and sorted(s.file for s in summary.skipped) == ["corrupt.docx", "drawing.pdf"]
    items = load_gold(DEFAULT_GOLD)
    txt = run_config("txt", built_settings, items, 5, progress=False)
    mixed = run_config("mixed", mixed_settings, items, 5, progress=False)
    a, b = metrics(txt), metrics(mixed)
    print(
        f"\ntxt   hit@1 {a['hit@1']:.3f} hit@5 {a['hit@5']:.3f} MRR {a['mrr']:.3f} no-answer F1 {a['no_answer_f1']:.3f}"
    )
    print(
        f"mixed hit@1 {b['hit@1']:.3f} hit@5 {b['hit@5']:.3f} MRR {b['mrr']:.3f} no-answer F1 {b['no_answer_f1']:.3f}"
    )
    same_top = sum(
        (bool(x.passages and y.passages) and fold(x.passages[0]["text"]) == fold(y.passages[0]["text"]))
        or (not x.passages and not y.passages)
        for x, y in zip(txt.results, mixed.results)
    ) / len(items)
    print(f"same first passage for {same_top:.1%} of {len(items)} questions")
    assert b["hit@1"] >= a["hit@1"] - 0.03 and b["hit@5"] >= a["hit@5"] - 0.03
    assert same_top >= 0.9
