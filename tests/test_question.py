import pytest

from qa.question import analyse, question_type


@pytest.mark.parametrize(
    ("text", "qtype"),
    [
        ("老年人那块谁牵头？", "lead"),
        ("老年人科学素质提升行动由哪个单位牵头？", "lead"),
        ("加强老年人健康科普服务具体哪些单位负责", "responsible"),
        ("这事由谁负责", "responsible"),
        ("湖南流动科技馆要巡展几站？", "number"),
        ("咸安公民科学素质比例目标", "number"),
        ("湖北科普工作要点的文号是多少", "doc_no"),
        ("咸安实施方案是哪个单位印发的", "issuer"),
        ("这个方案什么时候发的", "date"),
        ("荆楚科普大讲堂是怎么回事", "definition"),
        ("天宫课堂", "other"),
    ],
)
def test_question_types(text, qtype):
    assert question_type(text)[0] == qtype


def test_colloquial_words_map_onto_document_terms():
    q = analyse("农村那个行动谁牵头")
    assert "农民" in q.search_text and q.qtype == "lead"
    assert "青少年" in analyse("中小学生那块谁负责").search_text


def test_follow_up_swaps_the_group_and_keeps_the_question():
    q = analyse("那农民那块呢？", ["老年人科学素质提升行动谁牵头？"])
    assert q.qtype == "lead"
    assert q.search_text.startswith("农民科学素质提升行动谁牵头")
    assert q.resolved_from == "老年人科学素质提升行动谁牵头？"


def test_follow_up_swaps_the_place():
    q = analyse("那广东呢", ["湖南流动科技馆要巡展几站？"])
    assert q.search_text.startswith("广东流动科技馆要巡展几站") and q.qtype == "number"


def test_follow_up_without_a_slot_borrows_the_type():
    q = analyse("那科普巡回报告呢", ["荆楚科普大讲堂今年打算办几期"])
    assert q.qtype == "number" and "科普巡回报告" in q.search_text


def test_a_complete_question_ignores_history():
    q = analyse("湖北科普工作要点的文号是多少", ["老年人那块谁牵头？"])
    assert q.resolved_from is None and q.qtype == "doc_no"


def test_years_are_found():
    assert analyse("湖南2024年的科普工作要点有哪些重点").years == ["2024"]
