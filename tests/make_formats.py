"""Build .docx, .pdf, .html and GBK fixtures from corpus text, the way offices publish the same document.

Tables come from the corpus's pipe rows: a continuation row (no first cell) becomes a real vertical merge (Word),
a row span (HTML) or a cell span (PDF), so the readers meet merged cells as they occur in real files.
"""

from __future__ import annotations

import html
from pathlib import Path

from qa.chunk import table_cells


def blocks(raw: str) -> list[list[str]]:
    """Blank-line separated blocks of non-blank, stripped lines."""
    out, cur = [], []
    for line in raw.replace("\r\n", "\n").split("\n"):
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(cur)
            cur = []
    return [*out, cur] if cur else out


def grid(rows: list[str]) -> list[list[str | None]]:
    """Pipe rows → a grid; ``None`` where the first column continues the group above."""
    header = table_cells(rows[0])
    n = len(header)
    out: list[list[str | None]] = [header]
    for line in rows[1:]:
        cells = table_cells(line)
        row: list[str | None] = cells[:n] if len(cells) >= n or len(cells) == 1 else [None, *cells]
        out.append(row + [""] * (n - len(row)))
    return out


def pieces(raw: str):
    """('para', line) and ('table', grid) in document order."""
    for block in blocks(raw):
        rows: list[str] = []
        for line in [*block, ""]:
            if "|" in line:
                rows.append(line)
                continue
            if rows:
                yield "table", grid(rows)
                rows = []
            if line:
                yield "para", line


def write_docx(raw: str, path: Path, title: str = "") -> Path:
    import docx

    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = "Administrator"
    for kind, content in pieces(raw):
        if kind == "para":
            d.add_paragraph(content)
            continue
        table = d.add_table(rows=len(content), cols=len(content[0]))
        start = 0
        for r, row in enumerate(content):
            for c, value in enumerate(row):
                if value is not None:
                    table.cell(r, c).text = value
            if row[0] is not None:
                start = r
            elif r + 1 == len(content) or content[r + 1][0] is not None:
                table.cell(start, 0).merge(table.cell(r, 0))  # merge the group's first column down
        # merge() joins the texts of merged cells; keep only the group's own text
        for r, row in enumerate(content):
            if row[0] is not None:
                table.cell(r, 0).text = row[0]
    d.save(path)
    return path


def write_pdf(raw: str, path: Path, title: str = "") -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    # 公文 layout: body paragraphs indented two characters; headings and titles as they come
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=17, wordWrap="CJK", firstLineIndent=22)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=11, firstLineIndent=0)
    story = []
    for kind, content in pieces(raw):
        if kind == "para":
            story += [Paragraph(html.escape(content), body), Spacer(1, 4)]
            continue
        data = [[Paragraph(html.escape(v or ""), cell) for v in row] for row in content]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        start = 0
        for r, row in enumerate(content):
            if row[0] is not None:
                start = r
            elif r + 1 == len(content) or content[r + 1][0] is not None:
                style.append(("SPAN", (0, start), (0, r)))
        story.append(Table(data, colWidths=[120, 250, 110], style=TableStyle(style), repeatRows=0))
    SimpleDocTemplate(str(path), pagesize=A4, title=title, author="").build(story)
    return path


def write_html(raw: str, path: Path, title: str = "", issuer: str = "", date: str = "") -> Path:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}_门户网站</title>",
        f"<meta name='ArticleTitle' content='{html.escape(title)}'>" if title else "",
        f"<meta name='ContentSource' content='{html.escape(issuer)}'>" if issuer else "",
        f"<meta name='PubDate' content='{date} 09:30'>" if date else "",
        "<script>var tracker = '首页 政务公开 信息公开';</script><style>p{margin:0}</style></head><body>",
        "<div class='nav'><a href='/'>首页</a> | <a href='/zwgk'>政务公开</a> | <a href='/xxgk'>信息公开</a></div>",
        "<div class='article'>",
    ]
    for kind, content in pieces(raw):
        if kind == "para":
            parts.append(f"<p>{html.escape(content)}</p>")
            continue
        rows = ["<table border='1'>"]
        for r, row in enumerate(content):
            cells = []
            for c, value in enumerate(row):
                if value is None:
                    continue
                span = 1
                if c == 0 and r > 0:
                    while r + span < len(content) and content[r + span][0] is None:
                        span += 1
                attr = f" rowspan='{span}'" if span > 1 else ""
                cells.append(f"<td{attr}>{html.escape(value)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("".join(rows) + "</table>")
    parts.append("</div><div class='footer'>版权所有 主办单位 备案号 12345 联系我们 网站地图</div></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_gbk(raw: str, path: Path) -> Path:
    path.write_bytes(raw.encode("gb18030"))
    return path
