"""Question vectors from ONNX Runtime: the same network as the sentence-transformers folder, exported once by
`make` (qa/onnx_export.py), run without importing torch.

Why: a question is one short forward pass, where torch's per-call overhead dominates (45.9 ms against 12.7 ms in
ONNX Runtime, issue 18), and importing torch costs seconds of every new CLI process. Passages for the index still go
through torch (the reference; ONNX Runtime was slower on padded batches), so index and query vectors come from the
same weights by two runtimes whose parity is checked at export and in the tests (cosine ≥ 0.99).

Questions default to the int8 copy: the same passes in about half the time of fp32 (weights a quarter the size, int8
arithmetic), at cosine ≥ 0.994 to torch on every gold question and every gold figure within one point (README).
Index vectors stay fp32 from torch: int8 questions are searched against them, the pairing the parity measures.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ONNX_DIR = "onnx"
VARIANTS = {"onnx": "model.onnx", "onnx-int8": "model_int8.onnx"}
PARITY_FILE = "parity.json"
WORD_EMBEDDINGS = "word_embeddings.npy"  # the lookup table, kept out of the graph (qa/onnx_export.py says why)
# 1: token ids in the graph; 2: word embeddings gathered here, the graph from inputs_embeds; 3: as 2, the graph fused
# (attention, skip layer norm, bias GELU) and the int8 copy with 7-bit weights (qa/onnx_export.py says why)
EXPORT_FORMAT = 3


def onnx_file(model_dir: Path, variant: str) -> Path:
    return Path(model_dir) / ONNX_DIR / VARIANTS[variant]


def export_is_current(model_dir: Path) -> bool:
    """The fp32 export exists and is of the layout this code reads; an older one is exported again."""
    report = parity_report(model_dir)
    return onnx_file(model_dir, "onnx").exists() and report.get("format") == EXPORT_FORMAT


def export_dim(model_dir: Path) -> int | None:
    """The vectors' width, read from the word-embedding table's header (the output is the mean of the last hidden
    states, as wide as the embeddings): known without starting a session. None without a current export."""
    if not export_is_current(model_dir):
        return None
    table = np.load(Path(model_dir) / ONNX_DIR / WORD_EMBEDDINGS, mmap_mode="r")
    return int(table.shape[1])


def parity_report(model_dir: Path) -> dict:
    """What the export measured (cosines to torch per variant, whether int8 was kept); {} before any export."""
    path = Path(model_dir) / ONNX_DIR / PARITY_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


class OnnxEncoder:
    """Tokenizer (the folder's tokenizer.json, Rust) + ONNX session that returns normalised mean-pooled vectors."""

    def __init__(self, model_dir: Path, variant: str, threads: int, *, path: Path | None = None, max_length: int = 512):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.path = path or onnx_file(model_dir, variant)
        self.variant = variant
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # no busy-waiting between passes: spinning threads took the cores the rest of the question (and other
        # processes on these 2 shared cores) needed — 2 spinning threads cost 45 ms of CPU per question, 25 without
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        # memory-mapped: a question reads the few rows it gathers, not the 384 MB table
        self.table = None
        if "inputs_embeds" in self.inputs:
            self.table = np.load(self.path.parent / WORD_EMBEDDINGS, mmap_mode="r")
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.threads = threads

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, unit length; texts of one call are padded to the longest."""
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        if self.table is not None:
            feed = {"inputs_embeds": np.ascontiguousarray(self.table[ids], dtype=np.float32), "attention_mask": mask}
        else:
            feed = {"input_ids": ids, "attention_mask": mask}
        (vecs,) = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})
        return np.asarray(vecs, dtype=np.float32)
