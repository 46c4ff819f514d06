"""Questions phrased the way office staff ask; a passage holding the answer must be in the top 3."""

import pytest

from .conftest import contains

pytestmark = pytest.mark.slow

QUESTIONS = [
    ("老年人科学素质提升行动由哪个单位牵头？", "咸安", "牵头单位:区卫健局"),
    ("农民科学素质提升那块是谁牵头的", "咸安", "牵头单位:区农业农村局"),
    ("应急科普工程归哪个部门牵头", "咸安", "牵头单位:区应急管理局"),
    ("咸安到2025年公民科学素质要达到多少", "咸安", "比例达到16%"),
    ("城镇劳动者科学素质行动牵头单位有哪些", "咸安", "区总工会、区人社局"),
    ("湖北今年荆楚科普大讲堂打算办多少期？", "湖北", "100期以上"),
    ("湖北科学家精神宣讲活动全年要搞几场", "湖北", "不少于12场"),
    ("湖北科普工作要点的文号是多少", "湖北", "鄂科协办〔2024〕15号"),
    ("广东今年省级以上科普教育基地要搞到多少家", "广东", "1000家以上"),
    ("粤科普平台要怎么建设", "广东", "粤科普"),
    ("湖南流动科技馆要巡展几站？", "湖南", "不低于 15 站"),
    ("湖南科普大篷车一年要跑多少公里", "湖南", "10 万公里"),
    ("中国科协2022年星空创作有什么安排", "中国科协", "科普中国星空创作"),
    ("中国科协关于世界公众科学素质组织有什么计划", "中国科协", "世界公众科学素质组织"),
]


@pytest.mark.parametrize(("question", "doc_prefix", "evidence"), QUESTIONS)
def test_answer_in_top_3(store_assistant, question, doc_prefix, evidence):
    answer = store_assistant.ask(question, k=3)
    found = [h for h in answer.passages if contains(h.chunk.text, evidence) and h.meta.file.startswith(doc_prefix)]
    shown = [(h.meta.file[:4], " › ".join(h.chunk.section_path[-2:]), h.chunk.text[:40]) for h in answer.passages]
    assert found, f"{question}: got {shown}"


def test_passages_carry_citations(store_assistant):
    hit = store_assistant.ask("老年人科学素质提升行动由哪个单位牵头？").passages[0]
    assert hit.meta.title and hit.meta.issuer == "咸安区人民政府办公室" and hit.meta.date == "2022-08-26"
    assert hit.chunk.section_path[0] == hit.meta.title
    assert 0 < hit.score <= 1.0001
