"""Random text never crashes the normaliser, the chunker or question handling, and no text is ever lost."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qa.chunk import chunk_document
from qa.metadata import extract_meta
from qa.normalize import fold, repair
from qa.question import analyse
from qa.schema import DocMeta, Document

# text that looks like 公文: headings, table pipes, punctuation of both widths, blank lines, circled numbers
PIECES = st.sampled_from(
    [
        "一、",
        "（二）",
        "(三)",
        "1.",
        "2、",
        "（1）",
        "①",
        "第三条",
        "|",
        " | ",
        "\n",
        "\n\n",
        "。",
        "，",
        ",",
        "：",
        "(牵头单位:区卫健局)",
        "科学",
        "素质",
        "2024年3月6日",
        "鄂科协办〔2024〕15号",
        "附件",
        "　",
        "\t",
        "文件",
    ]
)
DOC_TEXT = st.lists(st.one_of(PIECES, st.text(min_size=1, max_size=12)), max_size=60).map("".join)


def _covered(doc: Document, chunks) -> bool:
    mask = bytearray(len(doc.text))
    for c in chunks:
        mask[c.span[0] : c.span[1]] = b"\x01" * (c.span[1] - c.span[0])
    return all(mask[i] or ch.isspace() for i, ch in enumerate(doc.text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOC_TEXT, st.integers(min_value=50, max_value=400))
# found by this test: the second piece (000000000) also occurs inside the first, where it was placed
@example("鄂科协办〔2024〕15号一、一、一、一、2024年3月6日0000000000一、000000000\n", 50)
def test_every_character_of_a_random_document_lies_in_a_chunk(raw, size):
    text = repair(raw)
    meta = extract_meta(text, "x.txt")
    doc = Document("x", text, DocMeta(**{**meta.__dict__}), "0")
    chunks = chunk_document(doc, chunk_size=size, chunk_overlap=min(40, size // 4))
    assert _covered(doc, chunks)
    for c in chunks:
        assert 0 <= c.span[0] <= c.span[1] <= len(text)
        if c.kind == "text":
            assert c.text == text[c.span[0] : c.span[1]]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_repair_and_fold_take_any_unicode(raw):
    text = repair(raw)
    assert fold(text) == fold(fold(text))  # folding is idempotent
    assert "\r" not in text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120), st.lists(st.text(max_size=60), max_size=3))
def test_question_analysis_takes_any_unicode(text, history):
    q = analyse(text, history)
    assert q.qtype in {"lead", "responsible", "number", "doc_no", "issuer", "date", "definition", "other"}
    assert isinstance(q.search_text, str)
