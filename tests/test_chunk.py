import pytest

from qa.chunk import chunk_document, table_cells
from qa.schema import DocMeta, Document
from qa.settings import Settings

from .conftest import doc_starting


@pytest.fixture(scope="module")
def chunks_by_doc(corpus_docs):
    s = Settings()
    return {
        k: chunk_document(d, chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap) for k, d in corpus_docs.items()
    }


def test_every_non_blank_character_is_in_a_chunk(corpus_docs, chunks_by_doc):
    for doc_id, doc in corpus_docs.items():
        covered = bytearray(len(doc.text))
        for c in chunks_by_doc[doc_id]:
            covered[c.span[0] : c.span[1]] = b"\x01" * (c.span[1] - c.span[0])
        missing = [i for i, ch in enumerate(doc.text) if not ch.isspace() and not covered[i]]
        assert not missing, f"{doc_id}: {len(missing)} characters in no chunk, first at {missing[:1]}"


def test_text_chunks_are_the_documents_own_text_and_fit(corpus_docs, chunks_by_doc):
    size = Settings().chunk_size
    for doc_id, chunks in chunks_by_doc.items():
        text = corpus_docs[doc_id].text
        for c in chunks:
            assert c.doc_id == doc_id
            if c.kind == "text":
                assert c.text == text[c.span[0] : c.span[1]]
                assert len(c.text) <= size + 80  # a paragraph plus its leading heading lines


def _chunk_with(chunks, phrase):
    return next(c for c in chunks if phrase in c.text)


def test_section_paths_follow_the_outline(chunks_by_doc):
    xa = next(v for k, v in chunks_by_doc.items() if k.startswith("咸安"))
    c = _chunk_with(xa, "着力提升老年人健康素养")
    assert c.section_path == [
        "咸安区全民科学素质行动规划纲要实施方案(2021-2025年)",
        "二、实施科学素质提升五项行动",
        "(四)开展老年人科学素质提升行动",
        "2.加强老年人健康科普服务",
    ]
    hb = next(v for k, v in chunks_by_doc.items() if k.startswith("湖北"))
    c = _chunk_with(hb, "荆楚科普大讲堂")
    assert c.section_path[0] == "2024年湖北省科协科普工作要点"
    assert c.section_path[1] == "四、狠抓基本支撑,开展科普宣传提升行动"
    assert c.section_path[2] == "14.举办特色科普活动"
    cast = next(v for k, v in chunks_by_doc.items() if k.startswith("中国科协"))
    c = _chunk_with(cast, "科普中国星空创作联合行动")
    assert c.section_path[:2] == ["中国科协2022年科普工作要点", '三、构建"四化"生态,打造高质量科普服务体系']
    assert c.section_path[2] == "(二)创新升级科普中国平台"


def test_heading_only_lines_lead_into_the_next_chunk(chunks_by_doc):
    xa = next(v for k, v in chunks_by_doc.items() if k.startswith("咸安"))
    c = _chunk_with(xa, "全区公民具备科学素质的比例达到16%")
    assert c.text.startswith("一、工作目标\n")


@pytest.mark.parametrize(
    ("measure", "lead"),
    [
        ("加强老年人健康科普服务", "区卫健局"),
        ("实施银龄科普行动", "区卫健局"),
        ("加强农村科普设施建设", "区农业农村局"),
        ("开展职工技能竞赛和科普教育活动", "区总工会、区人社局"),
        ("建设平战结合应急科普体系", "区应急管理局"),
        ("加强乡村振兴人才工程", "区科经局"),
    ],
)
def test_table_continuation_rows_inherit_their_group(chunks_by_doc, measure, lead):
    xa = next(v for k, v in chunks_by_doc.items() if k.startswith("咸安"))
    row = next(c for c in xa if c.kind == "table_row" and c.fields.get("主要措施", "").startswith(measure))
    assert row.fields["牵头单位"] == lead
    assert f"牵头单位:{lead}" in row.fields["重点任务"]
    assert row.section_path[-1] == row.fields["重点任务"]
    assert "责任单位：" in row.text and "重点任务：" in row.text


def test_elderly_row_belongs_to_group_4(chunks_by_doc):
    xa = next(v for k, v in chunks_by_doc.items() if k.startswith("咸安"))
    row = next(c for c in xa if c.kind == "table_row" and "加强老年人健康科普服务" in c.text)
    assert row.fields["重点任务"] == "4.开展老年人科学素质提升行动(牵头单位:区卫健局)"
    assert row.fields["责任单位"] == "区卫健局、区市场监管局、各乡镇办场"


def test_group_row_with_only_its_first_cell(chunks_by_doc):
    xa = next(v for k, v in chunks_by_doc.items() if k.startswith("咸安"))
    row = next(c for c in xa if c.kind == "table_row" and "区全民科学素质工作领导小组负责牵头" in c.text)
    assert row.fields["重点任务"] == "11.加强组织领导"
    assert row.fields["责任单位"] == "区全民科学素质工作领导小组各成员单位"


def test_table_cells_keep_empty_cells_inside_the_row():
    row = "加强老年人健康科普服务。 引导 | 区卫健局 | |"
    assert table_cells(row) == ["加强老年人健康科普服务。 引导", "区卫健局", ""]
    assert table_cells("| 甲 |  | 丙 |") == ["甲", "", "丙"]


def _table_doc(rows: str) -> Document:
    text = "某某工作方案\n" + rows
    return Document("t.txt", text, DocMeta(title="某某工作方案", file="t.txt"), "0")


def test_an_ordinary_row_with_an_empty_last_cell_keeps_its_columns():
    doc = _table_doc("项目 | 金额 | 备注 |\n办公设备购置 | 12万元 | 已招标 |\n培训经费 | 3万元 | |\n")
    rows = [c for c in chunk_document(doc) if c.kind == "table_row"]
    assert rows[-1].fields == {"项目": "培训经费", "金额": "3万元", "备注": ""}


def test_a_continuation_row_inherits_the_merged_first_cell():
    doc = _table_doc(
        "重点任务 | 主要措施 | 责任单位 |\n1.健康科普(牵头单位:区卫健局) | 开展健康讲座。 | 区卫健局、区妇联 |\n"
        "推广健康知识进社区。 | 区卫健局、各街道 | |\n"
    )
    rows = [c for c in chunk_document(doc) if c.kind == "table_row"]
    assert rows[-1].fields["主要措施"] == "推广健康知识进社区。"
    assert rows[-1].fields["责任单位"] == "区卫健局、各街道" and rows[-1].fields["牵头单位"] == "区卫健局"


def test_long_paragraphs_are_split_at_sentence_ends(corpus_docs):
    doc = doc_starting(corpus_docs, "湖北")
    chunks = chunk_document(doc, chunk_size=200, chunk_overlap=20)
    pieces = [c for c in chunks if c.section_path[-1].startswith("3.深入推进全民科学素质建设")]
    assert len(pieces) >= 3
    for p in pieces[:-1]:
        assert p.text[-1] in "。；！？,，、", p.text[-10:]
