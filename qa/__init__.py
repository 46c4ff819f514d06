"""政策问答 — cited answers from Chinese policy documents.

>>> from qa import PolicyQA, Settings, build_index
>>> build_index(Settings())            # doctest: +SKIP
>>> PolicyQA().ask("老年人科学素质提升行动谁牵头？").passages[0].chunk.section_path  # doctest: +SKIP
"""

from importlib import import_module

# imported on first use, so that light modules (the parser child, qa.safe_parse) do not load the model's libraries
_EXPORTS = {
    "BadQuestion": "answer",
    "PolicyQA": "answer",
    "BuildSummary": "build",
    "build_index": "build",
    "stale_reason": "build",
    "IndexUnavailable": "index",
    "load_index": "index",
    "Answer": "schema",
    "Chunk": "schema",
    "DocMeta": "schema",
    "Document": "schema",
    "Hit": "schema",
    "Settings": "settings",
}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)


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
