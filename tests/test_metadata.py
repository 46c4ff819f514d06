import json

from qa.ingest import read_document
from qa.metadata import extract_meta, parse_date
from qa.normalize import repair

from .conftest import copy_corpus, doc_starting


def test_metadata_of_the_five_documents(corpus_docs):
    hubei = doc_starting(corpus_docs, "湖北").meta
    assert (hubei.title, hubei.issuer, hubei.date, hubei.doc_no) == (
        "2024年湖北省科协科普工作要点",
        "湖北省科学技术协会",
        "2024-03-06",
        "鄂科协办〔2024〕15号",
    )
    hunan = doc_starting(corpus_docs, "湖南").meta
    assert (hunan.issuer, hunan.date, hunan.doc_no) == ("湖南省科学技术协会", "2023-03-10", "湘科协通〔2023〕10号")
    # the printed title of the notice that 印发s the 要点 (发文机关 + 事由 + 文种), inner spaces removed
    assert hunan.title == "湖南省科学技术协会关于印发《湖南省科协2023年科普工作要点》的通知"
    xianan = doc_starting(corpus_docs, "咸安").meta
    assert xianan.title == "咸安区全民科学素质行动规划纲要实施方案(2021-2025年)"  # joined from two lines
    assert (xianan.issuer, xianan.date) == ("咸安区人民政府办公室", "2022-08-26")
    assert xianan.doc_no == ""  # 国发〔2021〕9号 is cited in the body, it is not this document's number
    cast = doc_starting(corpus_docs, "中国科协").meta
    assert (cast.title, cast.issuer, cast.date) == (
        "中国科协2022年科普工作要点",
        "中国岩石力学与工程学会",
        "2022-03-03",
    )


def test_absent_fields_stay_empty(corpus_docs):
    gd = doc_starting(corpus_docs, "广东").meta
    assert gd.title == "2024年广东省科协科普工作要点"
    assert gd.date == "" and gd.issuer == "" and gd.doc_no == ""


def test_rules_work_on_an_unseen_notice():
    text = repair(
        "某某市科学技术协会文件\n某科协发〔2025〕3号\n关于印发《某某市科普工作方案》的通知\n各区科协:\n"
        "现将方案印发给你们。\n某某市科学技术协会\n二〇二五年一月五日\n某某市科普工作方案\n一、总体要求\n内容。\n"
    )
    meta = extract_meta(text, "x.txt")
    assert meta.title == "关于印发《某某市科普工作方案》的通知"
    assert meta.issuer == "某某市科学技术协会"
    assert meta.date == "2025-01-05"
    assert meta.doc_no == "某科协发〔2025〕3号"


def test_sidecar_overrides_a_field(tmp_path):
    corpus = copy_corpus(tmp_path)
    path = corpus / "广东省科协2024年科普工作要点.txt"
    (corpus / (path.name + ".meta.json")).write_text(json.dumps({"issuer": "广东省科学技术协会"}), encoding="utf-8")
    meta = read_document(path).meta
    assert meta.issuer == "广东省科学技术协会"
    assert meta.title == "2024年广东省科协科普工作要点"  # other fields still extracted


def test_parse_date_forms():
    assert parse_date("2023年3月10日印发") == "2023-03-10"
    assert parse_date("二〇二二年八月二十六日") == "2022-08-26"
    assert parse_date("2024年13月1日") == ""


def _meta(text: str):
    return extract_meta(repair(text), "x.txt")


def test_issuer_stated_only_in_the_notice_title():
    meta = _meta("某某市人民政府\n关于印发某某市空气质量改善方案的通知\n某政〔2024〕11号\n各县(区)人民政府:\n"
                 "现将方案印发给你们,请认真贯彻执行。\n2024年8月13日\n(此件公开发布)\n")
    assert meta.title == "某某市人民政府关于印发某某市空气质量改善方案的通知"
    assert (meta.issuer, meta.doc_no, meta.date) == ("某某市人民政府", "某政〔2024〕11号", "2024-08-13")


def test_joint_issuers_in_one_title_line_and_a_date_in_parentheses():
    meta = _meta("中共某某市委某某市人民政府 关于深入实施公交优先战略 打造品质公交的实施意见\n市委〔2010〕5号\n"
                 "(2010年1月19日)\n  公共交通是城市重要的公共基础设施。\n")
    assert meta.title == "中共某某市委某某市人民政府关于深入实施公交优先战略打造品质公交的实施意见"
    assert meta.issuer == "中共某某市委、某某市人民政府"
    assert (meta.doc_no, meta.date) == ("市委〔2010〕5号", "2010-01-19")


def test_doc_no_first_and_issuers_stacked_over_a_wrapped_title():
    meta = _meta("某安发〔2021〕5号\n中共某某新区工作委员会\n某某新区管理委员会\n关于印发《全面推进乡村振兴的\n"
                 "实施方案》的通知\n各县委和人民政府:\n现将方案印发给你们。\n中共某某新区工作委员会\n"
                 "某某新区管理委员会\n2021年3月15日\n")
    assert meta.title == "中共某某新区工作委员会某某新区管理委员会关于印发《全面推进乡村振兴的实施方案》的通知"
    assert meta.issuer == "中共某某新区工作委员会、某某新区管理委员会"
    assert (meta.doc_no, meta.date) == ("某安发〔2021〕5号", "2021-03-15")


def test_traditional_characters_and_a_chinese_numeral_date():
    meta = _meta("某某市人民政府關於印發某某市價格調節基金管理辦法的通知\n某政[2009]34號\n各縣(市、區)人民政府:\n"
                 "現將辦法印發給你們,請遵照執行。\n二○○九年七月十六日\n")
    assert meta.title == "某某市人民政府關於印發某某市價格調節基金管理辦法的通知"  # shown as written
    assert (meta.issuer, meta.doc_no, meta.date) == ("某某市人民政府", "某政[2009]34號", "2009-07-16")


def test_signature_only_issuer_and_a_title_over_two_lines():
    meta = _meta("關於印發某某市公共衞生體系建設三年行動計劃\n(2023—2025年)的通知\n各縣(市)、區人民政府:\n"
                 "現將計劃印發給你們。\n某某市人民政府辦公室\n2023年12月25日\n")
    assert meta.title == "關於印發某某市公共衞生體系建設三年行動計劃(2023—2025年)的通知"
    assert (meta.issuer, meta.date) == ("某某市人民政府辦公室", "2023-12-25")


def test_a_cited_doc_no_in_the_first_sentence_is_not_the_documents():
    meta = _meta("某某自治州人民政府:\n你州呈报的《关于某县乡镇行政区划调整的请示》(州政〔2015〕87号)收悉,"
                 "经研究,批复如下:\n1、同意某县乡镇区划调整方案。\n某某省民政厅\n2015年11月30日\n")
    assert meta.doc_no == "" and meta.issuer == "某某省民政厅" and meta.date == "2015-11-30"


def test_a_date_that_lost_its_characters_is_read_only_when_unambiguous():
    head = "关于印发某某办法的通知\n各单位:\n现印发给你们。\n某某县人民政府办公室\n"
    assert _meta(head + "2023626\n").date == "2023-06-26"
    assert _meta(head + "2023111\n").date == ""  # 1月11日 or 11月1日


def test_issuer_from_the_body_title_when_nothing_else_names_it():
    meta = _meta("关于印发《某某市教育局2024年工作要点》的通知\n各直属学校:\n现将要点印发给你们。\n2024年3月27日\n"
                 "某某市教育局2024年工作要点\n一、总体要求\n")
    assert meta.issuer == "某某市教育局"


def test_a_government_work_report_is_issued_by_the_government_it_speaks_for():
    from qa.metadata import extract_meta

    speech = "各位代表：\n现在，我代表市人民政府，向大会报告政府工作，请予审议。\n一、2024年工作回顾\n"
    assert extract_meta(speech, "玉林政府工作报告.txt").issuer == "玉林市人民政府"
    entrusted = "各位代表：\n现在，受县人民政府委托，向大会报告政府工作。"
    assert extract_meta(entrusted, "花垣县政府工作报告.txt").issuer == "花垣县人民政府"
    assert extract_meta(speech, "report.txt").issuer == ""  # no place to name the government by
    assert extract_meta("各位代表：\n现在请审议。", "玉林政府工作报告.txt").issuer == ""  # no speech on its behalf
