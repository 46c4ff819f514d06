"""The vocabulary is data: general by default, a deployment's own words from a file next to its corpus."""

import tomllib

from qa.lexicon import ENGLISH_FILE, GENERAL_FILE, load_lexicon, local_lexicon_path, unit_aliases
from qa.question import analyse


def test_the_general_lexicon_names_no_deployment():
    words = GENERAL_FILE.read_text(encoding="utf-8")
    assert tomllib.loads(words)["colloquial"]
    english = ENGLISH_FILE.read_text(encoding="utf-8")
    assert tomllib.loads(english)["terms"]
    places = ("咸安", "湖北省科协", "区卫健局", "荆楚", "濮阳", "婺城", "xian'an", "puyang", "wucheng", "yulin")
    for local in places:  # names of the documents we develop on
        assert local not in words and local not in english.lower()


def test_a_deployment_file_adds_its_own_words(tmp_path):
    path = local_lexicon_path(tmp_path)
    path.write_text('[colloquial]\n"一老一小" = "老年人 儿童"\n[places]\nwords = ["某某新区"]\n', encoding="utf-8")
    lexicon = load_lexicon(path)
    assert lexicon.colloquial["一老一小"] == "老年人 儿童" and lexicon.colloquial["老人"] == "老年人"
    assert "某某新区" in lexicon.places and "湖南" in lexicon.places
    q = analyse("一老一小那块谁牵头", lexicon=lexicon)
    assert "老年人" in q.search_text


def test_a_broken_deployment_file_is_ignored(tmp_path):
    path = local_lexicon_path(tmp_path)
    path.write_text("[colloquial\n", encoding="utf-8")
    assert load_lexicon(path).colloquial == load_lexicon().colloquial


def test_body_names_get_their_gongwen_short_forms():
    lexicon = load_lexicon()
    assert unit_aliases("区卫生健康局", lexicon) == ["区卫健局"]
    assert "市人社局" in unit_aliases("市人力资源和社会保障局", lexicon)
