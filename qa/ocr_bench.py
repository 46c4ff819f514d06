"""OCR figures for `make bench`: pages per second, peak memory and character error rate of scanned copies of the
corpus (made by tests/make_scans.py), for a sweep of detection side lengths and thread counts, then every document
at the configured settings. Each measurement runs in a child process with an empty cache, so its time and peak
memory are its own and nothing is read from an earlier run.

    python -m qa.ocr_bench [out_dir]          # the whole section → out_dir/ocr.json, ocr.md
    python -m qa.ocr_bench one PDF REF SIDE THREADS   # one child measurement (JSON on stdout)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .settings import PROJECT_ROOT

SWEEP = [(960, 2), (1280, 2), (1600, 2), (1600, 1)]  # (detection side length, onnxruntime threads)


def one(pdf: Path, reference: Path, side: int, threads: int) -> dict:
    """Read one scanned PDF with a cold cache; time, pages/s, CER against the drawn text, peak RSS."""
    from .ingest import read_document
    from .ocr import char_error_rate, ocr_context
    from .settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp), ocr_side_len=side, ocr_threads=threads)
        pages = [0]
        with ocr_context(settings, lambda _f, d, _t: pages.__setitem__(0, d)):
            from .ocr import OcrEngine

            OcrEngine.get(settings)  # model loading is not page time
            t0 = time.perf_counter()
            doc = read_document(pdf)
            seconds = time.perf_counter() - t0
    return {
        "side": side,
        "threads": threads,
        "pages": pages[0],
        "seconds": round(seconds, 2),
        "pages_per_s": round(pages[0] / seconds, 3),
        "cer": round(char_error_rate(doc.text, reference.read_text(encoding="utf-8")), 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _child(pdf: Path, ref: Path, side: int, threads: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "qa.ocr_bench", "one", str(pdf), str(ref), str(side), str(threads)],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _scans(folder: Path) -> list[tuple[str, Path, Path]]:
    """(document, scanned PDF, drawn text) for each corpus document, as the tests make them."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.make_scans import scanned, write_image_pdf

    from .ingest import corpus_files, read_document
    from .settings import Settings

    out = []
    for i, src in enumerate(corpus_files(Settings().corpus_dir), 1):
        scan = scanned(src.read_text(encoding="utf-8"), read_document(src).meta.issuer, seed=i)
        pdf = write_image_pdf(scan.pages, folder / f"{src.stem}.pdf")
        ref = folder / f"{src.stem}.ref.txt"
        ref.write_text(scan.reference, encoding="utf-8")
        out.append((src.stem, pdf, ref))
    return out


def run(out: Path) -> dict:
    from .settings import Settings

    base = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        scans = _scans(Path(tmp))
        sample = min(scans, key=lambda s: s[1].stat().st_size)  # the shortest document, for the sweep
        print(f"OCR sweep on {sample[0]} …", flush=True)
        sweep = [{"document": sample[0], **_child(sample[1], sample[2], side, th)} for side, th in SWEEP]
        print("OCR of every document …", flush=True)
        docs = [{"document": name, **_child(pdf, ref, base.ocr_side_len, base.ocr_threads)} for name, pdf, ref in scans]
    pages = sum(d["pages"] for d in docs)
    seconds = sum(d["seconds"] for d in docs)
    result = {"sweep": sweep, "documents": docs, "pages": pages, "seconds": seconds, "pages_per_s": pages / seconds}
    out.mkdir(parents=True, exist_ok=True)
    (out / "ocr.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "ocr.md").write_text("\n\n".join(section(result)) + "\n", encoding="utf-8")
    return result


def section(result: dict) -> list[str]:
    def table(rows: list[dict], cols: list[str]) -> str:
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
        return "\n".join(lines)

    cols = ["document", "side", "threads", "pages", "seconds", "pages_per_s", "cer", "peak_rss_mb"]
    return [
        "## OCR of scanned pages (A4, 200 dpi, rapidocr PP-OCRv6 small, cold cache, child process each)",
        f"Machine: {os.cpu_count()} CPU cores, shared. Settings sweep (detection side length, threads):",
        table(result["sweep"], cols),
        "Every document at the configured settings:",
        table(result["documents"], cols),
        f"All: {result['pages']} pages in {result['seconds']:.0f} s = {result['pages_per_s']:.3f} pages/s "
        f"({result['seconds'] / max(1, result['pages']):.1f} s per page). A page read before costs a cache lookup.",
    ]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        print(json.dumps(one(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))))
    else:
        run(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "bench")
