import json

import pytest
from click.testing import CliRunner

from qa.cli import main

pytestmark = pytest.mark.slow


def _args(settings):
    return ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]


def test_ask_json_has_the_documented_shape(built_settings):
    result = CliRunner().invoke(
        main, [*_args(built_settings), "ask", "湖南流动科技馆要巡展几站？", "--json", "-k", "2"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # stderr says which path answered (server or local)
    assert set(data) == {"question", "answer", "no_answer", "confidence", "understood_as", "passages"}
    assert len(data["passages"]) == 2
    p = data["passages"][0]
    assert {"text", "doc", "section_path", "score", "span", "highlight"} <= set(p)
    assert set(p["doc"]) == {"title", "issuer", "date", "doc_no", "file"}
    assert isinstance(p["section_path"], list) and len(p["span"]) == 2


def test_ask_prints_citations(built_settings):
    result = CliRunner().invoke(main, [*_args(built_settings), "ask", "老年人科学素质提升行动由哪个单位牵头？"])
    assert result.exit_code == 0
    assert "咸安区人民政府办公室" in result.output and "›" in result.output


def test_build_reports_up_to_date(built_settings):
    result = CliRunner().invoke(main, [*_args(built_settings), "build"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_list_shows_documents(built_settings):
    result = CliRunner().invoke(main, [*_args(built_settings), "list"])
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if ".txt\t" in line]
    assert len(rows) == 5 and "鄂科协办〔2024〕15号" in result.output


def test_missing_index_is_reported_in_chinese(built_settings, tmp_path):
    args = ["--corpus", str(built_settings.corpus_dir), "--index", str(tmp_path / "none")]
    result = CliRunner().invoke(main, [*args, "ask", "问题"])
    assert result.exit_code == 1
    assert "policyqa build" in result.output


def test_empty_question_is_refused(built_settings):
    result = CliRunner().invoke(main, [*_args(built_settings), "ask", "   "])
    assert result.exit_code == 1 and "请输入问题" in result.output


def test_broken_file_is_skipped_and_reported(tmp_path, built_settings):
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(built_settings.corpus_dir, corpus)
    (corpus / "坏文件.txt").write_bytes(b"\xff\xfe\x00\x81\x00" * 3)
    (corpus / "表格.xlsx").write_bytes(b"PK\x03\x04")
    index = tmp_path / "index"
    shutil.copytree(built_settings.index_dir, index)  # re-uses the vectors: only the skip logic runs
    result = CliRunner().invoke(main, ["--corpus", str(corpus), "--index", str(index), "build"])
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.output
    assert "表格.xlsx" in result.output and "不支持的文件类型" in result.output


def test_ask_as_a_process_of_its_own_answers_as_in_process(built_settings):
    """`python -m qa ask` loads the question encoder in a forked helper and leaves without tearing down: the printed
    JSON is the same answer CliRunner gets in-process, and the process ends cleanly."""
    import os
    import subprocess
    import sys

    question = "老年人科学素质提升行动由哪个单位牵头？"
    args = [*_args(built_settings), "ask", question, "--json", "--local"]
    here = CliRunner().invoke(main, args)
    env = {**os.environ, "POLICYQA_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "qa", *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ours, theirs = json.loads(proc.stdout), json.loads(here.stdout)
    for answer in (ours, theirs):
        for p in answer["passages"]:
            p.pop("score")  # rounded sums of floats: equal in practice, not what this test is about
    assert ours == theirs
    assert "loaded locally" in proc.stderr
