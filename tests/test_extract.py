"""Highlights and direct answers on real passages."""

import pytest

from qa.chunk import chunk_document
from qa.extract import best_segment, direct_answer
from qa.question import analyse
from qa.schema import Hit

from .conftest import doc_starting


@pytest.fixture(scope="module")
def chunks(corpus_docs):
    return {k: chunk_document(d) for k, d in corpus_docs.items()}


def _hit(corpus_docs, chunks, prefix, phrase, kind=None):
    doc = doc_starting(corpus_docs, prefix)
    chunk = next(c for c in chunks[doc.doc_id] if phrase in c.text and (kind is None or c.kind == kind))
    return Hit(chunk, doc.meta, 1.0)


def _answer(question, hit):
    q = analyse(question)
    hit.highlight = best_segment(q, hit)
    found = direct_answer(q, [hit])
    return (found[0] if found else None), hit.chunk.text[hit.highlight[0] : hit.highlight[1]]


def test_lead_unit_from_the_table_group(corpus_docs, chunks):
    hit = _hit(corpus_docs, chunks, "咸安", "加强老年人健康科普服务", kind="table_row")
    answer, mark = _answer("老年人那块谁牵头？", hit)
    assert answer == "牵头单位：区卫健局"
    assert mark.startswith("重点任务：4.开展老年人科学素质提升行动")


def test_responsible_units_from_the_row(corpus_docs, chunks):
    hit = _hit(corpus_docs, chunks, "咸安", "加强老年人健康科普服务", kind="table_row")
    answer, mark = _answer("加强老年人健康科普服务哪些单位负责", hit)
    assert answer == "责任单位：区卫健局、区市场监管局、各乡镇办场" and mark.startswith("责任单位：")


def test_lead_unit_from_running_text(corpus_docs, chunks):
    hit = _hit(corpus_docs, chunks, "湖南", "省卫健委牵头开展的健康湖南行动")
    assert _answer("健康湖南行动谁牵头", hit)[0] == "牵头单位：省卫健委"


@pytest.mark.parametrize(
    ("prefix", "phrase", "question", "expected"),
    [
        ("湖北", "荆楚科普大讲堂", "荆楚科普大讲堂今年办几期", "100期以上"),
        ("湖北", "科普惠民社区", "湖北科普惠民社区建几个", "72个"),
        ("湖北", "太空种子", "太空种子种植组织多少学校参加", "200所"),
        ("湖南", "流动科技馆全省巡展", "湖南流动科技馆要巡展几站", "不低于15站"),
        ("湖南", "第 15 届", "湖南青少年机器人竞赛第几届", "第15届"),
        ("咸安", "比例达到16%", "咸安到2025年科学素质比例多少", "16%"),
    ],
)
def test_numbers_with_their_units(corpus_docs, chunks, prefix, phrase, question, expected):
    answer, mark = _answer(question, _hit(corpus_docs, chunks, prefix, phrase))
    assert answer is not None and answer.endswith(expected)
    assert expected.replace("不低于", "") in mark.replace(" ", "")


def test_no_number_when_the_sentence_is_about_something_else(corpus_docs, chunks):
    hit = _hit(corpus_docs, chunks, "湖南", "流动科技馆全省巡展")
    assert _answer("湖南省科技馆改扩建工程总投资多少", hit)[0] is None


def test_issuer_date_and_doc_no_come_from_the_document(corpus_docs, chunks):
    hit = _hit(corpus_docs, chunks, "湖北", "鄂科协办〔2024〕15号")
    assert _answer("湖北科普工作要点的文号是多少", hit)[0] == "文号：鄂科协办〔2024〕15号"
    assert _answer("湖北这个要点什么时候印发的", hit)[0] == "成文日期：2024年3月6日"
    assert _answer("湖北要点是哪个单位发的", hit)[0] == "发文单位：湖北省科学技术协会（2024年3月6日）"


def test_a_missing_field_gives_no_answer(corpus_docs, chunks):
    hit = _hit(corpus_docs, chunks, "广东", "2024年省科协科普工作要以")
    assert _answer("广东要点是什么时候发的", hit)[0] is None  # the document states no date


def test_a_date_question_not_about_the_document_gets_no_metadata(corpus_docs, chunks):
    hit = _hit(corpus_docs, chunks, "中国科协", "全国科普日")
    assert _answer("全国科普日是每年几月几号", hit)[0] is None
