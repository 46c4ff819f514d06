"""What a question asks: its type (who leads, which units, how many, when, who issued, 文号, what is), its subject,
the places and years it names, and, for a follow-up such as "那农民那块呢？", the full question it stands for.

Staff speak colloquially and politely ("您好，请问老年人那块谁牵头？谢谢"); the general lexicon (qa/data/lexicon.toml)
maps everyday words onto the terms policy documents use and strips politeness. Nothing here knows one deployment's
documents: its places come in from the index (``places``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexicon import Lexicon, load_lexicon
from .normalize import to_simplified
from .places import gazetteer_places, places_in_latin
from .schema import Question, QuestionType

FILLERS = re.compile(
    r"那块|这块|那个|这个|那边|这边|方面|这一块|那一块|工作|的事|那项|这项|一下|呢|吗|吧|啊|呀|嘛|[？?！!。，,、；;：:\s]"
)
FOLLOW_UP = re.compile(r"^(那么|那要是|那如果|那|还有|另外|再问|and\b|what about)|呢[？?]?$", re.I)
FOLLOW_UP_LEAD = re.compile(r"^(那么|那要是|那如果|那|还有|另外|再问)")
QUESTION_WORDS = re.compile(r"哪几个|哪个|哪些|什么|多少|谁|啥")
CONTENT_CUES = {"比例", "百分之", "总数"}  # cues that also say what is asked about: they stay in the subject
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
LATIN_RE = re.compile(r"[A-Za-z]{3,}")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def question_type(text: str, lexicon: Lexicon | None = None) -> tuple[QuestionType, str]:
    """(type, the cue that decided it); the lexicon's order breaks ties (牵头 beats 哪个单位)."""
    lexicon = lexicon or load_lexicon()
    for name, pattern in lexicon.question_types.items():
        if m := pattern.search(text):
            return QuestionType(name), m.group(0)
    return QuestionType.OTHER, ""


def without_politeness(text: str, lexicon: Lexicon) -> str:
    """您好，请问一下……谢谢 → the question itself; a question that is nothing but politeness stays as it was."""
    out = text
    for word in lexicon.politeness:
        out = out.replace(word, " ")
    out = re.sub(r"^[\s，,。！!、]+|[\s，,。！!、]+$", "", re.sub(r"\s+", " ", out))
    return out if CJK_RE.search(out) or LATIN_RE.search(out) else text


def subject_of(text: str, cue: str) -> str:
    s = text.replace(cue, " ") if cue and cue not in CONTENT_CUES else text
    s = FOLLOW_UP_LEAD.sub("", s.strip())
    return re.sub(r"\s+", " ", FILLERS.sub(" ", QUESTION_WORDS.sub(" ", s))).strip()


def years_in(text: str) -> list[str]:
    return list(dict.fromkeys(YEAR_RE.findall(text)))


def places_in(text: str, places: Sequence[str], lexicon: Lexicon) -> list[str]:
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
    found += [p for p in gazetteer_places(rest) if not any(p in f or f in p for f in found)]
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
    return qtype in (QuestionType.OTHER, QuestionType.DEFINITION) or len(text) <= 8 or not subject


def _one(text: str, prev: Question | None, lexicon: Lexicon, places: Sequence[str]) -> Question:
    plain = to_simplified(without_politeness(text, lexicon))
    qtype, cue = question_type(plain, lexicon)
    base, resolved = plain, None
    if prev is not None and _is_follow_up(plain, qtype, cue, lexicon):
        base = _follow_up_text(plain, qtype, cue, prev, lexicon, places)
        if qtype is QuestionType.OTHER or subject_of(expand_words(plain, lexicon), cue):
            qtype, cue = question_type(base, lexicon)
        resolved = prev.text
    named = places_in(base, places, lexicon)
    spelled_out = [p for p in named if p not in base]  # 鄂 → 湖北: keyword search needs the full name
    return Question(
        text=text,
        search_text=" ".join([expand(base, lexicon), *spelled_out]),
        qtype=qtype,
        subject=subject_of(base, cue),
        years=years_in(base),
        places=named,
        resolved_from=resolved,
        base=base,
        latin=bool(LATIN_RE.search(base)) and not CJK_RE.search(base),
    )


def analyse(
    text: str, history: list[str] | None = None, *, places: Sequence[str] = (), lexicon: Lexicon | None = None
) -> Question:
    """The question, read in the light of the conversation: each earlier question is resolved against the one
    before it, so a third turn ("那青少年呢？" after "那农民那块呢？") still knows what was asked."""
    lexicon = lexicon or load_lexicon()
    places = tuple(places) or lexicon.places
    prev = None
    for earlier in history or []:
        prev = _one(earlier, prev, lexicon, places)
    return _one(text, prev, lexicon, places)
