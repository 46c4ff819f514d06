"""What a question asks: its type (who leads, which units, how many, when, who issued, 文号, what is), its subject,
the places and years it names, and, for a follow-up such as "那农民那块呢？", the full question it stands for.

Staff speak colloquially and politely ("您好，请问老年人那块谁牵头？谢谢"); the general lexicon (qa/data/lexicon.toml)
maps everyday words onto the terms policy documents use and strips politeness. Nothing here knows one deployment's
documents: its places come in from the index (``places``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from .lexicon import Lexicon, gloss, gloss_groups, load_lexicon, unglossed
from .normalize import to_simplified
from .places import distinct_places, gazetteer_places, places_in_latin
from .schema import Question, QuestionType

FILLERS = re.compile(
    r"那块|这块|那个|这个|那边|这边|方面|这一块|那一块|工作|的事|那项|这项|一下|呢|吗|吧|啊|呀|嘛|[？?！!。，,、；;：:\s]"
)
FOLLOW_UP = re.compile(r"^(那么|那要是|那如果|那|还有|另外|再问|and\b|what about)|呢[？?]?$", re.I)
FOLLOW_UP_LEAD = re.compile(r"^(那么|那要是|那如果|那|还有|另外|再问)")
QUESTION_WORDS = re.compile(r"哪几个|哪个|哪些|什么|多少|谁|啥")
CONTENT_CUES = {"比例", "百分之", "总数"}  # cues that also say what is asked about: they stay in the subject
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# 22年 / 09年 for 2022 / 2009, as people say them; not a span of years (10年来, 5年内, 近20年, 第10年)
SHORT_YEAR_RE = re.compile(
    r"(?<![\d第近过满约多前后这那每])([0-3]\d)年(?!内|来|以上|以内|以下|间|左右|后|多|前|代|时间|之)"
)
# a question about several documents or places at once: answered by passages, not by one short field
SEVERAL = re.compile(
    r"各是|各自|分别|各地|各省|各个|哪些地方|哪几份|哪些文件|[\u4e00-\u9fa5]{2}和[\u4e00-\u9fa5]{2}的|"
    r"\b(?:each\s+(?:of|one|document|plan|notice|city|province|county|district|place)|both|respectively|compared?|"
    r"comparison|which of (?:these|the|them))\b",
    re.I,
)
# which of the indexed documents were issued in a year or by a place (这些文件里哪几份是2023年发的, 哪些是河南省内城市
# 发布的, which of these documents were issued in 2021): a question about the documents' headers, not their text
LISTS_DOCUMENTS_RE = re.compile(
    r"(?:哪几份|哪些文件|哪几个文件|哪份|哪些是|哪几份是)[^，,。？?]{0,20}?(?:发的|发布|印发|出台|下发|签发|成文)"
    r"|which (?:of (?:these|the) )?(?:\w+ ){0,2}documents? (?:were|was) (?:issued|published|released)",
    re.I,
)
LATIN_RE = re.compile(r"[A-Za-z]{3,}")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


# the asker's own role (作为牵头单位我们收到任务后要做哪些事): who is asking, not what is asked
ASKER_ROLE_RE = re.compile(r"作为[^，,。；;！!？?]{1,15}?(?=我|咱|本单位|本部门)")


def question_type(text: str, lexicon: Lexicon | None = None) -> tuple[QuestionType, str]:
    """(type, the cue that decided it); the lexicon's order breaks ties (牵头 beats 哪个单位). A long question with
    context ("我在市科协负责基层科普，想了解……建设多少个") is typed by its asking clause first, so a cue in the
    context (负责) does not decide it; without a question word the whole text is read."""
    lexicon = lexicon or load_lexicon()
    part = asking_clause(text, lexicon)
    after = text[text.rfind(part) + len(part) :] if part != text else ""
    asked = ASKER_ROLE_RE.sub("", part)  # 作为牵头单位我们…: who asks, not what is asked
    # 老版本是哪个文作废的？文号报一下: the cue may follow, unasked; context never decides
    for clause in (asked, after):
        for name, pattern in lexicon.question_types.items():
            if m := pattern.search(clause):
                return QuestionType(name), m.group(0)
    return QuestionType.OTHER, ""


def asking_clause(text: str, lexicon: Lexicon, topic: bool = False) -> str:
    """The last clause that holds a question word (the whole text when none does), with the clause before it when
    it says nothing but the asking (……台账里要填文号，请帮我查一下是多少: 是多少 of the 文号). For the asked
    ``topic`` (asking_words), a clause that names only the kind of answer and the type cue says nothing either (健康
    湖南行动，是由哪个单位牵头); the type is read from the clause as before (粤科协牵头的…方案，管的是哪几年 does
    not ask who leads)."""
    from .highlight import subject_words

    clauses = [c for c in re.split(r"[，,。；;！!？?\n]", text) if c.strip()]
    asking = [i for i, c in enumerate(clauses) if any(w in c for w in lexicon.interrogatives)]
    if not asking:
        return text
    i = asking[-1]
    says = (lambda w: _says_what(w, lexicon)) if topic else (lambda w: len(w) >= 2)
    contentless = not any(says(w) for w in subject_words(QUESTION_WORDS.sub(" ", clauses[i])))
    return f"{clauses[i - 1]}，{clauses[i]}" if contentless and i > 0 else clauses[i]


def _says_what(word: str, lexicon: Lexicon) -> bool:
    """The word says what is asked about: not the kind of answer (单位, 部门) nor the type cue (牵头, 文号) — 健康湖南
    行动，是由哪个单位牵头 asks about the clause before."""
    return len(word) >= 2 and not lexicon.is_answer_kind(word) and not lexicon.names_type(word)


def asking_words(q: Question, lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """The content words of the clause that asks (the whole question when it has one clause), without the type cue
    and the words no indexed passage uses."""
    from .highlight import subject_words

    lexicon = lexicon or load_lexicon()
    clause = asking_clause(q.base or q.text, lexicon, topic=True)
    _, cue = question_type(clause, lexicon)
    words = subject_words(subject_of(clause, cue))
    return tuple(w for w in words if w not in q.unknown) or words


def without_politeness(text: str, lexicon: Lexicon) -> str:
    """您好，请问一下……谢谢 → the question itself; a question that is nothing but politeness stays as it was."""
    out = text
    for word in lexicon.politeness:
        out = out.replace(word, " ")
    out = re.sub(r"^[\s，,。！!、]+|[\s，,。！!、]+$", "", re.sub(r"\s+", " ", out))
    return out if CJK_RE.search(out) or LATIN_RE.search(out) else text


def without_exclusions(text: str, lexicon: Lexicon) -> tuple[str, tuple[str, ...]]:
    """(the question less the clauses that rule something out, what they rule out). 我要的是防汛预案那个，不是高校毕业生
    就业那个，它的文号是多少: the words of the excluded document would otherwise count for it in retrieval and in
    choosing the answer document, and 除了领导小组 would leave 领导小组 a fine answer to 谁牵头."""
    out, excluded = text, []
    for pattern in lexicon.exclusions:
        for m in pattern.finditer(text):
            excluded.append(m.group("x"))
            out = out.replace(m.group(0), " ")
    return (re.sub(r"\s+", " ", out).strip(), tuple(excluded)) if excluded else (text, ())


def subject_of(text: str, cue: str) -> str:
    s = text.replace(cue, " ") if cue and cue not in CONTENT_CUES else text
    s = FOLLOW_UP_LEAD.sub("", s.strip())
    return re.sub(r"\s+", " ", FILLERS.sub(" ", QUESTION_WORDS.sub(" ", s))).strip()


def _pos_cut(text: str) -> list[tuple[str, str]]:
    """Words with their part of speech (jieba's tagger over its global tokenizer, whose dictionary is the one shared
    with the gazetteer: qa/jieba_dict.py fills it once instead of jieba reading its own again)."""
    from .jieba_dict import pos_tokenizer

    return [(p.word, p.flag) for p in pos_tokenizer().lcut(text) if WORD_RE.search(p.word)]


def _glued(word: str) -> bool:
    """Two characters jieba's HMM joined because it could place neither (预约票能放 → 票能): no dictionary word, so
    no noun to look for. A longer unknown word is a compound of known ones (启动条件) and stays."""
    from .jieba_dict import base_dictionary

    return len(word) == 2 and word not in base_dictionary()[0]


def _is_attribute(word: str, flag: str, lexicon: Lexicon) -> bool:
    """A noun naming something about the subject (主席, 地址, 奖金), not the kind of answer (单位, 东西), not a type cue
    (文号, 日期, 负责: the field signal covers those) and not a person-name guess of the tagger."""
    noun = (flag.startswith("n") and not flag.startswith("nr")) or flag in ("vn", "an")
    return (
        noun
        and not _glued(word)
        and len(word) >= 2
        and not lexicon.is_answer_kind(word)
        and word not in lexicon.stopwords
        and not lexicon.names_type(word)
        and not word.endswith(lexicon.document_kind_words)  # 三年计划是哪天发的: the document, not an attribute
    )


POST_VERBS = {"担任", "出任", "兼任", "当"}


def _asks_who_holds(toks: list[tuple[str, str]], i: int, j: int) -> bool:
    """组长是谁, 组长由谁担任: 谁 after a link, ending the question or before 担任, asks who holds the post named
    before it, whatever the tagger says of that word (组长 is tagged a verb). 这事谁牵头 and 是谁来盯着 ask who does
    something."""
    after = [w for w, f in toks[i + 1 :] if f not in ("x", "y", "e")]  # punctuation and particles (啊, 呢)
    return toks[i][0] == "谁" and 0 <= j < i - 1 and (not after or after[0] in POST_VERBS)


def _question_words(toks: list[tuple[str, str]], lexicon: Lexicon) -> list[int]:
    """Positions of the question words (谁, 什么, 哪个, 多少个, 几所 …) among a question's words."""
    return [i for i, (w, _) in enumerate(toks) if w in lexicon.interrogatives or w.startswith(("哪", "多少", "几"))]


def _head_after(toks: list[tuple[str, str]], lexicon: Lexicon) -> str | None:
    """The head of the noun phrase right after a question word — its last noun (多少个中小学学位 → 学位) — past a
    classifier, link or type cue (多少个, 是什么, 谁负责督查); none when a kind of answer fills the slot (哪个组织发挥作用: 组织). An
    abbreviation (中小学, tagged j) may open or join the phrase."""
    run: list[tuple[str, str]] = []
    for w, f in toks:
        if not run and (w in lexicon.links or w in lexicon.stopwords or w in lexicon.classifiers or w == "个"):
            continue
        if not run and lexicon.names_type(w):  # 谁负责督查: past the cue
            continue
        if lexicon.is_answer_kind(w):
            break
        if not (_is_attribute(w, f, lexicon) or (f == "j" and len(w) >= 2)):
            break
        run.append((w, f))
    heads = [w for w, f in run if _is_attribute(w, f, lexicon)]
    return heads[-1] if heads else (run[-1][0] if run else None)


def _closes_shi_de(toks: list[tuple[str, str]], head: str) -> bool:
    """The word closes a 是…的 question (是哪天发文的, 什么时候印发的): what happened, not a noun asked for, however
    the tagger reads it."""
    words = [w for w, _ in toks if w.strip() and w not in "呢啊呀吗？?。！!，,"]
    return len(words) >= 2 and words[-1] == "的" and words[-2] == head


NAME_FLAGS = ("ns", "nt", "nz")  # the tagger's places, bodies and other proper names


def _names_a_noun_after(toks: list[tuple[str, str]], i: int, lexicon: Lexicon) -> bool:
    """The question word at ``i`` is followed by what it asks for: a noun, a classifier or a kind of answer
    (哪份文件, 哪个城市, 多少钱), not a verb (谁牵头, 是谁来盯着)."""
    if i + 1 >= len(toks):
        return False
    w, f = toks[i + 1]
    return f.startswith(("n", "q")) or lexicon.is_answer_kind(w) or w in lexicon.classifiers


def _qualified_noun(word: str, lexicon: Lexicon) -> str | None:
    """The noun a kind of answer or a function word qualifies in one tagged word (具体条件 → 条件, 主要职责 → 职责):
    the tagger keeps such phrases whole, sometimes as an idiom, and a passage says the noun without the qualifier."""
    for i in range(1, len(word) - 1):
        if word[:i] in lexicon.answer_kinds or word[:i] in lexicon.stopwords:
            rest = word[i:]
            return None if lexicon.is_answer_kind(rest) else rest
    return None


def asked_words(text: str, lexicon: Lexicon, places: Sequence[str] = ()) -> tuple[str, ...]:
    """The nouns beside the question word — what the answer must be about: 主席 in 广东省科协的主席是谁, 城市 in
    在哪个城市办, 启动条件 in 启动条件是什么. Empty when the question word stands alone (谁牵头, 有哪些)."""
    clause = asking_clause(text, lexicon)  # …牵头部门是谁，好找对口单位: 对口 is of the clause after, not asked
    toks = [(w, f) for w, f in _pos_cut(clause) if not any(w in p or p in w for p in places)]  # places: constraints
    spots = _question_words(toks, lexicon)
    if not spots:
        return existence_asked(text, lexicon, places)
    i, out = spots[-1], []
    if (head := _head_after(toks[i + 1 : i + 4], lexicon)) and not _closes_shi_de(toks, head):
        out.append(head)  # 哪个城市, 什么学历, 多少个中小学学位 → 学位
    j = i - 1
    while j >= 0 and (toks[j][0] in lexicon.links or toks[j][0] in lexicon.stopwords):  # 主席(是)谁, 地址(在)哪里
        j -= 1
    if j == i - 1 and toks[j][1] in NAME_FLAGS and _names_a_noun_after(toks, i, lexicon):
        j = -1  # 国务院哪份文件, 河南省哪个文件: a body or place before only qualifies the noun asked
    holds = _asks_who_holds(toks, i, j)
    flag = "n" if holds else toks[j][1] if j >= 0 else ""
    word = toks[j][0] if j >= 0 else ""
    if holds and len(word) == 1 and j > 0:  # a post the tagger cut in two (指挥长 → 指挥 / 长)
        word = toks[j - 1][0] + word
    if (noun := _qualified_noun(word, lexicon)) and flag in ("n", "l"):
        word, flag = noun, "n"
    if word and word not in lexicon.interrogatives and _is_attribute(word, flag, lexicon):
        out.append(word)
    return tuple(dict.fromkeys(out))


def counted_noun(text: str) -> str:
    """The nouns a count opens with (电信运营商 of 电信运营商等合作): what 3大 counts."""
    out = ""
    for w, f in _pos_cut(text):
        if not (f.startswith("n") or f in ("i", "l")) or not text.startswith(out + w):
            break
        out += w
    return out


CLAUSE_END_RE = re.compile(r"[，,。；;？?！!]")


def existence_asked(text: str, lexicon: Lexicon, places: Sequence[str] = ()) -> tuple[str, ...]:
    """A yes-no question whether a document says something (有没有公布咨询电话, 是否写明申报条件和评审时间) asks for
    the noun its clause ends on (电话, 评审), less kinds of answer (时间, 指标): the answer is yes only where a
    passage says it. The last clause with a cue and such a noun after it counts (…有没有下达场次指标，帮忙看下文件里有没有)."""
    for clause in reversed(CLAUSE_END_RE.split(text)):
        toks = [(w, f) for w, f in _pos_cut(clause) if not any(w in p or p in w for p in places)]
        cues = [i for i, (w, _) in enumerate(toks) if w in lexicon.existence]
        if not cues:
            continue
        for w, f in reversed(toks[cues[-1] + 1 :]):
            if lexicon.is_answer_kind(w) or w in lexicon.links or w in lexicon.stopwords:
                continue
            if _is_attribute(w, f, lexicon):
                return (w,)
    return ()


# between a document's year and what it is called: 年, 年度, 年版, 那个, and a few words of its name (科普工作)
DOC_YEAR_GAP = (
    r"年?(?:度|版)?(?:的|那个|那份|这个|这份)?((?:(?!目标|以前|之前|以来|前|底|末|到|至)[\u4e00-\u9fff]){0,6}?)"
)


def document_years(text: str, lexicon: Lexicon) -> list[str]:
    """Years written just before what a document is called (广东省科协2023年科普工作要点, 婺城区2024年版政策举措,
    （2021—2025）实施方案): the document's own year, which its title, date or 文号 must carry — a 2024 要点 that
    mentions 2023 is not the 2023 要点. A target year (到2025年的目标) is not one."""
    pattern = _document_year_re(lexicon.document_kinds)
    if pattern is None:
        return []
    found = [m for m in pattern.finditer(text) if not RANGE_OPENING_RE.search(text, 0, m.start())]
    years = [y if len(y) == 4 else "20" + y for y in (m.group(1) for m in found)]
    return list(dict.fromkeys(years))


# a year closing a period (2021—2035年那个纲要): a plan's period, which the text of any document citing the plan
# says — not a document's own year, which its title, date or 文号 must carry
RANGE_OPENING_RE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[—–\-－~至到]\s*$")


@lru_cache(maxsize=8)
def _document_year_re(kinds: tuple[str, ...]) -> re.Pattern | None:
    """A year (2023, or 23 before 年), the gap, then one of the document kinds: built once per word list."""
    if not kinds:
        return None
    names = "|".join(re.escape(k) for k in sorted(kinds, key=len, reverse=True))
    year = r"((?:19|20)\d{2}|(?<![\d第近过满约多前后这那每])[0-3]\d(?=年))"
    return re.compile(rf"{year}[）)]?{DOC_YEAR_GAP}(?:{names})")


# what an English question asks for: the noun phrase after its question word (What GDP growth target did…, How much
# prize money does…, What is the total budget for…)
ENGLISH_ASKED_RE = re.compile(
    r"\b(?:what|which)\s+(?:is|are|was|were)\s+the\s+(?P<a>[\w\s'-]{2,60}?)\s+(?:of|for|in|that|does|did|do|set|to|under)\b"
    r"|\bwhat\s+(?P<b>[\w\s'-]{2,60}?)\s+(?:does|did|do|is|are|was|were|will|has|have)\b"
    r"|\bhow\s+(?:many|much)\s+(?P<c>[\w\s'-]{2,60}?)\s+(?:does|did|do|is|are|was|were|will|should|must|can|has|have|had)\b"
    r"|\b(?:is|are)\s+there\s+(?:a|an|any)\s+(?P<d>[\w\s'-]{2,60}?)\s+(?:for|in|of|on|that|to|from|with)\b"
    r"|\bwho\s+(?:is|are|was|serves\s+as|acts\s+as)\s+(?:the\s+)?(?P<e>[\w\s'-]{2,60}?)\s+(?:of|for|in|at)\b",
    re.I,
)


def english_asked(text: str, lexicon: Lexicon) -> list[tuple[str, ...]]:
    """The Chinese terms of what an English question asks for, one group of alternatives per phrase, less the
    kinds of answer (target → 目标, main tasks → 主要任务) and the type cues the field signal covers (document
    number → 文号): the same check as a Chinese question's asked noun (预算 for total budget). "Which offices"
    names the kind of answer."""
    m = ENGLISH_ASKED_RE.search(text)
    phrase = next((g for g in m.groups() if g), "") if m else ""
    kinds = tuple(lexicon.answer_kinds)

    def kind_or_cue(term: str) -> bool:
        return term.endswith(kinds) or lexicon.names_type(term)

    return [g for g in gloss_groups(phrase) if not any(kind_or_cue(t) for t in g)]


def years_in(text: str) -> list[str]:
    return list(dict.fromkeys([*YEAR_RE.findall(text), *("20" + y for y in SHORT_YEAR_RE.findall(text))]))


def places_in(text: str, places: Sequence[str], lexicon: Lexicon, ordinary: frozenset[str] = frozenset()) -> list[str]:
    """Places named: those of the indexed documents and the provinces (longest first, so 湖南省 wins over 湖南),
    a province's 简称 opening a clause, any prefecture or county of the gazetteer, and in an English question the
    indexed documents' places in pinyin."""
    found, rest = [], text
    for p in sorted(places, key=len, reverse=True):
        if p in rest:
            found.append(p)
            rest = rest.replace(p, "　")
    for short, full in lexicon.place_abbreviations.items():
        if re.search(rf"(?:^|[^\u4e00-\u9fff]){short}(?=[\u4e00-\u9fff])", rest) and full not in found:
            found.append(full)
    found += [p for p in gazetteer_places(rest, ordinary) if not any(p in f or f in p for f in found)]
    if LATIN_RE.search(text):
        found += [p for p in places_in_latin(text, places) if p not in found]
    return found


def expand_words(text: str, lexicon: Lexicon) -> str:
    """Everyday words replaced in place (农村那个行动 → 农民那个行动), for swapping a follow-up's slot."""
    for k, v in lexicon.colloquial.items():
        if k in text and v.split()[0] not in text:
            text = text.replace(k, v.split()[0])
    return text


def expand(text: str, lexicon: Lexicon) -> str:
    """The question with the document words for its everyday words, and short forms of long body names, appended."""
    extra = [v for k, v in lexicon.colloquial.items() if k in text and v not in text]
    extra += [short for full, short in lexicon.unit_abbreviations.items() if full in text]
    return text + (" " + " ".join(extra) if extra else "")


def _slot(text: str, lexicon: Lexicon, places: Sequence[str]) -> tuple[str, str] | None:
    for g in lexicon.population_groups:
        if g in text:
            return "group", g
    for p in sorted(places, key=len, reverse=True):
        if p in text:
            return "place", p
    return None


def _follow_up_text(text: str, qtype: QuestionType, cue: str, prev: Question, lexicon: Lexicon, places) -> str:
    """The earlier question with its group or place swapped for the new one; else the new subject with the old
    question's type cue; a short complete question (那谁牵头呢？, 文号呢？) keeps its own type on the old subject."""
    new_subject = subject_of(expand_words(text, lexicon), cue)
    if qtype is not QuestionType.OTHER and not new_subject:
        return f"{prev.subject} {cue}"
    new, old = _slot(new_subject, lexicon, places), _slot(expand_words(prev.text, lexicon), lexicon, places)
    if new and old and new[0] == old[0]:
        return expand_words(prev.base, lexicon).replace(old[1], new[1])
    _, prev_cue = question_type(prev.base, lexicon)
    return f"{new_subject}{prev_cue}"


def _is_follow_up(text: str, qtype: QuestionType, cue: str, lexicon: Lexicon) -> bool:
    if not FOLLOW_UP.search(text.strip()):
        return False
    subject = subject_of(expand_words(text, lexicon), cue)
    return qtype in (QuestionType.OTHER, QuestionType.DEFINITION, QuestionType.PURPOSE) or len(text) <= 8 or not subject


EnglishTerms = Callable[[str], list[tuple[str, ...]]]


def _looked_up(text: str, english: EnglishTerms | None) -> str:
    """The Chinese words a general dictionary gives for the English words the glossary leaves (science fiction →
    科幻), restricted to the indexed documents' words. Noisier than the glossary's terms (a word's senses all come
    along), so they widen the keyword search only: the topic checks and the answerers read the glossary's."""
    if english is None:
        return ""
    return " ".join(dict.fromkeys(t for group in english(unglossed(text)) for t in group))


def _one(
    text: str,
    prev: Question | None,
    lexicon: Lexicon,
    places: Sequence[str],
    english: EnglishTerms | None = None,
    ordinary: frozenset[str] = frozenset(),
) -> Question:
    plain, excluded = without_exclusions(to_simplified(without_politeness(text, lexicon)), lexicon)
    qtype, cue = question_type(plain, lexicon)
    base, resolved = plain, None
    if prev is not None and _is_follow_up(plain, qtype, cue, lexicon):
        base = _follow_up_text(plain, qtype, cue, prev, lexicon, places)
        if qtype is QuestionType.OTHER or subject_of(expand_words(plain, lexicon), cue):
            qtype, cue = question_type(base, lexicon)
        resolved = prev.text
    named = places_in(base, places, lexicon, ordinary)
    spelled_out = [p for p in named if p not in base]  # 鄂 → 湖北: keyword search needs the full name
    if asks_for_no_body(base, qtype, cue, lexicon):
        qtype, cue = QuestionType.OTHER, ""
    return Question(
        text=text,
        search_text=" ".join([expand(base, lexicon), *spelled_out]),
        qtype=qtype,
        subject=subject_of(base, cue),
        years=years_in(base),
        doc_years=document_years(base, lexicon),
        places=named,
        resolved_from=resolved,
        base=base,
        latin=(latin := bool(LATIN_RE.search(base)) and not CJK_RE.search(base)),
        glossed=gloss(base) if latin else "",
        looked_up=_looked_up(base, english) if latin else "",
        asked=asked_words(base, lexicon, named),
        excluded=excluded,
    )


def asks_for_no_body(base: str, qtype: QuestionType, cue: str, lexicon: Lexicon) -> bool:
    """牵头 or 负责 before the question word, inside what is asked about (牵头制定的方案全称是什么, 要牵头做哪些方案):
    the question word asks for a thing (全称, 方案), not for the body that leads — a lead or responsible question
    asks for a body. After the question word (老年人那块谁牵头, 哪个科室负责) the cue is what is asked."""
    if qtype not in (QuestionType.LEAD, QuestionType.RESPONSIBLE) or not cue:
        return False
    clause = asking_clause(base, lexicon)
    spots = [m.start() for m in _interrogative_re(lexicon.interrogatives).finditer(clause)]
    at = clause.find(cue)
    if at < 0 or not spots or at + len(cue) > spots[-1]:  # 由谁, 哪些单位负责: the cue is the asking
        return False
    nouns = _nouns_beside(clause, lexicon)
    return bool(nouns) and not any(w in lexicon.body_kinds or lexicon.unit_suffix_re.search(w) for w in nouns)


@lru_cache(maxsize=8)
def _interrogative_re(words: frozenset[str]) -> re.Pattern:
    """The question words as one pattern, built once per word list rather than once per question."""
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


def _nouns_beside(clause: str, lexicon: Lexicon) -> list[str]:
    """What the last question word asks for, kinds of answer included: the noun after it (哪些方案, 哪个科室), or
    when none follows, the noun linked before it (全称是什么, 名字叫什么)."""
    toks = _pos_cut(clause)
    spots = _question_words(toks, lexicon)
    if not spots:
        return []
    i, out = spots[-1], []
    for w, f in toks[i + 1 : i + 3]:
        if w in lexicon.links or w in lexicon.stopwords:
            continue
        if f.startswith("n") or f == "vn" or w in lexicon.answer_kinds:
            out.append(w)
        break
    if (
        not out  # 对牵头单位有什么要求: the noun after the question word is what is asked, not 单位 before it
        and i >= 2
        and toks[i - 1][0] in lexicon.links
        and (toks[i - 2][1].startswith("n") or toks[i - 2][0] in lexicon.answer_kinds)
    ):
        out.append(toks[i - 2][0])
    return out


def asks_several(q: Question) -> bool:
    """A comparison or a list across documents (湖南和湖北的…分别是, 哪几份文件): no single field answers it. A place
    named with the province or city it lies in (湖南省民政厅…花垣县, 金华婺城区) is one place, not two."""
    return bool(SEVERAL.search(q.base)) or len(distinct_places(q.places)) >= 2


def analyse(
    text: str,
    history: list[str] | None = None,
    *,
    places: Sequence[str] = (),
    lexicon: Lexicon | None = None,
    english: EnglishTerms | None = None,
    ordinary: frozenset[str] = frozenset(),
) -> Question:
    """The question, read in the light of the conversation: each earlier question is resolved against the one
    before it, so a third turn ("那青少年呢？" after "那农民那块呢？") still knows what was asked."""
    lexicon = lexicon or load_lexicon()
    places = tuple(places) or lexicon.places
    prev = None
    for earlier in history or []:
        prev = _one(earlier, prev, lexicon, places, english, ordinary)
    return _one(text, prev, lexicon, places, english, ordinary)
