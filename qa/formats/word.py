"""Word .docx through python-docx: paragraphs and tables in document order, core properties as metadata."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from .base import Extracted, IngestError, table_lines


def _grid(table) -> tuple[list[list[str]], list[list[bool]]]:
    """Each row's own cells (a cell spanning columns once) and whether each continues a vertical merge.

    The row's ``<w:tc>`` elements are read directly: ``row.cells`` would hand back the top cell of a merge in every
    row it spans, hiding which rows are continuations.
    """
    from docx.table import _Cell

    rows, merged = [], []
    for row in table.rows:
        tcs = row._tr.tc_lst
        rows.append([_Cell(tc, table).text for tc in tcs])
        merged.append([tc.vMerge == "continue" for tc in tcs])
    return rows, merged


def read_docx(path: Path, data: bytes) -> Extracted:
    from docx import Document as open_docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        doc = open_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise IngestError(path, f"not a readable .docx ({exc})", "Word 文件已损坏或不是 .docx 格式") from exc
    blocks: list[str] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            blocks.append("\n".join(table_lines(*_grid(item))))
        elif item.text.strip():
            blocks.append(item.text.strip())
    props = doc.core_properties
    return Extracted("\n\n".join(b for b in blocks if b), {"title": props.title or "", "issuer": props.author or ""})
