"""One reading of jieba's dictionary per process, copied into each tokenizer: cuts exactly as jieba's own."""

import jieba
import pytest

from qa import jieba_dict

TEXT = "湖南省科协2023年科普工作要点提出，开展老年人科学素质提升行动，由区卫健局牵头，发文字号为湘科协通〔2023〕10号。"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(jieba_dict, "_cache_folder", lambda: tmp_path)
    jieba_dict.base_dictionary.cache_clear()
    jieba_dict.word_tags.cache_clear()
    yield tmp_path
    jieba_dict.base_dictionary.cache_clear()
    jieba_dict.word_tags.cache_clear()


def test_copies_cut_as_jiebas_own_tokenizer(cache_dir):
    reference = jieba.Tokenizer()
    ours = jieba_dict.new_tokenizer()
    assert ours.lcut(TEXT) == reference.lcut(TEXT)
    assert ours.lcut_for_search(TEXT) == reference.lcut_for_search(TEXT)
    assert ours.total == reference.total and len(ours.FREQ) == len(reference.FREQ)


def test_the_dictionary_is_kept_and_read_back_unchanged(cache_dir):
    first = jieba_dict.base_dictionary()
    assert list(cache_dir.glob("jieba-*.npz"))
    jieba_dict.base_dictionary.cache_clear()
    again = jieba_dict.base_dictionary()
    assert again[1] == first[1] and again[0] == first[0]


def test_words_added_to_one_tokenizer_stay_in_it(cache_dir):
    a, b = jieba_dict.new_tokenizer(), jieba_dict.new_tokenizer()
    a.add_word("区卫健局牵头", freq=20000)
    assert "区卫健局牵头" in a.lcut(TEXT)
    assert "区卫健局牵头" not in b.lcut(TEXT)
    assert "区卫健局牵头" not in jieba_dict.base_dictionary()[0]


def test_an_unreadable_cache_falls_back_to_jiebas_loader(cache_dir):
    jieba_dict.cache_path(cache_dir).write_bytes(b"not an npz")
    freq, total = jieba_dict.base_dictionary()
    assert total > 0 and "科普" in freq


def test_kept_parts_of_speech_are_those_of_jiebas_dictionary(cache_dir):
    jieba_dict.base_dictionary()
    jieba_dict.word_tags.cache_clear()
    tags = jieba_dict.word_tags()  # read back from the file just written
    with open(jieba_dict._dict_file(), encoding="utf-8") as f:
        expected = dict((p[0], p[2]) for p in (line.split() for line in f) if len(p) == 3)
    assert all(tags.get(w) == t for w, t in expected.items())
    assert tags.get("区卫健局牵头") is None and tags.get("区卫健局牵头", "x") == "x"


def test_the_tagger_tags_as_jiebas_own():
    ours = jieba_dict.pos_tokenizer()  # first: the import of jieba.posseg is its own
    assert isinstance(ours.word_tag_tab, jieba_dict.TagTable)
    import jieba.posseg

    reference = jieba.posseg.POSTokenizer(jieba.Tokenizer())  # reads dict.txt itself
    for text in (TEXT, "广东省科协的主席是谁？", "启动应急响应的条件是什么", "婺城区对新招引的企业奖励多少钱"):
        assert [(p.word, p.flag) for p in ours.lcut(text)] == [(p.word, p.flag) for p in reference.lcut(text)]
