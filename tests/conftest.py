"""Shared fixtures: the real corpus, and one real index built once per test session (slow: real model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.ingest import read_corpus
from qa.normalize import fold
from qa.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_docs():
    docs, skipped = read_corpus(CORPUS)
    assert not skipped
    return {d.doc_id: d for d in docs}


def doc_starting(docs: dict, prefix: str):
    return next(d for k, d in docs.items() if k.startswith(prefix))


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory) -> Settings:
    """A real index of the real corpus in a temporary folder (the model is converted once into models/)."""
    from qa.build import build_index

    root = tmp_path_factory.mktemp("built")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    build_index(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def assistant(built_settings):
    from qa.answer import PolicyQA

    return PolicyQA(built_settings)


@pytest.fixture(scope="session")
def web_service(assistant, tmp_path_factory):
    """The app's service around the shared assistant; no rate limit (tests send many questions from one address)."""
    from app import Service

    settings = assistant.settings.model_copy(
        update={"feedback_db": tmp_path_factory.mktemp("fb") / "fb.db", "rate_limit_per_minute": 0}
    )
    service = Service(settings)
    service.qa = assistant
    return service


def contains(text: str, evidence: str) -> bool:
    return fold(evidence) in fold(text)


def copy_corpus(tmp_path: Path) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture(scope="session")
def milvus_settings(built_settings, tmp_path_factory) -> Settings:
    """The same index in Milvus Lite, built from a copy of the FAISS one (switching stores embeds nothing)."""
    from qa.build import build_index

    root = tmp_path_factory.mktemp("milvus")
    shutil.copytree(built_settings.index_dir, root / "index")
    settings = built_settings.model_copy(update={"index_dir": root / "index", "vector_store": "milvus"})
    summary = build_index(settings, progress=False)
    assert summary.rebuilt and summary.embedded == 0
    return settings


@pytest.fixture(scope="session")
def milvus_assistant(milvus_settings):
    from qa.answer import PolicyQA

    return PolicyQA(milvus_settings)


@pytest.fixture(params=["faiss", "milvus"])
def store_assistant(request):
    """The assistant over each vector store: retrieval tests must hold for both."""
    return request.getfixturevalue("assistant" if request.param == "faiss" else "milvus_assistant")
