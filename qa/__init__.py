"""政策问答 — cited answers from Chinese policy documents.

>>> from qa import PolicyQA, Settings, build_index
>>> build_index(Settings())            # doctest: +SKIP
>>> PolicyQA().ask("老年人科学素质提升行动谁牵头？").passages[0].chunk.section_path  # doctest: +SKIP

The names below are imported on first use (PEP 562): `import qa.cli` must not pay for numpy, jieba, FAISS and the
model runtimes before it knows which command runs (`policyqa --help` stays under half a second), and the parser
child (qa.safe_parse) loads the format readers only, not the model's libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "Answer": "schema",
    "BadQuestion": "answer",
    "BuildSummary": "build",
    "Chunk": "schema",
    "DocMeta": "schema",
    "Document": "schema",
    "Hit": "schema",
    "IndexUnavailable": "index",
    "PolicyQA": "answer",
    "Settings": "settings",
    "build_index": "build",
    "load_index": "index",
    "stale_reason": "build",
}

__all__ = [  # the names of _EXPORTS, spelled out for linters and readers
    "Answer",
    "BadQuestion",
    "BuildSummary",
    "Chunk",
    "DocMeta",
    "Document",
    "Hit",
    "IndexUnavailable",
    "PolicyQA",
    "Settings",
    "build_index",
    "load_index",
    "stale_reason",
]

if TYPE_CHECKING:
    from .answer import BadQuestion, PolicyQA
    from .build import BuildSummary, build_index, stale_reason
    from .index import IndexUnavailable, load_index
    from .schema import Answer, Chunk, DocMeta, Document, Hit
    from .settings import Settings


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
