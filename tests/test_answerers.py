"""Direct answers on real passages, one answerer per question type, and on 公文 wording written for the test."""

import pytest

from qa.answerers import direct_answer
from qa.chunk import chunk_document
from qa.highlight import best_segment
from qa.question import analyse
from qa.schema import Chunk, DocMeta, Hit

from .conftest import doc_starting


@pytest.fixture(scope="module")
def chunks(corpus_docs):
    return {k: chunk_document(d) for k, d in corpus_docs.items()}


def _hit(corpus_docs, chunks, prefix, phrase, kind=None):
    doc = doc_starting(corpus_docs, prefix)
    chunk = next(c for c in chunks[doc.doc_id] if phrase in c.text and (kind is None or c.kind == kind))
    return Hit(chunk, doc.meta, 1.0)


def _answer(question, hit, places=()):
    q = analyse(question, places=places)
    hit.highlight = best_segment(q, hit)
    found = direct_answer(q, [hit])
    return (found.text if found else None), hit.chunk.text[hit.highlight[0] : hit.highlight[1]]


def _text_hit(text, title="某某市某某工作方案", doc_id="a.txt", path=None, **meta):
    chunk = Chunk(0, doc_id, text, path or [title], (0, len(text)))
    return Hit(chunk, DocMeta(title=title, file=doc_id, **meta), 1.0)


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


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        ("一、强化科技创新(区科技局牵头)\n以深化改革为牵引，推进创新链产业链融合。", "强化科技创新谁牵头", "区科技局"),
        ("（三）推进城市更新。（市住建局牵头，市财政局、市自然资源局配合）", "城市更新由哪个部门牵头", "市住建局"),
        ("全民健身活动由区文旅局牵头，各街道负责具体组织。", "全民健身活动谁牵头", "区文旅局"),
    ],
)
def test_lead_units_in_any_wording(text, question, expected):
    assert _answer(question, _text_hit(text, path=["方案"]))[0] == f"牵头单位：{expected}"


def test_responsible_units_in_a_note_and_a_sentence():
    hit = _text_hit("1.加强思政课建设。完善大思政课体系。(责任科室:组干科、机关党委)", path=["要点"])
    assert _answer("加强思政课建设的责任科室是哪些", hit)[0] == "责任单位：组干科、机关党委"
    hit = _text_hit("第五条 价格调节基金的征收管理由市价格主管部门负责。", path=["办法"])
    assert _answer("价格调节基金征收管理由谁负责", hit)[0] == "责任单位：市价格主管部门"


def test_a_table_column_of_any_name_gives_the_lead_unit():
    text = "任务：推进老旧小区改造\n主责单位：市住建局\n协办单位：市财政局"
    chunk = Chunk(0, "t.txt", text, ["方案", "推进老旧小区改造"], (0, len(text)), "table_row", {"主责单位": "市住建局"})
    hit = Hit(chunk, DocMeta(title="方案", file="t.txt"), 1.0)
    chunk.fields = {"牵头部门": "市住建局", "配合部门": "市财政局"}
    assert _answer("推进老旧小区改造谁牵头", hit)[0] == "牵头单位：市住建局"
    assert _answer("推进老旧小区改造哪些部门配合", hit)[0] == "责任单位：市财政局"


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        ("全年完成农村危房改造1200户，新增高标准农田5.6万亩。", "农村危房改造完成多少户", "1200户"),
        ("新增高标准农田5.6万亩，完成农村危房改造1200户。", "高标准农田新增多少亩", "5.6万亩"),
        ("城镇登记失业率控制在5.5%以内，就业率提高2个百分点。", "就业率提高几个百分点", "2个百分点"),
        ("撤销三个乡，合并设立两个镇。", "合并设立几个镇", "两个"),
        ("到2025年，公民具备科学素质的比例达到15%，新建公园3平方公里。", "公民具备科学素质要占多大比例", "15%"),
    ],
)
def test_numbers_with_general_units_and_chinese_numerals(text, question, expected):
    answer = _answer(question, _text_hit(text, path=["工作方案"]))[0]
    assert answer is not None and answer.endswith(expected)


def test_a_cited_documents_number_comes_from_the_citation():
    text = (
        "根据《国务院办公厅关于加强普通高等学校毕业生就业工作的通知》(国办发〔2009〕3号)精神，"
        "结合我省实际，现就做好高校毕业生就业工作通知如下。"
    )
    hit = _text_hit(text, title="某省人民政府办公厅关于加强高校毕业生就业工作的通知", doc_no="某政办发〔2009〕24号")
    assert _answer("这个通知是根据国务院办公厅哪个文件制定的，文号是多少", hit)[0] == "文号：国办发〔2009〕3号"
    asked = "某省加强高校毕业生就业工作的通知是照着国务院办公厅哪个文件定的？给个文号"
    assert _answer(asked, hit)[0] == "文号：国办发〔2009〕3号"
    assert _answer("某省加强高校毕业生就业工作的通知文号是多少", hit)[0] == "文号：某政办发〔2009〕24号"


def test_a_direct_answer_comes_only_from_the_named_document():
    ours = _text_hit("二、加强组织领导。由区科协牵头，各成员单位配合。", title="甲区科普工作方案", doc_id="甲.txt")
    theirs = _text_hit("二、加强组织领导。由区卫健局牵头。", title="乙区科普工作方案", doc_id="乙.txt")
    q = analyse("甲区科普工作方案里加强组织领导谁牵头", places=["甲区", "乙区"])
    for h in (ours, theirs):
        h.highlight = best_segment(q, h)
    found = direct_answer(q, [theirs, ours])
    assert found is not None and found.text == "牵头单位：区科协" and found.passage == 1


def test_the_body_a_sentence_opens_with_answers_who_does_it():
    hit = _text_hit("请各单位按照任务分工抓好落实。区委区政府督查室要根据完成时限要求，适时开展督查督办工作。")
    assert _answer("各项任务的督查督办由哪个部门负责", hit)[0] == "责任单位：区委区政府督查室"
    hit = _text_hit("坚持因地制宜。各区人民政府充分发挥属地作用，科学制定改造目标。")
    assert _answer("由谁充分发挥属地作用、科学制定改造目标", hit)[0] == "责任单位：各区人民政府"


def test_no_direct_answer_for_a_place_no_passage_is_of():
    hit = _text_hit("同意花垣县乡镇区划调整方案。", title="湖南省民政厅关于花垣县乡镇区划调整的批复",
                    issuer="湖南省民政厅", date="2015-11-30")
    assert _answer("凤凰县乡镇区划调整方案是哪天批复的", hit, places=("花垣县", "凤凰县"))[0] is None
    named = _answer("花垣县乡镇区划调整方案是哪天批复的", hit, places=("花垣县", "凤凰县"))[0]
    assert named == "成文日期：2015年11月30日"


def test_a_quoted_title_that_is_not_the_document_gets_no_header_field():
    hit = _text_hit("全年开展科普活动100场。", title="甲省科协2023年科普工作要点", issuer="甲省科学技术协会",
                    doc_no="甲科协通〔2023〕10号")
    asked = "甲省科协要出台的《甲省科学技术协会关于加强学会科普工作的实施意见》文号是多少"
    assert _answer(asked, hit, places=("甲省",))[0] is None
    assert _answer("甲省科协2023年科普工作要点的文号是多少", hit, places=("甲省",))[0] == "文号：甲科协通〔2023〕10号"



def test_whom_a_document_is_sent_to_comes_from_its_address_line():
    text = (
        "甲市人民政府办公室关于印发甲市老旧小区改造实施方案的通知\n甲政办发〔2024〕5号\n"
        "各县（市、区）人民政府，市政府各部门、各直属机构：\n现将《甲市老旧小区改造实施方案》印发给你们，请认真贯彻执行。"
    )
    hit = _text_hit(text, title="甲市老旧小区改造实施方案", issuer="甲市人民政府办公室", doc_no="甲政办发〔2024〕5号")
    expected = "主送：各县（市、区）人民政府，市政府各部门、各直属机构"
    assert _answer("甲市老旧小区改造实施方案印发给了哪些单位", hit, places=("甲市",))[0] == expected
    assert _answer("这个方案的主送机关有哪些", hit)[0] == expected
    # a sentence ending in a colon is no address line, nor is a passage far into the document
    body = _text_hit("经研究，现就有关事项通知如下：\n一、加强组织领导。", title="甲市老旧小区改造实施方案")
    assert _answer("甲市老旧小区改造实施方案印发给了哪些单位", body, places=("甲市",))[0] is None
    later = Hit(Chunk(3, "a.txt", text, ["方案"], (5000, 5000 + len(text))), hit.meta, 1.0)
    assert _answer("甲市老旧小区改造实施方案印发给了哪些单位", later, places=("甲市",))[0] is None


def test_who_approved_a_reply_is_its_issuer():
    hit = _text_hit("同意花垣县乡镇区划调整方案。", title="湖南省民政厅关于花垣县乡镇区划调整的批复",
                    issuer="湖南省民政厅", date="2015-11-30")
    assert _answer("花垣县乡镇区划调整是哪个部门批的", hit, places=("花垣县",))[0].startswith("发文单位：湖南省民政厅")


def test_words_naming_the_document_do_not_pick_the_sentence():
    text = (
        "本轮乡镇区划调整后，乙县共减少6个乡镇建制，现辖9个镇；"
        "总面积1108.69平方千米，总人口30.9万人，县人民政府驻地不变。"
    )
    hit = _text_hit(text, title="丙省民政厅关于乙县乡镇区划调整的批复", path=["批复"])
    answer, sentence = _answer("乙县乡镇区划调整完成后总人口是多少", hit, places=("乙县",))
    assert "总人口" in sentence and answer.endswith("30.9万人")


def test_a_header_field_is_proved_by_the_passage_that_prints_it():
    meta = dict(
        title="甲省科协2023年科普工作要点", issuer="甲省科学技术协会", date="2023-03-10", doc_no="甲科协通〔2023〕10号"
    )
    body = _text_hit("一、加强科普工作。全年开展科普活动100场。", **meta)
    signed = _text_hit("甲省科学技术协会\n2023年3月10日印发", **meta)
    q = analyse("甲省科协2023年科普工作要点是哪天印发的", places=("甲省",))
    for h in (body, signed):
        h.highlight = best_segment(q, h)
    found = direct_answer(q, [body, signed])
    assert found is not None and found.text == "成文日期：2023年3月10日" and found.passage == 1


def test_the_number_whose_clause_fits_best_answers_across_passages():
    first = _text_hit("组织200所学校参加太空种子种植。", title="甲省科协科普工作要点", path=["要点"])
    second = _text_hit("建设特色产业基地93个、科普惠民社区72个、科普教育学校40个。", title="甲省科协科普工作要点",
                       path=["要点"])
    q = analyse("科普教育学校要建多少所")
    for h in (first, second):
        h.highlight = best_segment(q, h)
    found = direct_answer(q, [first, second])
    assert found is not None and found.text == "40个" and found.passage == 1  # 个 stands for 所; its clause fits
    assert direct_answer(analyse("要建多少公里"), [second]) is None  # 个 never stands for a measure such as 公里


def test_a_question_about_the_document_replaced_gets_no_header_field():
    hit = _text_hit("一、总则。为做好防汛工作，制定本预案。", title="甲省防汛应急预案", issuer="甲省人民政府办公厅",
                    doc_no="甲政办发〔2014〕54号")
    assert _answer("甲省防汛应急预案把老版本作废了，被作废的那个文件文号是啥", hit, places=("甲省",))[0] is None
    repealed = "2008年印发的《甲省防汛应急预案》（甲政办函〔2008〕93号）同时废止。"
    notice = _text_hit("现印发给你们，请认真组织实施。" + repealed,
                       title="甲省防汛应急预案", issuer="甲省人民政府办公厅", doc_no="甲政办发〔2014〕54号")
    asked = "甲省防汛应急预案把老版本作废了，被作废的那个文件文号是啥"
    assert _answer(asked, notice, places=("甲省",))[0] == "文号：甲政办函〔2008〕93号"
    assert _answer("甲省防汛应急预案的文号是啥", hit, places=("甲省",))[0] == "文号：甲政办发〔2014〕54号"


def test_a_document_in_traditional_characters_answers_like_a_simplified_one():
    hit = _text_hit("（三）推進城市更新。（市住建局牽頭，市財政局配合）全年完成改造1200戶，新增綠地5.6萬平方米。",
                    title="某某市城市更新實施方案", path=["方案"])
    assert _answer("城市更新由哪個部門牽頭", hit)[0] == "牵头单位：市住建局"
    assert _answer("新增绿地多少万平方米", hit)[0].endswith("5.6万平方米")


def test_everyday_words_no_document_uses_do_not_count_against_the_passage():
    from qa.answerability import Judge

    text = "本轮乡镇区划调整后，乙县共减少6个乡镇建制，现辖9个镇。"
    hit = _text_hit(text, title="丙省民政厅关于乙县乡镇区划调整的批复", path=["批复"])
    q = analyse("乙县这回乡镇合并，一共砍掉了几个乡镇", places=("乙县",))
    hit.highlight = best_segment(q, hit)
    assert direct_answer(q, [hit]) is None  # 这回, 合并, 一共, 砍掉: the sentence says none of them
    q.unknown = Judge([hit.chunk], {hit.chunk.doc_id: hit.meta}).unknown_words(q)
    assert "砍掉" in q.unknown and "乡镇" not in q.unknown
    hit.highlight = best_segment(q, hit)
    found = direct_answer(q, [hit])
    assert found is not None and found.text.endswith("6个")


def test_a_number_in_another_sentence_of_the_passage_answers_when_its_clause_says_what_was_asked():
    text = "2、同意甲镇、乙乡成建制合并设立甲镇。新设立的甲镇辖71个建制村，总面积201.2平方千米，总人口10.3万人。"
    hit = _text_hit(text, title="丙省民政厅关于丁县乡镇区划调整的批复", path=["批复"])
    answer, _ = _answer("合并后新设立的甲镇总人口有多少", hit)
    assert answer is not None and answer.endswith("10.3万人")


def test_equal_clauses_are_told_apart_by_whose_they_are():
    town = _text_hit("新设立的甲镇辖71个建制村，总面积201.2平方千米，总人口10.3万人。",
                     title="丙省民政厅关于丁县乡镇区划调整的批复", path=["批复"])
    county = _text_hit("本轮乡镇区划调整后，丁县共减少6个乡镇建制，现辖9个镇；总面积1108平方千米，总人口30.9万人。",
                       title="丙省民政厅关于丁县乡镇区划调整的批复", path=["批复"])
    q = analyse("丁县这次乡镇区划调整完成后，全县总人口是多少", places=("丁县",))
    for h in (town, county):
        h.highlight = best_segment(q, h)
    found = direct_answer(q, [town, county])
    assert found is not None and found.text.endswith("30.9万人") and found.passage == 1


LEAD_NOTES = ("牵头并引导纲要办各单位开展科普宣传，重点配合做好甲厅牵头开展的安全宣传工作；乙办牵头开展的网络科普建设；"
              "丙委牵头开展的健康行动。")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("我在一个学会负责科普，看了要点，说要配合好安全宣传、网络科普这些工作，想知道健康行动是哪个部门牵头开展的",
         "牵头单位：丙委"),
        # 是由哪个单位牵头 names only the kind of answer and the cue: the work asked about is in the clause before,
        # and 单位 (of 纲要办各单位 in the sentence's opening) says nothing about which note answers
        ("某省要点提到的健康行动，是由哪个单位牵头？", "牵头单位：丙委"),
        ("某省要点提到的健康行动，是由哪个单位牵头开展的？", "牵头单位：丙委"),  # 开展 follows every note
        ("某省要点提到配合其他单位开展网络科普建设，请问这项工作是哪个单位牵头的？", "牵头单位：乙办"),
    ],
)
def test_of_several_lead_notes_the_one_about_the_asked_work_answers(question, expected):
    hit = _text_hit(LEAD_NOTES, title="某省科协科普工作要点", path=["要点"])
    assert _answer(question, hit)[0] == expected


def test_the_document_before_this_one_is_not_this_ones_number():
    meta = dict(title="甲省人民政府办公厅关于印发甲省防汛应急预案的通知", doc_no="甲政办发〔2014〕54号")
    hit = _text_hit("《甲省防汛应急预案》（甲政办函〔2008〕93号）同时废止。", **meta)
    assert _answer("甲省之前那版防汛预案的文号是啥", hit, places=("甲省",))[0] == "文号：甲政办函〔2008〕93号"


def test_everyday_words_for_a_count_find_the_number_of_the_asked_noun_in_another_sentence():
    from qa.answerability import Judge

    text = "4、同意保持甲、乙5个镇；丙、丁3个乡的行政区划不变。本轮乡镇区划调整后，乙县共减少6个乡镇建制。"
    hit = _text_hit(text, title="丙省民政厅关于乙县乡镇区划调整的批复", path=["批复"])
    q = analyse("乙县这回乡镇合并，一共砍掉了几个乡镇", places=("乙县",))
    q.unknown = Judge([hit.chunk], {hit.chunk.doc_id: hit.meta}).unknown_words(q)
    hit.highlight = best_segment(q, hit)
    found = direct_answer(q, [hit])
    assert found is not None and found.text.endswith("6个")


def test_a_cited_number_that_lost_its_closing_bracket_is_still_a_number():
    text = "根据《甲市人民政府办公室关于提升助老服务能力的实施意见》(甲政办发〔202316号)文件精神，制定本办法。"
    hit = _text_hit(text, title="乙县人民政府办公室关于印发乙县提升助老服务能力实施办法的通知", doc_no="")
    answer, _ = _answer("乙县助老实施办法是根据甲市哪个文件制定的？那个文件的文号是什么？", hit)
    assert answer == "文号：甲政办发〔202316号"


def test_a_title_quoted_with_a_character_left_out_is_still_the_documents():
    hit = _text_hit("现将《关于推动经济高质量发展若干政策举措(2025年版)》印发给你们。",
                    title="甲区人民政府关于印发关于推动经济高质量发展若干政策举措(2025年版)的通知", date="2025-04-01")
    answer, _ = _answer("甲区《关于推动经济高质量发展若干政策举措(2025版)》是哪天印发的？", hit)
    assert answer == "成文日期：2025年4月1日"


def test_the_partner_a_body_works_with_answers_with_which_unit():
    hit = _text_hit("办好讲解大赛，与省卫健委等单位联合举办第四届健康科普大赛。", title="甲省科协科普工作要点")
    assert _answer("甲省科协和哪个单位联合举办第四届健康科普大赛", hit)[0] == "责任单位：省卫健委"


def test_the_body_set_up_for_a_work_is_responsible_for_it():
    text = "市人民政府设立基金领导小组，在市价格主管部门设立领导小组办公室作为办事机构，负责基金的日常征收管理工作。"
    hit = _text_hit(text, title="甲市价格调节基金管理办法")
    assert _answer("甲市基金的日常征收管理工作由哪个机构负责", hit)[0] == "责任单位：领导小组办公室"


def test_an_answer_the_question_rules_out_is_not_given():
    text = "（一）加强组织领导。区领导小组负责牵头组织实施，区科协牵头开展日常工作。"
    hit = _text_hit(text, path=["方案"])
    assert _answer("加强组织领导谁牵头", hit)[0] == "牵头单位：区领导小组"
    assert _answer("加强组织领导，除了领导小组，牵头的部门是哪个", hit)[0] == "牵头单位：区科协"


def test_a_document_the_question_rules_out_does_not_answer_for_its_header():
    flood = _text_hit("为有效防范应对洪涝灾害，制定本预案。", title="某省防汛应急预案", doc_no="某政办发〔2014〕54号",
                      doc_id="防汛.txt")
    jobs = _text_hit("做好高校毕业生就业工作。", title="某省人民政府办公厅关于加强高校毕业生就业工作的通知",
                     doc_no="某政办发〔2009〕24号", doc_id="就业.txt")
    q = analyse("某省政府办公厅的，我要防汛应急预案那个，不是高校毕业生就业那个，文号是多少")
    found = direct_answer(q, [jobs, flood])
    assert found is not None and found.text == "文号：某政办发〔2014〕54号"


def test_the_body_named_in_the_role_leads_and_the_asked_body_is_no_answer():
    hit = _text_hit("（一）加强组织领导。市政府成立工作领导小组，市科协履行全市科普工作牵头部门的职责。", path=["方案"])
    assert _answer("全市科普工作的牵头部门是哪个", hit)[0] == "牵头单位：市科协"
    hit = _text_hit("第六条 在市价格主管部门设立领导小组办公室，负责价格调节基金的日常征收管理。", path=["办法"])
    assert _answer("日常征收管理由谁负责", hit)[0] == "责任单位：领导小组办公室"
    assert _answer("领导小组办公室是设在哪个部门的", hit)[0] == "责任单位：市价格主管部门"


def test_a_figure_for_a_group_is_not_read_off_a_sentence_about_everyone():
    hit = _text_hit("到2025年，全区公民具备科学素质的比例达到16%，科普基础设施明显改善。", path=["工作目标"])
    assert _answer("到2025年全区公民具备科学素质的比例是多少", hit)[0].endswith("16%")
    assert _answer("到2025年城镇劳动者具备科学素质的比例是多少", hit)[0] is None


def test_an_english_question_naming_a_document_gets_its_header_field():
    text = "各市州科协：现将《2024年湖北省科协科普工作要点》印发给你们。"
    meta = {"issuer": "湖北省科学技术协会", "doc_no": "鄂科协办〔2024〕15号", "date": "2024-03-06"}
    hit = _text_hit(text, title="2024年湖北省科协科普工作要点", **meta)
    q = analyse("What is the document number of the Hubei science association's 2024 key points?")
    assert q.latin and direct_answer(q, [hit]).text == "文号：鄂科协办〔2024〕15号"
    cited = analyse("Which document number does the Hubei science association's 2024 key points cite?")
    assert direct_answer(cited, [hit]) is None  # about a document it cites, not its own
    other = analyse("What is the document number of the Hunan science association's 2024 key points?")
    assert direct_answer(other, [hit]) is None  # another province's document


def test_a_registration_number_is_asked_by_its_name_or_letters_and_the_wenhao_never_stands_in():
    header = (
        "甲省人民政府办公厅\n关于印发《甲省防汛应急预案》的通知\n甲政办发〔2014〕54号\nJSPR—2014—01050\n各市州人民政府："
    )
    hit = _text_hit(header, title="甲省人民政府办公厅关于印发《甲省防汛应急预案》的通知", doc_no="甲政办发〔2014〕54号")
    places = ("甲省",)
    assert _answer("甲省防汛应急预案那个JSPR开头的编号是多少", hit, places=places)[0] == "登记号：JSPR—2014—01050"
    assert _answer("甲省防汛应急预案的登记号是多少", hit, places=places)[0] == "登记号：JSPR—2014—01050"
    assert _answer("甲省防汛预案文号下面那行JSPR编号是多少", hit, places=places)[0] == "登记号：JSPR—2014—01050"
    assert _answer("甲省防汛应急预案的文号是多少", hit, places=places)[0] == "文号：甲政办发〔2014〕54号"
    plain = _text_hit(header.replace("JSPR—2014—01050\n", ""), title=hit.meta.title, doc_no=hit.meta.doc_no)
    assert _answer("甲省防汛应急预案的登记编号是多少", plain, places=places)[0] is None


def test_an_english_number_question_reads_the_sentence_that_says_its_terms():
    text = (
        "举办科普嘉年华等主题活动，带动全省各地科协系统举办各类科普活动1万场次以上。"
        "开办“甲地科普大讲堂”100期以上，邀请院士专家开展科普讲座。"
    )
    hit = _text_hit(text, title="2024年甲省科协科普工作要点", doc_id="甲.txt")
    answer, mark = _answer("How many sessions of the popular science lecture hall will the association hold?", hit)
    assert answer == "100期以上" and mark.startswith("开办")


def test_the_body_that_opens_a_sentence_saying_the_asked_action_does_it():
    text = "坚持因地制宜。全市不搞“一刀切”。各县人民政府充分发挥属地作用，科学制定建设目标，合理确定建设计划。"
    hit = _text_hit(text, title="甲市农村公路建设工作方案")
    assert _answer("甲市农村公路的建设目标和建设计划由谁来制定？", hit)[0] == "责任单位：各县人民政府"
    assert _answer("甲市农村公路，具体建设目标由谁来定？", hit)[0] == "责任单位：各县人民政府"  # 定: 制定
    named = "甲市农村公路提质改造三年行动工作方案里，建设目标由谁来定？"  # words naming the document pick no sentence
    plan = _text_hit(text, title="甲市农村公路提质改造三年行动工作方案")
    assert _answer(named, plan)[0] == "责任单位：各县人民政府"
    request = "请各牵头单位对涉及的工作任务再细化，科学制定推进计划，确保按时完成。"
    assert _answer("甲市各项任务的推进计划由谁来制定？", _text_hit(request, title="甲市任务分解通知"))[0] is None


def test_the_sentence_saying_the_asked_noun_is_read_for_who_does_it_before_one_naming_the_document():
    text = (
        "各责任单位要加强协调，确保《政府工作报告》中确定的各项任务得到有效落实，切实履行各自工作职责。"
        "区委区政府督查室要根据完成时限要求，适时开展督查督办工作。"
    )
    hit = _text_hit(text, title="")
    answer, _ = _answer("甲区《政府工作报告》各项任务的落实情况由谁负责督查督办？", hit)
    assert answer == "责任单位：区委区政府督查室"


def test_a_count_written_with_da_answers_how_many():
    hit = _text_hit("强化与3大电信运营商合作，开展老年人智能技术培训。", title="甲省科协科普工作要点")
    assert _answer("甲省科协老年人智能技术培训跟几家电信运营商合作", hit)[0] == "3大电信运营商"


def test_a_question_about_the_document_the_named_one_follows_never_gets_its_own_number():
    hit = _text_hit("现将实施方案印发给你们，请认真贯彻执行。", title="甲县乡村振兴实施方案", doc_no="甲发〔2021〕5号")
    assert _answer("甲县乡村振兴实施方案依据的2021年中央一号文件，文号是多少？", hit)[0] is None
    assert _answer("甲县乡村振兴实施方案的文号是多少？", hit)[0] == "文号：甲发〔2021〕5号"


def test_several_documents_asked_at_once_get_no_single_field():
    title = "甲省人民政府办公厅关于印发甲省防汛应急预案的通知"
    hit = _text_hit("现将预案印发给你们。", title=title, doc_no="甲政办发〔2014〕54号")
    assert _answer("甲省防汛应急预案和高校毕业生就业通知，文号分别是什么？", hit, places=("甲省",))[0] is None
    assert _answer("甲省防汛应急预案的文号是什么？", hit, places=("甲省",))[0] == "文号：甲政办发〔2014〕54号"


def test_the_time_of_an_event_is_not_the_documents_date():
    hit = _text_hit("举办第44届青少年科技创新大赛。", title="甲省科协2023年科普工作要点", date="2023-03-10")
    assert _answer("甲省科协2023年科普工作要点里大赛的报名截止日期是哪天？", hit)[0] is None
    assert _answer("甲省科协2023年科普工作要点是哪天印发的？", hit)[0] == "成文日期：2023年3月10日"


def test_an_ordinal_written_without_its_classifier_answers_which_one():
    text = "《甲市价格调节基金管理办法》已经市政府第51常务会议研究通过，现印发给你们。"
    hit = _text_hit(text, title="甲市价格调节基金管理办法")
    assert _answer("甲市价格调节基金管理办法是市政府第几次常务会议通过的？", hit)[0] == "第51"


def test_a_place_that_only_qualifies_the_named_one_does_not_keep_the_document_from_answering():
    meta = {"title": "常山县人民政府办公室关于印发提升助老服务能力实施办法的通知", "date": "2023-06-26"}
    hit = _text_hit("现将实施办法印发给你们。", **meta)
    places = ("浙江", "衢州", "常山")
    answer, _ = _answer("浙江衢州常山县印发的提升助老服务能力实施办法，日期是哪天？", hit, places=places)
    assert answer == "成文日期：2023年6月26日"


def test_money_asked_for_by_its_purpose_is_answered_only_in_money():
    hit = _text_hit("下达基层科普行动计划项目72个，支持各市州开展基层科普。", title="甲省科协2024年科普工作要点")
    assert _answer("甲省科协2024年给各市州下达的基层科普项目资金一共是多少？", hit)[0] is None  # 72个 is no sum
    paid = _text_hit("下达基层科普行动计划项目资金300万元。", title="甲省科协2024年科普工作要点")
    assert _answer("甲省科协2024年给各市州下达的基层科普项目资金一共是多少？", paid)[0] == "300万元"


def test_a_group_named_in_the_context_does_not_restrict_the_number_asked_for():
    hit = _text_hit("加强科技馆主阵地建设，实现全年接待观众120万人次。", title="2024年甲省科协科普工作要点")
    asked = "我们单位准备组织职工去省科技馆参观，想了解一下，甲省科协2024年要点里省科技馆全年计划接待多少观众？"
    assert _answer(asked, hit)[0] == "120万人次"


def _joint_notice(area):
    """A notice two bodies of one new area issued together (中共X工作委员会 and X管理委员会)."""
    title = f"中共{area}工作委员会{area}管理委员会关于印发乡村振兴实施方案的通知"
    meta = {"issuer": f"中共{area}工作委员会、{area}管理委员会", "date": "2021-03-15"}
    return _text_hit("现将实施方案印发给你们。", title=title, **meta)


def test_of_joint_issuers_the_ones_not_ruled_out_answer_who_else_signed():
    hit = _joint_notice("甲新区")
    asked = "甲新区那个乡村振兴实施方案，除了新区管委会，还有哪个单位一起落款？"
    assert _answer(asked, hit, places=("甲新区",))[0] == "发文单位：中共甲新区工作委员会"
    whole = _answer("甲新区那个乡村振兴实施方案是哪个单位发的？", hit, places=("甲新区",))[0]
    assert whole == "发文单位：中共甲新区工作委员会、甲新区管理委员会（2021年3月15日）"


def test_a_place_named_in_an_exclusion_does_not_rule_out_every_body_there():
    hit = _joint_notice("河北雄安新区")
    named = "雄安乡村振兴方案，除了雄安新区管委会，还有哪个单位联合印发？"
    assert _answer(named, hit, places=("雄安",))[0] == "发文单位：中共河北雄安新区工作委员会"


def test_a_document_called_a_policy_is_named_for_its_date():
    title = "甲市乙区人民政府关于印发推动经济高质量发展若干政策举措(2025年版)的通知"
    hit = _text_hit("一、强化科技创新。对新认定的高新技术企业给予奖励。", title=title, date="2025-04-01")
    asked = "甲市乙区25年版推动经济高质量发展的那套政策，是哪天发的？"
    assert _answer(asked, hit, places=("甲市", "乙区"))[0] == "成文日期：2025年4月1日"


def test_an_english_when_question_gets_the_documents_date_only_when_it_asks_for_it():
    hit = _text_hit("举办2024年全国科普日湖北主场活动。", title="2024年湖北省科协科普工作要点",
                    issuer="湖北省科学技术协会", date="2024-03-06")
    issued = _answer("When were Hubei's 2024 science popularization key points issued?", hit, places=("湖北",))
    assert issued[0] == "成文日期：2024年3月6日"
    held = _answer("When will the science day in Hubei's 2024 science popularization key points be held?", hit,
                   places=("湖北",))
    assert held[0] is None  # an event's time, not the document's


def test_an_english_count_of_something_the_glossary_cannot_name_gets_no_number():
    hit = _text_hit("湖北省科技馆全年开展科普活动1万场次以上，接待观众120万人次，流动科技馆巡展15站。",
                    title="2024年湖北省科协科普工作要点")
    assert _answer("How many stops will the mobile science museum tour make?", hit)[0] == "15站"
    assert _answer("How many visitors will the Hubei science museum receive?", hit)[0] is None


def test_a_target_of_another_year_is_no_answer():
    text = "依据《全民科学素质行动规划纲要(2021-2035年)》制定本方案。到2025年，全区公民具备科学素质的比例达到16%。"
    hit = _text_hit(text, title="甲区全民科学素质行动实施方案(2021-2025年)")
    assert _answer("甲区方案对2035年公民具备科学素质的比例定了多少？", hit)[0] is None
    assert _answer("甲区方案对2025年公民具备科学素质的比例定了多少？", hit)[0] == "达到16%"


def test_an_english_question_may_call_a_key_points_document_a_work_plan():
    text = "全省科普工作将坚持以习近平新时代中国特色社会主义思想为指导。"
    hit = _text_hit(text, title="2024年湖北省科协科普工作要点", issuer="湖北省科学技术协会", date="2024-03-06")
    asked = "On what date was Hubei's 2024 science popularization work plan issued?"
    assert _answer(asked, hit, places=("湖北",))[0] == "成文日期：2024年3月6日"


def test_a_header_field_the_named_document_does_not_print_is_missing():
    from qa.answerers import header_field_missing

    bare = _text_hit("一、加强科普宣传。", title="2024年甲省科协科普工作要点", doc_id="a.txt")
    meta = {"doc_no": "乙科协〔2024〕3号", "date": "2024-03-06"}
    full = _text_hit("一、加强科普宣传。", title="2024年乙省科协科普工作要点", doc_id="b.txt", **meta)
    places = ("甲省", "乙省")
    assert header_field_missing(analyse("甲省科协2024年科普工作要点的文号是多少", places=places), [bare, full])
    assert header_field_missing(analyse("甲省科协2024年科普工作要点是哪天印发的", places=places), [bare, full])
    assert not header_field_missing(analyse("乙省科协2024年科普工作要点的文号是多少", places=places), [full, bare])
    # the document it follows, an event's time: not the named document's header
    assert not header_field_missing(analyse("甲省科协2024年科普工作要点依据的文件文号是多少", places=places), [bare])
    event = analyse("甲省科协2024年科普工作要点里大赛报名截止时间是哪天", places=places)
    assert not header_field_missing(event, [bare])


def test_whom_a_document_was_copied_to_is_its_copy_line_not_its_addressees():
    from qa.schema import Chunk, DocMeta, Hit

    meta = DocMeta(title="甲省民政厅关于乙县乡镇区划调整的批复", file="a.txt", issuer="甲省民政厅")
    opening = Chunk(0, "a.txt", meta.title + "\n丙州人民政府:\n你州呈报的请示收悉。", [], (0, 40))
    end = Chunk(3, "a.txt", "甲省民政厅\n2015年11月30日\n抄送:省委办公厅、省人民政府办公厅、丙州民政局", [], (800, 850))
    q = analyse("乙县区划调整的批复抄送给了哪些单位？", places=("乙县",))
    hits = [Hit(end, meta, 2.0), Hit(opening, meta, 1.0)]
    for h in hits:
        h.highlight = best_segment(q, h)
    assert direct_answer(q, hits).text == "抄送：省委办公厅、省人民政府办公厅、丙州民政局"
    sent = analyse("乙县区划调整的批复主送给了哪个单位？", places=("乙县",))
    assert direct_answer(sent, [hits[1], hits[0]]).text == "主送：丙州人民政府"


def test_the_whole_country_beside_another_place_does_not_hide_the_named_document():
    hit = _text_hit("现将《甲协会2022年科普工作要点》转发给各相关单位。", title="甲协会2022年科普工作要点",
                    issuer="乙学会", date="2022-03-03")
    asked = "我在一个全国学会管文书，转发《甲协会2022年科普工作要点》的通知最后落款的是哪个学会？"
    assert _answer(asked, hit, places=("甲协会", "全国"))[0] == "发文单位：乙学会（2022年3月3日）"


def test_the_office_that_printed_a_document_closes_it():
    """GB/T 9704 版记: the last line names the office that printed the document (印发机关) and the day; asked who
    印发 it or what closes it, that office answers, and the issuer its header names still answers for 发文机关."""
    meta = {"title": "甲省科协2023年科普工作要点", "issuer": "甲省科学技术协会", "date": "2023-03-10"}
    head = _text_hit("甲省科学技术协会文件\n甲科协通〔2023〕10号", **meta)
    end = _text_hit("12. 加强基层调研。\n\n甲省科协办公室\n\n2023年3月10日印发", **meta)
    for asked in ("甲省科协2023年科普工作要点由哪个部门印发？", "甲省科协2023年科普工作要点文末落款写的是哪个单位？"):
        q = analyse(asked, places=("甲省",))
        for h in (head, end):
            h.highlight = best_segment(q, h)
        assert direct_answer(q, [head, end]).text == "印发机关：甲省科协办公室（2023年3月10日印发）"
    q = analyse("甲省科协2023年科普工作要点的发文机关是哪家？", places=("甲省",))
    assert direct_answer(q, [head, end]).text == "发文单位：甲省科学技术协会（2023年3月10日）"


def test_an_issuer_question_naming_a_kind_of_body_gets_one_of_that_kind():
    """哪个办公室: the issuer (甲省科学技术协会) is no 办公室; the 版记's printing office is, and without one no body
    answers. 哪个科协 is met by 科学技术协会, which 公文 shorten to 科协."""
    meta = {"title": "甲省科协2023年科普工作要点", "issuer": "甲省科学技术协会", "date": "2023-03-10"}
    head = _text_hit("甲省科学技术协会文件\n甲科协通〔2023〕10号", **meta)
    end = _text_hit("12. 加强基层调研。\n\n甲省科协办公室\n\n2023年3月10日印发", **meta)
    asked = {"甲省2023科普要点，最后落款是哪个办公室？": "印发机关：甲省科协办公室（2023年3月10日印发）",
             "甲省2023科普要点是哪个科协发的？": "发文单位：甲省科学技术协会（2023年3月10日）"}
    for question, expected in asked.items():
        q = analyse(question, places=("甲省",))
        for h in (head, end):
            h.highlight = best_segment(q, h)
        assert direct_answer(q, [head, end]).text == expected
        alone = direct_answer(q, [head])  # without the 版记
        assert (alone.text if alone else None) == (None if "办公室" in question else expected)


def test_what_is_now_is_not_answered_by_a_target():
    hit = _text_hit("到2025年，全省公民具备科学素质的比例达到16%。", title="甲省全民科学素质行动实施方案")
    assert _answer("甲省公民具备科学素质的比例目前是多少？", hit)[0] is None
    assert _answer("甲省公民具备科学素质的比例要达到多少？", hit)[0] == "达到16%"


def test_a_lead_note_names_the_body_without_the_clause_before_it():
    text = "推动科普宣传大协同。重点配合做好甲省应急厅牵头开展的安全宣传工作；协助开展市文明办牵头的文明实践活动。"
    hit = _text_hit(text, title="某省科协科普工作要点", path=["要点"])
    assert _answer("安全宣传工作是哪个厅牵头", hit)[0] == "牵头单位：甲省应急厅"
    assert _answer("文明实践活动由谁牵头", hit)[0] == "牵头单位：市文明办"


def test_a_question_naming_the_lead_role_gets_the_body_given_that_role():
    acting = _text_hit("区领导小组负责牵头组织实施全民科学素质建设工作，各成员单位加强协调配合。",
                       title="甲区全民科学素质实施方案", doc_id="p.txt", path=["方案", "组织领导"])
    role = _text_hit("区科协履行全区全民科学素质建设牵头部门的职责，做好日常工作。",
                     title="甲区全民科学素质实施方案", doc_id="p.txt", path=["方案", "组织领导"])
    found = {}
    for question in ("甲区全民科学素质建设总的牵头部门是哪个", "甲区全民科学素质建设由谁牵头组织实施"):
        q = analyse(question, places=("甲区",))
        for h in (acting, role):
            h.highlight = best_segment(q, h)
        found[question] = direct_answer(q, [acting, role])
    role_asked, act_asked = found.values()
    assert role_asked.text == "牵头单位：区科协" and role_asked.passage == 1
    assert act_asked.text == "牵头单位：区领导小组" and act_asked.passage == 0


def test_a_figure_written_in_characters_is_a_count_only_when_it_is_not_an_article_or_a_name():
    text = "广泛开展科普大篷车进校园活动，打通服务最后一公里。全面贯彻党的二十大精神，提升床位使用效率。"
    hit = _text_hit(text, title="某省科普工作要点", path=["要点"])
    assert _answer("科普大篷车要跑多少公里", hit)[0] is None  # 一公里: "the last mile"
    assert _answer("每千人口床位数要达到多少张", hit)[0] is None  # 二十大 counts no beds
    operators = _text_hit("与3大电信运营商等合作，推进网络科普。", title="某省科普工作要点", path=["要点"])
    assert _answer("和几家电信运营商合作", operators)[0] == "3大电信运营商"


def test_a_count_is_read_where_the_counted_noun_after_the_question_word_is_said():
    title = "丁省民政厅关于戊县乡镇区划调整的批复"
    other = _text_hit("3、同意己乡、庚乡合并设立辛镇。新设立的辛镇辖34个建制村。", title=title, path=["批复"])
    asked = _text_hit("2、同意甲乡、乙乡、丙镇成建制合并设立丙镇。新设立的丙镇辖71个建制村，总面积201.2平方千米。",
                      title=title, path=["批复"])
    q = analyse("新设立的丙镇下辖多少个建制村？")
    for h in (other, asked):
        h.highlight = best_segment(q, h)
    found = direct_answer(q, [other, asked])
    assert found is not None and found.text == "71个" and found.passage == 1  # the tagger cut 建制村 as 建制 / 村


def test_a_document_named_by_its_own_number_answers_for_its_header():
    meta = {"issuer": "甲省科学技术协会", "date": "2023-03-10", "doc_no": "甲科协通〔2023〕10号"}
    hit = _text_hit("甲省科学技术协会文件\n甲科协通〔2023〕10号\n现将工作要点印发给你们。",
                    title="甲省科学技术协会关于印发工作要点的通知", **meta)
    answer = _answer("甲科协通〔2023〕10号是以哪个单位的名义发的文？", hit)[0]
    assert answer == "发文单位：甲省科学技术协会（2023年3月10日）"
    assert _answer("乙科协通〔2023〕10号是以哪个单位的名义发的文？", hit)[0] is None  # another 文号: another document


def test_a_figure_under_a_heading_that_says_the_topic_answers():
    from qa.answerability import Judge

    text = "一、工作目标\n到2025年，全区公民具备科学素质的比例达到16%，基层科普能力显著提升。"
    title = "甲区科学素质实施方案(2021-2025年)"  # its years name the document
    hit = _text_hit(text, title=title, path=[title, "一、工作目标"])
    q = analyse("甲区定的目标，到2025年达标的人要占百分之几？", places=("甲区",))
    q.unknown = Judge([hit.chunk], {hit.chunk.doc_id: hit.meta}).unknown_words(q)
    hit.highlight = best_segment(q, hit)
    found = direct_answer(q, [hit])
    assert found is not None and found.text.endswith("16%")
    assert hit.chunk.text[hit.highlight[0] :].startswith("到2025年")  # the sentence with the figure, not the heading


def test_a_long_question_is_asked_at_its_end_not_in_its_context():
    from qa.answerability import Judge

    text = "园区产值突破1000亿元，甲产业园产值首次突破300亿元，乙开发区产值达到280亿元，丙产业园产值达到167亿元。"
    hit = _text_hit(text, title="丁市政府工作报告", path=["报告"])
    q = analyse("我在准备园区经济的材料，看到丁市政府工作报告里列了好几个园区的产值。请问其中乙开发区的产值达到多少？")
    q.unknown = Judge([hit.chunk], {hit.chunk.doc_id: hit.meta}).unknown_words(q)  # 准备, 材料: no passage says them
    hit.highlight = best_segment(q, hit)
    found = direct_answer(q, [hit])
    assert found is not None and found.text.endswith("280亿元")  # 好几个 of the context asks for no 个


def test_what_the_question_quotes_the_answering_passage_and_sentence_must_say():
    text = "联合甲部开展生态环境科普活动。联合乙办修订发布《食品安全科普宣传大纲》。"
    hit = _text_hit(text, title="某协会2022年科普工作要点", path=["要点"])
    assert _answer("某协会要跟哪个部门一起修订发布《食品安全科普宣传大纲》？", hit)[0] == "责任单位：乙办"
    other = _text_hit("重点任务：11.加强组织领导\n主要措施：区领导小组负责牵头组织实施全区工作。",
                      title="甲区实施方案", path=["甲区实施方案", "11.加强组织领导"])
    asked = "甲区方案里“建立保障经费投入和落实奖励机制”这一项的牵头单位是哪个？"
    assert _answer(asked, other, places=("甲区",))[0] is None  # another item's lead is no answer


def test_an_ordinal_answers_only_for_the_event_it_counts():
    hit = _text_hit("举办第38届甲省青少年科技创新大赛和第10届甲省青少年科普作品大赛。", title="甲省科协工作要点",
                    path=["要点"])
    assert _answer("甲省青少年科普作品大赛是第几届", hit)[0] == "第10届"
    assert _answer("甲省青少年机器人竞赛办第几届", hit)[0] is None  # no ordinal counts that contest


def test_an_english_question_about_the_document_followed_gets_no_own_number():
    text = "为贯彻落实《国务院办公厅关于加强就业工作的通知》（国办发〔2009〕3号）精神，现就有关事项通知如下。"
    hit = _text_hit(text, title="甲省人民政府办公厅关于做好就业工作的通知", issuer="甲省人民政府办公厅",
                    doc_no="甲政办发〔2009〕24号", date="2009-03-01")
    asked = (
        "The 2009 employment notice was issued in the spirit of a State Council notice. What is its document number?"
    )
    assert _answer(asked, hit)[0] != "文号：甲政办发〔2009〕24号"


def test_an_english_question_naming_a_document_by_place_and_issuing_gets_its_issuer():
    title = "中共甲市委甲市人民政府关于深化文旅融合的实施意见"
    hit = _text_hit("为深化文旅融合，提出如下实施意见。", title=title, issuer="中共甲市委、甲市人民政府",
                    doc_no="甲发〔2023〕11号")
    q = analyse("Which bodies jointly issued Jiashi's implementation opinions?", places=("甲市",))
    q.places = ["甲市"]  # the pinyin index is built from the indexed documents' places; this hit's is given
    hit.highlight = best_segment(q, hit)
    found = direct_answer(q, [hit])
    assert found is not None and found.text.startswith("发文单位：中共甲市委、甲市人民政府")


def test_an_area_in_square_kilometres_answers_how_big():
    hit = _text_hit("新设立的甲镇辖34个建制村、5个社区，总面积155.7平方千米，总人口4.7万人。",
                    title="乙省民政厅关于丙县乡镇区划调整的批复", path=["批复"])
    answer = _answer("新设立的甲镇总面积有多大？", hit)[0]
    assert answer is not None and answer.endswith("155.7平方千米")


def test_a_figure_whose_clause_says_what_the_question_rules_out_is_not_given():
    from qa.answerability import Judge

    text = "充分发挥省科技馆龙头带动作用，力争全省科技馆年接待观众超400万人次。2024年是新中国成立75周年。"
    hit = _text_hit(text, title="甲省科协2024年科普工作要点", path=["要点"])
    found = []
    questions = (
        "甲省24年要点里，省科技馆自己一年接待目标多少？说的是省馆，不是全省。",
        "甲省24年要点里，全省科技馆一年接待目标多少？",
    )
    for asked in questions:
        q = analyse(asked, places=("甲省",))
        q.unknown = Judge([hit.chunk], {hit.chunk.doc_id: hit.meta}).unknown_words(q)
        hit.highlight = best_segment(q, hit)
        found.append(direct_answer(q, [hit]))
    ruled_out, asked = found
    assert ruled_out is None  # 超400万人次 is the province's; 75周年 is an anniversary, not 75 weeks
    assert asked is not None and asked.text == "超400万人次"


def test_of_several_lead_notes_the_english_terms_pick_one_or_none():
    text = ("重点配合做好省应急厅牵头开展的安全宣传工作；省网信办牵头开展的网络科普生态建设；省卫健委牵头开展的健康"
            "行动；省市场监管局牵头开展的食品安全工作。")
    hit = _text_hit(text, title="某省科协科普工作要点", path=["要点"])
    online = "Which department leads the online science popularization work in the key points?"
    assert _answer(online, hit)[0] == "牵头单位：省网信办"  # online → 网络
    vague = "Which department leads the campaign mentioned in the key points?"
    assert _answer(vague, hit)[0] is None  # nothing tells the four works apart: no guess


def test_two_figures_the_question_cannot_tell_apart_give_no_number():
    hit = _text_hit("建设特色产业基地93个、科普惠民社区72个、科普教育基地40个。", title="某省科协科普工作要点",
                    path=["要点"])
    assert _answer("科普惠民社区有多少个", hit)[0] == "72个"
    assert _answer("基地有多少个", hit)[0] is None  # two kinds of 基地: which is meant cannot be told


def test_a_document_the_question_says_is_cited_gets_the_citations_number():
    text = ("为贯彻落实《中共甲省委 甲省人民政府关于推进乡村振兴的实施意见》(甲发〔2021〕1号)，"
            "结合新区实际，制定本方案。")
    hit = _text_hit(text, title="乙新区关于印发乡村振兴实施方案的通知", doc_no="乙发〔2021〕5号", path=["通知"])
    assert _answer("乙新区方案里引的甲省那份乡村振兴实施意见，文号是？", hit)[0] == "文号：甲发〔2021〕1号"
    assert _answer("乙新区乡村振兴实施方案的文号是？", hit)[0] == "文号：乙发〔2021〕5号"


def test_an_english_question_is_answered_from_the_row_that_says_its_terms(corpus_docs, chunks):
    other = _hit(corpus_docs, chunks, "咸安", "基层科普能力提升工程", kind="table_row")
    asked = _hit(corpus_docs, chunks, "咸安", "公务员科学素质提升行动", kind="table_row")
    q = analyse("In Xian'an's plan, which unit takes the lead on the scientific literacy action for civil servants?")
    for h in (other, asked):
        h.highlight = best_segment(q, h)
    found = direct_answer(q, [other, asked])
    assert found is not None and found.text == "牵头单位：区委组织部" and found.passage == 1


def test_an_english_count_whose_counted_noun_is_not_glossed_gets_no_number():
    text = "开展科学家精神宣讲活动不少于12场。开办“甲地科普大讲堂”100期以上，邀请院士专家开展科普讲座。"
    hit = _text_hit(text, title="2024年甲省科协科普工作要点", doc_id="甲.txt")
    # lecture → 讲堂 alone would read the lecture hall's 100期 for the talks (events) asked about
    assert _answer("How many scientist-spirit lecture events must the association hold at a minimum?", hit)[0] is None
    sessions = "How many sessions of the popular science lecture hall will the association hold?"
    assert _answer(sessions, hit)[0] == "100期以上"


def test_a_figure_of_the_whole_level_does_not_answer_for_the_body_at_that_level():
    # 全省科技馆 are all the province's museums; 省科技馆 is the provincial one — and the reverse
    text = ("充分发挥省科技馆龙头带动作用，力争全省科技馆年接待观众超400万人次。提高省科技馆全面开放能力，"
            "实现全年接待观众120万人次。")
    meta = dict(title="甲省科协2024年科普工作要点", issuer="甲省科学技术协会", date="2024-03-06")
    for question, expected in [
        ("甲省科协2024年要点中，省科技馆自己一年要接待多少观众？", "120万人次"),
        ("要点里既有全省科技馆的目标，也有省科技馆自己的目标，省科技馆本身全年要接待多少观众？", "120万人次"),
        ("甲省全省科技馆一年要接待多少观众？", "超400万人次"),
    ]:
        hit = _text_hit(text, path=[meta["title"], "二、加强科技馆建设"], **meta)
        assert _answer(question, hit, places=("甲省",))[0] == expected, question


@pytest.mark.parametrize(
    "question",
    [
        "甲省那份高校毕业生就业通知是照着国办哪个文件来的，文号多少？",
        "The Jia province notice on graduate employment follows a State Council General Office notice. What is that "
        "notice's document number?",
    ],
)
def test_a_question_about_the_document_followed_gets_its_citation_not_the_own_number(question):
    # the question names its own document only to say which one it follows: the citation answers, however few of
    # the question's words stand before it (国办 for 国务院办公厅, 高校 for 高等学校)
    text = ("根据《国务院办公厅关于加强普通高等学校毕业生就业工作的通知》(国办发„2009‟3号)精神，结合我省实际，"
            "现就加强高校毕业生就业工作通知如下。")
    hit = _text_hit(text, title="甲省人民政府办公厅关于加强高校毕业生就业工作的通知", doc_no="甲政办发〔2009〕24号",
                    issuer="甲省人民政府办公厅", path=["通知"])
    assert _answer(question, hit, places=("甲省",))[0] == "文号：国办发„2009‟3号"


def test_a_question_that_refuses_the_citations_is_not_about_them():
    text = "根据《国务院关于印发全民科学素质行动规划纲要的通知》（国发〔2021〕9号）精神，制定本方案。"
    hit = _text_hit(text, title="甲区全民科学素质实施方案", path=["方案"])
    assert _answer("甲区那个实施方案它自己的文号是多少？不要它引用的那个。", hit, places=("甲区",))[0] is None


@pytest.mark.parametrize(
    "question",
    [
        "麻烦问一下，被新版甲省防汛应急预案替代的那份旧预案，当初是什么时候印发的？",
        "When was the previous version of Jia province's flood emergency plan, which the new one replaced, issued?",
    ],
)
def test_the_date_of_the_replaced_document_comes_from_its_repeal_sentence(question):
    text = ("《甲省防汛应急预案》已经省人民政府同意，现印发给你们。2008年6月25日印发的《甲省防汛应急预案》"
            "(甲政办函〔2008〕93号)同时废止。")
    hit = _text_hit(text, title="甲省人民政府办公厅关于印发《甲省防汛应急预案》的通知", date="2014-07-23",
                    doc_no="甲政办发〔2014〕54号", issuer="甲省人民政府办公厅", path=["通知"])
    assert _answer(question, hit, places=("甲省",))[0] == "印发日期：2008年6月25日"
    assert _answer("甲省防汛应急预案是什么时候印发的？", hit, places=("甲省",))[0] == "成文日期：2014年7月23日"


def test_the_issuer_of_a_cited_notice_is_read_from_its_title():
    text = "（三）推进科普规范化建设。落实《甲协会办公厅关于加强科普标准化工作的通知》，推动科普标准体系建设。"
    meta = dict(title="甲协会2022年科普工作要点", issuer="乙学会", date="2022-03-03")
    hit = _text_hit(text, path=[meta["title"], "三、构建科普服务体系"], **meta)
    question = "甲协会2022年要点要求落实一份关于加强科普标准化工作的通知，这份通知是哪个部门发的？"
    assert _answer(question, hit)[0] == "发文单位：甲协会办公厅"
    assert _answer("甲协会2022年科普工作要点是哪个单位发的？", hit)[0].startswith("发文单位：乙学会")


def test_a_question_giving_part_of_the_field_gets_the_rest_and_never_a_field_that_disagrees():
    own = dict(title="甲区全民科学素质实施方案", doc_no="甲政发〔2021〕3号", date="2021-03-15", issuer="甲区人民政府")
    text = ("根据《国务院关于印发全民科学素质行动规划纲要的通知》（国发〔2021〕9号）和《甲省人民政府办公厅关于印发"
            "甲省全民科学素质实施方案的通知》（甲政办发〔2021〕64号）精神，制定本方案。")
    hit = _text_hit(text, path=["方案"], **own)
    assert _answer("甲区那个实施方案依据的省里文件是甲政办发几号？", hit)[0] == "文号：甲政办发〔2021〕64号"
    assert _answer("甲区全民科学素质实施方案是甲政发（2021）几号？", hit)[0] == "文号：甲政发〔2021〕3号"
    assert _answer("甲区全民科学素质实施方案是2021-3-几号印发的？", hit)[0] == "成文日期：2021年3月15日"
    assert _answer("甲区全民科学素质实施方案是2021-4-几号印发的？", hit)[0] is None


def test_the_issuer_of_the_document_followed_is_read_from_its_cited_title():
    text = ("根据《甲省人民政府办公厅关于印发甲省全民科学素质实施方案的通知》（甲政办发〔2021〕64号）的要求，"
            "制定本方案。")
    hit = _text_hit(text, title="乙区全民科学素质实施方案", issuer="乙区人民政府", path=["方案"])
    question = "乙区方案所依据的甲省全民科学素质实施方案，是甲省哪个机关印发的？"
    assert _answer(question, hit, places=("甲省", "乙区"))[0] == "发文单位：甲省人民政府办公厅"


def test_a_header_question_is_answered_from_the_document_of_the_place_and_year_named():
    # the other document's title shares 印发 and 通知 with the question; the named one's shares the place and year
    other = _text_hit("丙省科协关于印发《丙省科协2023年科普工作要点》的通知 丙科协通〔2023〕10号",
                      title="丙省科协关于印发《丙省科协2023年科普工作要点》的通知", doc_id="c.txt",
                      doc_no="丙科协通〔2023〕10号", date="2023-03-10", path=["通知"])
    named = _text_hit("关于印发《2024年甲省科协科普工作要点》的通知 甲科协办〔2024〕15号",
                      title="2024年甲省科协科普工作要点", doc_id="a.txt", doc_no="甲科协办〔2024〕15号",
                      date="2024-03-06", path=["要点"])
    q = analyse("甲省科协2024科普工作要点 印发通知 发文号？", places=("甲省", "丙省"))
    for h in (other, named):
        h.highlight = best_segment(q, h)
    found = direct_answer(q, [other, named])
    assert found is not None and found.text == "文号：甲科协办〔2024〕15号"


def test_a_figure_in_a_sentence_about_another_town_is_not_the_asked_towns():
    text = ("3、同意东坪乡、西岭乡成建制合并设青山镇；南溪乡、北岗乡成建制合并设白沙镇。新设立的青山镇辖34个建制村,"
            "总人口2.9万人。新设立的白沙镇辖20个建制村,总人口1.9万人。")
    hit = _text_hit(text, title="某省民政厅关于某县乡镇区划调整的批复", path=["批复"])
    question = "青山镇和白沙镇都是这次新设的，想问新设的白沙镇下面辖几个建制村？"
    assert _answer(question, hit)[0] == "20个"


def test_of_a_sentences_figures_the_one_whose_clause_says_the_noun_asked_answers():
    # a long question's context (新设立的白沙镇是由…合并来的) lends the clause before the asked one its words
    text = "新设立的白沙镇辖20个建制村,总面积87.4平方千米,总人口1.9万人,镇人民政府驻保楼村。"
    title = "某省民政厅关于某县乡镇区划调整的批复"
    hit = _text_hit(text, title=title, path=[title])
    question = "新设立的白沙镇是由两个乡合并来的，请问批复中写的白沙镇总人口是多少？"
    assert _answer(question, hit)[0] == "1.9万人"
