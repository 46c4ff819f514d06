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
    assert hunan.title.replace(" ", "") == "湖南省科协2023年科普工作要点"
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
    assert meta.title == "某某市科普工作方案"
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
