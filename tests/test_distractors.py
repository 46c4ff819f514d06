"""The large benchmark's distractors: real sections moved to other places, years, units and numbers, never holding
a gold evidence string."""

import random

import pytest

from qa.distractors import Rewriter, gold_evidence, split_sections, write_distractors
from qa.ingest import read_document
from qa.normalize import fold
from qa.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def distractors(tmp_path_factory):
    out = tmp_path_factory.mktemp("distractors")
    return out, write_distractors(out, 60, seed=3)


def test_no_distractor_holds_a_gold_evidence_string(distractors):
    out, stats = distractors
    evidence = gold_evidence(PROJECT_ROOT / "eval")
    assert len(evidence) > 100 and stats.evidence_strings == len(evidence)
    for path in out.iterdir():
        text = fold(path.read_text(encoding="utf-8"))
        assert not [e for e in evidence if e in text], path.name
    assert stats.documents == 60 and not stats.violations


def test_distractors_read_as_documents_of_other_places(distractors):
    out, _ = distractors
    real_issuers = {read_document(p).meta.issuer for p in (PROJECT_ROOT / "corpus").glob("*.txt")}
    metas = [read_document(p).meta for p in sorted(out.iterdir())]
    assert all(m.title for m in metas)
    assert not [m for m in metas if m.issuer and m.issuer in real_issuers]
    assert len({m.issuer for m in metas}) > 20


def test_rewriter_moves_place_year_units_and_numbers():
    rw = Rewriter(random.Random(1), "平江", ["湖南", "咸安"], ["民政局"])
    text = rw("咸安区2023年建成科普基地15个，牵头单位：区卫健局、区教育局。")
    assert "咸安" not in text and "平江区" in text
    assert "2023" not in text and str(2023 + rw.shift) in text
    assert "15个" not in text
    assert "区卫健局" not in text and "区教育局" not in text and "区民政局" in text


def test_sections_follow_the_outline():
    text = "某某文件\n\n标题\n\n一、总体要求\n\n" + "要求正文。" * 10 + "\n\n二、主要任务\n\n" + "任务正文。" * 20
    sections = split_sections(text, 400)
    assert [s.split("\n")[0] for s in sections] == ["一、总体要求", "二、主要任务"]


def test_header_names_move_place_and_year_but_keep_their_offices():
    rw = Rewriter(random.Random(1), "平江", ["河北"], ["民政局"])
    name = rw.name("中共河北雄安新区工作委员会、河北雄安新区管理委员会（2021年）")
    assert name == f"中共平江雄安新区工作委员会、平江雄安新区管理委员会（{2021 + rw.shift}年）"
