"""Short direct answers, one small answerer per question type: who leads, who is responsible, how many, and the
issuer, date or 文号 of a document (its own, or one it cites).

Every answerer reads only passages of the answer document — the one the question names, else the best passage's —
so a direct answer never comes from another document. No direct answer is better than a wrong one: each answerer
gives up unless the passage is about the question's subject.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .answerability import constraint_met, identity, said
from .highlight import (
    DOC_NO_RE,
    FIELD_COLUMN_RE,
    HEADER_CHARS,
    SENTENCE_RE,
    recipients_line,
    said_share,
    subject_overlap,
    subject_words,
    topic_overlap,
    topic_words,
)
from .lexical import bigrams
from .lexicon import gloss_groups, load_lexicon, unglossed
from .metadata import cn_date, date_in, split_issuers
from .normalize import fold, to_simplified
from .places import COUNTRY, distinct_places, within
from .question import ENGLISH_ASKED_RE, SEVERAL, YEAR_RE, asking_clause, asking_words, counted_noun
from .schema import DocMeta, Hit, Question, QuestionType

MIN_SUBJECT_OVERLAP = 0.5
MIN_CLAUSE_OVERLAP = 0.3
MIN_DOCUMENT_OVERLAP = 0.4
CLAUSE_DELIMITERS = "、，,；;。：:"
NUM = r"\d+(?:\.\d+)?"
CN_NUM = r"[一二三四五六七八九十百千两]+"
YEAR_ONLY = re.compile(r"\s*\d{4}\s*年")  # 2024年 is a date, not a quantity
ORDINAL_RE = re.compile(r"第\s*[\d一二三四五六七八九十百]+\s*[届次期批轮]")
ORDINAL_ASKED_RE = re.compile(r"第几\s*[届次期批轮]?([\u4e00-\u9fa5]{2})")  # 第几次常务会议 → 常务
DOCUMENT_WORDS = re.compile(
    r"要点|方案|文件|通知|意见|规划|纲要|办法|条例|计划|预案|批复|报告|措施|举措|政策|文号|字号|印发|发布|转发|下发|发文|成文|"
    r"落款|签发|批准|批的|主送|document|plan|notice|opinion|measure|report|issued"
)
LEAD_NOTE_PATTERNS = [
    re.compile(r"[（(]([^（）()]{2,40}?)牵头[，,；;、]?[^（）()]{0,30}[）)]"),  # （区科技局牵头，区财政局配合）
    re.compile(r"由([\u4e00-\u9fa5、]{2,40}?)(?:负责)?牵头"),
]
# the role named: 区科协履行全区…牵头部门的职责, 以市卫健委为牵头单位
LEAD_ROLE_PATTERNS = [
    re.compile(
        r"(?:^|[，,。；;、：:\s])([\u4e00-\u9fa5、]{2,30}?)(?:履行|承担|作为)[\u4e00-\u9fa5]{0,16}?牵头(?:部门|单位|机构)"
    ),
    re.compile(r"以([\u4e00-\u9fa5、]{2,30}?)为牵头(?:部门|单位|机构)"),
]
LEAD_ACT_PATTERN = re.compile(r"(?:^|[，,。；;、：:\s]|做好|配合)([\u4e00-\u9fa5、]{2,30}?)(?:负责)?牵头")
# who 牵头 some work before who holds the role: a document may say both of two bodies (a 领导小组 that 负责牵头组织
# 实施, a 科协 in the 牵头部门 role); a question naming the role is answered by _role_holder first
LEAD_PATTERNS = [*LEAD_NOTE_PATTERNS, LEAD_ACT_PATTERN, *LEAD_ROLE_PATTERNS]
ROLE_ASKED_RE = re.compile(r"牵头(?:部门|单位|机构)")


RESPONSIBLE_PATTERNS = [
    re.compile(r"[（(](?:责任|牵头|配合|承办)(?:单位|科室|部门|处室)[:：]\s*([^（）()]{2,60})[）)]"),
    re.compile(r"由([\u4e00-\u9fa5、]{2,40}?)负责"),
    re.compile(r"(?:^|[，,。；;：:\s])([\u4e00-\u9fa5、]{2,30}?)(?:具体|主要|统一)?负责"),  # 领导小组办公室负责日常…
    re.compile(r"(?:设在|归口)([\u4e00-\u9fa5]{2,20}?)(?:[，,。；;]|$)"),
    # a body set up for the work: 设立领导小组办公室作为办事机构，负责…日常征收管理
    re.compile(r"(?:设立|成立|组建)([\u4e00-\u9fa5]{2,20}?)(?:作为[\u4e00-\u9fa5]{0,8})?[，,]?(?:具体|主要|统一)?负责"),
    # partners: 与省卫健委等单位联合举办…, 会同市财政局共同制定…
    re.compile(r"(?:与|同|会同)([\u4e00-\u9fa5、]{2,30}?)(?:等(?:单位|部门|机构))?(?:联合|共同|一起)"),
    # 联合国务院食安办修订发布《…》: the partner named after 联合, before what they do together
    re.compile(
        r"联合([\u4e00-\u9fa5、]{2,30}?)(?:等(?:单位|部门|机构))?(?:共同)?"
        r"(?:修订|制定|发布|印发|开展|举办|实施|推出|编制|出台|组织|打造)"
    ),
    re.compile(r"在([\u4e00-\u9fa5]{2,20}?)(?:设立|设置|成立)"),  # 在市价格主管部门设立领导小组办公室
]
BODY_RE = load_lexicon().unit_suffix_re  # how a unit's name ends (lexicon.toml [bodies])
TITLE_QUOTE_RE = re.compile(r"《([^《》]+)》")
MIN_QUOTED_TITLE = 8
# words by which a question points at an older document the one retrieved replaced: its own header never answers
_KINDS = "|".join(load_lexicon().document_kind_words)
OTHER_DOCUMENT_RE = re.compile(
    r"作废|废止|旧版|老版|上一版|前一版|原来的|原先的|被取代|被替代|(?:之前|以前|此前)(?:那|的)?一?[版份个]|"
    rf"被[^，,。；;？?]{{0,20}}?(?:取代|替代|代替|替换|替掉)|(?:旧|老)的?(?:{_KINDS})"  # 被新版…替代的那份旧预案
)
# an English question about a document another one cites or replaces: its own header is no answer
ENGLISH_OTHER_DOCUMENT_RE = re.compile(
    r"\bcit(?:e|es|ed|ing)\b|\bbased on\b|\brefer(?:s|red)? to\b|\breplac(?:e|es|ed)\b|\brepeal(?:s|ed)?\b|"
    r"\bin the spirit of\b|\bin accordance with\b|\bpursuant to\b|\bfollow(?:s|ed|ing)?\b(?! up)|"  # 根据…精神, 按照
    r"\b(?:previous|earlier|former|old) (?:version|edition)\b",
    re.I,
)
ENGLISH_REPLACED_RE = re.compile(
    r"\breplac(?:e|es|ed)\b|\brepeal(?:s|ed)?\b|\bsupersed(?:e|es|ed)\b|\babolish(?:es|ed)?\b|"
    r"\b(?:previous|earlier|former|old) (?:version|edition|plan|notice|document)\b",
    re.I,
)
REPEALED_RE = re.compile(r"废止|作废|停止执行|不再执行")  # what a 公文 says of the document it replaces
# a normative document's registration number (规范性文件统一登记号: HNPR—2014—01050, ZJSP01-2023-0001), printed
# under its 文号 and asked for by name or by its letters: the 文号 is no answer to it
REGISTRATION_ASKED_RE = re.compile(
    r"登记(?:编)?号|统一编号|备案号|(?P<prefix>[A-Za-z]{2,})\s*(?:开头|打头|编号|号码)|registration (?:number|no)", re.I
)
REGISTRATION_NO_RE = re.compile(r"(?<![A-Za-z])[A-Z]{2,}[A-Z0-9]*(?:[—–\-－]\d{2,}){2,}")
# a question about the document the named one follows (依据的2021年中央一号文件, 引用的那份通知): when no passage cites
# it, the named document's own header is no answer
# 照着国办哪个文件来的: everyday Chinese for 依据
CITING_QUESTION_RE = re.compile(r"(?:依据|根据|按照|依照|参照|引用|提到|(?<![吸指牵索])引)的|照着")  # 里面引的: 引用的
# the time of an event the document announces (报名截止日期, 什么时候开始报名, 评审时间) — not the document's own date,
# unless the question also says it asks when the document was issued (印发, 发布, 落款 …)
EVENT_ACTIONS = r"报名|申报|评审|截止|举办|开展|启动|召开|施行|实施|生效|开始|结束|反馈|完成|上线|开通"
EVENT_TIME_RE = re.compile(
    rf"(?:{EVENT_ACTIONS})\w{{0,6}}?(?:时间|日期|什么时候|哪天|何时|哪一天)|(?:什么时候|何时|哪天)\w{{0,3}}?(?:{EVENT_ACTIONS})"
)
ISSUED_RE = re.compile(r"印发|发布|发文|成文|落款|签发|出台|下发|印的|发的")
# an English question asks for the document's date only when it says so (when was it issued, what is its date); when
# will the conference be held asks for an event's
ENGLISH_ISSUED_RE = re.compile(r"\b(?:issu\w*|dated?|signed|published|released|promulgated)\b", re.I)
CITED_CUES = re.compile(
    r"依据|根据|按照|照着|废止|原来|原先|旧|老版|上一版|引用|(?<![吸指牵索])引的|提到的|请示|上级|转发的|依照"
)


@dataclass(frozen=True)
class DirectAnswer:
    text: str  # e.g. 牵头单位：区卫健局
    passage: int  # index of the passage that proves it


def answer_document(q: Question, hits: list[Hit]) -> str | None:
    """The document a direct answer may come from. For a question about a document itself (its 文号, date,
    issuer): the retrieved document whose title, issuer and date the question's words match best. Otherwise the
    best passage's, unless the question names a place or year that another retrieved document matches and it does
    not."""
    if not hits:
        return None
    names = [*q.places, *q.years]
    if q.qtype.about_document and not q.latin:
        scored = [(subject_overlap(q, identity(h.meta)), h) for h in hits[:5]]
        # an excluded clause that names one of a document's joint issuers (除了新区管委会) does not rule out the
        # document the question names by its place
        named = [(s, h) for s, h in scored if not ruled_out(q, identity(h.meta), s) or _placed(q, h.meta)] or scored
        # a document of none of the places and years named (湖南2023 for 鄂科协2024…印发通知) is not the one asked
        # about for the words its title shares with the question (印发, 通知); one of some of them may be (咸安's
        # 2021-2025 plan, which cites 湖北's)
        fits = [(s, h) for s, h in named if any(constraint_met(n, h, q.places, q.doc_years) for n in names)]
        return max(fits or named, key=lambda sh: sh[0])[1].chunk.doc_id  # max keeps the better-ranked of equals
    for h in hits[:5]:
        if all(constraint_met(n, h, q.places, q.doc_years) for n in names):
            return h.chunk.doc_id
    return None  # the place or year named is in none of them: no document may answer for it


def _placed(q: Question, meta: DocMeta) -> bool:
    ident = identity(meta)
    return bool(q.places) and all(fold(p) in ident for p in q.places)


def ruled_out(q: Question, text: str, kept: float | None = None) -> bool:
    """``text`` says what the question excludes. An answer is ruled out by its one word (区全民科学素质工作领导小组
    after 除了领导小组; 湘政办发〔2014〕54号 after 除了湘政办发的文号: 文号 is the kind of answer) or by most of its
    words (除了新区管委会 rules out 河北雄安新区管理委员会, not 中共河北雄安新区工作委员会, which says only 新区).
    A document's names (``kept``: the share of the question's own words they say) only by most of
    its words, and more of them than of the question's: 防汛应急预案那个通知除了湘政办发的文号以外
    rules out a 文号, not the document it names."""
    for excluded in q.excluded:
        words = _excluded_words(excluded)
        # a place the question names qualifies what is excluded (雄安新区管委会): every body there says it
        words = tuple(w for w in words if not any(fold(p) == fold(w) for p in q.places)) or words
        share = said_share(words, text)
        if (share > (0.5 if len(words) > 1 else 0)) if kept is None else share >= 0.5 and share > kept:
            return True
    return False


SCOPED_NOUN_CHARS = 2  # 全省科技馆 / 省科技馆: the two characters after the level name the thing (科技)
BODY_NAME_CHARS = 4  # 科技馆, 卫健委, 人民政府: a body's name after its level ends as a unit's does within this many
MIN_NAMING_CHARS = 4  # 湖北省科协2024年: a run of the question this long that the document's names hold names it


@lru_cache(maxsize=8)
def _scope_patterns(scopes: tuple[str, ...]) -> tuple[tuple[re.Pattern, str], ...]:
    """(a level followed by a name, the characters that make it the whole level) — 省 with 全 and 各 — built once."""
    openers: dict[str, str] = {}
    for scope in scopes:
        openers[scope[1:]] = openers.get(scope[1:], "") + scope[0]
    following = rf"(?=([\u4e00-\u9fa5]{{{SCOPED_NOUN_CHARS},{BODY_NAME_CHARS}}}))"
    return tuple((re.compile(rf"(.?){re.escape(level)}{following}"), opener) for level, opener in openers.items())


def _scoped(text: str, lexicon) -> tuple[set[str], set[str]]:
    """(what ``text`` names at one level — 省科技馆 → 科技 —, what it names across a whole level — 全省科技馆 → 科技),
    each by its last mention: 既有全省科技馆的目标，也有省科技馆自己的目标，我问的是省科技馆 asks of the one body."""
    last: dict[str, tuple[int, bool]] = {}
    suffix = lexicon.unit_suffix_re
    for pattern, opener in _scope_patterns(lexicon.scopes):
        for m in pattern.finditer(text):
            name = m.group(2)
            if not any(suffix.search(name[:n]) for n in range(SCOPED_NOUN_CHARS, len(name) + 1)):
                continue  # 全省公民: no body
            if m.start() >= last.get(name[:SCOPED_NOUN_CHARS], (-1, False))[0]:
                last[name[:SCOPED_NOUN_CHARS]] = (m.start(), bool(m.group(1)) and m.group(1) in opener)
    return {n for n, (_, w) in last.items() if not w}, {n for n, (_, w) in last.items() if w}


@lru_cache(maxsize=256)
def _unnamed(text: str, naming: str) -> str:
    """``text`` less its runs of MIN_NAMING_CHARS or more that the document's names hold (湖北省科协2024年 of
    湖北省科协2024年科普工作要点): they say which document, not which figure."""
    out, i = [], 0
    while i < len(text):
        j = i + MIN_NAMING_CHARS
        if text[i:j] in naming and j <= len(text):
            while j < len(text) and text[i : j + 1] in naming:
                j += 1
            out.append(" ")
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def asked_scopes(q: Question, hit: Hit) -> tuple[set[str], set[str]]:
    """What the question asks of one body at a level and of a whole level (_scoped), less the runs that name the
    passage's document."""
    return _scoped(_unnamed(fold(to_simplified(q.base)), identity(hit.meta)), load_lexicon())


def other_scope(asked: tuple[set[str], set[str]], clause: str) -> bool:
    """The clause says of a whole level what the question asks of the one body at it, or the reverse: 力争全省科技馆
    年接待观众超400万人次 does not answer 省科技馆一年接待多少观众 (the provincial museum's own 120万人次 does).
    Only bodies count: 全省公民 and 甲省公民 are the same people."""
    said_body, said_whole = _scoped(fold(to_simplified(clause)), load_lexicon())
    return bool(asked[0] & said_whole or asked[1] & said_body)


@lru_cache(maxsize=256)
def _excluded_words(excluded: str) -> tuple[str, ...]:
    """The words of an excluded clause, cut once per question rather than once per candidate answer."""
    lexicon = load_lexicon()  # 除了湘政办发的文号: 文号 is the kind of answer, not a name
    return tuple(w for w in subject_words(excluded) if len(w) >= 2 and not lexicon.names_type(w))


@lru_cache(maxsize=256)
def _asking_text(question: str) -> str:
    """The folded asking clause, found once per question rather than once per candidate body."""
    return fold(asking_clause(question, load_lexicon()))


def _restates(q: Question, body: str) -> bool:
    """A body the question rules out, or the one its asking clause is about (领导小组办公室是设在哪个部门的 is not
    answered by 领导小组办公室负责…): no answer to who leads or who is responsible."""
    return ruled_out(q, body) or fold(body) in _asking_text(q.base or q.text)


def _fields(hit: Hit, key_re: re.Pattern) -> str | None:
    return next((v for k, v in hit.chunk.fields.items() if key_re.search(to_simplified(k)) and v.strip()), None)


def _about(q: Question, hit: Hit) -> bool:
    if q.latin:
        return True  # an English question shares no characters with the text: the ranking speaks for it
    return subject_overlap(q, _context(hit)) >= MIN_SUBJECT_OVERLAP


def _context(hit: Hit) -> str:
    """The passage with its headings, which name what it is about."""
    return " ".join([*hit.chunk.section_path, hit.chunk.text])


def _sentences(hit: Hit) -> list[str]:
    return [m.group(0) for m in SENTENCE_RE.finditer(hit.chunk.text)]


def _bodies(found: str) -> str | None:
    """A list of bodies (区科技局、区财政局; 组干科; 市价格主管部门) — not a clause that happened to precede 牵头."""
    parts = [_past_verbs(p.strip()) for p in re.split(r"[、，,和及与]", found) if p.strip()]
    ok = parts and all(BODY_RE.search(p) and len(p) >= 2 for p in parts)
    return "、".join(parts) if ok else None


MIN_BODY_CHARS = 3  # 省应急厅; a shorter rest (局 of 区发改局, which the tagger reads as a verb and 局) is no name


def _past_verbs(part: str) -> str:
    """The body's name without the clause before it (重点配合做好省应急厅牵头开展的… → 省应急厅): what follows the
    last verb, when that is a name of its own."""
    from .question import _pos_cut

    toks = _pos_cut(part)
    for i in range(len(toks) - 1, 0, -1):
        if toks[i - 1][1] == "v" and len(toks[i - 1][0]) >= 2:
            rest = "".join(w for w, _ in toks[i:])
            if len(rest) >= MIN_BODY_CHARS and BODY_RE.search(rest) and part.endswith(rest):
                return rest
            break
    return part


def _by_patterns(q: Question, hit: Hit, patterns: list[re.Pattern]) -> str | None:
    """The first pattern match in the heading (it names what its section governs), then in the passage's sentences
    from the one most about the topic down (words naming the document left out, see highlight.topic_words): a note
    such as （市住建局牵头） or 由区科协牵头 need not repeat it."""
    asking = _asking_terms(q, hit)
    candidates = [((1.0, 1.0), hit.chunk.section_path[-1])] if hit.chunk.section_path else []
    # an English question's topic is ``asking`` already: its single-character terms (厅) match any body's name
    topic = (lambda s: 0.0) if q.latin else (lambda s: topic_overlap(q, hit, s))
    candidates += sorted((((-said_share(asking, s), -topic(s)), s) for s in _sentences(hit)), key=lambda c: c[0])
    candidates = [(key, to_simplified(c)) for key, c in candidates]  # the patterns are written in simplified
    quoting = [c for c in candidates if all(n in _bare(c[1]) for n in quoted_names(q))]
    words = asking if q.latin else topic_words(q, hit.meta)
    if quoting and quoting != candidates and (found := _first_match(q, quoting, patterns, asking, words)):
        return found  # the sentence that says what is quoted (联合国务院食安办修订发布《…大纲》) first
    return _first_match(q, candidates, patterns, asking, words)


def _asking_terms(q: Question, hit: Hit) -> tuple[str, ...]:
    """The words of the asking clause; for an English question, the glossary's Chinese for its topic (online →
    网络), less single characters (省, 厅), which match inside any body's name."""
    if not q.latin:
        return asking_words(q)
    return tuple(w for w in topic_words(q, hit.meta) if len(w) >= MIN_TERM_CHARS)


MIN_TERM_CHARS = 2


def _first_match(
    q: Question, candidates: list[tuple[tuple, str]], patterns: list[re.Pattern], asking, topic=()
) -> str | None:
    """The body of the first matching text (甲厅牵头开展的安全宣传、乙委牵头开展的健康行动: of the work asked
    about); none when texts as much about the question name other bodies for work the question does not tell apart."""
    lexicon = load_lexicon()
    asking = tuple(w for w in asking if not lexicon.is_answer_kind(w)) or asking  # 哪个单位: 单位 is no topic
    for pattern in patterns:
        found = [
            (key, b, said_share(asking, after := text[m.end() : m.end() + FOLLOWING_CHARS]), after)
            for key, text in candidates
            for m in pattern.finditer(text)
            if (b := _bodies(m.group(1).strip("，,、；; "))) and not _restates(q, b)
        ]
        if found:
            if named := _named_work(q, topic, found):
                return named
            tied = [f for f in found if f[0] == found[0][0]]
            best = max(tied, key=lambda f: f[2])
            if any(f[1] != best[1] and f[2] == best[2] for f in tied):
                raise Unsure(best[1])
            return best[1]
    return None


def _named_work(q: Question, topic: tuple[str, ...], found: list[tuple]) -> str | None:
    """Of several notes (甲厅牵头开展的安全宣传；乙委牵头开展的健康湖南行动), the one whose work, written after it, the
    question names — by the asking clause's words, then by all its topic words (健康湖南行动，是由哪个单位牵头开展的:
    开展 follows every note) — wherever its sentence ranks; none when no work is named or two bodies' fit alike."""
    scored = [((share, said_share(topic, after)), body) for _, body, share, after in found]
    best = max(scored, key=lambda s: s[0])
    if best[0] == (0.0, 0.0) or any(s[0] == best[0] and s[1] != best[1] for s in scored):
        return None
    return best[1]


class Unsure(Exception):
    """Several bodies fit the question equally: giving one would be a guess, and looking further (the sentence's
    opening body) would guess again."""


# what a 牵头 / 负责 note is about follows it (省卫健委牵头开展的健康湖南行动); it is matched against the words of
# the asking clause: in a long question (我在…负责科普，看了…，想知道健康湖南行动是哪个部门牵头开展的) the
# context names other work
FOLLOWING_CHARS = 25


WHO_ACTION_RE = re.compile(r"谁(?:来|去|要)?([\u4e00-\u9fa5]{2,})")  # 由谁来制定, 由谁充分发挥属地作用
MIN_ACTION_CHARS = 4  # an action looked for as written in the passage: 制定 alone is too common
# a sentence that opens with its actor: 区委区政府督查室要…, 各区人民政府应当…, 市科协负责…
SUBJECT_RE = re.compile(r"([\u4e00-\u9fa5、]{2,30}?)(?:要|应当|应|将|负责|根据|按照|会同|牵头|适时|切实|积极|统筹)")


def _actor(q: Question, hit: Hit) -> str | None:
    """由谁充分发挥属地作用: the body the passage puts before that action (各区人民政府充分发挥属地作用)."""
    m = WHO_ACTION_RE.search(to_simplified(q.base))
    if not m or len(m.group(1)) < MIN_ACTION_CHARS:
        return None
    action, text = m.group(1), to_simplified(hit.chunk.text)
    for n in range(len(action), MIN_ACTION_CHARS - 1, -1):
        if (i := text.find(action[:n])) > 0:
            left = max(text.rfind(d, 0, i) for d in CLAUSE_DELIMITERS + "。\n ")
            return _bodies(text[left + 1 : i].strip())
    return None


def _sentence_subject(q: Question, hit: Hit) -> str | None:
    """The body a sentence about the question's subject opens with: "区委区政府督查室要……开展督查督办工作" answers
    "督查督办由哪个部门负责"."""
    # the two most about it, those saying the asked noun first (督查督办由谁负责: 督查)
    # topic words: those naming the document (天津老旧小区更新改造方案) say which document, not which sentence
    for sentence in sorted(_sentences(hit), key=lambda x: (-said_share(q.asked, x), -topic_overlap(q, hit, x)))[:2]:
        if topic_overlap(q, hit, sentence) < MIN_CLAUSE_OVERLAP:
            return None
        if (m := SUBJECT_RE.match(to_simplified(sentence).strip())) and (found := _bodies(m.group(1))):
            return found
        if _does_the_asked_action(q, sentence) and (found := _opening_body(sentence)):
            return found
    return None


def _does_the_asked_action(q: Question, sentence: str) -> bool:
    """The sentence says the action asked about (改造计划由谁来制定 → 科学制定改造目标); a one-character verb
    (改造目标由谁来定) with what it is done to."""
    text, said = to_simplified(q.base), to_simplified(sentence)
    if m := ONE_CHARACTER_ACTION_RE.search(text):
        words = subject_words(m.group("what"))
        return m.group("verb") in said and said_share(words, said) >= MIN_CLAUSE_OVERLAP
    m = WHO_ACTION_RE.search(text)
    return bool(m) and m.group(1)[:2] in said


# 改造目标由谁来定, 这事归谁管: the verb is one character, so what it is done to must be said with it
ONE_CHARACTER_ACTION_RE = re.compile(
    r"(?P<what>[\u4e00-\u9fa5]{2,10})(?:由|归|让)谁(?:来|去)?(?P<verb>[\u4e00-\u9fa5])(?:[呢啊呀吗？?。，,！!]|$)"
)


OPENING_CHARS = 12  # how far into a sentence the name of the body that opens it may end
REQUEST_RE = re.compile(r"^(?:请|望|希望|要求)")  # 请各牵头单位…: those addressed, not the actor


def _opening_body(sentence: str) -> str | None:
    """The body a sentence opens with, straight before its verb (各区人民政府充分发挥属地作用): the longest opening of
    at most OPENING_CHARS characters that ends as a body's name does."""
    head = re.match(r"[\u4e00-\u9fa5、]+", to_simplified(sentence).strip())
    if not head or REQUEST_RE.match(head.group(0)):
        return None
    suffix = load_lexicon().unit_suffix_re
    text = head.group(0)[:OPENING_CHARS]
    for end in range(len(text), 1, -1):
        if suffix.search(text[:end]):
            return _bodies(text[:end])
    return None


QUOTED_RE = re.compile(r"[“\"《]([^“”\"《》]{2,40})[”\"》]")


def quoted_names(q: Question) -> list[str]:
    """What the question quotes (“建立保障经费投入和落实奖励机制”这一项, 《食品安全科普宣传大纲》): an exact
    reference, which the answering passage, and the sentence a body is read from, must say."""
    return [_bare(m.group(1)) for m in QUOTED_RE.finditer(to_simplified(q.base))]


def _bare(text: str) -> str:
    """Folded, without quotation marks: “建设‘科普咸安’平台” is the document's 建设“科普咸安”平台."""
    return re.sub(r"[“”‘’\"'「」『』]", "", fold(text))


def _says_quoted(q: Question, hit: Hit) -> bool:
    text = _bare(_context(hit))
    return all(n in text for n in quoted_names(q))


def _role_holder(q: Question, hits: list[tuple[int, Hit]]) -> DirectAnswer | None:
    """A question naming the role (总的牵头部门是哪个) is answered by a passage giving a body that role, though a
    passage ranked above it says who 牵头组织实施 the work."""
    if not ROLE_ASKED_RE.search(to_simplified(q.base)):
        return None
    for i, hit in hits:
        try:
            found = _about(q, hit) and _by_patterns(q, hit, LEAD_ROLE_PATTERNS)
        except Unsure:
            return None
        if found and not ruled_out(q, found):
            return DirectAnswer(f"牵头单位：{found}", i)
    return None


def _unit_answer(label: str, qtype: QuestionType, patterns: list[re.Pattern]) -> Callable[[Question, Hit], str | None]:
    """An answerer for a body question: a table column of the asked kind, else the document's own wording."""

    def answer(q: Question, hit: Hit) -> str | None:
        if not _about(q, hit) or not _says_quoted(q, hit):
            return None
        sources = (lambda: _fields(hit, FIELD_COLUMN_RE[qtype]), lambda: _by_patterns(q, hit, patterns))
        sources += (lambda: _actor(q, hit), lambda: _sentence_subject(q, hit))
        try:
            found = next((f for source in sources if (f := source()) and not _restates(q, f)), None)
        except Unsure:
            return None
        return f"{label}：{found}" if found else None

    return answer


lead_answer = _unit_answer("牵头单位", QuestionType.LEAD, LEAD_PATTERNS)
responsible_answer = _unit_answer("责任单位", QuestionType.RESPONSIBLE, RESPONSIBLE_PATTERNS)


def _number_re() -> re.Pattern:
    units = load_lexicon().units_pattern
    return re.compile(
        rf"(?:不少于|不低于|不超过|超过|超|突破|达到|达|力争|约|近|共|累计|新增|减少|增长|增加)?\s*"
        rf"(?:{NUM}\s*(?:万|千|百|亿)?|{CN_NUM})\s*(?:{units})(?!(?<=周)年)(?:以上|左右|以内|以下)?"
    )  # 75周年 is an anniversary, not 75 weeks


def _clause(sentence: str, start: int, end: int) -> str:
    """The words around a number up to the nearest delimiters: 湖北省科普惠民社区(村)72个 in a list of three."""
    left = max(sentence.rfind(d, 0, start) for d in CLAUSE_DELIMITERS)
    rights = [i for d in CLAUSE_DELIMITERS if (i := sentence.find(d, end)) >= 0]
    return sentence[left + 1 : min(rights) if rights else len(sentence)]


def _grams_in(q: Question, text: str) -> int:
    t = fold(text)
    return sum(g in t for g in set(bigrams(q.subject)))


def number_answer(q: Question, hit: Hit) -> str | None:
    """The number the question asks for in this passage (see _number_match)."""
    found = _number_match(q, hit)
    return found[1] if found else None


def _number_match(q: Question, hit: Hit) -> tuple[float, str] | None:
    """(how well its clause fits the question, the number): by asked unit (几站 → 站; 个 standing for a counted
    thing's classifier, 学校40个 for 几所学校), then the one whose words match the subject — a count follows its
    noun (科普惠民社区72个), an ordinal precedes it (第15届…竞赛). The highlighted sentence is read first; when it holds
    no such number, another sentence of the passage may answer, but only with a number whose own clause says the
    word asked about (2、同意…合并设立花垣镇。新设立的花垣镇…总人口10.3万人: 总人口)."""
    if SEVERAL.search(q.text) or not _about(q, hit) or hit.highlight is None or _count_unknown(q):
        return None
    if found := _sentence_number(q, hit, *hit.highlight):
        return found
    # the asked noun (几个乡镇), or the word before 多少 unless it names the document (玉林去年GDP涨了多少: not 玉林)
    before = _head_word(q)
    before = before if before and fold(before) not in identity(hit.meta) else None
    heads = (*q.asked, before, _counted_after(q))
    heads = tuple(dict.fromkeys(w for w in heads if w and w not in q.unknown and w not in q.places))
    if not heads:
        return None
    others = [m.span() for m in SENTENCE_RE.finditer(hit.chunk.text) if m.span() != hit.highlight]
    found = [f for a, b in others if (f := _sentence_number(q, hit, a, b, heads=heads))]
    return max(found, key=lambda f: f[0]) if found else None


def _counted_after(q: Question) -> str | None:
    """What a count asks the number of, as the question writes it after 多少个 / 几个 (新设立的花垣镇下辖多少个建制村 →
    建制村), which the tagger may have cut into a verb and a character."""
    units = load_lexicon().units_pattern
    ending = r"[呢啊呀吗]?(?:[？?，,。！!]|$)"
    m = re.search(rf"(?:多少|几)\s*(?:{units})([\u4e00-\u9fa5]{{2,6}}?){ending}", to_simplified(q.base))
    return fold(m.group(1)) if m else None


def _count_unknown(q: Question) -> bool:
    """An English question counts something the glossary has no Chinese for (how many visitors): which of a
    passage's figures counts it (120万人次 or 1万场次) cannot be told, so no number is given."""
    if not q.latin or not (m := ENGLISH_ASKED_RE.search(q.base)) or not m.group("c"):
        return False
    # the counted noun itself must be glossed (scientist-spirit lecture events: events), not only a word before it
    # (lecture → 讲堂 picked the lecture hall's figure); "sessions of the … Lecture Hall" counts what follows "of"
    counted = re.split(r"\s+of\s+", m.group("c").strip())
    if len(counted) > 1:
        return not gloss_groups(counted[-1])
    return not gloss_groups(counted[0]) or counted[0].split()[-1] in unglossed(counted[0]).split()


def _sentence_number(
    q: Question, hit: Hit, start: int, end: int, heads: tuple[str, ...] = ()
) -> tuple[float, str] | None:
    """The best number of one sentence about the topic; with ``heads`` (the asked noun: 几个乡镇, 总人口是多少), only
    a number whose own clause says one of them, which is then about the topic enough."""
    sentence = to_simplified(hit.chunk.text[start:end])  # 萬 個 read as 万 个
    if "第几" in q.base:
        ordinals = list(ORDINAL_RE.finditer(sentence))
        if (named := ORDINAL_ASKED_RE.search(to_simplified(q.base))) and not ordinals:  # 第51常务会议: 次 left out
            ordinals = list(re.finditer(rf"第\s*[\d一二三四五六七八九十百]+(?=\s*{named.group(1)})", sentence))
        if not ordinals:
            return None
        best = max(ordinals, key=lambda m: _grams_in(q, sentence[m.end() : m.end() + 20]))
        if _topic_share(q, hit, sentence[best.end() : best.end() + 20]) < MIN_EVENT_SHARE:
            return None  # 第38届 of 青少年科技创新大赛 does not count the 青少年机器人竞赛 asked about
        return float(_grams_in(q, sentence[best.end() : best.end() + 20])), re.sub(r"\s+", "", best.group(0))
    lexicon = load_lexicon()
    units = lexicon.units_pattern
    candidates = [
        m for m in _number_re().finditer(sentence) if not YEAR_ONLY.fullmatch(m.group(0)) and not _article(m.group(0))
    ]
    candidates = [m for m in candidates if re.search(r"\d", m.group(0)) or _asked_unit(q, units)]
    if measures := asked_measures(q.base, lexicon):  # 多少钱 → a figure in 元; 比例 → in %
        candidates = [m for m in candidates if any(u in m.group(0) for u in measures)]
    stand_in = 0.0
    if unit := _asked_unit(q, units):
        exact = [m for m in candidates if unit in m.group(0)]
        general = [
            m
            for m in candidates
            if unit in lexicon.classifiers
            and (_counted_with(m.group(0), "个") or (_counted_with(m.group(0), "大") and _counts_asked(q, sentence, m)))
        ]
        stand_in = 0.0 if exact else 1.0
        candidates = exact or general or (candidates if unit == "万" else [])
    # 说的是省馆，不是全省: a figure whose clause says what the question rules out, or says it of the whole level
    # when the question asks of the one body (or the reverse), is not the one asked
    clauses = {m.start(): _clause(sentence, m.start(), m.end()) for m in candidates}
    scopes = asked_scopes(q, hit)
    candidates = [m for m in candidates if not (ruled_out(q, c := clauses[m.start()]) or other_scope(scopes, c))]
    if not candidates or not _says_the_groups(q, sentence, lexicon) or not _of_the_asked_year(q, hit, sentence):
        return None
    if ACTUAL_ASKED_RE.search(q.base) and TARGET_SENTENCE_RE.search(sentence):
        return None  # 现在已经有多少家 is not answered by 到2025年…达1000家以上
    heading = YEAR_RE.sub("", hit.chunk.section_path[-1]) if len(hit.chunk.section_path) > 1 else ""  # its topic
    if not heads and _topic_share(q, hit, f"{heading}\n{sentence}") < MIN_CLAUSE_OVERLAP:
        return None  # the sentence, under its heading (一、工作目标), is not about what was asked
    head = _head_word(q)
    opening = max(hit.chunk.text.rfind(d, 0, start) for d in "。\n") + 1  # 现辖…9个镇；长乐…总人口 is 花垣县's
    owners = _named_towns(asking_clause(q.base, load_lexicon(), topic=True))
    candidates = [m for m in candidates if not _of_another_town(owners, hit.chunk.text[opening : start + m.start()])]
    if not candidates:
        return None  # 新设立的双龙镇辖34个建制村 does not answer 石栏镇下面辖几个建制村

    def fit(m: re.Match) -> float:
        clause = _clause(sentence, m.start(), m.end())
        owner = PREFIX_WEIGHT * _grams_in(q, hit.chunk.text[opening : start + m.start()])  # whose 总人口
        return _grams_in(q, clause) + (3.0 if head and head in fold(clause) else 0.0) + owner

    if heads:
        candidates = [m for m in candidates if any(h in fold(clauses[m.start()]) for h in heads)]
        if not candidates:
            return None
    asked = [w for w in q.asked if _is_noun(w)]
    candidates = [m for m in candidates if _says_any(asked, clauses[m.start()])] or candidates
    best = max(candidates, key=fit)
    if any(fit(m) == fit(best) and _bare_number(m) != _bare_number(best) for m in candidates):
        return None  # 特色产业基地93个、科普惠民社区(村)72个 and nothing in the question to choose between them
    number = best.group(0)
    if number.endswith("大"):  # 3大 says nothing alone: 3大电信运营商
        number += counted_noun(sentence[best.end() : best.end() + COUNTED_NOUN_CHARS])
    return fit(best) - stand_in, re.sub(r"\s+", "", number)


COUNTED_NOUN_CHARS = 10
MIN_EVENT_SHARE = 0.5  # of the topic's bigrams, said by the name an ordinal counts (第39届广东省青少年科技创新大赛)


def asked_measures(question: str, lexicon) -> tuple[str, ...]:
    """The units a number question's measure words ask for (多少钱 → 元, 万元 …), all of them when it says several:
    多大比例 asks a share, not an area, and 补助比例 a share or a sum — the figure the passage gives decides."""
    found = [u for word, units in lexicon.asked_units.items() if word in question for u in units]
    return tuple(dict.fromkeys(found))


# a question about what is (现在已经有多少, 调查结果是多少) and a sentence about what is to be (到2025年…达到, 力争)
ACTUAL_ASKED_RE = re.compile(r"现在|目前|已经|现有|实际|截至|至今|调查结果|结果")
TARGET_SENTENCE_RE = re.compile(r"到\s*(?:19|20)\d{2}\s*年|力争|目标")


def _of_the_asked_year(q: Question, hit: Hit, sentence: str) -> bool:
    """A target of another year is no answer: 到2025年…达到16% does not say what 2035年 is to reach. A year the
    question names that is not the document's own must be the sentence's, when the sentence gives one."""
    ident = identity(hit.meta)
    asked = [y for y in q.years if y not in ident]
    said = YEAR_RE.findall(sentence)
    return not asked or not said or any(y in said for y in asked)


def _says_the_groups(q: Question, sentence: str, lexicon) -> bool:
    """A figure for a group of people (城镇劳动者, 老年人) is not read off a sentence about everyone (全区公民具备
    科学素质的比例达到16%) or about another group."""
    asking = asking_clause(q.base, lexicon)  # 组织职工去参观…，科技馆全年接待多少观众: the context's 职工 is not asked
    groups = [g for g in lexicon.population_groups if g in asking]
    return not groups or any(g in sentence for g in groups)


# Equal clauses (总人口10.3万人, 总人口30.9万人) are told apart by what the sentence says before them, which names the
# place or body they belong to; weighted so that it never outweighs one bigram of the clause itself.
PREFIX_WEIGHT = 0.01


def _is_noun(word: str) -> bool:
    """One word, tagged a noun (总人口, 观众): what a figure is of; a verb asked with (建设, 接待) is not."""
    from .question import _pos_cut

    tags = _pos_cut(word)
    return len(word) >= 2 and len(tags) == 1 and tags[0][1].startswith("n")


def _says_any(words: list[str], text: str) -> bool:
    return any(fold(w) in fold(text) for w in words)
TOWN_RE = re.compile(r"([\u4e00-\u9fa5]{2})[镇乡县](?![镇乡县])")  # 石栏镇, 排吾乡, 花垣县: a name of two characters


def _named_towns(text: str) -> set[str]:
    """The towns, townships and counties a text names, by the two characters before 镇 / 乡 / 县 (乡镇 and 全县 are
    no names, nor 轮乡 of 本轮乡镇: lexicon [not_places])."""
    lexicon = load_lexicon()
    found = (m for m in TOWN_RE.finditer(to_simplified(text)) if m.group(0) not in lexicon.not_places)
    return {m.group(1) for m in found if not lexicon.not_name_chars.intersection(m.group(1))}  # 撤乡设镇: no name


def _of_another_town(asked: set[str], before: str) -> bool:
    """The sentence, up to the figure, names towns but not the one the question asks about: the figure is theirs."""
    named = _named_towns(before)
    return bool(asked) and bool(named) and not asked & named


def _article(number: str) -> bool:
    """一 with a classifier in characters is how Chinese says "a" (服务科普最后一公里, 建设一支队伍), not a count: 公文
    write counts and measures in Arabic figures (GB/T 15835), so a figure of one is 1座, 1个."""
    return bool(re.fullmatch(r"一\s*[^\d一二三四五六七八九十百千两万亿]+", number)) and not re.search(r"\d", number)


def _counts_asked(q: Question, sentence: str, m: re.Match) -> bool:
    """N大 stands for a count only of what the question counts (几家运营商 → 3大电信运营商); 二十大精神, 六大工程
    count something else."""
    noun = counted_noun(sentence[m.end() : m.end() + COUNTED_NOUN_CHARS])
    return bool(noun) and any(g in fold(q.base) for g in bigrams(fold(noun)))


def _bare_number(m: re.Match) -> str:
    return re.sub(r"\s+", "", m.group(0))


def _counted_with(number: str, classifier: str) -> bool:
    return re.sub(r"(?:以上|左右|以内|以下)$", "", number).endswith(classifier)


def _topic_share(q: Question, hit: Hit, sentence: str) -> float:
    """Share of the topic's bigrams, word by word, that ``sentence`` holds (the topic: the subject less the words
    that name the passage's document, see highlight.topic_words)."""
    grams = [g for w in topic_words(q, hit.meta) for g in dict.fromkeys(bigrams(w))]
    if not grams:
        return 0.0
    t = fold(sentence)
    return sum(g in t for g in grams) / len(grams)


def _head_word(q: Question) -> str | None:
    """The word the question asks the number of: the last content word before 多少 / 几 (全县总人口是多少 → 总人口) —
    the last of them: 报告里列了好几个园区…其中开发区的产值达到多少 asks at its end."""
    m = _last(re.finditer(r"多少|几|百分|比例", q.base))
    before = fold(q.base[: m.start()]) if m else ""
    words = [w for w in subject_words(q.subject) if w in before and w not in q.unknown]
    return max(words, key=before.rfind) if words else None


def _asked_unit(q: Question, units: str) -> str | None:
    """The unit a count asks in: 几站 → 站; in English, the Chinese term of the counted noun when it is a unit
    (how many stops → 站)."""
    if q.latin and (m := ENGLISH_ASKED_RE.search(q.base)) and m.group("c"):
        return next((t for g in gloss_groups(m.group("c")) for t in g if re.fullmatch(units, t)), None)
    asking = _last(re.finditer(r"几|多少", q.base))  # 列了好几个园区…产值达到多少: not 个
    m = re.match(rf"(?:几|多少)\s*({units}|万)", q.base[asking.start() :]) if asking else None
    return m.group(1) if m else None


def _last(matches):
    return next(iter(reversed(list(matches))), None)


def cited_doc_no(q: Question, hit: Hit) -> str | None:
    """A 文号 the passage cites (《…》（国发〔2021〕9号）) whose surrounding words match the question better than
    the passage's own document does: the question is about the cited document."""
    own = fold(hit.meta.doc_no)
    # asked of the document this one follows or replaces (照着国办哪个文件来的), any citation beats its own header
    follows = not _asks_own_header(q) or bool(q.latin and ENGLISH_OTHER_DOCUMENT_RE.search(q.base))
    best, best_score = None, 0.0 if follows else subject_overlap(q, identity(hit.meta))
    years_named_elsewhere = any(y not in identity(hit.meta) for y in q.years)
    replaced = bool(OTHER_DOCUMENT_RE.search(q.base))
    for m in DOC_NO_RE.finditer(to_simplified(hit.chunk.text)):
        if fold(m.group(0)) == own or contradicts_given(q, m.group(0)):
            continue
        before = hit.chunk.text[max(0, m.start() - 60) : m.start()]
        score = subject_overlap(q, before) + (0.2 if CITED_CUES.search(q.base) else 0.0)
        score += 0.5 if years_named_elsewhere and any(y in m.group(0) for y in q.years) else 0.0
        if replaced and REPEALED_RE.search(hit.chunk.text[m.end() : m.end() + 12]):
            score += 1.0  # 《…》（湘政办函〔2008〕93号）同时废止: the document this one replaced, as asked
        if score > best_score:
            best, best_score = re.sub(r"\s+", "", hit.chunk.text[m.start() : m.end()]), score
    return best


CITED_TITLE_RE = re.compile(r"《([^《》]{2,40}?)关于([^《》]{4,80})》")  # 《中国科协办公厅关于…的通知》


def cited_issuer(q: Question, hit: Hit) -> str | None:
    """The body a cited title names (《中国科协办公厅关于加强科普标准化工作的通知》 → 中国科协办公厅) when the question
    says more of what that title is about than of the passage's own document: 要点要求落实一份关于加强科普标准化
    工作的通知，这份通知是哪个部门发的 asks of the cited notice, not of the 要点."""
    follows = not _asks_own_header(q)  # 咸安区方案所依据的湖北省…实施方案，是哪个机关印发的: the cited one
    best, best_score = None, 0.0 if follows else subject_overlap(q, identity(hit.meta))
    issuer_suffix = load_lexicon().issuer_suffix_re
    for m in CITED_TITLE_RE.finditer(to_simplified(hit.chunk.text)):
        body = m.group(1)
        if not issuer_suffix.search(body):
            continue
        if (score := subject_overlap(q, m.group(0))) > best_score:
            best, best_score = body, score
    return best


# how a 公文 names the document it replaces: 2008年6月25日印发的《湖南省防汛应急预案》(湘政办函〔2008〕93号)同时废止
REPLACED_DATE_RE = re.compile(
    r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:印发|发布|颁布|下发)的《[^《》]+》[^。；;]{0,40}?"
    r"(?:废止|作废|停止执行|不再执行)"
)


def replaced_date(hit: Hit) -> str | None:
    """The date of the document the passage's one replaces, as its repeal sentence gives it: asked when the old
    version (被新版…替代的那份旧预案) was issued, that date answers, never the new document's own."""
    m = REPLACED_DATE_RE.search(to_simplified(hit.chunk.text))
    return re.sub(r"\s+", "", m.group(1)) if m else None


def _about_document(q: Question, meta: DocMeta) -> bool:
    """The question names this document by its words (title, issuer, place), not just by its topic, and names no
    year or place the document is not of (2007年那份通知, 凤凰县的批复 are other documents), nor a title in 《》 that
    is not its own."""
    ident = identity(meta)
    if _quotes_its_number(q, meta):
        return True  # 湘科协通〔2023〕10号是以哪个单位的名义发的: a 文号 names one document
    if q.latin:
        return _named_in_english(q, ident)
    named = subject_overlap(q, ident) >= MIN_DOCUMENT_OVERLAP or any(fold(n) in ident for n in q.places)
    own = [p for p in q.places if fold(p) in ident]  # a place that only qualifies one of them (浙江衢州常山县) is met
    # 全国 beside another place (全国学会…《中国科协…要点》) contains it
    places = [p for p in q.places if p != COUNTRY or len(q.places) == 1]
    places_ok = all(p in own or any(within(o, p) for o in own) for p in places)
    return (
        bool(DOCUMENT_WORDS.search(q.base))
        and named
        and places_ok
        and all(y in ident for y in q.years)
        and all(_same_title(t, meta.title) for t in quoted_titles(q.base))
    )


def _quotes_its_number(q: Question, meta: DocMeta) -> bool:
    own = re.sub(r"\s+", "", fold(meta.doc_no))
    return bool(own) and own in re.sub(r"\s+", "", fold(q.base))


def _named_in_english(q: Question, ident: str) -> bool:
    """An English question names a document by its places and years (in pinyin and digits: at least one, all of
    them the document's) and by the Chinese terms of its words (key points → 要点, association → 科协), most of
    which the document's names say; the terms of the asked field (document number → 文号) are not names, nor what
    the document is called (a 要点 is often asked for as a work plan). A question about what the document cites or
    replaces is not about the document."""
    names = [*q.places, *q.years]
    lexicon = load_lexicon()
    kinds = tuple(lexicon.document_kinds)  # work plan, key points, notice: any kind, whatever the title calls it
    terms = tuple(
        t
        for t in q.glossed.split()
        if not lexicon.names_type(t) and not t.endswith(kinds) and not DOCUMENT_WORDS.fullmatch(t)  # issued → 印发
    )
    return (
        bool(names)
        and not ENGLISH_OTHER_DOCUMENT_RE.search(q.base)
        and not SEVERAL.search(q.base)  # each of two documents: no one header answers
        and all(fold(n) in ident for n in names)
        and (not terms or said_share(terms, ident) >= MIN_DOCUMENT_OVERLAP)  # Guangdong's 2024 key points
    )


def quoted_titles(text: str) -> list[str]:
    """Document titles the question quotes in 《》 (short quoted words such as 《实施方案》 are not titles)."""
    return [t for t in TITLE_QUOTE_RE.findall(text) if len(t) >= MIN_QUOTED_TITLE]


TITLE_MATCH = 0.8  # share of a quoted title's bigrams the document's title must hold: 2025版 is its 2025年版


def _same_title(quoted: str, title: str) -> bool:
    """The quoted title is this document's, written as people quote it: in part, or with a character left out."""
    a, b = fold(quoted), fold(title)
    if not b:
        return False
    if a in b or b in a:
        return True
    grams = set(bigrams(a))
    return bool(grams) and sum(g in b for g in grams) / len(grams) >= TITLE_MATCH


def meta_answer(q: Question, hit: Hit, neighbours: list[Hit] | None = None) -> str | None:
    """The document's own issuer, date or 文号 — or, for a 文号 question about a document it cites, the citation
    from any of its retrieved passages."""
    meta = hit.meta
    if q.qtype is QuestionType.DOC_NO and (asked := REGISTRATION_ASKED_RE.search(q.base)):
        return registration_answer(q, [hit, *(neighbours or [])], asked.group("prefix"))
    if q.qtype is QuestionType.DOC_NO:
        for h in neighbours or [hit]:
            if cited := cited_doc_no(q, h):
                return f"文号：{cited}"
    if q.qtype is QuestionType.ISSUER:
        for h in neighbours or [hit]:
            if cited := cited_issuer(q, h):
                return f"发文单位：{cited}"
    if q.qtype is QuestionType.DATE and (ENGLISH_REPLACED_RE if q.latin else OTHER_DOCUMENT_RE).search(q.base):
        return next((f"印发日期：{d}" for h in neighbours or [hit] if (d := replaced_date(h))), None)
    if not _about_document(q, meta) or not _asks_own_header(q):
        return None  # (or asks of the document this one replaced or follows, whose citation was not among the passages)
    if q.qtype is QuestionType.DOC_NO:
        return f"文号：{meta.doc_no}" if meta.doc_no else None
    if q.qtype is QuestionType.DATE:
        return f"成文日期：{cn_date(meta.date)}" if meta.date else None
    if PRINTER_ASKED_RE.search(q.base) and (printed := _printed_by(neighbours or [hit])):
        return printed
    if (kind := _asked_body_kind(q)) and not _is_of_kind(meta.issuer, kind):
        printed = _printed_by(neighbours or [hit])  # 落款是哪个办公室: the 印发 line's 办公室, or no answer
        return printed if printed and _is_of_kind(printed.split("（")[0], kind) else None
    if not meta.issuer:
        return None
    if q.excluded and (others := issuers_left(q, meta.issuer)):
        return f"发文单位：{others}"
    return f"发文单位：{meta.issuer}" + (f"（{cn_date(meta.date)}）" if meta.date else "")


# the 版记's last line names the office that printed the document and when (湖南省科协办公室 / 2023年3月10日印发):
# asked who 印发 it or what closes it (文末落款), that office answers — the issuer heads the document instead
PRINTED_LINE_RE = re.compile(
    r"([\u4e00-\u9fa5]{2,30})[ \t\u3000]*\n+[ \t\u3000]*((?:19|20)\d{2}年\d{1,2}月\d{1,2}日)\s*印发"
)
PRINTER_ASKED_RE = re.compile(r"印发(?:的)?(?:单位|机关|部门)|(?:单位|机关|部门|谁)印发|文末|末尾|结尾")


ASKED_BODY_RE = re.compile(r"哪一?[个家]?([\u4e00-\u9fa5]{1,6}?)(?=印发|发|落款|出|签|的|[？?，,。！!]|$)")


def _asked_body_kind(q: Question) -> str | None:
    """The kind of body an issuer question names (哪个办公室, 哪家协会): an answer must be one. A word for any body
    (部门, 单位) names no kind."""
    m = ASKED_BODY_RE.search(to_simplified(q.base))
    kind = load_lexicon().issuer_suffix_re.search(m.group(1)) if m else None
    return kind.group(0) if kind else None


def _is_of_kind(name: str, kind: str) -> bool:
    """The name says the kind, in full or shortened as 公文 shorten names (科学技术协会 is a 科协)."""
    return bool(re.search(".*?".join(map(re.escape, kind)), name))


def _printed_by(hits: list[Hit]) -> str | None:
    for h in hits:
        if m := PRINTED_LINE_RE.search(h.chunk.text):
            return f"印发机关：{m.group(1)}（{m.group(2)}印发）"
    return None


def issuers_left(q: Question, issuer: str) -> str | None:
    """Of joint issuers, those the question does not rule out (除了新区管委会，还有哪个单位一起落款 → the 工作委员会):
    the excluded clause names the body it says most of, by its words or their 公文 short forms (管委会)."""
    bodies = split_issuers(to_simplified(issuer))
    if len(bodies) < 2:
        return None
    lexicon = load_lexicon()
    words = [w for excluded in q.excluded for w in _excluded_words(excluded)]
    shares = [sum(said(w, fold(b), lexicon) for w in words) for b in bodies]
    if not words or max(shares) == min(shares):
        return None
    return "、".join(b for b, share in zip(bodies, shares) if share < max(shares))


def registration_answer(q: Question, hits: list[Hit], prefix: str | None) -> str | None:
    """The registration number printed in the named document's passages (with the letters asked for, if any);
    nothing when none is printed — never the 文号 in its place."""
    for h in hits:
        if not _about_document(q, h.meta):
            continue
        for m in REGISTRATION_NO_RE.finditer(h.chunk.text):
            if not prefix or m.group(0).upper().startswith(prefix.upper()):
                return f"登记号：{m.group(0)}"
    return None


COPIED_ASKED_RE = re.compile(r"抄送|\bcc\b|copied to|copies? (?:are|were|is|was) sent", re.I)
COPIED_LINE_RE = re.compile(r"抄\s*送\s*[:：]\s*([^\n]+)")  # the 版记's 抄送 line: bodies that get a copy


def recipients_answer(q: Question, hit: Hit) -> str | None:
    """Whom a document is sent to: its 主送 line, from the passage that opens the document — or, asked whom it was
    copied to (抄送给了哪些单位), its 抄送 line, wherever the passage holding it lies; never the one for the other."""
    if COPIED_ASKED_RE.search(q.base):
        m = COPIED_LINE_RE.search(hit.chunk.text)  # 抄送 is written alike in both scripts; the line as printed
        ok = m and (q.latin or _about_document(q, hit.meta))
        return f"抄送：{m.group(1).strip().rstrip('。')}" if ok else None
    if q.latin or hit.chunk.span[0] >= HEADER_CHARS or not _about_document(q, hit.meta):
        return None
    line = recipients_line(to_simplified(hit.chunk.text[: HEADER_CHARS - hit.chunk.span[0]]))
    return f"主送：{line}" if line else None


ANSWERERS: dict[QuestionType, Callable[[Question, Hit], str | None]] = {
    QuestionType.LEAD: lead_answer,
    QuestionType.RESPONSIBLE: responsible_answer,
    QuestionType.NUMBER: number_answer,
    QuestionType.DOC_NO: meta_answer,
    QuestionType.DATE: meta_answer,
    QuestionType.ISSUER: meta_answer,
    QuestionType.RECIPIENTS: recipients_answer,
}


# several documents named at once (两份文件, 两个文号各是什么, 各自依据的): no one header or citation answers
SEVERAL_DOCUMENTS_RE = re.compile(r"[两俩几]份|两个|这两|各自|分别")


def several_documents(q: Question) -> bool:
    """A question about several documents or places: no single field answers it. A document's own fields may be
    asked for together (文号和日期各是什么: one document) unless the question names several documents or places."""
    if not SEVERAL.search(q.text):
        return False
    if not q.qtype.about_document:
        return True
    return bool(SEVERAL_DOCUMENTS_RE.search(q.text)) or len(distinct_places(q.places)) >= 2


def direct_answer(q: Question, hits: list[Hit]) -> DirectAnswer | None:
    """The first short answer among the top three passages of the answer document, or None."""
    answerer = ANSWERERS.get(q.qtype)
    doc = answer_document(q, hits)
    if answerer is None or doc is None or several_documents(q):
        return None
    ours = [h for h in hits[:5] if h.chunk.doc_id == doc]
    if answerer is number_answer:  # the number whose clause fits best, of the answer document's top passages
        ranked = [(i, _number_match(q, h)) for i, h in enumerate(hits[:3]) if h.chunk.doc_id == doc]
        scored = [(m[0], -i, m[1]) for i, m in ranked if m and not ruled_out(q, m[1])]  # ties: better rank
        return DirectAnswer(max(scored)[2], -max(scored)[1]) if scored else None
    top = [(i, h) for i, h in enumerate(hits[:3]) if h.chunk.doc_id == doc]
    if answerer is lead_answer and (role := _role_holder(q, top)):
        return role
    if q.latin:  # no characters shared: the passage saying most of its terms (civil servants → 公务员) first
        top.sort(key=lambda c: -said_share(_asking_terms(q, c[1]), _context(c[1])))
    for i, hit in top:
        found = meta_answer(q, hit, ours) if answerer is meta_answer else answerer(q, hit)
        value = found.split("：", 1)[-1] if found else ""
        if found and not ruled_out(q, value) and not contradicts_given(q, value):
            return DirectAnswer(found, _proof(found, hits, doc) if answerer is meta_answer else i)
    return None


# the part of a 文号 or a date the question gives, asking for the rest: 鄂政办发几号, 宿发（2023）几号, 2021-3-几号
GIVEN_DOC_NO_RE = re.compile(
    r"([\u4e00-\u9fa5]{1,12}?[发函字办通])\s*(?:[（(〔\[［]\s*((?:19|20)\d{2})\s*[）)〕\]］])?\s*第?几号"
)
GIVEN_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*几")


def contradicts_given(q: Question, found: str) -> bool:
    """The answer disagrees with the part of it the question gives: 国发〔2021〕9号 is no answer to 鄂政办发几号, nor
    a date of May to 2021-3-几号."""
    text = to_simplified(q.base)
    if q.qtype is QuestionType.DOC_NO and (m := GIVEN_DOC_NO_RE.search(text)) and (d := DOC_NO_RE.search(found)):
        prefix = re.split(r"\s*[〔\[［(（„“]", d.group(0))[0]
        return not fold(m.group(1)).endswith(fold(prefix)) or bool(m.group(2) and m.group(2) not in d.group(0))
    if q.qtype is QuestionType.DATE and (m := GIVEN_DATE_RE.search(text)) and (iso := date_in(found)):
        return iso[:7] != f"{m.group(1)}-{int(m.group(2)):02d}"
    return False


HEADER_FIELD = {QuestionType.DOC_NO: "doc_no", QuestionType.DATE: "date", QuestionType.ISSUER: "issuer"}


def _asks_own_header(q: Question) -> bool:
    """The question asks for the named document's own header field: not that of a document it replaced or follows
    (老版本, 依据的…文件), and for a date, not the time of an event it announces (报名截止日期; in English, any
    'when' that does not ask when it was issued)."""
    if OTHER_DOCUMENT_RE.search(q.base) or CITING_QUESTION_RE.search(q.base):
        return False
    if q.qtype is QuestionType.DATE:
        event = EVENT_TIME_RE.search(q.base) and not ISSUED_RE.search(q.base)
        return not event and not (q.latin and not ENGLISH_ISSUED_RE.search(q.base))
    return True


def header_field_missing(q: Question, hits: list[Hit]) -> bool:
    """The question asks for a header field (文号, date, issuer) of a document it names, and that document prints
    none — 广东省科协2024年要点 has no 文号 and no date: the documents do not hold the answer. Not for a question about
    a document the named one cites or replaces, a registration number, or an event's time."""
    field = HEADER_FIELD.get(q.qtype)
    if field is None or several_documents(q) or REGISTRATION_ASKED_RE.search(q.base) or not _asks_own_header(q):
        return False
    named = next((h for h in hits[:5] if _about_document(q, h.meta)), None)
    if named is None or getattr(named.meta, field):
        return False
    # a 文号 the passages cite may be the one asked (the named document's 文号 quoted in another's text)
    return not (q.qtype is QuestionType.DOC_NO and any(cited_doc_no(q, h) for h in hits[:5]))


def _proof(found: str, hits: list[Hit], doc: str) -> int:
    """For a header field (文号, date, issuer), the passage of the answer document that prints it — the header or
    the signature — rather than the first passage of that document, which may be about something else."""
    value = found.split("：", 1)[-1].split("（", 1)[0]
    dated = date_in(value)
    first = next(i for i, h in enumerate(hits) if h.chunk.doc_id == doc)
    for i, h in enumerate(hits[:5]):
        if h.chunk.doc_id != doc:
            continue
        text = h.chunk.text
        if fold(value) in fold(text) or (dated and any(date_in(line) == dated for line in text.split("\n"))):
            return i
    return first
