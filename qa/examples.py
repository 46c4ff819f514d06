"""Example questions for the first view, drawn from what is indexed (never a fixed list about particular documents):
a table row that names a lead unit asks who leads it, a document with a 文号 asks for it, one with an issuer and a
date asks when it was issued. ``example_questions`` in the settings replaces them."""

from __future__ import annotations

import re

from .index import Index

NUMBERING = re.compile(r"^\s*(?:[0-9]+|[一二三四五六七八九十]+)[.、．]\s*|^\s*[（(][一二三四五六七八九十0-9]+[）)]\s*")
PARENTHESES = re.compile(r"[（(][^）)]*[）)]")


def _task(value: str) -> str:
    """A table cell as a subject: its numbering and parenthesised remarks dropped."""
    return PARENTHESES.sub("", NUMBERING.sub("", value)).strip(" 。；;:：")


def example_questions(index: Index, configured: list[str] | None = None, n: int = 4) -> list[str]:
    if configured:
        return list(configured)[:n]
    by_doc: dict[str, list[str]] = {}
    for chunk in index.chunks:
        lead = next((k for k in chunk.fields if k.endswith("牵头单位")), None)
        if chunk.kind == "table_row" and lead and chunk.doc_id not in by_doc:
            first = _task(next(iter(chunk.fields.values())))
            if 4 <= len(first) <= 24:
                by_doc[chunk.doc_id] = [f"{first}谁牵头？"]
    for doc_id, record in index.records.items():
        m = record.meta
        options = by_doc.setdefault(doc_id, [])
        if m.title and m.doc_no:
            options.append(f"{m.title}的文号是多少？")
        if m.title and m.issuer and m.date:
            options.append(f"{m.title}是什么时候发的？")
    picked: list[str] = []
    for round_ in range(3):  # one per document first, then seconds
        for options in by_doc.values():
            if len(options) > round_ and len(picked) < n:
                picked.append(options[round_])
    return picked
