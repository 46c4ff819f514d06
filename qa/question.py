"""What a question asks: its type (who leads, which units, how many, when, who issued, 文号, what is), its subject,
and, for a follow-up such as "那农民那块呢？", the full question it stands for.

Staff speak colloquially ("老年人那块", "农村那个行动"); a small lexicon of everyday words maps them onto the terms
policy documents use. It is vocabulary of the domain, not of any one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TYPE_CUES: list[tuple[str, re.Pattern]] = [
    ("doc_no", re.compile(r"文号|发文字号|字号")),
    ("lead", re.compile(r"牵头")),
    (
        "issuer",
        re.compile(
            r"(谁|哪个单位|哪个部门|哪家|什么单位|什么部门)(印发|发布|转发|下发|发)|发文(单位|机关)|印发单位|是谁发"
        ),
    ),
    ("date", re.compile(r"什么时候|何时|哪天|哪一天|几月几[号日]|哪年|日期|时间")),
    (
        "responsible",
        re.compile(
            r"责任单位|负责|哪些(单位|部门)|哪几个(单位|部门)|(哪个|什么)(单位|部门)|谁来?(落实|管|抓|办)|由谁|归谁|归哪"
        ),
    ),
    (
        "number",
        re.compile(r"多少|几[个家所场期站届次名座篇万千百位项张次轮]|第几|比例|百分之|多大|多长|多久|几"),
    ),
    (
        "definition",
        re.compile(
            r"是什么|是啥|指什么|指的是|怎么回事|干什么|做什么|包括哪些|有哪些|有什么|有啥|怎么(做|搞|建|安排|办)|如何"
        ),
    ),
]

# everyday word → the word policy documents use for it
COLLOQUIAL = {
    "老人": "老年人",
    "老年": "老年人",
    "银发": "老年人",
    "农村": "农民",
    "乡村": "农民 农村",
    "农民": "农民",
    "孩子": "青少年",
    "学生": "青少年",
    "中小学生": "青少年",
    "小孩": "青少年",
    "工人": "城镇劳动者 产业工人",
    "职工": "城镇劳动者 职工",
    "打工": "城镇劳动者",
    "干部": "领导干部和公务员",
    "公务员": "领导干部和公务员",
    "卫健委": "卫健局 卫健委",
    "卫生局": "卫健局",
    "宣传部": "委宣传部",
    "湘": "湖南",
    "鄂": "湖北",
    "粤": "广东",
    "比赛": "大赛 竞赛",
    "名字": "名称",
    "场所": "场馆 阵地",
    "办法": "措施",
}
FILLERS = re.compile(
    r"那块|这块|那个|这个|那边|这边|方面|这一块|那一块|工作|的事|那项|这项|请问|一下|呢|吗|吧|啊|呀|嘛|[？?！!。，,、\s]"
)
FOLLOW_UP = re.compile(r"^(那么|那要是|那如果|那|还有|另外|再问)|呢[？?]?$")
FOLLOW_UP_LEAD = re.compile(r"^(那么|那要是|那如果|那|还有|另外|再问)")
QUESTION_WORDS = re.compile(r"哪几个|哪个|哪些|什么|多少|谁")
# slots a follow-up may swap: the same question about another group of people or another place
GROUPS = ["领导干部和公务员", "城镇劳动者", "产业工人", "老年人", "青少年", "农民", "妇女", "残疾人", "科技工作者"]
PLACES = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "全国",
    "中国科协",
]
PLACE_RE = re.compile("|".join(PLACES))
CONTENT_CUES = {"比例", "百分之"}  # cues that also say what is asked about: they stay in the subject
YEAR_RE = re.compile(r"(?:19|20)\d{2}")


@dataclass
class Question:
    text: str  # the question as asked (cleaned)
    search_text: str  # what retrieval uses: follow-up resolved, colloquial words expanded
    qtype: str  # lead | responsible | number | doc_no | issuer | date | definition | other
    subject: str  # the question without its type cue and fillers
    years: list[str] = field(default_factory=list)
    resolved_from: str | None = None  # the earlier question a follow-up borrowed its type from


def question_type(text: str) -> tuple[str, str]:
    """(type, the cue that decided it); the order of TYPE_CUES breaks ties (牵头 beats 哪个单位)."""
    for qtype, pattern in TYPE_CUES:
        if m := pattern.search(text):
            return qtype, m.group(0)
    return "other", ""


def subject_of(text: str, cue: str) -> str:
    s = text.replace(cue, " ") if cue and cue not in CONTENT_CUES else text
    s = FOLLOW_UP_LEAD.sub("", s.strip())
    return re.sub(r"\s+", " ", FILLERS.sub(" ", QUESTION_WORDS.sub(" ", s))).strip()


def _slot_value(text: str) -> tuple[str, str] | None:
    for g in GROUPS:
        if g in text:
            return "group", g
    if m := PLACE_RE.search(text):
        return "place", m.group(0)
    return None


def resolve_follow_up(text: str, cue: str, prev: str, prev_cue: str) -> str:
    """The earlier question with its group or place swapped for the new one; else the new subject + the old cue."""
    new_subject = subject_of(expand_words(text), cue)
    new, old = _slot_value(new_subject), _slot_value(expand_words(prev))
    if new and old and new[0] == old[0]:
        return expand_words(prev).replace(old[1], new[1])
    return f"{new_subject}{prev_cue}"


def expand_words(text: str) -> str:
    """Colloquial words replaced in place (农村那个行动 → 农民那个行动), for slot matching."""
    for k, v in COLLOQUIAL.items():
        if k in text and v.split()[0] not in text:
            text = text.replace(k, v.split()[0])
    return text


def expand(text: str) -> str:
    extra = [v for k, v in COLLOQUIAL.items() if k in text and v not in text]
    return text + (" " + " ".join(extra) if extra else "")


def analyse(text: str, history: list[str] | None = None) -> Question:
    qtype, cue = question_type(text)
    resolved = None
    search = text
    if history and FOLLOW_UP.search(text.strip()) and (qtype in ("other", "definition") or len(text) <= 8):
        prev = history[-1]
        prev_type, prev_cue = question_type(prev)
        if prev_type != "other":
            search = resolve_follow_up(text, cue, prev, prev_cue)
            qtype, cue, resolved = prev_type, prev_cue, prev
    return Question(
        text=text,
        search_text=expand(search),
        qtype=qtype,
        subject=subject_of(search, cue),
        years=YEAR_RE.findall(search),
        resolved_from=resolved,
    )
