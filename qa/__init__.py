"""政策问答 — cited answers from Chinese policy documents.

>>> from qa import PolicyQA, Settings, build_index
>>> build_index(Settings())            # doctest: +SKIP
>>> PolicyQA().ask("老年人科学素质提升行动谁牵头？").passages[0].chunk.section_path  # doctest: +SKIP
"""

from .answer import BadQuestion, PolicyQA
from .build import BuildSummary, build_index, stale_reason
from .index import IndexUnavailable, load_index
from .schema import Answer, Chunk, DocMeta, Document, Hit
from .settings import Settings

__all__ = [
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
