import json

import pytest

from qa.evaluate import (
    KNOWN_CATEGORIES,
    ConfigRun,
    QuestionResult,
    gold_problems,
    load_gold,
    metrics,
    no_answer_metrics,
    retrieval_metrics,
    threshold_sweep,
)
from qa.settings import PROJECT_ROOT, Settings

GOLD = PROJECT_ROOT / "eval" / "gold.jsonl"


def test_gold_file_is_sound(corpus_docs):
    items = load_gold(GOLD)
    assert len(items) >= 120
    assert sum(not it.answerable for it in items) >= 15
    assert {it.category for it in items} == KNOWN_CATEGORIES
    texts = {d.meta.file: d.text for d in corpus_docs.values()}
    assert {it.doc for it in items if it.doc} == set(texts)  # every document is asked about
    assert gold_problems(items, texts) == []


def test_devdocs_gold_is_sound(corpus_docs):
    from qa.evaluate import documents_beside, load_metadata_gold
    from qa.ingest import read_document

    gold = PROJECT_ROOT / "eval" / "devdocs" / "gold.jsonl"
    items = load_gold(gold)
    texts = {d.meta.file: d.text for d in corpus_docs.values()}
    texts |= {p.name: read_document(p).text for p in documents_beside(gold)}
    assert len(texts) == 20 and "SOURCES.md" not in texts  # the folder's notes are not a document
    assert len(items) >= 100 and sum(not it.answerable for it in items) >= 20
    assert sum(it.category in ("issuer_or_date", "doc_number") for it in items) >= 20
    assert {it.split for it in items} == {"dev", "blind"}
    assert gold_problems(items, texts) == []
    meta = load_metadata_gold(gold.parent / "metadata.jsonl")
    assert {m["file"] for m in meta} == {p.name for p in documents_beside(gold)}


def test_gold_problems_are_reported(corpus_docs, tmp_path):
    bad = tmp_path / "bad.jsonl"
    rows = [
        {"id": "a", "question": "q", "doc": None, "evidence": ["区卫健局"], "category": "lead_unit"},
        {"id": "a", "question": "q", "doc": None, "evidence": ["这句话不在任何文件里"], "category": "lead_unit"},
        {"id": "b", "question": "q", "doc": None, "evidence": ["区"], "category": "别的"},
    ]
    bad.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    problems = gold_problems(load_gold(bad), {d.meta.file: d.text for d in corpus_docs.values()})
    assert any("duplicate id" in p for p in problems)
    assert any("in no document" in p for p in problems)
    assert any("characters" in p for p in problems) and any("unknown category" in p for p in problems)


def _r(ranks, answerable=True, no_answer=False, found=1.0, ideal=1, score=0.5, cat="c"):
    return QuestionResult("x", "q", cat, answerable, no_answer, ranks, found, ideal, score, 10.0, [100, 200])


def test_metrics_match_a_hand_computed_example():
    results = [
        _r([1]),  # hit at 1
        _r([3, 5], ideal=3),  # first hit at 3
        _r([]),  # miss
        _r([2], no_answer=True),  # said "no answer" to an answerable question: a miss
        _r([], answerable=False, no_answer=True, found=0.0, ideal=0),  # correct no-answer
        _r([], answerable=False, no_answer=False, found=0.0, ideal=0),  # passages for an unanswerable one
    ]
    m = retrieval_metrics(results, 5)
    assert m["hit@1"] == pytest.approx(1 / 4)
    assert m["hit@3"] == pytest.approx(2 / 4)
    assert m["mrr"] == pytest.approx((1 + 1 / 3) / 4)
    ndcg2 = (1 / 2 + 1 / 2.584962500721156) / (1 + 1 / 1.584962500721156 + 1 / 2)
    assert m["ndcg@5"] == pytest.approx((1 + ndcg2) / 4)
    assert m["recall@5"] == pytest.approx(3 / 4)
    na = no_answer_metrics(results)
    assert na["no_answer_precision"] == pytest.approx(1 / 2)
    assert na["no_answer_recall"] == pytest.approx(1 / 2)
    assert na["no_answer_f1"] == pytest.approx(1 / 2)


def test_per_category_and_free_text_categories():
    run = ConfigRun(
        "x", Settings(), [_r([1], cat="牵头"), _r([], cat="牵头"), _r([], False, True, 0, 0, cat="无答案")], 5
    )
    m = metrics(run)
    assert m["per_category"]["牵头"]["hit@1"] == 0.5
    assert m["per_category"]["无答案"]["no_answer_accuracy"] == 1.0
    assert m["mean_passage_chars"] == 150


def test_threshold_sweep_spans_never_to_always():
    results = [_r([1], score=0.9), _r([1], score=0.8), _r([], False, False, 0, 0, score=0.7)]
    rows = threshold_sweep(results, steps=5)
    assert rows[0]["no_answer_recall"] == 0.0 and rows[0]["answerable_kept"] == 1.0
    assert rows[2]["no_answer_f1"] == 1.0  # threshold 0.8: only the unanswerable one is below
    assert rows[-1]["answerable_kept"] == 0.5


# Floors a little under the figures measured at the end of round 10 of issue 14 (README, Evaluation). Seed: blind (the
# 150 `sr` and `st` questions, written before the round) / dev (1436: g, sb, sc, sd, se, sf, sh, sk, sm, sn, so, sq,
# ss, the retired sp and the fresh su, sv, sw, sx) right@1 0.920/0.944, false "no answer" 0.048/0.011, F1
# 0.830/0.904, direct answers right 0.989/0.990. Devdocs: blind (the 190 `dl` and `dj` questions) / dev (2065, the
# retired dk and the fresh di, dh, df, dc included) right@1 0.948/0.962, false "no answer" 0.013/0.011, F1
# 0.866/0.928, direct answers right 0.955/0.996 (a list holding the gold body among others counts as wrong).
# Regression guards, not targets: blind figures are those of questions written before the change and never tuned
# on; a blind split of 125-154 answerable questions moves 0.6-0.8 points a question, so its floors sit two or three
# questions under the measured figure (direct answers: two of about 100); dev floors sit about three questions under.
SEED_FLOORS = {
    "blind": {"right@1": 0.90, "false_no_answer_max": 0.065, "no_answer_f1": 0.80, "direct": 0.96},
    "dev": {"right@1": 0.94, "false_no_answer_max": 0.015, "no_answer_f1": 0.89, "direct": 0.98},
}
DEVDOCS_FLOORS = {
    "blind": {"right@1": 0.93, "false_no_answer_max": 0.03, "no_answer_f1": 0.83, "direct": 0.93},
    "dev": {"right@1": 0.955, "false_no_answer_max": 0.015, "no_answer_f1": 0.92, "direct": 0.99},
}


def _holds(m: dict, floors: dict) -> None:
    for split, f in floors.items():
        got = m["splits"][split]
        assert got["right@1"] >= f["right@1"], (split, got["right@1"])
        assert got["false_no_answer"] <= f["false_no_answer_max"], (split, got["false_no_answer"])
        assert got["no_answer_f1"] >= f["no_answer_f1"], (split, got["no_answer_f1"])
        assert got["direct_answer_accuracy"] >= f["direct"], (split, got["direct_answer_accuracy"])


@pytest.mark.slow
def test_default_beats_the_naive_baseline_and_holds_its_floors(built_settings, tmp_path):
    from qa.evaluate import config_settings, dump_lines, run_config
    from qa.report import write_report

    items = load_gold(GOLD)
    runs = [
        run_config(*config_settings(name, built_settings), items, 5, progress=False) for name in ("default", "baseline")
    ]
    default, baseline = write_report(runs, tmp_path / "out", GOLD)
    _holds(default, SEED_FLOORS)
    assert default["hit@1"] >= baseline["hit@1"] + 0.15
    assert default["mean_passage_chars"] <= 350 < baseline["mean_passage_chars"]
    for name in ("report.md", "metrics.json", "categories.png", "scores.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "threshold sweep" in report and "probability, blind questions" in report and "Failures" in report
    lines = [json.loads(line) for line in dump_lines(runs[0])]
    dev = next(line for line in lines if line["split"] == "dev")
    assert {"config", "id", "question", "no_answer", "confidence", "passages"} <= set(dev)
    assert {"text", "doc", "section_path", "score"} <= set(dev["passages"][0])
    blind = next(line for line in lines if line["split"] == "blind")
    assert "question" not in blind and "passages" not in blind  # blind questions are counted, never shown


@pytest.mark.slow
def test_devdocs_gold_holds_its_floors_and_metadata(built_settings):
    from qa.evaluate import eval_settings, load_metadata_gold, metadata_accuracy, run_config
    from qa.index import load_index
    from qa.store import Stores

    gold = PROJECT_ROOT / "eval" / "devdocs" / "gold.jsonl"
    settings = eval_settings(built_settings, gold)
    run = run_config("default", settings, load_gold(gold), 5, progress=False)
    _holds(metrics(run), DEVDOCS_FLOORS)
    index = load_index(settings.index_dir, Stores(settings))
    acc = metadata_accuracy(index.docs, load_metadata_gold(gold.parent / "metadata.jsonl"))
    assert all(a["right"] >= 14 for a in acc.values()), {n: a["right"] for n, a in acc.items()}


@pytest.mark.slow
def test_eval_cli_takes_any_gold_file(built_settings, tmp_path):
    from click.testing import CliRunner

    from qa.cli import main

    gold = tmp_path / "mine.jsonl"
    rows = [
        {
            "id": "m1",
            "question": "湖南流动科技馆巡展几站",
            "doc": "other-name.txt",
            "evidence": ["不低于 15 站"],
            "answer": None,
            "category": "数字",
        },
        {
            "id": "m2",
            "question": "火星基地什么时候建成",
            "doc": None,
            "evidence": [],
            "answer": None,
            "category": "无解",
        },
    ]
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    args = ["--corpus", str(built_settings.corpus_dir), "--index", str(built_settings.index_dir)]
    result = CliRunner().invoke(
        main,
        [
            *args,
            "eval",
            "--gold",
            str(gold),
            "--config",
            "default",
            "--k",
            "3",
            "--out",
            str(tmp_path / "o"),
            "--dump",
            str(tmp_path / "d.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "hit@1" in result.output and "hit@3" in result.output
    metrics_json = json.loads((tmp_path / "o" / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics_json[0]["per_category"]) == {"数字", "无解"}
    assert len((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_a_direct_answer_is_right_however_its_list_or_date_is_written():
    from qa.evaluate import _same_answer

    assert _same_answer("中共宿州市委宿州市人民政府", "发文单位：中共宿州市委、宿州市人民政府")
    assert _same_answer("二○○九年七月十六日", "成文日期：2009年7月16日")
    assert not _same_answer("区科协", "牵头单位：区卫健局")
    assert _same_answer("不低于 15 站", "不低于15站")
    assert _same_answer("区总工会、区人社局", "牵头单位：区总工会、区人社局")
    # a list that holds the gold body among others is another answer (another row's lead units), not this one
    assert not _same_answer("区科经局", "牵头单位：区科协、区发改局、区科经局")
    joint = "发文单位：中共河北雄安新区工作委员会、河北雄安新区管理委员会（2021年3月15日）"
    assert not _same_answer("河北雄安新区管理委员会", joint)


def test_a_table_rows_evidence_is_held_by_the_row_as_indexed():
    from qa.evaluate import _relevant
    from qa.normalize import fold

    row = (
        "重点任务：7.科普信息化工程\n主要措施：打造特色科普栏目，同步优化和推广。\n"
        "责任单位：区委宣传部、区文旅局、区科协"
    )
    evidence = [fold("同步优化和推广。 | 区委宣传部、区文旅局、区科协")]  # as the source text prints the row
    assert _relevant(row, evidence)
    assert not _relevant(row.replace("区文旅局、", ""), evidence)  # a cell missing: not this row
