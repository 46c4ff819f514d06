from qa.normalize import fold, heading_level, repair

from .conftest import doc_starting


def test_joins_word_split_across_blank_line():
    raw = "3. 讲好科学家故事，弘扬科学家精神。准确把握科学家精\n\n神的深刻内涵，大力弘扬爱国精神。\n"
    assert "科学家精神的深刻内涵" in repair(raw)


def test_joins_single_character_fragment():
    raw = "8. 实施现代科技馆体系推进工程。切实发挥好流动科技馆、科\n\n普大篷车行程不低于 10 万公里。\n"
    assert "科普大篷车" in repair(raw)


def test_keeps_paragraph_breaks_after_sentence_end_heading_and_title():
    raw = (
        "湖南省科协 2023 年科普工作要点\n\n"  # title: no punctuation inside
        "2023 年，湖南省科普工作将围绕学习宣传贯彻党的二十大精神。\n\n"  # ends with 。
        "一、深入学习贯彻党的二十大精神，讲好中国故事\n\n"  # heading with a comma, no sentence end
        "1. 推动党的二十大精神深入人心。发挥好科协的桥梁纽带作用，引导\n\n"  # cut, but next starts a list item
        "2. 大力弘扬社会主义核心价值观。\n"
    )
    out = repair(raw)
    assert out.count("\n\n") == 4
    assert "要点\n\n2023" in out and "故事\n\n1." in out and "引导\n\n2." in out


def test_hunan_document_is_repaired(corpus_docs):
    text = doc_starting(corpus_docs, "湖南").text
    for phrase in ("科学家精神的深刻内涵", "科普大篷车行程", "科普教育“双走进”", "深化基层科普工作调研交流机制"):
        assert phrase in text
    assert "湖南省科协 2023 年科普工作要点\n\n2023 年" in text  # the title stays its own paragraph


def test_single_newline_documents_are_untouched(corpus_docs):
    from qa.settings import PROJECT_ROOT

    raw = (PROJECT_ROOT / "corpus" / "湖北省科协2024年科普工作要点.txt").read_text(encoding="utf-8")
    assert doc_starting(corpus_docs, "湖北").text.splitlines() == raw.strip("\n").splitlines()


def test_fold_ignores_width_and_spaces_but_keeps_circled_numbers():
    assert fold("（牵头单位：区卫健局）") == fold("(牵头单位:区卫健局)")
    assert fold("湖南省科协 2023 年") == fold("湖南省科协2023年")
    assert fold("“科普咸安”") == fold('"科普咸安"')
    assert fold("①加强") != fold("1加强")
    assert fold("①加强").startswith("①")


def test_heading_levels():
    assert heading_level("一、工作目标") == 1
    assert heading_level("（一）加强组织领导。") == 2
    assert heading_level("(二)建立保障机制。") == 2
    assert heading_level("1.强化政治引领。") == 3
    assert heading_level("12. 加强基层调研") == 3
    assert heading_level("（1）内容") == 4
    assert heading_level("①内容") == 5
    assert heading_level("第三条 本办法") == 3
    assert heading_level("2024年是新中国成立75周年") is None
    assert heading_level("2.0版本") is None


def test_simplified_folding_keeps_every_character():
    from qa.normalize import to_simplified

    text = "中國科協\x00關於印發"  # OpenCC reads C strings: a NUL must not cut the rest off
    assert to_simplified(text) == "中国科协\x00关于印发"
    assert fold("中國科協 2021—2035") == fold("中国科协2021-2035")
