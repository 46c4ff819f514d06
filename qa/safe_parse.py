"""Parsing that no file can turn against the server: cheap checks before anything is unpacked (zip members, sizes,
ratios; HTML size), then the format reader in a child process with a memory ceiling and a timeout. A decompression
bomb, a PDF of 100,000 pages or a parser stuck in a loop costs the child, never the server: it is refused by name
like any unreadable file, and the next file gets a fresh child.

The child is a plain ``python -m qa.safe_parse`` (it imports the format readers and the OCR libraries, not the
embedding model), kept alive between files of one build, and replaced after a timeout or a crash. A scanned file is
OCR'd in the child too, with the build's settings (qa.ocr's context is sent along); each page it finishes is
reported back as it happens (the admin job's 识别文字 n/m 页, the CLI's bar) and gives the next page its own
``timeout_s``.

The ceiling is on the child's writable data (RLIMIT_DATA: heap, anonymous mappings, thread stacks), not on its
address space: OpenCV and onnxruntime reserve address space they never touch (per-thread malloc arenas, library
mappings), so an OCR'd page needs 1.4 GB of address space for ~0.35 GB of data, and an address-space cap refused
every scan while a bomb's inflated XML is data all the same.
"""

from __future__ import annotations

import io
import logging
import os
import resource
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from . import ocr
from .formats import Extracted, IngestError, extract

log = logging.getLogger("policyqa.parse")

MB = 1024 * 1024
ZIP_FORMATS = (".docx",)
HTML_FORMATS = (".html", ".htm")


@dataclass(frozen=True)
class ParseLimits:
    """How much one file may cost to read. The defaults are far above any real 公文 (the five test documents as
    .docx unpack to < 1 MB, ratio < 10) and far below what hurts a 24 GB server."""

    max_unpacked_bytes: int = 200 * MB  # all members of a zip together
    max_member_bytes: int = 100 * MB
    max_members: int = 2000
    max_ratio: float = 200.0  # uncompressed / compressed size of one member (bombs: 1000 and more)
    max_html_bytes: int = 10 * MB
    max_pdf_pages: int = 2000
    memory_bytes: int = 1536 * MB  # writable data the child may add to what its imports took
    timeout_s: float = 120.0
    in_child: bool = True

    @classmethod
    def from_settings(cls, settings) -> ParseLimits:
        return cls(
            max_unpacked_bytes=settings.parse_max_unpacked_mb * MB,
            max_member_bytes=min(settings.parse_max_unpacked_mb, cls.max_member_bytes // MB) * MB,
            max_members=settings.parse_max_zip_members,
            max_ratio=settings.parse_max_ratio,
            max_html_bytes=settings.parse_max_html_mb * MB,
            max_pdf_pages=settings.parse_max_pdf_pages,
            memory_bytes=settings.parse_memory_mb * MB,
            timeout_s=settings.parse_timeout_s,
            in_child=settings.parse_in_child,
        )


def _refuse(path: Path, reason: str, reason_zh: str) -> IngestError:
    return IngestError(path, reason, reason_zh)


def check_zip(path: Path, data: bytes, limits: ParseLimits) -> None:
    """Refuse a zip container (docx) whose members would unpack to too much, before unpacking any of it. The
    sizes are the ones the archive declares; a member that lies about its size is stopped by the child's memory
    ceiling instead."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: nothing to unpack, and the reader says what is wrong with it in its own words
    if len(members) > limits.max_members:
        raise _refuse(
            path, f"{len(members)} zip members (limit {limits.max_members})", "文件内部结构异常（成员过多），已拒绝"
        )
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_bytes:
        raise _refuse(
            path,
            f"unpacks to {total} bytes (limit {limits.max_unpacked_bytes})",
            f"文件解压后过大（超过 {limits.max_unpacked_bytes // MB} MB），疑似压缩炸弹，已拒绝",
        )
    for m in members:
        ratio = m.file_size / max(1, m.compress_size)
        if m.file_size > limits.max_member_bytes or (m.file_size > MB and ratio > limits.max_ratio):
            raise _refuse(
                path,
                f"member {m.filename!r} unpacks to {m.file_size} bytes (ratio {ratio:.0f})",
                "文件压缩比异常，疑似压缩炸弹，已拒绝",
            )


def precheck(path: Path, data: bytes, limits: ParseLimits) -> None:
    """What can be refused without parsing."""
    suffix = path.suffix.lower()
    if suffix in ZIP_FORMATS:
        check_zip(path, data, limits)
    if suffix in HTML_FORMATS and len(data) > limits.max_html_bytes:
        raise _refuse(path, f"page of {len(data)} bytes", f"网页文件过大（超过 {limits.max_html_bytes // MB} MB）")


def pdf_pages(data: bytes) -> int | None:
    """Page count from the page tree only (pdfium, which pdfplumber ships with), None if it cannot tell."""
    try:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        try:
            return len(pdf)
        finally:
            pdf.close()
    except Exception:  # a damaged file: the reader itself will say so
        return None


def extract_limited(path: Path, data: bytes, limits: ParseLimits) -> Extracted:
    """The reader, after the checks that need a parser (PDF page count); runs in the child."""
    if path.suffix.lower() == ".pdf":
        pages = pdf_pages(data)
        if pages is not None and pages > limits.max_pdf_pages:
            raise _refuse(
                path, f"{pages} pages (limit {limits.max_pdf_pages})", f"PDF 页数过多（超过 {limits.max_pdf_pages} 页）"
            )
    return extract(path, data)


class ParserProcess:
    """One child at a time per server process; calls are serialised (builds are, too)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._owner: int | None = None
        self._limits: ParseLimits | None = None

    def _start(self, limits: ParseLimits) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "qa.safe_parse", str(to_child_r), str(from_child_w), str(limits.memory_bytes)],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._to = Connection(to_child_w, readable=False)
        self._conn = Connection(from_child_r, writable=False)
        self._owner, self._limits = os.getpid(), limits

    def stop(self) -> None:
        if self._proc is not None and self._owner == os.getpid():
            self._proc.kill()
            self._proc.wait()
            self._to.close()
            self._conn.close()
        self._proc = self._conn = self._owner = None

    def parse(self, path: Path, limits: ParseLimits) -> Extracted:
        with self._lock:
            if self._owner != os.getpid():  # forked from a process that had a child: that one is not ours
                self._proc = self._conn = None
            if self._proc is None or self._proc.poll() is not None or self._limits != limits:
                self.stop()
                self._start(limits)
            try:
                self._to.send((str(path), limits, ocr.context_settings()))
                while True:
                    if not self._conn.poll(limits.timeout_s):
                        self.stop()
                        raise _refuse(path, f"parsing took over {limits.timeout_s:.0f}s", "文件解析超时，已拒绝")
                    kind, *payload = self._conn.recv()
                    if kind != "page":
                        break
                    ocr.report_page(*payload)  # an OCR'd page: progress, and the next page gets its own time
            except (EOFError, OSError, BrokenPipeError) as exc:
                code = self._proc.wait() if self._proc else None
                self.stop()
                raise _refuse(path, f"parser died (exit {code})", "文件解析时超出资源上限，已拒绝") from exc
        if kind == "ok":
            return payload[0]
        reason, reason_zh = payload
        raise _refuse(path, reason, reason_zh)


_PARSER = ParserProcess()


def parse_bounded(path: Path, data: bytes, limits: ParseLimits | None = None) -> Extracted:
    """``extract`` with the checks and the child: what every read of a document goes through."""
    if limits is None:
        from .settings import Settings

        limits = ParseLimits.from_settings(Settings())
    precheck(path, data, limits)
    if not limits.in_child:
        return extract_limited(path, data, limits)
    return _PARSER.parse(path, limits)


def _data_bytes() -> int:
    """The process's writable private memory as the kernel counts it against RLIMIT_DATA (VmData)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmData:"))


def _child(in_fd: int, out_fd: int, memory_bytes: int) -> None:
    """Read paths, answer with Extracted or the refusal; writable memory is capped after the imports."""
    # the readers' and OCR's libraries, imported before the cap so that it bounds parsing only (OpenCV alone starts
    # threads and maps ~230 MB of data on import); the OCR models themselves load on the first scanned page
    import cv2  # noqa: F401
    import docx  # noqa: F401
    import onnxruntime  # noqa: F401
    import pdfplumber  # noqa: F401
    import rapidocr  # noqa: F401
    import trafilatura  # noqa: F401

    cap = _data_bytes() + memory_bytes
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    inbox, outbox = Connection(in_fd, writable=False), Connection(out_fd, readable=False)
    while True:
        try:
            path_text, limits, settings = inbox.recv()
        except EOFError:
            return  # the server closed the pipe: it stopped or replaced us
        path = Path(path_text)
        try:
            with ocr.ocr_context(settings, lambda file, done, total: outbox.send(("page", file, done, total))):
                result = ("ok", extract_limited(path, path.read_bytes(), limits))
        except IngestError as exc:
            result = ("error", exc.reason, exc.reason_zh)
        except MemoryError:
            result = ("error", "parsing needed more memory than allowed", "文件解析所需内存超出上限，已拒绝")
        except Exception as exc:  # a reader library failing on a malformed file
            result = ("error", f"cannot read ({type(exc).__name__}: {exc})", "文件已损坏或格式有误，无法读取")
        outbox.send(result)


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
