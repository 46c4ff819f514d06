"""Offline Chinese OCR of page images: RapidOCR (PP-OCR models shipped inside the wheel, run by onnxruntime), lines
put back in reading order, red stamps and 红头 handled, results cached by the page's pixels.

Why these steps:
- A red seal over the signature garbles the issuer and the date. Where a page has a seal (a round red mark), the
  band of lines it covers is read again with red suppressed (the red channel as grey: red ink turns white, black
  toner stays black); where the two readings overlap the line with the better recognition score is kept, and the
  seal's own text is dropped. Red text elsewhere (the 红头) is read as it is.
- Scans are skewed; the page angle is estimated from the text boxes and the boxes rotated back, so a line that runs
  to the right margin still looks like it does at the bottom of the page.
- OCR costs seconds per page, so a page is never read twice: results are kept under the SHA-256 of its pixels and
  the engine settings (``ocr_cache_dir``), shared by rebuilds, incremental adds and uploads.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import itertools
import json
import logging
import math
import os
import re
import threading
import typing
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

    from .settings import Settings

log = logging.getLogger(__name__)

OCR_VERSION = 2  # bump when what is cached changes meaning


@dataclass(frozen=True)
class OcrLine:
    """One recognised line, in page pixels after deskewing."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class OcrTable:
    """A ruled table: its top edge and cell texts; ``None`` marks a cell merged down from the row above."""

    top: float
    rows: list[list[str | None]]


@dataclass
class OcrPage:
    width: int
    height: int
    lines: list[OcrLine]  # reading order, outside tables
    tables: list[OcrTable] = field(default_factory=list)


# ---------------------------------------------------------------- who is reading: settings and progress

PageProgress = Callable[[str, int, int], None]  # (file name, pages done, pages in the file)
_settings: contextvars.ContextVar[Settings | None] = contextvars.ContextVar("ocr_settings", default=None)
_progress: contextvars.ContextVar[PageProgress | None] = contextvars.ContextVar("ocr_progress", default=None)


@contextlib.contextmanager
def ocr_context(settings: Settings | None = None, progress: PageProgress | None = None) -> Iterator[None]:
    """Format readers take only a file; the build says which settings (cache folder, engine) they read pages with,
    and whom to tell about each page (the CLI's bar, the admin job's '识别文字 3/12 页')."""
    tokens = [_settings.set(settings or current_settings()), _progress.set(progress or _progress.get())]
    try:
        yield
    finally:
        _progress.reset(tokens[1])
        _settings.reset(tokens[0])


def context_settings() -> Settings | None:
    """The settings a build set for reading pages, if any (sent to the parser child, which has no context)."""
    return _settings.get()


def current_settings() -> Settings:
    from .settings import Settings

    return _settings.get() or Settings()


def report_page(file: str, done: int, total: int) -> None:
    if cb := _progress.get():
        cb(file, done, total)


# ---------------------------------------------------------------- the engine


class OcrEngine:
    """RapidOCR with the project's settings; the models load on first use, once per process."""

    _lock = threading.Lock()
    _engines: typing.ClassVar[dict[tuple, OcrEngine]] = {}

    def __init__(self, side: int, threads: int):
        from rapidocr import RapidOCR

        self.side, self.threads = side, threads
        ort = "EngineConfig.onnxruntime."
        self._ocr = RapidOCR(
            params={
                "Global.log_level": "warning",
                "Global.use_cls": False,  # scans are upright; the 180° classifier costs time and flips nothing here
                "Global.max_side_len": max(side, 2000),
                "Det.limit_side_len": side,
                "Det.limit_type": "max",
                f"{ort}intra_op_num_threads": threads,
                f"{ort}inter_op_num_threads": 1,
            }
        )

    @classmethod
    def get(cls, settings: Settings) -> OcrEngine:
        import cv2

        # OpenCV's own pool is otherwise one thread per core, each with its stack and buffers: a page's memory then
        # grows with the machine (measured in the parser child: +0.55 GB at 2 threads, +0.86 GB at 32), and on a
        # many-core host a scan broke the child's memory ceiling. Sized like onnxruntime's, a page costs the same
        # everywhere; its time is set by the models, not by OpenCV (3.1 s with 2 threads, 3.3 s with 1).
        cv2.setNumThreads(settings.ocr_threads)
        key = (settings.ocr_side_len, settings.ocr_threads)
        with cls._lock:
            if key not in cls._engines:
                cls._engines[key] = OcrEngine(*key)
            return cls._engines[key]

    @staticmethod
    def signature(settings: Settings) -> str:
        from importlib.metadata import version

        return f"rapidocr-{version('rapidocr')}/side{settings.ocr_side_len}/v{OCR_VERSION}"

    def raw(self, img: np.ndarray) -> list[tuple[np.ndarray, str, float]]:
        """(4-point box, text, score) of every line the models find in an RGB image."""
        out = self._ocr(img[..., ::-1].copy())  # RapidOCR takes OpenCV's BGR order
        if out.boxes is None or out.txts is None:
            return []
        return [(np.asarray(b, dtype=np.float32), t, float(s)) for b, t, s in zip(out.boxes, out.txts, out.scores)]


# ---------------------------------------------------------------- red ink


def red_mask(img: np.ndarray) -> np.ndarray:
    r, g, b = (img[..., i].astype(np.int16) for i in range(3))
    return (r > 120) & (r - g > 50) & (r - b > 50)


def without_red(img: np.ndarray) -> np.ndarray:
    """The red channel as grey: red ink vanishes into the paper, black toner (even under the ink) stays black."""
    grey = img[..., 0]
    grey = np.where(grey > 175, 255, grey).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def seal_regions(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of round red marks (seals): red blobs roughly as wide as high and several lines tall."""
    import cv2

    w = mask.shape[1]
    small = cv2.dilate(mask.astype(np.uint8), np.ones((9, 9), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(small, connectivity=8)
    out = []
    for x, y, bw, bh, _area in stats[1:n]:
        if bw > 0.08 * w and 0.6 < bw / max(1, bh) < 1.6:
            out.append((int(x), int(y), int(x + bw), int(y + bh)))
    return out


# ---------------------------------------------------------------- geometry


def skew_angle(boxes: list[np.ndarray]) -> float:
    """Median slope (radians) of the top edges of wide boxes; 0 when there are too few."""
    angles = []
    for b in boxes:
        dx, dy = b[1][0] - b[0][0], b[1][1] - b[0][1]
        if dx > 3 * abs(b[3][1] - b[0][1]) and dx > 0:
            angles.append(math.atan2(dy, dx))
    return float(np.median(angles)) if len(angles) >= 3 else 0.0


def _upright(raw: list[tuple[np.ndarray, str, float]], angle: float, width: int, height: int) -> list[OcrLine]:
    """Boxes rotated back by the page's skew, as axis-aligned lines."""
    c, s = math.cos(-angle), math.sin(-angle)
    cx, cy = width / 2, height / 2
    lines = []
    for box, text, score in raw:
        xs = (box[:, 0] - cx) * c - (box[:, 1] - cy) * s + cx
        ys = (box[:, 0] - cx) * s + (box[:, 1] - cy) * c + cy
        if text.strip():
            box = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
            lines.append(OcrLine(text.strip(), *box, score))
    return lines


def _overlap(a: OcrLine, b: OcrLine) -> bool:
    v = min(a.bottom, b.bottom) - max(a.top, b.top)
    h = min(a.x1, b.x1) - max(a.x0, b.x0)
    return v > 0.5 * min(a.height, b.height) and h > 0


def merge_readings(
    colour: list[OcrLine], plain: list[OcrLine], seals: list[tuple[int, int, int, int]]
) -> list[OcrLine]:
    """Lines of the red-suppressed reading, each replaced by the one overlapping colour line if that scored better;
    colour lines with nothing overlapping kept unless they sit inside a seal (its own text)."""
    out = []
    for p in plain:
        rivals = [c for c in colour if _overlap(c, p)]
        best = max(rivals, key=lambda c: c.score, default=None)
        out.append(best if best is not None and best.score > p.score and len(rivals) == 1 else p)

    def in_seal(ln: OcrLine) -> bool:
        cx, cy = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
        return any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in seals)

    out += [c for c in colour if not any(_overlap(c, p) for p in plain) and not in_seal(c)]
    return out


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Top to bottom; pieces of one visual line joined left to right; on a two-column page the left column is read
    before the right one, between lines that span both."""
    gutter = _gutter(lines)
    if gutter is None:
        return _rows(lines)
    out: list[OcrLine] = []
    left: list[OcrLine] = []
    right: list[OcrLine] = []
    for ln in sorted(lines, key=lambda ln: (ln.top + ln.bottom) / 2):
        if ln.x0 < gutter < ln.x1:  # spans the columns: what came before is complete
            out += _rows(left) + _rows(right) + [ln]
            left, right = [], []
        else:
            (left if ln.x1 <= gutter else right).append(ln)
    return out + _rows(left) + _rows(right)


def _rows(lines: list[OcrLine]) -> list[OcrLine]:
    """Boxes on the same visual line (vertical overlap) joined in x order; a wide gap becomes a space."""
    rows: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda ln: (ln.top + ln.bottom) / 2):
        cur = rows[-1] if rows else None
        if cur and all(_same_row(ln, o) for o in cur):
            cur.append(ln)
        else:
            rows.append([ln])
    return [_join(sorted(r, key=lambda ln: ln.x0)) for r in rows]


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    v = min(a.bottom, b.bottom) - max(a.top, b.top)
    return v > 0.6 * min(a.height, b.height) and (a.x1 <= b.x0 + 2 or b.x1 <= a.x0 + 2)


def _join(row: list[OcrLine]) -> OcrLine:
    text = row[0].text
    for prev, ln in itertools.pairwise(row):
        gap = ln.x0 - prev.x1
        text += (" " if gap > prev.height * 0.9 else "") + ln.text
    scores = [ln.score for ln in row]
    return OcrLine(
        text,
        min(ln.x0 for ln in row),
        min(ln.top for ln in row),
        max(ln.x1 for ln in row),
        max(ln.bottom for ln in row),
        float(np.mean(scores)),
    )


def _gutter(lines: list[OcrLine]) -> float | None:
    """An x in the middle of the text block crossed by few rows, with many rows on each side: a two-column page."""
    if len(lines) < 8:
        return None
    x0, x1 = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    best = None
    for x in np.linspace(x0 + 0.3 * (x1 - x0), x0 + 0.7 * (x1 - x0), 41):
        crossing = sum(ln.x0 < x < ln.x1 for ln in lines)
        left = sum(ln.x1 <= x for ln in lines)
        right = sum(ln.x0 >= x for ln in lines)
        columns = crossing <= 0.15 * len(lines) and min(left, right) >= 0.3 * len(lines)
        if columns and (best is None or crossing < best[0]):
            best = (crossing, float(x))
    return best[1] if best else None


# ---------------------------------------------------------------- text repairs where OCR is known to confuse

# 〔 〕 read as { ） [ ] 【 】 ( ): a 文号 (GB/T 9704: the year in 六角括号) gets its brackets back
_DOC_NO_RE = re.compile(
    r"([\u4e00-\u9fa5]{1,12}?)\s*[{〔\[［(（【]\s*((?:19|20)\d{2})\s*[}〕\]］)）】]\s*(\d{1,4})\s*号"
)
_DIGIT_O_RE = re.compile(r"(?<=\d)[OoD](?=\d)|(?<=\d)[OoD](?=\s*[年月日号])")
_DIGIT_L_RE = re.compile(r"(?<=\d)[lI|](?=\d)")
_RANGE_DASH_RE = re.compile(r"(?<=\d)\s*一\s*(?=(?:19|20)\d{2})")  # 2021一2025年: the dash read as 一
PAGE_NO_RE = re.compile(r"^[-－—–一_~\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[-－—–一_~\s]*$")


@functools.cache
def _doc_types_re() -> re.Pattern:
    path = Path(__file__).parent / "data" / "doc_types.txt"
    words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")]
    return re.compile(rf"^(.*(?:{'|'.join(sorted(words, key=len, reverse=True))}))(.+)$")


def _doc_no(m: re.Match) -> str:
    """A 文号 with 六角括号; a 文种 word the prefix swallowed (…的通知鄂科协办) is set apart again."""
    prefix = m.group(1)
    if split := _doc_types_re().match(prefix):
        prefix = f"{split.group(1)} {split.group(2)}"
    return f"{prefix}〔{m.group(2)}〕{m.group(3)}号"


def fix_confusions(text: str) -> str:
    """Repair the character confusions OCR makes where a 文号 or a date is expected."""
    text = _DIGIT_O_RE.sub("0", text)
    text = _DIGIT_L_RE.sub("1", text)
    text = _RANGE_DASH_RE.sub("—", text)
    return _DOC_NO_RE.sub(_doc_no, text)


# ---------------------------------------------------------------- one page, cached


def _cache_dir(settings: Settings) -> Path:
    return settings.ocr_cache_dir or settings.index_dir / "ocr-cache"


def page_key(img: np.ndarray, settings: Settings) -> str:
    h = hashlib.sha256(OcrEngine.signature(settings).encode())
    h.update(str(img.shape).encode())
    h.update(np.ascontiguousarray(img).tobytes())
    return h.hexdigest()


@dataclass
class OcrReading:
    """What the models said about a page (the costly part, cached): lines deskewed by ``angle``, seals resolved."""

    width: int
    height: int
    angle: float
    lines: list[OcrLine]


def _load(path: Path) -> OcrReading | None:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        return OcrReading(d["width"], d["height"], d["angle"], [OcrLine(**ln) for ln in d["lines"]])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(path: Path, reading: OcrReading) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp-{os.getpid()}-{threading.get_ident()}")
    tmp.write_text(json.dumps(asdict(reading), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash never leaves half an entry


def read_page(image: Image.Image | np.ndarray, settings: Settings | None = None) -> OcrPage:
    """Lines of one page image in reading order and its ruled tables. The models' reading comes from the cache when
    these pixels were read before; the layout rules (tables, columns) run on it each time, so changing them never
    needs a page read again."""
    settings = settings or current_settings()
    img = np.asarray(image.convert("RGB")) if not isinstance(image, np.ndarray) else image
    key = page_key(img, settings)
    path = _cache_dir(settings) / key[:2] / f"{key}.json"
    reading = _load(path)
    if reading is None:
        reading = recognise(img, settings)
        try:
            _store(path, reading)
        except OSError as exc:  # a read-only cache costs time, never the document
            log.warning("OCR cache not written (%s)", exc)
    tables, lines = find_tables(img, reading.angle, reading.lines)
    return OcrPage(reading.width, reading.height, reading_order(lines), tables)


def recognise(img: np.ndarray, settings: Settings) -> OcrReading:
    """OCR of the page; where a seal sits, the band of lines it covers is read again with red suppressed."""
    engine = OcrEngine.get(settings)
    h, w = img.shape[:2]
    raw = engine.raw(img)
    angle = skew_angle([b for b, _, _ in raw])
    lines = _upright(raw, angle, w, h)
    mask = red_mask(img)
    seals = seal_regions(mask) if mask.mean() > settings.ocr_red_share else []
    for _x0, y0, _x1, y1 in seals:
        pad = (y1 - y0) // 4
        top, bottom = max(0, y0 - pad), min(h, y1 + pad)
        shift = np.array([0, top], dtype=np.float32)
        band = [(b + shift, t, sc) for b, t, sc in engine.raw(without_red(img[top:bottom]))]
        plain = _upright(band, angle, w, h)
        inside = [ln for ln in lines if top <= (ln.top + ln.bottom) / 2 <= bottom]
        rest = [ln for ln in lines if ln not in inside]
        lines = rest + merge_readings(inside, plain, seals)
    return OcrReading(w, h, angle, lines)


# ---------------------------------------------------------------- ruled tables

RULE_WINDOW = 25  # pixels a rule may wander across (skew left after deskewing); less than any row's height


def _deskewed(img: np.ndarray, angle: float) -> np.ndarray:
    """The page rotated the way ``_upright`` rotates boxes, so ruling lines and line boxes agree."""
    import cv2

    h, w = img.shape[:2]
    c, s = math.cos(-angle), math.sin(-angle)
    cx, cy = w / 2, h / 2
    m = np.array([[c, -s, cx - c * cx + s * cy], [s, c, cy - s * cx - c * cy]], dtype=np.float64)
    return cv2.warpAffine(img, m, (w, h), borderValue=255)


def _borders(profile: np.ndarray, share: float) -> list[int]:
    """Centres of runs where a ruling-line profile exceeds ``share`` of its maximum possible value. The profile is
    summed over a window first: a rule still skewed by a fraction of a degree spreads over a few pixels."""
    profile = np.convolve(profile, np.ones(RULE_WINDOW), mode="same")
    on = np.flatnonzero(profile >= share)
    if not len(on):
        return []
    runs = np.split(on, np.flatnonzero(np.diff(on) > 3) + 1)
    return [int(r.mean()) for r in runs]


def _within(ln: OcrLine, x0: float, y0: float, x1: float, y1: float) -> bool:
    return x0 <= (ln.x0 + ln.x1) / 2 <= x1 and y0 <= (ln.top + ln.bottom) / 2 <= y1


def find_tables(img: np.ndarray, angle: float, lines: list[OcrLine]) -> tuple[list[OcrTable], list[OcrLine]]:
    """Tables drawn with ruling lines, their cells filled with the OCR lines inside them; the other lines back.

    Rules are found by morphology on the deskewed page (long thin dark runs); a first-column cell without a rule
    above it continues the group of the row above, as a vertical merge does in Word or PDF."""
    import cv2

    h, w = img.shape[:2]
    dark = (_deskewed(img.min(axis=2), angle) < 140).astype(np.uint8)
    horiz = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, max(20, w // 25)), np.uint8))
    vert = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((max(20, h // 60), 1), np.uint8))
    grid = cv2.dilate(horiz | vert, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    tables, used = [], set()
    for x, y, bw, bh, _area in stats[1:n]:
        if bw < 0.3 * w or bh < 0.03 * h:
            continue
        cols = _borders(vert[y : y + bh, x : x + bw].sum(axis=0) / bh, 0.5)
        rows = _borders(horiz[y : y + bh, x : x + bw].sum(axis=1) / bw, 0.3)
        if len(cols) < 3 or len(rows) < 2:
            continue
        cols, rows = [x + c for c in cols], [y + r for r in rows]
        cells: list[list[str | None]] = []
        for r in range(len(rows) - 1):
            row: list[str | None] = []
            for c in range(len(cols) - 1):
                inside = [ln for ln in lines if _within(ln, cols[c], rows[r], cols[c + 1], rows[r + 1])]
                used.update(id(ln) for ln in inside)
                half = RULE_WINDOW // 2
                rule = horiz[max(0, rows[r] - half) : rows[r] + half + 1, cols[c] + 5 : cols[c + 1] - 5].max(axis=0)
                merged = r > 0 and rule.mean() < 0.5 and not inside
                row.append(None if merged else "".join(ln.text for ln in sorted(inside, key=lambda ln: ln.top)))
            cells.append(row)
        tables.append(OcrTable(float(rows[0]), cells))
    return tables, [ln for ln in lines if id(ln) not in used]


def char_error_rate(recognised: str, reference: str) -> float:
    """Edit distance over the reference length, both folded (width, quotes) and without whitespace or the ``|`` of
    table rows: a scan cannot show whether a space or a full-width comma was typed, and cell borders are not text."""
    from rapidfuzz.distance import Levenshtein

    from .normalize import fold

    ref = fold(reference).replace("|", "")
    return Levenshtein.distance(fold(recognised).replace("|", ""), ref) / max(1, len(ref))
