"""Scanned PDFs and page images, made from the corpus text (tests/make_scans.py: 公文 layout, red header, a seal over
the signature, skew, blur, noise, image-only), read back by OCR: the text within 3 % character error rate per
document, the same metadata as the typed originals, and the gold questions answered on a corpus of the scans within
3 points of hit@1.

OCR costs seconds per page on two cores, so recognised pages are kept in pytest's cache folder under the SHA-256 of
their pixels and the engine settings (the product's own OCR cache, qa.ocr.read_page): a second run OCRs nothing it
has seen, a change of the scans or of the engine misses the cache, and a fresh clone reads every page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import ocr
from qa.ingest import read_document
from qa.normalize import fold
from qa.ocr import OcrLine, char_error_rate, fix_confusions, ocr_context, reading_order

from .conftest import CORPUS
from .make_scans import photo, render, scanned, write_image_pdf

PREFIXES = ["中国科协", "咸安", "广东", "湖北", "湖南"]


def original(prefix: str) -> Path:
    return next(p for p in CORPUS.iterdir() if p.name.startswith(prefix))


@pytest.fixture(scope="session")
def ocr_cache(request) -> Path:
    return Path(request.config.cache.mkdir("ocr-pages"))


@pytest.fixture(scope="session")
def ocr_settings(ocr_cache, tmp_path_factory):
    from qa.settings import Settings

    return Settings(index_dir=tmp_path_factory.mktemp("ocr-index"), ocr_cache_dir=ocr_cache)


@pytest.fixture(scope="session")
def scans(tmp_path_factory, ocr_settings):
    """Each corpus document as an image-only scanned PDF, with the text drawn on it and its reading."""
    folder = tmp_path_factory.mktemp("scans")
    out = {}
    for i, prefix in enumerate(PREFIXES):
        src = original(prefix)
        orig = read_document(src)
        scan = scanned(src.read_text(encoding="utf-8"), orig.meta.issuer, seed=i + 1)
        path = write_image_pdf(scan.pages, folder / f"{src.stem}.pdf")
        with ocr_context(ocr_settings):
            doc = read_document(path)
        out[prefix] = (orig, scan, path, doc)
    return out


# ---------------------------------------------------------------- rules, no model


def line(text: str, x0: float, top: float, x1: float, h: float = 40) -> OcrLine:
    return OcrLine(text, x0, top, x1, top + h, 0.99)


def test_two_columns_are_read_left_column_first_between_spanning_lines():
    title = [line("通知标题横跨两栏", 100, 0, 1500)]
    left = [line(f"左栏第{i}行", 100, 100 + 60 * i, 700) for i in range(6)]
    right = [line(f"右栏第{i}行", 900, 100 + 60 * i, 1500) for i in range(6)]
    foot = [line("落款横跨两栏", 100, 600, 1500)]
    order = [ln.text for ln in reading_order(foot + right + left + title)]
    assert order == [ln.text for ln in title + left + right + foot]


def test_pieces_of_one_visual_line_are_joined_left_to_right():
    """A narrow gap is the detector splitting a line; a wide one was a space on the page."""
    order = reading_order([line("经济开发区", 570, 102, 870), line("各乡镇人民政府", 100, 100, 560)])
    assert [ln.text for ln in order] == ["各乡镇人民政府经济开发区"]
    order = reading_order([line("鄂科协办〔2024〕15号", 700, 102, 1100), line("关于印发要点的通知", 100, 100, 560)])
    assert [ln.text for ln in order] == ["关于印发要点的通知 鄂科协办〔2024〕15号"]


@pytest.mark.parametrize(
    ("read", "want"),
    [
        ("湘科协通{2023）10号", "湘科协通〔2023〕10号"),
        ("国发[2021]9号", "国发〔2021〕9号"),
        ("关于印发要点的通知鄂科协办[2024〕15号", "关于印发要点的通知 鄂科协办〔2024〕15号"),
        ("2O23年3月1O日", "2023年3月10日"),
        ("规划纲要(2021一2035年)", "规划纲要(2021—2035年)"),
        ("一、工作目标", "一、工作目标"),  # a heading's 一 is no dash
    ],
)
def test_ocr_confusions_are_repaired_where_a_doc_number_or_date_is_expected(read, want):
    assert fix_confusions(read) == want


# ---------------------------------------------------------------- scanned copies of the corpus


@pytest.mark.parametrize("prefix", PREFIXES)
def test_scanned_copy_reads_back_within_3_percent_cer_with_the_same_metadata(prefix, scans):
    orig, scan, _, doc = scans[prefix]
    cer = char_error_rate(doc.text, scan.reference)
    print(f"\n{prefix}: {len(scan.pages)} pages, CER {cer:.2%}")
    assert cer <= 0.03
    got, want = doc.meta, orig.meta
    # a space between Chinese and digits (湖南省科协 2023 年) is invisible on paper; everything else must match
    assert "".join(got.title.split()) == "".join(want.title.split())
    assert (got.issuer, got.date, got.doc_no) == (want.issuer, want.date, want.doc_no)
    assert [m.number for m in doc.pages] == list(range(1, len(scan.pages) + 1)) and all(m.scanned for m in doc.pages)


def test_page_numbers_are_dropped_and_paragraphs_rejoined(scans):
    _, scan, _, doc = scans["湖南"]
    assert not any(ocr.PAGE_NO_RE.match(ln) for ln in doc.text.split("\n"))
    assert "推动流动科技馆全省巡展不低于15站" in doc.text.replace(" ", "")
    # every drawn paragraph wrapped over several lines comes back inside one line (the source text also splits a
    # few paragraphs across a blank line, which the reader joins, as it does for the .txt)
    from rapidfuzz import fuzz

    lines = [fold(ln) for ln in doc.text.split("\n")]
    for para in scan.reference.split("\n"):
        if len(para) > 120:
            want = fold(para)
            assert any(len(ln) >= 0.97 * len(want) and fuzz.partial_ratio(want, ln) >= 95 for ln in lines), para[:30]


def test_scanned_tables_keep_their_rows_groups_and_lead_units(scans):
    from qa.chunk import chunk_document

    orig, _, _, doc = scans["咸安"]
    rows = [c for c in chunk_document(doc) if c.kind == "table_row"]
    want = [c for c in chunk_document(orig) if c.kind == "table_row"]
    assert len(rows) >= 0.9 * len(want)
    elderly = [c for c in rows if "加强老年人健康科普服务" in c.text]
    assert elderly and elderly[0].fields.get("牵头单位") == "区卫健局"


def test_a_phone_photo_of_a_page_still_gives_its_doc_number_and_title(ocr_settings, tmp_path):
    src = original("湖南")
    orig = read_document(src)
    page = render(src.read_text(encoding="utf-8"), orig.meta.issuer).pages[0]
    path = tmp_path / "photo.jpg"
    photo(page, seed=7).save(path, quality=80)
    with ocr_context(ocr_settings):
        doc = read_document(path)
    assert doc.meta.doc_no == orig.meta.doc_no
    assert "".join(doc.meta.title.split()) == "".join(orig.meta.title.split())


def test_mixed_pdf_reads_text_pages_as_text_and_scanned_pages_by_ocr(scans, ocr_settings, tmp_path):
    """A typed first page and the scanned pages of another document, in one PDF, page by page."""
    import pypdfium2 as pdfium

    from .make_formats import write_pdf

    typed = write_pdf("一、工作目标\n\n到2026年建成科普基地50家，培训科普骨干200人。", tmp_path / "typed.pdf")
    _, _, scan_path, _ = scans["湖南"]
    merged = pdfium.PdfDocument(str(typed))
    merged.import_pages(pdfium.PdfDocument(str(scan_path)))
    path = tmp_path / "mixed.pdf"
    merged.save(str(path))
    with ocr_context(ocr_settings):
        doc = read_document(path)
    assert "到2026年建成科普基地50家" in doc.text and "湘科协通〔2023〕10号" in doc.text
    assert [(m.number, m.scanned) for m in doc.pages] == [(1, False), (2, True), (3, True), (4, True)]


def test_a_failing_page_is_reported_and_the_rest_of_the_file_kept(scans, ocr_settings, monkeypatch):
    """The scan reader's own rule, so read in this process: the parser child would not see the patched page."""
    monkeypatch.setenv("POLICYQA_PARSE_IN_CHILD", "0")
    real = ocr.read_page
    calls = []

    def flaky(image, settings=None):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("onnxruntime: out of memory")
        return real(image, settings)

    monkeypatch.setattr(ocr, "read_page", flaky)
    _, _, path, whole = scans["湖南"]
    with ocr_context(ocr_settings):
        doc = read_document(path)
    assert [m.number for m in doc.pages] == [1, 3]
    assert doc.warnings == ["第 2 页文字识别失败，已跳过该页"]
    assert doc.meta.doc_no == whole.meta.doc_no and len(doc.text) < len(whole.text)


def test_pages_are_cached_by_their_pixels(tmp_path, monkeypatch):
    from qa.settings import Settings

    settings = Settings(index_dir=tmp_path, ocr_cache_dir=tmp_path / "cache")
    page = render("湖南省科学技术协会文件\n\n湘科协通〔2023〕10号", "").pages[0].crop((0, 0, 1654, 700))
    counted = []
    real = ocr.recognise
    monkeypatch.setattr(ocr, "recognise", lambda img, s: counted.append(1) or real(img, s))
    first = ocr.read_page(page, settings)
    again = ocr.read_page(page.copy(), settings)
    assert counted == [1] and first == again
    assert [ln.text for ln in first.lines] == ["湖南省科学技术协会文件", "湘科协通〔2023〕10号"]
    page.putpixel((5, 5), (0, 0, 0))  # other pixels: read again
    ocr.read_page(page, settings)
    assert counted == [1, 1]


@pytest.mark.slow
def test_scanned_corpus_answers_the_gold_set_within_3_points(built_settings, scans, ocr_settings, tmp_path_factory):
    from qa.build import build_index
    from qa.evaluate import DEFAULT_GOLD, load_gold, metrics, run_config

    root = tmp_path_factory.mktemp("scanned-corpus")
    corpus = root / "corpus"
    corpus.mkdir()
    for _, _, path, _ in scans.values():
        (corpus / path.name).write_bytes(path.read_bytes())
    settings = built_settings.model_copy(
        update={"corpus_dir": corpus, "index_dir": root / "index", "ocr_cache_dir": ocr_settings.ocr_cache_dir}
    )
    pages: list[tuple[str, int, int]] = []
    summary = build_index(settings, progress=False, on_progress=lambda s, d, t: s == "ocr" and pages.append((s, d, t)))
    assert summary.documents == 5 and not summary.skipped
    assert pages and pages[-1][1] == pages[-1][2]  # page progress reached the last page of the last file
    items = load_gold(DEFAULT_GOLD)
    a = metrics(run_config("txt", built_settings, items, 5, progress=False))
    b = metrics(run_config("scanned", settings, items, 5, progress=False))
    print(f"\ntext    hit@1 {a['hit@1']:.3f} hit@5 {a['hit@5']:.3f} MRR {a['mrr']:.3f}")
    print(f"scanned hit@1 {b['hit@1']:.3f} hit@5 {b['hit@5']:.3f} MRR {b['mrr']:.3f}")
    assert b["hit@1"] >= a["hit@1"] - 0.03 and b["hit@5"] >= a["hit@5"] - 0.03

    from qa.answer import PolicyQA

    top = PolicyQA(settings).ask("湖南流动科技馆要巡展几站？").passages[0]
    assert top.to_dict()["scanned"] and top.to_dict()["page"] >= 1
    assert top.chunk.page_note().endswith("页 · 扫描件识别")  # the citation says where and how the text was read


@pytest.mark.slow
def test_a_scan_uploaded_on_the_admin_page_is_read_indexed_and_answers(built_settings, scans, ocr_settings, tmp_path):
    """The administrator's path: a scanned PDF uploaded through the admin API is OCR'd in the job (its stage shown as
    识别文字 with page counts), indexed, and answers with a citation that says it was read from a scan."""
    import time

    from fastapi.testclient import TestClient

    from app import create_app
    from qa.build import build_index
    from qa.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    typed = original("中国科协")  # one typed document already indexed; the scan comes in beside it
    (corpus / typed.name).write_bytes(typed.read_bytes())
    token = "scan-upload-token"
    settings = Settings(
        **{
            **built_settings.model_dump(),
            "corpus_dir": corpus,
            "index_dir": tmp_path / "index",
            "feedback_db": tmp_path / "fb.db",
            "ocr_cache_dir": ocr_settings.ocr_cache_dir,
            "rate_limit_per_minute": 0,
            "admin_token": token,
        }
    )
    build_index(settings, progress=False)
    auth = {"Authorization": f"Bearer {token}"}
    _, _, scan_path, _ = scans["湖南"]
    with TestClient(create_app(settings)) as client:
        r = client.post("/api/documents", headers=auth, files=[("files", (scan_path.name, scan_path.read_bytes()))])
        assert r.status_code == 202
        job, seen = r.json(), []
        deadline = time.time() + 600
        while job["status"] in ("queued", "running") and time.time() < deadline:
            seen.append((job["stage"], job["done"], job["total"]))
            time.sleep(0.05)
            job = client.get(f"/api/jobs/{job['id']}", headers=auth).json()
        assert job["status"] == "done" and job["files"][0]["ok"], job
        answer = client.post("/api/ask", json={"question": "湖南流动科技馆要巡展几站？"}).json()
    top = answer["passages"][0]
    assert answer["confidence"] == "high" and "15" in (answer["answer"] or "")
    assert top["scanned"] and top["page"] >= 1 and top["doc"]["doc_no"] == "湘科协通〔2023〕10号"
    print(f"\nstages seen while polling: {sorted(set(s for s, _, _ in seen))}")


def test_opencv_uses_the_ocr_thread_count_not_one_thread_per_core(tmp_path):
    """OpenCV's pool otherwise follows the core count, and with it a page's memory: on a many-core host a scan broke
    the parser child's memory ceiling."""
    import cv2

    from qa.settings import Settings

    cv2.setNumThreads(8)
    ocr.OcrEngine.get(Settings(index_dir=tmp_path, ocr_threads=1))
    assert cv2.getNumThreads() == 1
