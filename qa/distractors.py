"""Distractor documents for the large benchmark: real sections of the corpus and the dev documents, recombined under
other places, years, units and numbers.

Their passages compete with the real ones (same wording, same outline, same kinds of tables), but none may hold a
gold evidence string: a line that would is dropped, and the finished documents are checked once more. Places and
offices come from data files in bench/large/; everything else is drawn from a seeded generator, so a run is
reproducible.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from .ingest import IngestError, corpus_files, read_document
from .normalize import fold, heading_level
from .settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "bench" / "large"
YEAR_RE = re.compile(r"(?<!\d)(19|20)(\d{2})(?!\d)")
NUMBER_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])")
UNIT_RE = re.compile(r"([区市县省])([\u4e00-\u9fa5]{1,5}?)(局|委员会|委|办公室|办|部|厅)(?=[、，,。；;:：)）\s|]|$)")
ISSUER_PLACE_RE = re.compile(r"^(?:\d{4}年)?(?:中共)?([\u4e00-\u9fa5]{2,3}?)(?:省|市|区|县|自治区)")


@dataclass
class Section:
    source: str
    text: str


@dataclass
class Source:
    name: str
    title: str
    issuer: str
    doc_no: str
    date: str
    sections: list[Section]


@dataclass
class DistractorStats:
    documents: int = 0
    sources: int = 0
    sections_used: int = 0
    lines_dropped: int = 0  # lines that still held a gold evidence string after rewriting
    evidence_strings: int = 0
    violations: list[str] = field(default_factory=list)  # documents holding evidence after all (must stay empty)


def data_lines(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def gold_evidence(eval_dir: Path) -> list[str]:
    """Every evidence string of every gold file under eval/ (seed set, devdocs set, splits), folded."""
    found = set()
    for path in sorted(eval_dir.rglob("*.jsonl")):
        if "out" in path.relative_to(eval_dir).parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict):
                found.update(fold(str(e)) for e in row.get("evidence") or [] if str(e).strip())
    return sorted(found)


def split_sections(text: str, max_chars: int) -> list[str]:
    """Top-level outline sections (一、…); a document without them is cut into runs of paragraphs. A section longer
    than ``max_chars`` keeps its first paragraphs up to that size (whole paragraphs, its heading first)."""
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    groups: list[list[str]] = []
    for p in paras:
        if heading_level(p) == 1 or not groups or (len(groups[-1]) >= 4 and not any(heading_level(q) for q in paras)):
            groups.append([p])
        else:
            groups[-1].append(p)
    out = []
    for g in groups[1:] if len(groups) > 1 else groups:  # the first group is the header (redhead, 文号, title)
        kept, size = [], 0
        for p in g:
            if len(kept) >= 2 and size + len(p) > max_chars:  # a heading keeps at least its first paragraph
                break
            kept.append(p)
            size += len(p)
        if size >= 40:
            out.append("\n".join(kept))
    return out


def load_sources(dirs: list[Path], max_section_chars: int) -> list[Source]:
    sources = []
    for d in dirs:
        if not d.is_dir():
            continue
        for path in corpus_files(d):
            if path.suffix.lower() not in (".txt", ".docx", ".pdf", ".html", ".htm"):
                continue
            try:
                doc = read_document(path)
            except IngestError:
                continue
            sections = [Section(path.name, s) for s in split_sections(doc.text, max_section_chars)]
            if sections:
                m = doc.meta
                sources.append(Source(path.name, m.title, m.issuer, m.doc_no, m.date, sections))
    return sources


def source_places(sources: list[Source]) -> list[str]:
    """Place stems to move: the provinces, and the places that issue the source documents (longest first)."""
    found = {row[0] for row in data_lines("provinces.txt")}
    for s in sources:
        for name in (s.title, s.issuer):
            if m := ISSUER_PLACE_RE.match(name or ""):
                found.add(m.group(1))
    return sorted(found, key=len, reverse=True)


class Rewriter:
    """One distractor's substitutions: another place, a year shift, scaled numbers, other offices."""

    def __init__(self, rng: random.Random, place: str, places: list[str], units: list[str]):
        self.rng, self.place, self.units = rng, place, units
        self.shift = rng.choice([-9, -8, -7, -6, -5, -4, 4, 5])
        self.factor = rng.choice([1.5, 2, 2.5, 3, 0.5])
        self.place_re = re.compile("|".join(map(re.escape, places)))
        self.unit_map: dict[str, str] = {}

    def year(self, m: re.Match) -> str:
        return str(int(m.group(0)) + self.shift)

    def number(self, m: re.Match) -> str:
        value = float(m.group(1)) * self.factor
        return f"{value:.1f}" if "." in m.group(1) else str(max(1, round(value)))

    def unit(self, m: re.Match) -> str:
        key = m.group(0)
        if key not in self.unit_map:
            self.unit_map[key] = m.group(1) + self.rng.choice(self.units)
        return self.unit_map[key]

    def name(self, text: str) -> str:
        """A header name (issuer, title, 文号): another place and year, its offices kept. Renaming an office here
        would part the redhead from the title that names the same organs (中共…工作委员会 … 文件 above a title
        issued by 工作委员会), and the document would read as one without a title."""
        text = self.place_re.sub(self.place, text)
        return YEAR_RE.sub(self.year, text)

    def __call__(self, text: str) -> str:
        text = self.place_re.sub(self.place, text)
        text = UNIT_RE.sub(self.unit, text)
        marked = YEAR_RE.sub(lambda m: f"\x00{self.year(m)}\x00", text)  # years shift, other numbers scale
        parts = marked.split("\x00")
        return "".join(p if i % 2 else NUMBER_RE.sub(self.number, p) for i, p in enumerate(parts))


def _clean(text: str, evidence: list[str], stats: DistractorStats) -> str:
    kept = []
    for line in text.split("\n"):
        f = fold(line)
        if any(e in f for e in evidence):
            stats.lines_dropped += 1
            continue
        kept.append(line)
    return "\n".join(kept)


def write_distractors(
    out_dir: Path,
    n: int,
    *,
    source_dirs: list[Path] | None = None,
    eval_dir: Path = PROJECT_ROOT / "eval",
    sections_per_doc: tuple[int, int] = (8, 16),
    max_section_chars: int = 3000,
    seed: int = 18,
) -> DistractorStats:
    """Write ``n`` distractor .txt files into ``out_dir``; the stats say what was dropped and checked.

    8–16 sections of up to 3,000 characters make documents of about 20 chunks: an office's 1,000 documents are
    tens of thousands of chunks (the corpus averages 33 per document, the devdocs excerpts 4), not a few thousand."""
    source_dirs = source_dirs or [PROJECT_ROOT / "corpus", eval_dir / "devdocs"]
    sources = load_sources(source_dirs, max_section_chars)
    if not sources:
        raise ValueError(f"no readable source documents in {source_dirs}")
    evidence = gold_evidence(eval_dir)
    places = source_places(sources)
    targets = data_lines("places.txt")
    units = [row[0] for row in data_lines("units.txt")]
    rng = random.Random(seed)
    stats = DistractorStats(sources=len(sources), evidence_strings=len(evidence))
    out_dir.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        stem, *suffix = rng.choice(targets)
        home = rng.choice(sources)
        rewrite = Rewriter(rng, stem, places, units)
        picks = [rng.choice(home.sections)] + [
            rng.choice(rng.choice(sources).sections) for _ in range(rng.randint(*sections_per_doc) - 1)
        ]
        issuer = rewrite.name(home.issuer) if home.issuer else f"{stem}{''.join(suffix)}人民政府办公室"
        generic = f"{stem}{''.join(suffix)}工作要点"
        title = rewrite.name(home.title) if home.title else generic
        if any(e in fold(title) for e in evidence):  # a gold string in the title too (no place or year in it)
            title = generic  # would drop the title line, and the distractor would read as a document without one
        year = 2026 + rewrite.shift - 10
        header = [f"{issuer}文件", rewrite.name(home.doc_no) if home.doc_no else "", title]
        body = [rewrite(s.text) for s in picks]
        footer = [issuer, f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
        text = _clean("\n".join([*filter(None, header), *body, *footer]), evidence, stats)
        folded = fold(text)
        if any(e in folded for e in evidence):
            stats.violations.append(f"distractor-{i:04d}")
        (out_dir / f"distractor-{i:04d}.txt").write_text(text + "\n", encoding="utf-8")
        stats.documents += 1
        stats.sections_used += len(picks)
    return stats
