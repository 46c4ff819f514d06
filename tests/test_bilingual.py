"""English question words → the Chinese words of the indexed documents, through CC-CEDICT (qa/bilingual.py)."""

from qa.bilingual import english_groups


def test_english_words_give_the_chinese_words_the_documents_use():
    corpus = {"科幻", "谣言", "会议"}
    groups = english_groups("What does the plan say about science fiction, rumours and meetings?", corpus.__contains__)
    assert groups == [("科幻",), ("谣言",), ("会议",)]  # British spelling and plurals read as CEDICT's "rumor"


def test_only_words_the_documents_use_and_no_function_words():
    assert english_groups("What does it say about science fiction?", lambda w: False) == []
    assert english_groups("What does it say, and who will do it?", lambda w: True) == []


def test_an_english_question_finds_a_topic_the_glossary_does_not_know(assistant):
    from qa.question import analyse

    q = analyse(
        "What does CAST's 2022 plan say it will do about science fiction?",
        places=assistant.retriever.places,
        english=assistant.english,
    )
    assert "科幻" in q.looked_up and "科幻" not in q.glossed
    assert "科幻" in assistant.retriever.search(q, 5)[0].chunk.text
