"""The answerability decision on text written for the test: evidence decides, vocabulary does not."""

import pytest

from qa.answerability import Judge, Model, Signals, constraint_met, constraints_met, field_present
from qa.answerers import direct_answer
from qa.highlight import best_segment
from qa.question import analyse
from qa.schema import Chunk, Confidence, DocMeta, Hit

PASSAGES = {
    "甲.txt": ("甲市人民政府关于印发甲市城市更新实施方案(2021—2035年)的通知", "甲市城市更新实施方案",
               "到2025年，完成老旧小区改造300个，新建口袋公园50处，城市更新工作由市住建局牵头。"),
    "乙.txt": ("乙市教育局2024年工作要点", "乙市教育局2024年工作要点",
               "全年新建中小学校12所，新增学位1.5万个，推进集团化办学。"),
    "丙.txt": ("中國科協2022年科普工作要點", "中國科協2022年科普工作要點",
               "辦好全國科普日活動，開展科普中國進基層。"),
}


def _hits(doc_ids, dense=0.9):
    out = []
    for i, doc_id in enumerate(doc_ids):
        title, path, text = PASSAGES[doc_id]
        chunk = Chunk(i, doc_id, text, [path], (0, len(text)))
        out.append(Hit(chunk, DocMeta(title=title, file=doc_id), 1.0 - i / 10, dense=dense))
    return out


@pytest.fixture(scope="module")
def judge():
    hits = _hits(list(PASSAGES))
    return Judge([h.chunk for h in hits], {h.chunk.doc_id: h.meta for h in hits})


def _signals(judge, question, doc_ids, places=("甲市", "乙市", "甲", "乙")):
    q = analyse(question, places=places)
    hits = _hits(doc_ids)
    for h in hits:
        h.highlight = best_segment(q, h)
    return judge.signals(q, hits, field_present(q, hits[:2]), direct_answer(q, hits) is not None)


def test_an_everyday_word_the_documents_do_not_use_does_not_refuse_on_its_own(judge):
    plain = _signals(judge, "甲市老旧小区改造的目标是多少个", ["甲.txt", "乙.txt"])
    everyday = _signals(judge, "甲市老旧小区改造这活儿的总数是多少个", ["甲.txt", "乙.txt"])
    assert judge.confidence(plain) is Confidence.HIGH
    assert judge.confidence(everyday) is not Confidence.NONE


def test_politeness_changes_nothing(judge):
    plain = _signals(judge, "乙市今年新建多少所中小学校", ["乙.txt"])
    polite = _signals(judge, "您好，请问一下乙市今年新建多少所中小学校？麻烦了，谢谢！", ["乙.txt"])
    assert plain == polite


def test_a_place_or_year_the_passages_do_not_match_is_not_met(judge):
    ok = _signals(judge, "甲市2025年要改造多少个老旧小区", ["甲.txt"])
    other_year = _signals(judge, "甲市2030年要改造多少个老旧小区", ["甲.txt"])
    other_place = _signals(judge, "乙市要改造多少个老旧小区", ["甲.txt"])
    assert ok.constraints == 1.0 and other_year.constraints == 0.0 and other_place.constraints == 0.0
    assert judge.confidence(other_place) is not Confidence.HIGH


def test_constraints_compare_in_folded_form():
    hit = _hits(["甲.txt"])[0]
    assert constraint_met("2021-2035", hit) and constraint_met("2035", hit)
    cast = _hits(["丙.txt"])[0]
    assert constraint_met("中国科协", cast)  # 中國科協 in the document


def test_a_county_document_does_not_speak_for_its_province():
    text = "根据《湖北省全民科学素质行动规划纲要实施方案(2021-2025年)》，到2025年，全区公民具备科学素质的比例达到16%。"
    meta = DocMeta(title="咸安区全民科学素质行动实施方案", issuer="咸安区人民政府办公室", file="x.txt")
    hit = Hit(Chunk(0, "x.txt", text, ["工作目标"], (0, len(text))), meta, 1.0)
    assert constraint_met("咸安", hit) and not constraint_met("湖北", hit)  # 湖北 only in the cited title
    assert constraint_met("湖北", hit, ["湖北", "咸安"])  # 湖北咸安: the province qualifies the county
    assert not constraints_met(analyse("湖北全省到2025年公民科学素质比例目标是多少"), [hit])


def test_a_documents_own_year_must_name_the_document_not_its_text():
    text = "2023年全省科普工作成效明显。2024年，全省科普工作要坚持以人民为中心。"
    meta = DocMeta(title="广东省科协2024年科普工作要点", issuer="广东省科学技术协会", file="g.txt")
    hit = Hit(Chunk(0, "g.txt", text, ["要点"], (0, len(text))), meta, 1.0)
    assert constraints_met(analyse("广东省科协2023年全省科普工作成效如何"), [hit])  # a year the text speaks of
    assert not constraints_met(analyse("广东省科协2023年科普工作要点有哪些任务"), [hit])  # another year's 要点
    assert constraints_met(analyse("广东省科协2024年科普工作要点有哪些任务"), [hit])


def test_a_place_that_only_qualifies_another_is_met_through_it():
    text = "常山县人民政府办公室关于印发《常山县提升助老服务能力的实施办法》的通知"
    meta = DocMeta(title=text, issuer="常山县人民政府办公室", file="c.txt")
    hit = Hit(Chunk(0, "c.txt", text, [], (0, len(text))), meta, 1.0)
    assert constraints_met(analyse("浙江衢州常山县助老服务实施办法是哪天印发的"), [hit])
    assert not constraints_met(analyse("浙江衢州江山市助老服务实施办法是哪天印发的"), [hit])


def test_a_question_naming_two_places_is_met_by_one_passage_of_each():
    q = analyse("甲市和乙市的文件各是哪年的", places=["甲市", "乙市"])
    assert constraints_met(q, _hits(["甲.txt", "乙.txt"]))
    assert not constraints_met(q, _hits(["甲.txt"]))


def test_unrelated_passages_are_not_answers(judge):
    s = _signals(judge, "甲市的地铁票价是多少钱", ["乙.txt", "丙.txt"])
    assert judge.confidence(s) is not Confidence.HIGH


def test_three_states_follow_the_thresholds():
    model = Model({"dense": 10.0}, -8.0, high=0.7, low=0.3)
    def make(d):
        return Signals(dense=d, coverage=0, best_coverage=0, known=0, missing=0, constraints=1, named=0, field=0,
                       asks_field=0, answered=0, latin=0, asked_found=1)

    assert model.confidence(make(0.95)) is Confidence.HIGH
    assert model.confidence(make(0.8)) is Confidence.LOW
    assert model.confidence(make(0.5)) is Confidence.NONE


def test_a_passage_that_never_says_the_asked_attribute_does_not_cover_it(judge):
    said = _signals(judge, "甲市城市更新工作由哪个单位牵头", ["甲.txt"])
    unsaid = _signals(judge, "甲市城市更新工作的总投资是多少", ["甲.txt"])
    assert said.asked_found == 1.0 and unsaid.asked_found == 0.0


def test_an_issuer_short_form_names_its_document():
    from qa.answerability import identity

    ident = identity(DocMeta(title="关于加强某项工作的通知", issuer="湖南省人民政府办公厅", file="x.txt"))
    assert "湖南省政府办公厅" in ident  # how people write it; a question naming it names this document


def test_the_fit_keeps_each_weight_to_its_direction():
    import numpy as np

    from qa.calibrate import logistic_fit

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = x[:, 0] - 0.8 * x[:, 1] + rng.normal(scale=0.3, size=200) > 0  # the second signal truly pushes down
    free, _ = logistic_fit(x, y, [0, 0])
    kept, _ = logistic_fit(x, y, [1, 1])
    assert free[0] > 0 and free[1] < 0
    assert kept[0] > 0 and kept[1] == 0.0  # a signal that may only raise the probability is not made to lower it


def test_an_asked_word_with_a_character_left_out_is_still_said():
    from qa.answerability import said
    from qa.lexicon import load_lexicon
    from qa.normalize import fold

    text = fold("提高省科技馆全面开放能力，节假日每天个人预约门票达1万张。")
    assert said("预约票", text, load_lexicon())  # 预约门票
    assert not said("门票价格", text, load_lexicon())


def test_an_english_question_whose_asked_thing_no_passage_says_is_not_covered(judge):
    q = analyse("What is the total budget for the city's urban renewal plan?")
    assert judge.asked_found(q, ["到2025年，完成老旧小区改造300个，城市更新工作由市住建局牵头。"]) == 0.0
    assert judge.asked_found(q, ["城市更新专项经费预算5亿元。"]) == 1.0
    assert judge.asked_found(analyse("Who leads the urban renewal plan?"), ["由市住建局牵头"]) == 1.0  # asks nothing
    phone = analyse("Is there a contact phone number for the office that issued the plan?")
    assert judge.asked_found(phone, ["城市更新工作由市住建局牵头。"]) == 0.0
    assert judge.asked_found(phone, ["联系电话：0731-12345678"]) == 1.0


def test_a_body_named_by_its_short_form_is_said_by_its_full_name():
    from qa.answerability import said
    from qa.lexicon import load_lexicon
    from qa.normalize import fold

    lexicon = load_lexicon()
    assert said("镇政府", fold("新设立的双龙镇，镇人民政府驻董马库村。"), lexicon)
    assert not said("镇政府", fold("新设立的双龙镇辖34个建制村。"), lexicon)


def test_a_where_question_needs_a_sentence_about_its_topic_that_names_a_place():
    from qa.answerability import place_said
    from qa.normalize import fold

    held = [fold("办好2024世界公众科学素质促进大会，以发展国际组织成员为重点。")]
    sited = [fold("新设立的双龙镇辖34个建制村，镇人民政府驻董马库村。")]
    assert not place_said(analyse("世界公众科学素质促进大会在哪里举办？"), held)
    assert place_said(analyse("双龙镇的镇政府设在哪个村？"), sited)
    own = [fold("甲省科普日主场活动在甲省举办。")]
    assert not place_said(analyse("甲省科普日主场活动放在哪个市？", places=("甲省",)), own)  # its own place
