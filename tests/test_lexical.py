import pytest

from qa.chunk import chunk_document
from qa.lexical import LexicalIndex, Tokenizer, bigrams, corpus_terms


@pytest.fixture(scope="module")
def corpus(corpus_docs):
    docs = list(corpus_docs.values())
    chunks = [c for d in docs for c in chunk_document(d)]
    return docs, chunks


@pytest.fixture(scope="module")
def lexical(corpus):
    docs, chunks = corpus
    return LexicalIndex.build([c.text for c in chunks], corpus_terms(docs, chunks))


def test_corpus_names_are_found(corpus):
    terms = set(corpus_terms(*corpus))
    for name in ("区卫健局", "区农业农村局", "荆楚科普大讲堂", "天天科普", "省卫健委"):
        assert name in terms
    assert not any("、" in t or "，" in t for t in terms)
    assert "区服务中心" not in terms  # the tail of 社区服务中心 is not a unit


def test_names_stay_whole_and_stop_words_go(corpus):
    tok = Tokenizer(corpus_terms(*corpus))
    words = tok.words("荆楚科普大讲堂今年打算办几期？")
    assert "荆楚科普大讲堂" in words
    assert not {"今年", "打算", "？", "办"} & set(words)


def test_bigrams_fold_width_and_punctuation():
    assert bigrams("区卫健局（牵头）") == bigrams("区卫健局(牵头)") == ["区卫", "卫健", "健局", "局牵", "牵头"]


def _best(scores, chunks):
    return chunks[int(scores.argmax())]


def test_partial_unit_names_match_by_bigrams_only(lexical, corpus):
    _, chunks = corpus
    assert lexical.word_scores("卫健局").max() == 0  # jieba keeps 区卫健局 whole: no word matches
    assert "区卫健局" in _best(lexical.bigram_scores("卫健局"), chunks).text


def test_a_full_name_in_a_question_beats_documents_that_repeat_its_parts(lexical, corpus):
    _, chunks = corpus
    # the 咸安 plan names 巾帼大讲堂 and 科学大讲堂; only the 湖北 plan names 荆楚科普大讲堂
    assert "荆楚科普大讲堂" in _best(lexical.word_scores("荆楚科普大讲堂办几期"), chunks).text
    assert lexical.word_scores("大讲堂").max() > 0  # a partial name still matches


def test_save_and_load_give_the_same_scores(lexical, tmp_path):
    lexical.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex", lexical.size)
    for q in ("老年人健康科普", "卫健局"):
        assert (loaded.word_scores(q) == lexical.word_scores(q)).all()
        assert (loaded.bigram_scores(q) == lexical.bigram_scores(q)).all()


def test_bigrams_of_a_short_text_are_a_fresh_list_each_time():
    """Short texts are memoised: a caller changing its list must not change the next caller's."""
    first = bigrams("老年人科学素质")
    first.append("改了")
    assert bigrams("老年人科学素质") == ["老年", "年人", "人科", "科学", "学素", "素质"]
    long = "湖南省科协" * 10
    assert bigrams(long) == bigrams(long) and len(bigrams(long)) == 49
