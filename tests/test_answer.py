"""The assistant end to end: follow-ups, no-answer, highlights, direct answers, reranking, threads."""

import pytest

pytestmark = pytest.mark.slow


def test_follow_up_uses_the_history(store_assistant):
    answer = store_assistant.ask("那农民那块呢？", history=["老年人科学素质提升行动谁牵头？"])
    assert answer.answer == "牵头单位：区农业农村局"
    assert answer.understood_as.startswith("农民科学素质提升行动")
    assert answer.to_dict()["understood_as"] == answer.understood_as


@pytest.mark.parametrize(
    "question", ["广东省科协现在的主席是谁", "湖南2024年的科普工作要点有哪些重点", "咸安区科协办公室电话多少"]
)
def test_no_answer_still_shows_the_closest_passages(store_assistant, question):
    answer = store_assistant.ask(question)
    assert answer.no_answer and answer.answer is None
    assert answer.passages  # shown separately as the closest text, not as an answer


def test_direct_answer_comes_with_its_passage_first(store_assistant):
    answer = store_assistant.ask("荆楚科普大讲堂今年打算办几期")
    assert answer.answer == "100期以上" and not answer.no_answer
    first = answer.passages[0]
    a, b = first.highlight
    assert "100期以上" in first.chunk.text[a:b]


def test_highlights_lie_inside_passages_that_answer(store_assistant):
    for q in ("老年人那块谁牵头？", "湖南流动科技馆要巡展几站？", "粤科普平台要怎么建设"):
        answer = store_assistant.ask(q)
        assert answer.passages[0].highlight is not None
        for hit in answer.passages:
            if hit.highlight is None:
                continue  # a passage shown as context: nothing in it is marked as the answer
            a, b = hit.highlight
            assert 0 <= a < b <= len(hit.chunk.text)
            assert hit.to_dict()["highlight"] == [a, b]


def test_a_row_of_another_group_is_not_highlighted(store_assistant):
    answer = store_assistant.ask("老年人科学素质提升行动谁牵头？")
    for hit in answer.passages:
        if hit.highlight and hit.chunk.kind == "table_row":
            assert "老年人" in " ".join([*hit.chunk.section_path, hit.chunk.text])


def test_not_found_marks_nothing(store_assistant):
    answer = store_assistant.ask("广东省科协现在的主席是谁")
    assert answer.confidence == "none" and all(h.highlight is None for h in answer.passages)


def test_concurrent_questions_get_the_same_answers(store_assistant):
    from concurrent.futures import ThreadPoolExecutor

    questions = ["老年人那块谁牵头？", "湖南流动科技馆要巡展几站？", "湖北科普工作要点的文号是多少"] * 4
    alone = {q: store_assistant.ask(q).to_dict() for q in set(questions)}
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda q: (q, store_assistant.ask(q).to_dict()), questions))
    assert all(alone[q] == d for q, d in together)


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory):
    """A 1-layer BERT cross-encoder with random weights and the e5 tokenizer: it exercises the code path offline."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from qa.settings import Settings

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny-ce")
    tokenizer = AutoTokenizer.from_pretrained(Settings().resolved_model())
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_reranker_orders_by_the_cross_encoder(built_settings, tiny_cross_encoder):
    from sentence_transformers import CrossEncoder

    from qa.answer import PolicyQA
    from qa.question import analyse

    settings = built_settings.model_copy(update={"reranker": str(tiny_cross_encoder), "rerank_candidates": 8})
    qa = PolicyQA(settings)
    timings = {}
    hits = qa.retriever.search(analyse("湖南流动科技馆要巡展几站？"), 8, timings)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and "rerank_ms" in timings
    model = CrossEncoder(str(tiny_cross_encoder), device="cpu")
    hit = next(h for h in hits if not h.merged_from)
    expected = float(model.predict([("湖南流动科技馆要巡展几站？", hit.chunk.text)])[0])
    assert hit.score == pytest.approx(expected, abs=1e-4)
    assert qa.ask("湖南流动科技馆要巡展几站？").passages  # the whole ask path runs with a reranker


def test_a_topical_answer_needs_passages_that_say_the_topic():
    from qa.answer import topic_shown
    from qa.answerability import Signals
    from qa.lexicon import load_lexicon
    from qa.question import analyse
    from qa.schema import Chunk, DocMeta, Hit

    def signals(coverage):
        return Signals(dense=0.85, coverage=coverage, best_coverage=coverage, known=0, missing=1, constraints=1,
                       named=1, field=1, asks_field=1, answered=1, latin=0, asked_found=1)

    def passage(text):
        return Hit(Chunk(0, "a.txt", text, [], (0, len(text))), DocMeta(title="甲区实施方案"), 1.0)

    lexicon = load_lexicon()
    drills = passage("开展应急演练（牵头单位：区应急管理局）")
    other = passage("开展农民科技培训（牵头单位：区农业农村局）")
    chinese = analyse("区里应急演练谁牵头？")
    assert not topic_shown(chinese, signals(0.0), drills, lexicon)
    assert topic_shown(chinese, signals(0.5), drills, lexicon)
    english = analyse("Which unit leads the emergency drills in the district plan?")
    assert english.latin and topic_shown(english, signals(0.0), drills, lexicon)  # 应急 is said
    assert not topic_shown(english, signals(0.0), other, lexicon)  # only 牵头 and 方案: another task's lead
    header = analyse("What is the document number of the notice?")
    assert topic_shown(header, signals(0.0), other, lexicon)  # the header's own field


def test_a_header_field_the_named_document_lacks_is_not_found(store_assistant):
    """广东省科协's 2024 要点 prints neither a 文号 nor a date: asked for them in English, the answer is that the
    documents do not say — not 可能相关. Another document's 文号 is still found."""
    missing = store_assistant.ask("What is the document number of the Guangdong association's 2024 key points?")
    assert missing.confidence.value == "none" and missing.answer is None
    found = store_assistant.ask("What is the document number of Hunan's 2023 science popularization key points?")
    assert found.answer == "文号：湘科协通〔2023〕10号"
