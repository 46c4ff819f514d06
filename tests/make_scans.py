"""Scanned copies of corpus documents, made the way an office scanner makes them: A4 pages at 200 dpi in the 公文
layout (CJK serif font, paragraphs indented two characters, page numbers "- 3 -"), a red header line, a red
circular seal stamped over the signature and date, ruled tables, then a slight rotation, blur and noise; saved as an
image-only PDF (no text layer) or as image files. Everything is seeded, so the same text gives the same pixels (the
OCR cache is keyed by them).

``reference`` is the text that was drawn, for the character error rate.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from qa.metadata import DATE_LINE_RE, REDHEAD_RE

from .make_formats import pieces

DPI = 200
PAGE = (1654, 2339)  # A4 at 200 dpi
LEFT, RIGHT, TOP, BOTTOM = 220, 205, 250, 230
FONT_PX = 36  # about 13 pt: a denser page than the 16 pt of the standard, to keep the test corpus short
LINE_PX = 60
RED = (205, 30, 35)
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=2)  # the SC face of the collection
    raise FileNotFoundError("no CJK font: apt-get install fonts-noto-cjk (make test does)")


@dataclass
class Scan:
    pages: list[Image.Image]
    reference: str  # the drawn text, paragraphs one per line
    lines: list[str] = field(default_factory=list)


class _Writer:
    def __init__(self):
        self.body = font(FONT_PX)
        self.small = font(26)
        self.pages: list[Image.Image] = []
        self.drawn: list[str] = []
        self.seal_at: tuple[int, int, int] | None = None  # page, x, y of the signature
        self._widths: dict[str, float] = {}
        self._new_page()

    def _new_page(self):
        self.page = Image.new("RGB", PAGE, "white")
        self.draw = ImageDraw.Draw(self.page)
        self.pages.append(self.page)
        self.y = TOP

    def _room(self, height: int):
        if self.y + height > PAGE[1] - BOTTOM:
            self._new_page()

    def width(self, text: str, f=None) -> float:
        return self.draw.textlength(text, font=f or self.body)

    def char_width(self, ch: str) -> float:
        if ch not in self._widths:
            self._widths[ch] = self.width(ch)
        return self._widths[ch]

    def wrap(self, text: str, first_indent: float, width: float) -> list[str]:
        lines, cur, used, limit = [], "", 0.0, width - first_indent
        for ch in text:
            w = self.char_width(ch)
            if cur and used + w > limit:
                lines.append(cur)
                cur, used, limit = "", 0.0, width
            cur += ch
            used += w
        return [*lines, cur] if cur else lines

    def header(self, text: str):
        """The 红头: the issuing body's name in large red type, a red rule under it."""
        big = font(64)
        w = self.width(text, big)
        self.draw.text(((PAGE[0] - w) / 2, self.y), text, font=big, fill=RED)
        self.y += 110
        self.draw.line([(LEFT, self.y), (PAGE[0] - RIGHT, self.y)], fill=RED, width=4)
        self.y += 50
        self.drawn.append(text)

    def paragraph(self, text: str, *, centred: bool = False, signature: bool = False):
        width = PAGE[0] - LEFT - RIGHT
        if centred or signature:
            lines = self.wrap(text, 0, width)
            for ln in lines:
                self._room(LINE_PX)
                w = self.width(ln)
                x = (PAGE[0] - w) / 2 if centred else PAGE[0] - RIGHT - w - 2 * FONT_PX
                self.draw.text((x, self.y), ln, font=self.body, fill="black")
                if signature and self.seal_at is None:
                    self.seal_at = (len(self.pages) - 1, int(x + w / 2), int(self.y + LINE_PX))
                self.y += LINE_PX
        else:
            indent = 2 * FONT_PX
            for i, ln in enumerate(self.wrap(text, indent, width)):
                self._room(LINE_PX)
                self.draw.text((LEFT + (indent if i == 0 else 0), self.y), ln, font=self.body, fill="black")
                self.y += LINE_PX
        self.drawn.append(text)

    def table(self, grid: list[list[str | None]]):
        """A ruled table; a first-column cell that continues the group above is merged down (no rule between)."""
        widths = [0.22, 0.53, 0.25]
        total = PAGE[0] - LEFT - RIGHT
        cols = [LEFT + int(total * sum(widths[:i])) for i in range(len(widths) + 1)]
        pad = 10
        for row in grid:
            cell_lines = [self.wrap(v or "", 0, cols[c + 1] - cols[c] - 2 * pad) for c, v in enumerate(row)]
            height = max(len(x) for x in cell_lines) * LINE_PX + pad
            if self.y + height > PAGE[1] - BOTTOM:
                self.draw.line([(cols[0], self.y), (cols[-1], self.y)], fill="black", width=2)
                self._new_page()
                row = [v if v is not None else "" for v in row]  # a group cut by a page break starts afresh
                cell_lines = [self.wrap(v, 0, cols[c + 1] - cols[c] - 2 * pad) for c, v in enumerate(row)]
            top = self.y
            start = 0 if row[0] is not None else 1
            self.draw.line([(cols[start], top), (cols[-1], top)], fill="black", width=2)
            for c, lines in enumerate(cell_lines):
                for i, ln in enumerate(lines):
                    self.draw.text((cols[c] + pad, top + pad // 2 + i * LINE_PX), ln, font=self.body, fill="black")
            self.y = top + height
            for x in cols:
                self.draw.line([(x, top), (x, self.y)], fill="black", width=2)
            self.drawn.append(" ".join(v for v in row if v))
        self.draw.line([(cols[0], self.y), (cols[-1], self.y)], fill="black", width=2)
        self.y += LINE_PX // 2

    def page_numbers(self):
        for n, page in enumerate(self.pages, 1):
            d = ImageDraw.Draw(page)
            label = f"- {n} -"
            d.text(
                ((PAGE[0] - d.textlength(label, font=self.small)) / 2, PAGE[1] - 150),
                label,
                font=self.small,
                fill="black",
            )

    def seal(self, name: str):
        """A red circular seal over the signature: ring, star and the issuer's name around the top."""
        if self.seal_at is None:
            return
        p, cx, cy = self.seal_at
        layer = Image.new("RGBA", PAGE, (255, 255, 255, 0))
        d = ImageDraw.Draw(layer)
        r = 150
        col = (*RED, 200)
        d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=col, width=9)
        radii = [40 if k % 2 == 0 else 16 for k in range(10)]
        star = [(cx + q * math.sin(k * math.pi / 5), cy - q * math.cos(k * math.pi / 5)) for k, q in enumerate(radii)]
        d.polygon(star, fill=col)
        chars = list(name)
        f = font(34)
        for i, ch in enumerate(chars):
            angle = math.pi * (-0.8 + 1.6 * i / max(1, len(chars) - 1))
            glyph = Image.new("RGBA", (44, 44), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text((5, 0), ch, font=f, fill=col)
            glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
            gx, gy = cx + (r - 42) * math.sin(angle), cy - (r - 42) * math.cos(angle)
            layer.alpha_composite(glyph, (int(gx - 22), int(gy - 22)))
        ink = Image.new("RGB", PAGE, "white")
        ink.paste(layer, mask=layer)
        self.pages[p] = ImageChops.multiply(self.pages[p], ink)  # ink over toner: black stays black


def render(raw: str, issuer: str, seed: int = 0) -> Scan:
    """Pages of ``raw`` (corpus text) in the 公文 layout with a red header and a seal; clean images."""
    w = _Writer()
    lines = [ln for kind, ln in pieces(raw) if kind == "para"]
    items = list(pieces(raw))
    if not (lines and REDHEAD_RE.match(lines[0])) and issuer:
        w.header(f"{issuer}文件")
    paras = [i for i, (kind, _) in enumerate(items) if kind == "para"]
    first_date = next((i for i in paras if DATE_LINE_RE.match(items[i][1])), None)
    signing = {first_date, first_date - 1} if first_date else set()  # the signature and its date, right-aligned
    for i, (kind, content) in enumerate(items):
        if kind == "table":
            w.table(content)
        elif REDHEAD_RE.match(content) and i < 3:
            w.header(content)
        else:
            w.paragraph(content, signature=i in signing and len(content) <= 30)
    w.page_numbers()
    w.seal(issuer)
    return Scan(w.pages, "\n".join(w.drawn))


def degrade(page: Image.Image, seed: int, angle: float = 0.6) -> Image.Image:
    """What a flatbed scanner does: a slight skew, a little blur, sensor noise, a grey-white paper."""
    import cv2
    import numpy as np

    rnd = random.Random(seed)
    arr = np.asarray(page)
    h, w = arr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), rnd.uniform(-angle, angle), 1.0)
    arr = cv2.warpAffine(arr, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=(250, 250, 248))
    arr = cv2.GaussianBlur(arr, (0, 0), 0.8).astype(np.int16)
    noise = np.random.default_rng(seed).normal(0, 10, (h, w)).astype(np.int16)[..., None]
    return Image.fromarray(np.clip(arr - 8 + noise, 0, 255).astype(np.uint8))


def photo(page: Image.Image, seed: int = 0) -> Image.Image:
    """A phone photo of a page: perspective (the top edge farther away), uneven light, softer focus."""
    import numpy as np

    w, h = page.size
    sx, sy = w * 0.06, h * 0.02
    # PIL's perspective maps output to input: coefficients from four corner pairs
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = [(sx, sy), (w - sx * 0.6, sy * 1.5), (w, h), (0, h - sy * 0.5)]
    coeffs = _perspective(dst, src)
    img = page.transform((w, h), Image.PERSPECTIVE, coeffs, resample=Image.BICUBIC, fillcolor=(120, 110, 100))
    img = img.filter(ImageFilter.GaussianBlur(1.1))
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.72 + 0.28 * (xx / w) * (1 - 0.3 * yy / h)  # darker at the left and the bottom
    arr = np.asarray(img).astype(np.float32) * light[..., None]
    arr += np.random.default_rng(seed).normal(0, 6, arr.shape[:2])[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _perspective(src, dst) -> list[float]:
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for pt in dst for c in pt], dtype=float)
    return list(np.linalg.solve(a, b))


def scanned(raw: str, issuer: str, seed: int = 0) -> Scan:
    scan = render(raw, issuer, seed)
    scan.pages = [degrade(p, seed * 1000 + i) for i, p in enumerate(scan.pages)]
    return scan


def write_image_pdf(pages: list[Image.Image], path: Path) -> Path:
    """An image-only PDF: each page one JPEG, no text layer, as scanners save them."""
    pages[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=pages[1:], quality=85)
    return path


def png_bytes(page: Image.Image) -> bytes:
    buf = io.BytesIO()
    page.save(buf, "PNG")
    return buf.getvalue()
