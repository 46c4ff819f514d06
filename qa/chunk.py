"""Structure-aware chunks: every chunk knows its 公文 section path and where it lies in the document.

Paragraphs stay whole where they fit; longer ones are cut at Chinese sentence ends. Heading-only lines are not
chunks of their own: they lead into the next chunk, so no text is lost and headings are searchable. Pipe tables
become one chunk per row, with column names, and continuation rows inherit their group's first cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .lexical import bigrams
from .metadata import _is_title_like, title_lines
from .normalize import heading_level
from .schema import Chunk, Document

SENTENCE_SEPARATORS = ["\n", "。", "！", "？", "；", "，", "、", ""]
CLOSING_RE = re.compile(r"[。！？；!?;]")
APPENDIX_RE = re.compile(r"^附\s*件\s*\d*\s*[:：]?\s*(.*)$")
FIELD_RE = re.compile(r"[（(]\s*([\u4e00-\u9fa5]{2,8})\s*[:：]\s*([^（()）]+?)\s*[)）]")
MAX_LABEL = 40
CHUNKER_VERSION = 4  # bump when a code change alters chunks or their metadata: existing indexes then count as stale


@dataclass
class Line:
    text: str
    start: int
    end: int


@dataclass
class _Table:
    columns: list[str]
    group: list[str] = field(default_factory=list)
    last: list[str] = field(default_factory=list)  # the previous data row's values, to tell a continuation row


def _likeness(a: str, b: str) -> float:
    """How alike two cells of one column are: shared character bigrams first (a unit list resembles a unit list),
    then the same kind of content (figures or words) and a similar length."""
    ga, gb = set(bigrams(a)), set(bigrams(b))
    shared = len(ga & gb) / min(len(ga), len(gb)) if ga and gb else 0.0
    same_kind = any(ch.isdigit() for ch in a) == any(ch.isdigit() for ch in b)
    return shared + 0.3 * same_kind + 0.3 * min(len(a), len(b)) / max(len(a), len(b), 1)


def is_continuation(filled: list[str], table: _Table) -> bool:
    """A row of fewer cells than columns either continues a merged first column (its cells sit one column to the
    left: the exports this reads leave the last cell empty) or is an ordinary row with empty cells at its end. The
    previous row decides: the cells are a continuation when they resemble its values shifted right better than in
    place."""
    shift = len(table.columns) - len(filled)
    if not table.group or not table.last or shift <= 0:
        return False
    shifted = sum(_likeness(c, table.last[j + shift]) for j, c in enumerate(filled))
    in_place = sum(_likeness(c, table.last[j]) for j, c in enumerate(filled))
    return shifted > in_place


def lines_with_spans(text: str) -> list[Line]:
    """Non-blank lines, stripped, with their span in ``text``."""
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + raw.index(stripped[0])
            out.append(Line(stripped, start, start + len(stripped)))
        pos += len(raw) + 1
    return out


def heading_label(line: str) -> str:
    """The heading part of a numbered line: up to its first sentence end, as 1.强化政治引领."""
    head = CLOSING_RE.split(line, maxsplit=1)[0].strip()
    return head if len(head) <= MAX_LABEL else head[:MAX_LABEL] + "…"


def table_cells(line: str) -> list[str]:
    """Cells of a pipe row. Only the empty piece outside a leading or trailing pipe is dropped: an empty cell inside
    a row is a cell, so an ordinary row with a blank column keeps its width and is never read as a continuation."""
    s = line.strip()
    cells = [c.strip() for c in s.split("|")]
    if s.endswith("|"):
        cells.pop()
    if s.startswith("|") and cells:
        cells.pop(0)
    return cells


def group_fields(cell: str) -> dict[str, str]:
    """(牵头单位:区卫健局) inside a group cell becomes the field 牵头单位 = 区卫健局."""
    return {k: v for k, v in FIELD_RE.findall(cell)}


class _Chunker:
    def __init__(self, doc: Document, chunk_size: int, chunk_overlap: int):
        self.doc = doc
        self.chunk_size = chunk_size
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            separators=SENTENCE_SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )
        self.root = doc.meta.title or doc.meta.file or doc.doc_id
        self.stack: list[tuple[int, str]] = []  # (level, label); appendices sit at level -1
        self.pending: int | None = None  # start of heading lines waiting for the next chunk
        self.buffer: list[Line] = []  # consecutive paragraphs of one section, merged while they fit
        self.table: _Table | None = None
        self.chunks: list[Chunk] = []

    # --- paths -------------------------------------------------------------
    def path(self) -> list[str]:
        return [self.root] + [label for _, label in self.stack]

    def push(self, level: int, label: str) -> None:
        self.stack = [(lv, lb) for lv, lb in self.stack if lv < level] + [(level, label)]

    def hold(self, line: Line) -> None:
        """Keep a heading-only line to prefix the next chunk."""
        self.flush()
        if self.pending is None:
            self.pending = line.start

    # --- emitting ----------------------------------------------------------
    def emit(self, start: int, end: int, **kw) -> None:
        if self.pending is not None:
            start, self.pending = min(start, self.pending), None
        text = kw.pop("text", None) or self.doc.text[start:end]
        self.chunks.append(Chunk(len(self.chunks), self.doc.doc_id, text, self.path(), (start, end), **kw))

    def flush(self) -> None:
        if not self.buffer:
            return
        first, last = self.buffer[0], self.buffer[-1]
        self.buffer = []
        start, end = first.start, last.end
        body = self.doc.text[start:end]
        if len(body) <= self.chunk_size:
            self.emit(start, end)
            return
        cursor, covered = 0, 0
        for piece in self.splitter.split_text(body):
            at = body.find(piece, cursor)
            # each piece reaches past the one before (they overlap by at most chunk_overlap): an earlier copy of
            # the same text (0000… inside the previous piece) is not where this one lies
            while at >= 0 and at + len(piece) <= covered:
                at = body.find(piece, at + 1)
            at = at if at >= 0 else body.find(piece)
            self.emit(start + at, start + at + len(piece))
            cursor, covered = at + 1, max(covered, at + len(piece))

    def add_paragraph(self, line: Line) -> None:
        if self.buffer and (line.end - self.buffer[0].start) > self.chunk_size:
            self.flush()
        self.buffer.append(line)

    # --- tables --------------------------------------------------------------
    def add_table_row(self, line: Line) -> None:
        cells = table_cells(line.text)
        if self.table is None:
            self.flush()
            self.table = _Table(columns=cells)
            self.hold(line)  # the header row leads into the first data row
            return
        cols = self.table.columns
        filled = list(cells)
        while filled and not filled[-1]:
            filled.pop()
        if len(filled) < len(cols) and not (len(filled) == 1 and heading_level(filled[0]) is not None):
            if is_continuation(filled, self.table):  # no first cell: its cells sit one column to the left
                values = self.table.group + filled
            else:  # an ordinary row whose last cells are empty
                values = cells + [""] * (len(cols) - len(cells))
        else:
            self.table.group = filled[:1]
            self.push(6, filled[0])
            if len(filled) == 1:
                self.hold(line)
                return
            values = cells[: len(cols)] + ([" | ".join(cells[len(cols) :])] if len(cells) > len(cols) else [])
        values = values[: len(cols)]
        self.table.last = values
        fields = dict(zip(cols, values))
        if self.table.group:
            fields.update(group_fields(self.table.group[0]))
        text = "\n".join(f"{c}：{v}" for c, v in zip(cols, values))
        self.emit(line.start, line.end, text=text, kind="table_row", fields=fields)

    # --- driver --------------------------------------------------------------
    def run(self) -> list[Chunk]:
        lines = lines_with_spans(self.doc.text)
        titles = set(title_lines(self.doc.text))
        in_appendix_title = False
        for i, line in enumerate(lines):
            s = line.text
            if "|" in s:
                self.add_table_row(line)
                continue
            if self.table is not None:
                self.table = None
                self.stack = [(lv, lb) for lv, lb in self.stack if lv < 6]
            if i in titles:
                self.hold(line)
                self.stack = []
                continue
            if m := APPENDIX_RE.match(s):
                self.hold(line)
                self.stack = [(-1, m.group(1) or "附件")]
                in_appendix_title = True
                continue
            if in_appendix_title and _is_title_like(s):
                self.hold(line)
                label = self.stack[0][1]
                self.stack = [(-1, s if label == "附件" else label + s)]
                continue
            in_appendix_title = False
            level = heading_level(s)
            if level is None:
                self.add_paragraph(line)
                continue
            self.flush()
            self.push(level, heading_label(s))
            if CLOSING_RE.search(s[:-1] if s[-1] in "。；" else s) or len(s) > MAX_LABEL * 2:
                self.add_paragraph(line)  # a numbered paragraph: heading sentence and body
            else:
                self.hold(line)
        self.flush()
        if self.pending is not None:
            self.emit(self.pending, lines[-1].end)
        return self.chunks


def label_front_matter(chunks: list[Chunk], doc: Document) -> None:
    """Chunks that print the 文号, issuer or date get them as named fields, so '文号是多少' can find them."""
    m = doc.meta
    for c in chunks:
        if c.kind != "text":
            continue
        if m.doc_no and m.doc_no in c.text.replace(" ", ""):
            c.fields["文号"] = m.doc_no
        if m.issuer and m.date and m.issuer in c.text and any(d in c.text for d in date_spellings(m.date)):
            c.fields.update({"发文单位": m.issuer, "成文日期": m.date})


def date_spellings(iso: str) -> list[str]:
    y, mo, d = (int(x) for x in iso.split("-"))
    return [f"{y}年{mo}月{d}日", f"{y}年{mo:02d}月{d:02d}日"]


def chunk_document(doc: Document, *, chunk_size: int = 300, chunk_overlap: int = 40) -> list[Chunk]:
    chunks = _Chunker(doc, chunk_size, chunk_overlap).run()
    label_front_matter(chunks, doc)
    return chunks


def chunk_fixed(doc: Document, *, chunk_size: int = 500, chunk_overlap: int = 50) -> list[Chunk]:
    """The naive baseline: fixed windows from RecursiveCharacterTextSplitter's defaults, no structure."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap, add_start_index=True)
    root = [doc.meta.title or doc.doc_id]
    return [
        Chunk(
            i,
            doc.doc_id,
            p.page_content,
            root,
            (p.metadata["start_index"], p.metadata["start_index"] + len(p.page_content)),
        )
        for i, p in enumerate(splitter.create_documents([doc.text]))
    ]


CHUNKERS = {"structure": chunk_document, "fixed": chunk_fixed}


def chunk_with(name: str, doc: Document, *, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """The chunker a setting names: 'structure' (default) or 'fixed' (the naive baseline)."""
    return CHUNKERS[name](doc, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
