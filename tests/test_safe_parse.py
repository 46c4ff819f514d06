"""Bounded parsing: a decompression bomb is refused by name before it is unpacked, and the child process's limits
stop what the checks cannot see; a running server's memory hardly moves while it refuses one."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.build import NothingToIndex, build_index
from qa.formats import IngestError
from qa.ingest import read_document
from qa.load import free_port
from qa.safe_parse import ParseLimits, parse_bounded
from qa.settings import Settings

from .bombs import write_docx_bomb
from .make_formats import write_docx

MB = 1024 * 1024
NOTICE = "某市科协关于开展科普月活动的通知\n\n一、活动时间\n\n2026年5月举办科普月活动。\n"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return write_docx_bomb(tmp_path_factory.mktemp("bomb") / "炸弹.docx")


def test_the_bomb_is_refused_by_its_sizes_before_anything_is_unpacked(bomb):
    assert bomb.stat().st_size < 2 * MB
    with pytest.raises(IngestError) as err:
        read_document(bomb)
    assert err.value.path.name == "炸弹.docx" and "压缩炸弹" in err.value.reason_zh


def test_a_real_docx_reads_through_the_child(tmp_path):
    doc = read_document(write_docx(NOTICE, tmp_path / "通知.docx"))
    assert "2026年5月举办科普月活动" in doc.text


def test_the_childs_memory_ceiling_stops_what_the_checks_let_through(bomb):
    """With the size checks off (as for a member that lies about its size), the child runs out of its memory
    ceiling, the file is refused, and the next file is read by a fresh child."""
    lax = ParseLimits(
        max_unpacked_bytes=10 * 1024**3, max_member_bytes=10 * 1024**3, max_ratio=1e9, memory_bytes=300 * MB
    )
    with pytest.raises(IngestError) as err:
        parse_bounded(bomb, bomb.read_bytes(), lax)
    assert "上限" in err.value.reason_zh
    ok = bomb.with_name("ok.docx")
    write_docx(NOTICE, ok)
    assert "科普月" in parse_bounded(ok, ok.read_bytes(), lax).text


def test_a_scan_is_read_in_the_child_with_the_builds_settings_and_reports_each_page(tmp_path):
    """OCR runs in the child within the same memory ceiling: the settings the build set (here its OCR cache folder)
    reach the child, and each page it finishes reaches the build's progress callback in this process."""
    from qa.ocr import ocr_context

    from .conftest import CORPUS
    from .make_scans import scanned, write_image_pdf

    src = next(p for p in CORPUS.iterdir() if p.name.startswith("湖南"))
    scan = write_image_pdf(
        scanned(src.read_text(encoding="utf-8"), "湖南省科学技术协会").pages[:2], tmp_path / "扫描.pdf"
    )
    settings = Settings(index_dir=tmp_path / "index", ocr_cache_dir=tmp_path / "ocr-cache")
    pages: list[tuple[str, int, int]] = []
    with ocr_context(settings, lambda file, done, total: pages.append((file, done, total))):
        extracted = parse_bounded(scan, scan.read_bytes(), ParseLimits())
    assert "湘科协通〔2023〕10号" in extracted.text
    assert pages == [("扫描.pdf", 1, 2), ("扫描.pdf", 2, 2)]
    assert list((tmp_path / "ocr-cache").rglob("*.json"))  # the child wrote where the build said


def test_a_parse_that_takes_too_long_is_stopped(tmp_path):
    doc = write_docx(NOTICE, tmp_path / "慢.docx")
    with pytest.raises(IngestError) as err:
        parse_bounded(doc, doc.read_bytes(), ParseLimits(timeout_s=0.001))
    assert "超时" in err.value.reason_zh


def test_pdf_pages_and_html_size_are_limited(tmp_path):
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "厚.pdf"
    c = canvas.Canvas(str(pdf))
    for n in range(3):
        c.drawString(72, 720, f"page {n}")
        c.showPage()
    c.save()
    with pytest.raises(IngestError) as err:
        parse_bounded(pdf, pdf.read_bytes(), ParseLimits(max_pdf_pages=2))
    assert "页数过多" in err.value.reason_zh
    page = tmp_path / "大.html"
    page.write_bytes(b"<html><body>" + b"<p>x</p>" * (2 * MB // 8) + b"</body></html>")
    with pytest.raises(IngestError) as err:
        parse_bounded(page, page.read_bytes(), ParseLimits(max_html_bytes=MB))
    assert "网页文件过大" in err.value.reason_zh


def test_a_corpus_with_nothing_readable_gives_a_clear_message(tmp_path):
    from click.testing import CliRunner

    from qa.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "扫描件.pdf").write_bytes(b"%PDF-1.4 broken")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    with pytest.raises(NothingToIndex) as err:
        build_index(settings, progress=False)
    assert "扫描件.pdf" in err.value.message_zh and "索引未改动" in err.value.message_zh
    result = CliRunner().invoke(main, ["--corpus", str(corpus), "--index", str(tmp_path / "index"), "build"])
    assert result.exit_code == 1 and "没有可以读取的文件：扫描件.pdf" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    (corpus / "扫描件.pdf").unlink()
    result = CliRunner().invoke(main, ["--corpus", str(corpus), "--index", str(tmp_path / "index"), "build"])
    assert result.exit_code == 1 and "文件夹为空" in result.output


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def test_a_running_server_refuses_the_bomb_upload_with_memory_growing_under_200_mb(bomb, tmp_path):
    """The issue's probe: a real server (uvicorn, admin on), the 1.8 MB → 1.1 GB .docx uploaded; its peak resident
    memory (VmHWM) is compared before and after."""
    import httpx

    port = free_port()
    env = {
        **os.environ,
        "POLICYQA_CORPUS_DIR": str(tmp_path / "corpus"),
        "POLICYQA_INDEX_DIR": str(tmp_path / "index"),
        "POLICYQA_FEEDBACK_DB": str(tmp_path / "fb.db"),
        "POLICYQA_ADMIN_TOKEN": "bomb-test-token",
    }
    (tmp_path / "corpus").mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    auth = {"Authorization": "Bearer bomb-test-token"}
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                httpx.get(f"{base}/api/health", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        # warm up the upload path once with a real file, so the figure is the bomb's and not first-use imports
        small = write_docx(NOTICE, tmp_path / "小.docx")
        r = httpx.post(f"{base}/api/documents", headers=auth, files={"files": ("小.docx", small.read_bytes())})
        _wait_job(base, r.json()["id"], auth)
        before = _peak_rss_mb(server.pid)
        r = httpx.post(f"{base}/api/documents", headers=auth, files={"files": ("炸弹.docx", bomb.read_bytes())})
        assert r.status_code == 202
        job = _wait_job(base, r.json()["id"], auth)
        growth = _peak_rss_mb(server.pid) - before
        print(f"server peak RSS {before:.0f} MB → +{growth:.1f} MB while refusing the bomb")
        assert job["status"] in ("done", "failed") and job["files"][0]["ok"] is False
        assert job["files"][0]["file"] == "炸弹.docx" and "压缩炸弹" in job["files"][0]["error"]
        assert growth < 200
        assert not [p for p in (tmp_path / "corpus").iterdir() if p.suffix == ".docx" and "炸弹" in p.name]
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_job(base: str, job_id: str, auth: dict, timeout: float = 300) -> dict:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        job = httpx.get(f"{base}/api/jobs/{job_id}", headers=auth, timeout=10).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish")
