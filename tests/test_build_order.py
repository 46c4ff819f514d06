"""Passages are embedded longest first (little padding per batch); the old document order stays selectable."""

from qa.build import embedding_order


def test_length_order_is_longest_first_and_complete():
    texts = ["短", "很长很长的一段文字", "中等长度", "很长很长的一段文字还要更长"]
    order = embedding_order(texts, "length")
    assert sorted(order) == [0, 1, 2, 3]
    assert [len(texts[j]) for j in order] == sorted(map(len, texts), reverse=True)


def test_document_order_is_unchanged():
    assert embedding_order(["a", "bbb", "cc"], "document") == [0, 1, 2]
