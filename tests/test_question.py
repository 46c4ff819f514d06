import pytest

from qa.question import analyse, question_type
from qa.schema import QuestionType


@pytest.mark.parametrize(
    ("text", "qtype"),
    [
        ("老年人那块谁牵头？", "lead"),
        ("老年人科学素质提升行动由哪个单位牵头？", "lead"),
        ("加强老年人健康科普服务具体哪些单位负责", "responsible"),
        ("这事由谁负责", "responsible"),
        ("湖南流动科技馆要巡展几站？", "number"),
        ("咸安公民科学素质比例目标", "number"),
        ("湖北科普工作要点的文号是多少", "doc_no"),
        ("咸安实施方案是哪个单位印发的", "issuer"),
        ("这个方案什么时候发的", "date"),
        ("乡镇区划调整是哪个部门批的", "issuer"),
        ("这份要点印发给了哪些单位", "recipients"),
        ("通知主送哪些机关", "recipients"),
        ("补贴发给谁", "other"),
        ("科技创新这块哪个局挑大梁", "lead"),  # everyday words for 牵头
        ("这事谁挑头", "lead"),
        ("老旧小区改造是哪个局带头搞", "lead"),
        ("日常管理是哪几家在管", "responsible"),  # 在管, 来管, 在干: who does it, said plainly
        ("这项工作具体是哪个机构在干", "responsible"),
        ("这份方案是几号文", "doc_no"),  # 公文 speech: 几号文, 发文编号
        ("那个通知的发文编号", "doc_no"),
        ("这个批复是哪个部门作出的", "issuer"),
        ("这份意见由哪几家联合发出", "issuer"),
        ("哪些单位发挥示范作用", "responsible"),  # 发挥 is no 发文
        ("改造计划由谁来制定", "responsible"),
        ("哪些单位负责配合", "responsible"),
        ("荆楚科普大讲堂是怎么回事", "definition"),
        ("天宫课堂", "other"),
        ("那个方案编号多少", "doc_no"),  # bare 编号 of a document is its 文号, though 多少 asks a number
        ("这份要点是以哪个单位名义印发的", "issuer"),
        ("Which units take the lead on the facilities project?", "lead"),
        ("Which organisation signed the notice?", "issuer"),
        ("领导小组的组长由谁担任", "other"),  # a post held by a person, not a responsible unit
        ("这份要点是哪个学会转发的", "issuer"),  # any body's kind: 学会, 协会, 机构, 组织
        ("2009年为啥专门发文抓就业", "purpose"),
        ("这个方案的目的是什么", "purpose"),  # before 是什么 (definition)
        ("改造以什么为目的", "purpose"),
    ],
)
def test_question_types(text, qtype):
    assert question_type(text)[0] == qtype


def test_colloquial_words_map_onto_document_terms():
    q = analyse("农村那个行动谁牵头")
    assert "农民" in q.search_text and q.qtype == "lead"
    assert "青少年" in analyse("中小学生那块谁负责").search_text


def test_follow_up_swaps_the_group_and_keeps_the_question():
    q = analyse("那农民那块呢？", ["老年人科学素质提升行动谁牵头？"])
    assert q.qtype == "lead"
    assert q.search_text.startswith("农民科学素质提升行动谁牵头")
    assert q.resolved_from == "老年人科学素质提升行动谁牵头？"


def test_follow_up_swaps_the_place():
    q = analyse("那广东呢", ["湖南流动科技馆要巡展几站？"])
    assert q.search_text.startswith("广东流动科技馆要巡展几站") and q.qtype == "number"


def test_follow_up_without_a_slot_borrows_the_type():
    q = analyse("那科普巡回报告呢", ["荆楚科普大讲堂今年打算办几期"])
    assert q.qtype == "number" and "科普巡回报告" in q.search_text


def test_a_complete_question_ignores_history():
    q = analyse("湖北科普工作要点的文号是多少", ["老年人那块谁牵头？"])
    assert q.resolved_from is None and q.qtype == "doc_no"


def test_years_are_found():
    assert analyse("湖南2024年的科普工作要点有哪些重点").years == ["2024"]


def test_a_third_turn_resolves_through_the_second():
    q = analyse("那青少年呢？", ["老年人科学素质提升行动谁牵头？", "那农民那块呢？"])
    assert q.qtype == "lead" and q.search_text.startswith("青少年科学素质提升行动谁牵头")


@pytest.mark.parametrize(("follow_up", "qtype"), [("那谁牵头呢？", "lead"), ("文号呢？", "doc_no")])
def test_a_short_complete_follow_up_keeps_its_own_type(follow_up, qtype):
    q = analyse(follow_up, ["农民科学素质提升行动主要做什么"])
    assert q.qtype == qtype and "农民科学素质提升行动" in q.search_text


def test_politeness_is_not_part_of_the_question():
    polite = analyse("您好，请问一下湖南流动科技馆要巡展几站？麻烦您了，谢谢！")
    plain = analyse("湖南流动科技馆要巡展几站？")
    assert polite.subject == plain.subject and polite.qtype == plain.qtype


def test_traditional_questions_are_read_in_simplified():
    q = analyse("湖南流動科技館要巡展幾站？")
    assert "流动科技馆" in q.search_text and q.qtype == "number"


def test_english_questions_get_a_type_and_are_marked_latin():
    q = analyse("Who issued the flood emergency plan?")
    assert q.qtype == "issuer" and q.latin
    assert analyse("How many stations will the mobile science museum tour?").qtype == "number"
    # 'which units' asks for responsible bodies unless the verb says they lead; 'lead to' is no leading
    assert analyse("In the responsibility table, which units lead the action for urban workers?").qtype == "lead"
    assert analyse("Which units are responsible for the action for urban workers?").qtype == "responsible"
    assert analyse("What does the training for farmers lead to?").qtype != "lead"


def test_places_come_in_full_and_by_their_short_form():
    assert analyse("鄂科协的科普要点文号是多少").places == ["湖北"]
    q = analyse("新乡和濮阳的方案各依据什么文件", places=["新乡", "濮阳"])
    assert sorted(q.places) == ["新乡", "濮阳"]
    assert analyse("新乡的计划", places=["新乡"]).places == ["新乡"]  # 新 alone is no 新疆


def test_year_ranges_give_both_years():
    assert analyse("2021—2035年规划的目标").years == ["2021", "2035"]


def test_the_noun_beside_the_question_word_is_what_is_asked():
    assert analyse("广东省科协现在的主席是谁").asked == ("主席",)
    assert analyse("甲市科技馆的办公地址在哪里").asked == ("地址",)
    assert "城市" in analyse("科普嘉年华在哪个城市办").asked
    assert analyse("这项工作哪些单位负责").asked == ()  # 单位 names the kind of answer, 负责 is the type cue
    assert analyse("甲市那份方案的发文机关是哪家？").asked == ()  # 机关, like 单位, is the kind of answer
    assert analyse("乙市的方案是依据国务院哪份文件制定的？").asked == ()  # 国务院 qualifies; 份文件 is a kind
    assert analyse("是根据国务院办公厅哪个文件精神制定的").asked == ()  # 文件精神: the gist of a document
    assert analyse("两家在科技小院方面各有什么部署？").asked == ()  # 部署, like 措施 and 举措, is the kind
    assert analyse("机器人竞赛报名费多少钱").asked == ("报名费",)  # not a name: what is asked
    assert analyse("甲省防汛预案里启动IV级应急响应的具体条件是什么？").asked == ("条件",)  # 具体条件, tagged an idiom
    assert analyse("领导小组的组长是谁啊？").asked == ("组长",)  # a post, though the tagger calls 组长 a verb
    assert analyse("领导小组组长由谁担任").asked == ("组长",)
    assert analyse("甲省防汛抗旱指挥部的指挥长由谁担任？").asked == ("指挥长",)  # cut 指挥 / 长 by the tagger
    assert analyse("甲市价格调节基金管理办法是哪天发文的？").asked == ()  # 是…的: what happened, tagged a noun
    assert "城市" in analyse("科普嘉年华是在哪个城市办的").asked
    assert analyse("最后是谁来盯着督查督办？").asked == ()  # who does something, not who holds a post
    assert analyse("科技馆每天个人预约票能放多少张？").asked == ()  # 票能: two characters jieba glued, no word
    assert analyse("甲市科协2023年科普工作要点的总体目标是什么？").asked == ()  # a kind qualified by a kind: 总体目标
    assert analyse("甲市今年要新增多少个中小学学位？").asked == ("学位",)  # the head of the phrase, past 个
    assert analyse("方案里说的“不搞一刀切”，具体是什么意思？").asked == ()  # 意思: the meaning is the answer
    assert analyse("那份意见主要是想缓解什么难题？").asked == ()  # 难题: a problem is the kind of answer
    assert analyse("各项任务的落实情况由谁负责督查督办？").asked == ("督查",)  # past the type cue 负责
    assert analyse("想知道这项工作的牵头部门是谁，好找对口单位。").asked == ()  # 对口 is of the clause after
    assert analyse("通知对牵头单位提了什么要求，麻烦帮我看看原文是怎么写的").asked == ()  # 原文: the text itself


def test_a_question_whether_a_document_says_something_asks_for_the_noun_its_clause_ends_on():
    assert analyse("甲县的养老服务办法有没有公布咨询电话？").asked == ("咨询电话",)
    assert analyse("乙省的要点里有没有写明申报条件和评审时间？").asked == ("评审",)  # 时间 is a kind of answer
    ends_on_the_cue = "丙区方案有没有给每个乡镇下达具体的科普活动场次指标，帮忙看下文件里有没有？"
    assert analyse(ends_on_the_cue).asked == ("场次",)  # the clause with a noun after its cue counts
    assert analyse("有没有写公民具备科学素质的比例具体是多少？").asked == ()  # a question word: its own noun rules


def test_short_years_are_years_and_spans_are_not():
    assert analyse("粤科协23年的科普要点里基地要建多少家").years == ["2023"]
    assert analyse("09年那份通知的文号").years == ["2009"]
    assert analyse("近10年来累计建了多少个基地").years == []
    assert analyse("用5年时间建成多少个站点").years == []


def test_a_long_question_is_typed_by_its_asking_clause():
    q = analyse("我在市科协负责基层科普项目，正在准备申报材料，想了解一下省里计划建设多少个科普惠民社区？")
    assert q.qtype is QuestionType.NUMBER  # 负责 in the context does not make it a "who is responsible" question
    assert analyse("我在市科协负责基层科普，想知道具体要求是怎样的").qtype is QuestionType.OTHER
    assert analyse("甲省的预案出了新版，老版本是哪个文一起作废的？文号报一下").qtype is QuestionType.DOC_NO  # cue after
    long = "我在整理收文台账，有一份是甲省政府办公厅2009年发的通知，纸质件找不到了，台账里要填文号，请帮我查一下是多少"
    assert analyse(long).qtype is QuestionType.DOC_NO  # 是多少 says only that it asks: of the 文号 before it
    assert analyse("新设的双龙镇是由哪几个乡合并而成的").qtype is not QuestionType.NUMBER  # 哪几个 asks which


def test_lead_or_responsible_inside_what_is_asked_about_is_no_lead_question():
    assert analyse("甲省科协今年要牵头做哪些方案？").qtype is QuestionType.OTHER  # asks for 方案, not a body
    assert analyse("甲省科协牵头制定的试点方案叫什么名字，内容是什么").qtype is not QuestionType.LEAD
    assert analyse("老年人那块谁牵头？").qtype is QuestionType.LEAD  # the noun before 谁 is the topic
    assert analyse("这项任务由哪些单位负责？").qtype is QuestionType.RESPONSIBLE
    assert analyse("牵头单位是哪个科室？").qtype is QuestionType.LEAD  # 科室 is a body
    q = analyse("老年人科普主要靠哪个组织发挥作用？")
    assert q.asked == ()  # 组织 is the kind of answer: 发挥作用 after it is not asked


def test_the_askers_own_role_does_not_type_the_question():
    q = analyse("我是街道办的，收到了任务分解表，想弄清楚作为牵头单位我们收到任务后具体得做哪些事？")
    assert q.qtype is QuestionType.OTHER  # 作为牵头单位 says who asks
    assert analyse("作为牵头单位，区科协要做哪些事？").qtype is QuestionType.OTHER
    assert analyse("这项任务由哪个单位牵头，我们好对接？").qtype is QuestionType.LEAD


def test_english_issuer_and_date_questions_name_the_issuing_office_or_date():
    assert analyse("Which office issued the district's implementation plan?").qtype is QuestionType.ISSUER
    assert analyse("Which bureau issued the 2024 work points?").qtype is QuestionType.ISSUER
    assert analyse("Which bodies jointly issued the city's opinions?").qtype is QuestionType.ISSUER
    assert analyse("Which Tianjin body issued the draft plan?").qtype is QuestionType.ISSUER  # a place before the body
    assert analyse("Which two bodies jointly issued the plan?").qtype is QuestionType.ISSUER
    assert analyse("What is the issuing date of the provincial notice?").qtype is QuestionType.DATE


def test_the_date_of_a_signature_is_a_date_question():
    assert analyse("这份管理办法落款日期是哪天").qtype is QuestionType.DATE
    assert analyse("这份管理办法的落款是哪个单位").qtype is QuestionType.ISSUER


def test_a_short_place_name_that_is_mainly_an_everyday_word_is_not_read_as_a_place():
    from qa.places import gazetteer

    shorts = gazetteer()[1]
    assert {"杭州", "天津", "玉林", "濮阳"} <= shorts  # frequent or not, places first
    assert not {"和平", "公安", "开发", "胜利"} & shorts  # 和平区, 公安县 … exist, but these are everyday words
    assert analyse("杭州公交怎么优化", places=()).places == ["杭州"]
    assert analyse("推动和平发展的措施有哪些", places=()).places == []


def test_what_a_question_rules_out_is_not_what_it_asks_about():
    q = analyse("湖南省政府办公厅的文件，我要的是防汛应急预案那个，不是高校毕业生就业那个，它的文号是多少？")
    assert q.excluded == ("高校毕业生就业那个",) and "毕业生" not in q.search_text and q.qtype is QuestionType.DOC_NO
    assert analyse("除了领导小组，日常牵头的部门是哪个？").excluded == ("领导小组",)
    assert analyse("这个通知除了湘政办发的文号以外，还有什么编号").excluded == ("湘政办发的文号",)
    assert analyse("是不是湖南的文件？").excluded == ()  # 不是 inside 是不是 rules nothing out
    assert analyse("不是说今年要建科技馆吗，建几个？").excluded == ()  # rhetorical
    assert analyse("方案，不是已经印发了吗？").excluded == ()


def test_a_year_written_before_what_a_document_is_called_is_its_own():
    assert analyse("广东省科协2023年科普工作要点提出了哪些任务").doc_years == ["2023"]
    assert analyse("婺城区2024年版政策举措里研发投入强度").doc_years == ["2024"]
    assert analyse("湖南科协23年那个科普工作要点，编号多少").doc_years == ["2023"]
    assert analyse("到2025年的目标写在哪个方案").doc_years == []  # a target year
    assert analyse("芜湖2024年要新建几所学校").doc_years == []
    # a period's end (the plan a document follows) is no document's own year
    assert analyse("甲省科协22年科普要点的主线跟2021—2035年那个纲要有关系吗").doc_years == ["2022"]


def test_an_english_question_gets_the_chinese_terms_of_its_policy_words():
    q = analyse("Which unit leads the emergency science popularization project in the county?")
    assert q.latin and set(q.glossed.split()) >= {"应急", "科普", "牵头", "县"}
    assert "普及" not in q.glossed.split()  # the longer phrase took its words
    assert analyse("老年人那块谁牵头？").glossed == ""
    assert "人均" in analyse("What per-capita income target does the plan set?").glossed.split()  # per-capita
    assert {"资源", "工程"} <= set(analyse("Who leads the science popularization resources project?").glossed.split())


def test_what_an_english_question_asks_for_in_the_documents_terms():
    from qa.lexicon import load_lexicon
    from qa.question import english_asked

    lexicon = load_lexicon()
    assert english_asked("What is the total budget for the city's public health action plan?", lexicon) == [
        ("预算", "经费")
    ]
    assert english_asked("How much prize money does the first prize get?", lexicon) == [("奖",)]
    assert english_asked("What GDP growth target did the city set?", lexicon) == [("增长",), ("生产总值", "GDP")]
    assert english_asked("What are the main tasks in the key points?", lexicon) == []  # a kind of answer
    assert english_asked("What is the document number of the notice?", lexicon) == []  # the type cue
    assert english_asked("Which offices are responsible for this?", lexicon) == []  # which X: the kind of answer
    assert english_asked("Who serves as commander of the city's flood control headquarters?", lexicon) == [("指挥长",)]


def test_each_asks_for_several_documents_only_when_it_names_them():
    from qa.question import asks_several

    assert asks_several(analyse("What does each plan say about science fiction?"))
    assert asks_several(analyse("What do the Hubei and Hunan plans respectively say about tours?"))
    assert not asks_several(analyse("How much money does each creator receive from the programme?"))
    assert not asks_several(analyse("How much funding does the district guarantee each year?"))


def test_in_whose_name_a_document_went_out_asks_for_its_issuer():
    assert analyse("这份要点是用哪个单位的名义发的通知？").qtype is QuestionType.ISSUER
    assert analyse("这个文是以哪个单位的名义发的？").qtype is QuestionType.ISSUER


def test_what_is_asked_of_the_lead_unit_is_not_who_leads():
    assert analyse("这个通知对牵头单位有什么要求？").qtype is not QuestionType.LEAD
    assert analyse("这个通知的牵头单位是哪个？").qtype is QuestionType.LEAD
    assert analyse("牵头制定的方案全称是什么").qtype is not QuestionType.LEAD


def test_a_hedge_on_the_quantity_is_not_what_is_asked():
    assert "起码" not in analyse("科学家精神宣讲一年起码要搞几场？").asked
    assert "最多" not in analyse("这个补贴最多能给多少钱？").asked


def test_what_a_document_wants_to_get_done_is_its_purpose():
    assert analyse("甲区出这个实施方案，主要是想干什么？").qtype is QuestionType.PURPOSE
    assert analyse("这个办法主要想干成啥？").qtype is QuestionType.PURPOSE
    assert analyse("科普大篷车进校园是干什么的").qtype is not QuestionType.PURPOSE  # what it is, not a purpose cue


def test_a_document_named_by_its_kind_is_not_what_is_asked():
    assert analyse("新乡公卫三年计划是哪天发的？").asked == ()
    assert analyse("甲市的实施方案是谁发的？").asked == ()


def test_which_bodies_issued_it_in_any_body_word_asks_for_the_issuer():
    for asked in ("这份实施意见是由哪些机关联合发布的？", "这个通知是哪几个机构一起印发的", "这份方案是什么机关发布的"):
        assert analyse(asked).qtype is QuestionType.ISSUER, asked


def test_how_far_asks_for_a_number_and_which_two_bodies_for_the_issuers():
    assert analyse("湖南的科普大篷车今年要跑多远？").qtype is QuestionType.NUMBER
    assert analyse("宿州那份實施意見是哪兩個機關聯合發的？").qtype is QuestionType.ISSUER
    assert analyse("这个通知是哪两家单位一起发的").qtype is QuestionType.ISSUER
