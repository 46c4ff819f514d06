import numpy as np

from qa.retrieve import bare_header, merge_neighbours, rrf, top_positions
from qa.schema import Chunk, DocMeta, Hit


def test_rrf_matches_a_hand_computed_example():
    dense = np.array([2, 0, 1])  # chunk 2 first, then 0, then 1
    words = np.array([0, 3])
    fused = rrf([(dense, 1.0), (words, 0.5)], k=60, n=4)
    expected = [1 / 62 + 0.5 / 61, 1 / 63, 1 / 61, 0.5 / 62]
    assert np.allclose(fused, expected)
    assert list(top_positions(fused, 4)) == [0, 2, 1, 3]


def test_top_positions_skips_zero_scores():
    assert list(top_positions(np.array([0.0, 0.3, 0.0, 0.7]), 10)) == [3, 1]


def _hit(cid, span, path=("T", "一、x"), score=1.0, kind="text"):
    text = "abcdefghij"[span[0] : span[1]]
    return Hit(Chunk(cid, "d", text, list(path), span, kind), DocMeta(title="T"), score)


def test_neighbouring_pieces_of_one_section_are_merged_once():
    hits = [_hit(5, (4, 8)), _hit(9, (0, 2), path=("T", "二、y")), _hit(4, (0, 5))]  # 4 and 5 overlap by 1
    merged = merge_neighbours(hits)
    assert len(merged) == 2
    assert merged[0].chunk.text == "abcdefgh" and merged[0].chunk.span == (0, 8)
    assert merged[0].merged_from == [4]


def test_other_sections_and_table_rows_stay_apart():
    hits = [_hit(1, (0, 2), kind="table_row"), _hit(2, (2, 4), kind="table_row"), _hit(3, (4, 6), path=("T", "z"))]
    assert len(merge_neighbours(hits)) == 3


def test_a_chunk_of_nothing_but_its_documents_names_is_a_bare_header():
    notice = DocMeta(
        title="湖南省人民政府办公厅关于加强普通高等学校毕业生就业工作的通知",
        issuer="湖南省人民政府办公厅",
        doc_no="湘政办发〔2009〕24号",
    )
    header = Chunk(0, "a", "湖南省人民政府办公厅文件\n\n湘政办发〔2009〕24号", [notice.title], (0, 30))
    title = Chunk(1, "a", "湖南省人民政府办公厅关于加强普通高等学校\n\n毕业生就业工作的通知", [notice.title], (30, 70))
    body = Chunk(2, "a", "一、充分认识做好高校毕业生就业工作的重要性。毕业生是宝贵人力资源。", [], (70, 120))
    signed = Chunk(3, "a", "湖南省人民政府办公厅\n2009年3月2日", [notice.title], (120, 140))
    assert bare_header(header, notice) and bare_header(title, notice) and bare_header(signed, notice)
    assert not bare_header(body, notice)
    draft = DocMeta(title="天津市城镇老旧小区更新改造工作方案")
    assert bare_header(Chunk(0, "b", "天津市城镇老旧小区更新改造工作方案\n(征求意见稿)", [], (0, 25)), draft)
    with_attachment = "附件：《政府工作报告》任务分解表\n湖南省人民政府办公厅\n2009年3月2日\n（此件公开发布）"
    assert bare_header(Chunk(4, "a", with_attachment, [], (140, 190)), notice)


def test_a_table_of_contents_is_navigation_not_content():
    plan = DocMeta(title="某省防汛应急预案")
    contents = "某省防汛应急预案\n目 录\n1.总 则\n1.1 编制目的\n1.2 编制依据\n1.3 适用范围\n2.组织体系"
    assert bare_header(Chunk(0, "c", contents, [], (0, 60)), plan)
    purpose = "1.1 编制目的\n为有效防范应对洪涝灾害，最大程度地保障人民群众生命财产安全，制定本预案。"
    assert not bare_header(Chunk(1, "c", purpose, ["1.总 则"], (60, 120)), plan)
    # a long 目录 the chunker cut at its headings: the later pieces no longer carry the word 目录
    rest = "4.应急响应\n4.1 响应分级\n4.2 响应行动\n4.3 应急处置"
    assert bare_header(Chunk(2, "c", rest, ["目 录"], (120, 160)), plan)
    # numbered lines that say something are content, not navigation
    steps = "4.1 响应分级\n4.2 按洪涝灾害严重程度，应急响应分为四级。\n4.3 应急处置"
    assert not bare_header(Chunk(3, "c", steps, ["4.应急响应"], (160, 220)), plan)


def test_a_passage_about_the_asked_topic_goes_before_its_documents_title_chunk():
    from qa.question import analyse
    from qa.retrieve import content_before_title

    meta = DocMeta(title="甲市关于深化文旅融合的实施意见", file="a.txt")
    other = DocMeta(title="乙县助老实施办法", file="b.txt")
    opening = Chunk(0, "a.txt", "甲市关于深化文旅融合的实施意见\n为促进文化和旅游深度融合，提出如下意见。", [], (0, 40))
    works = Chunk(5, "a.txt", "实施旅游能级提升、乡村休闲旅游精品示范等“六大工程”。", ["二、重点任务"], (400, 430))
    elsewhere = Chunk(9, "b.txt", "乙县助老实施办法", [], (0, 8))
    hits = [Hit(opening, meta, 3.0), Hit(elsewhere, other, 2.0), Hit(works, meta, 1.0)]
    q = analyse("甲市文旅融合实施意见里说的六大工程都有啥")
    assert [h.chunk.chunk_id for h in content_before_title(q, hits)] == [5, 9, 0]
    about = analyse("甲市文旅融合实施意见里提到的促进文化和旅游深度融合是什么意思")
    assert [h.chunk.chunk_id for h in content_before_title(about, hits)] == [0, 9, 5]  # the opening chunk says it



def test_the_bodies_a_notice_is_sent_to_say_nothing_about_the_topic():
    from qa.question import analyse
    from qa.retrieve import content_before_title

    meta = DocMeta(title="甲省科协关于印发2023年科普工作要点的通知", file="a.txt")
    text = meta.title + "\n各省级学会，各市州科协，各科普教育基地：\n请结合实际出台具体措施。"
    opening = Chunk(0, "a.txt", text, [], (0, 60))
    works = Chunk(7, "a.txt", "9.出台关于加强学会科普工作的实施意见。", ["二、重点工作"], (500, 530))
    q = analyse("甲省科协23年要点里学会科普要出台个什么文件")
    hits = [Hit(opening, meta, 2.0), Hit(works, meta, 1.0)]
    assert [h.chunk.chunk_id for h in content_before_title(q, hits)] == [7, 0]


def test_the_printed_documents_own_title_opens_its_text_too():
    """A notice that 印发 a document opens the text after it with that document's title (甲省科协2023年科普工作要点 /
    2023年，…以高质量科普赋能发展): that chunk is an opening as well."""
    from qa.question import analyse
    from qa.retrieve import content_before_title

    meta = DocMeta(title="甲省科学技术协会关于印发《甲省科协2023年科普工作要点》的通知", file="a.txt")
    text = "甲省科协2023年科普工作要点\n2023年，甲省科普工作将围绕学习宣传展开，提高全民科学素质。"
    opening = Chunk(1, "a.txt", text, [], (100, 160))
    works = Chunk(6, "a.txt", "4.加强《纲要》实施机制建设。开展《纲要》实施中期评估。", ["二、协同联动"], (600, 640))
    q = analyse("甲省科协23年要点里纲要实施要做一次什么评估？")
    hits = [Hit(opening, meta, 2.0), Hit(works, meta, 1.0)]
    assert [h.chunk.chunk_id for h in content_before_title(q, hits)] == [6, 1]


def test_an_english_question_searches_keywords_by_the_chinese_terms_of_its_policy_words(assistant):
    """Keyword search over Chinese documents can only match an English question's stray tokens (2023, GDP): it runs
    on the Chinese terms of the question's policy words instead, and not at all when there are none."""
    from qa.question import analyse
    from qa.retrieve import Retriever

    dense_only = assistant.settings.model_copy(update={"retriever": "dense"})
    dense = Retriever(assistant.index, assistant.embedder, dense_only, assistant.lexicon)
    places = assistant.retriever.places
    q = analyse("How many stops will Hunan's mobile science museum tour make in 2023?", places=places)
    assert q.latin and {"流动", "科技馆", "站"} <= set(q.glossed.split())
    first = assistant.retriever.search(q, 5)[0].chunk.text
    assert "流动科技馆" in first and "站" in first
    plain = analyse("What happens in 2023, and who says so?", places=places)
    assert plain.latin and not plain.glossed
    ids = [h.chunk.chunk_id for h in assistant.retriever.search(plain, 5)]
    assert ids == [h.chunk.chunk_id for h in dense.search(plain, 5)]


def test_a_purpose_question_favours_passages_that_state_a_purpose():
    from qa.retrieve import answer_field_mask

    chunks = [
        Chunk(0, "a", "为深入贯彻落实党的二十大精神，推动高质量发展，结合我市实际，制定本方案。", [], (0, 40)),
        Chunk(1, "a", "当前，受国际金融危机影响，高校毕业生就业压力加大。", [], (40, 70)),
        Chunk(2, "a", "到2025年，全市新建口袋公园50处，完成老旧小区改造300个。", [], (70, 100)),
        Chunk(3, "a", "为期三年的行动分两个阶段实施。", [], (100, 120)),
        # the 公文 formula without 为: 根据…的要求，全面部署…工作，结合我区实际，制定本方案
        Chunk(4, "a", "根据省政府的要求，全面部署全区科学素质建设工作，结合我区实际，制定本方案。", [], (120, 160)),
    ]
    assert list(answer_field_mask(chunks, "purpose")) == [True, True, False, False, True]


def test_what_a_document_is_for_is_answered_by_the_passage_that_states_it():
    import numpy as np

    from qa.lexicon import load_lexicon
    from qa.question import analyse
    from qa.retrieve import stated_purpose_first

    meta = DocMeta(title="甲区科学素质实施方案", file="a.txt")
    row = Chunk(0, "a.txt", "重点任务：加强组织领导\n主要措施：区领导小组负责牵头组织实施。", [], (500, 540))
    opening = Chunk(1, "a.txt", "根据省里的要求，提升公民科学素质，结合我区实际，制定本方案。", [], (0, 40))
    hits = [Hit(row, meta, 2.0), Hit(opening, meta, 1.0)]
    states = np.array([False, True])
    asked = analyse("我是新来的，领导让我熟悉一下甲区这个方案，它制定出来主要是想达到什么目的？")
    assert [h.chunk.chunk_id for h in stated_purpose_first(asked, hits, states, load_lexicon())] == [1, 0]
    measure = analyse("为什么要加强组织领导？")  # the purpose of a measure, not of the document
    assert [h.chunk.chunk_id for h in stated_purpose_first(measure, hits, states, load_lexicon())] == [0, 1]


def test_passages_citing_a_wenhao_can_answer_a_wenhao_question(assistant):
    """依据的…中央一号文件 shares no word with 《关于…的意见》（中发〔2021〕1号）: the passages that cite a 文号, not
    only the headers, are those a 文号 question's type boost (and a named document's seeding) covers."""
    from qa.retrieve import Retriever

    r = assistant.retriever
    assert isinstance(r, Retriever)
    mask = r._mask("doc_no")
    cites = [c for c in assistant.index.chunks if "〔" in c.text and "号" in c.text]
    assert cites and all(mask[c.chunk_id] for c in cites)


def test_which_documents_were_issued_in_a_year_lists_their_headers(assistant):
    """这些文件里哪几份是…年发的 asks about the documents' headers: each document of that year, by the passage that
    prints its date, comes first; documents of other years do not."""
    from qa.question import analyse

    r = assistant.retriever
    q = analyse("这些文件里哪几份是2024年发的？", places=r.places)
    listed = r.listed_documents(q)
    assert listed and all(assistant.index.docs[d].date.startswith("2024") for d in listed)
    undated = [d for d, m in assistant.index.docs.items() if not m.date.startswith("2024")]
    assert undated and not set(undated) & set(listed)
    hits = r.search(q, 5)
    assert [h.chunk.doc_id for h in hits[: len(listed)]] == listed
    assert r.listed_documents(analyse("哪几份文件提到了科技小院？", places=r.places)) == []  # content, not a header


def test_a_year_of_one_of_two_compared_documents_does_not_rule_out_the_other(assistant):
    from qa.question import analyse

    q = analyse("咸安的实施方案和湖北省科协2024年要点分别怎么讲科普信息化？", places=assistant.retriever.places)
    named = assistant.retriever.named_docs(q)
    assert any("咸安" in d for d in named) and any("湖北省科协2024" in d for d in named)
    files = {h.meta.file for h in assistant.retriever.search(q, 5)}
    assert any("咸安" in f for f in files) and any("湖北省科协2024" in f for f in files)
