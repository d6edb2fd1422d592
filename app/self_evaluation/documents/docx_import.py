"""Reading an existing self-evaluation (one written for Ofsted, say) from a DOCX: pure, no database.

The document's headings cut it into sections (Heading 1 and 2 styles; a document with none is
cut at its bold one-line paragraphs instead). A heading that names a chapter section (Strengths,
Areas for development, ...) starts that part of the section above it; other text is the
narrative. Each section is proposed to the template chapter whose title is most like its heading,
for the DCS to confirm or change. Text comes out plain: no formatting, never HTML.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

import docx

from app.errors import InvalidInput
from app.reference.sef import TEXT_SECTIONS, SefTemplate

MALFORMED = (
    "The selected file could not be read as a Word document. Open it in Word, save it as a "
    "Word document (.docx) and upload that."
)
NO_TEXT = "The selected document has no text to import"
# A 10 MB DOCX may inflate far beyond that; refuse before reading what could fill the memory.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
SECTION_CHARS = 20_000
# How alike a heading and a chapter's title must be before the chapter is proposed for it.
MATCH_AT = 0.4
_FIELDS = {label.lower(): name for name, label in TEXT_SECTIONS} | {
    name.replace("_", " "): name for name, _ in TEXT_SECTIONS
}


@dataclass
class Section:
    """A heading and the text under it, by chapter section (narrative unless a sub-heading says)."""

    heading: str
    parts: dict[str, list[str]] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return "\n\n".join(self.parts.get(name, []))[:SECTION_CHARS]

    @property
    def fields(self) -> dict[str, str]:
        return {name: self.text(name) for name, _ in TEXT_SECTIONS if self.parts.get(name)}

    @property
    def words(self) -> int:
        return sum(len(p.split()) for ps in self.parts.values() for p in ps)


def _heading_level(paragraph: object) -> int:
    style = getattr(paragraph, "style", None)
    name = (getattr(style, "name", "") or "").lower()
    if name in ("title", "heading 1"):
        return 1
    return 2 if name == "heading 2" else 0


def _is_bold_line(paragraph: object) -> bool:
    runs = [r for r in getattr(paragraph, "runs", []) if r.text.strip()]
    text = getattr(paragraph, "text", "").strip()
    return bool(runs) and len(text) <= 150 and "\n" not in text and all(r.bold for r in runs)


def _paragraphs(body: bytes) -> list[object]:
    """The document's paragraphs with text; InvalidInput when it is not a DOCX python-docx reads.

    A malformed package fails anywhere inside the reader, with whatever error that part raises
    (a missing part, broken XML, an element without the children it should have), so every
    failure of reading it is the same refusal.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as package:
            if sum(i.file_size for i in package.infolist()) > MAX_UNPACKED_BYTES:
                raise InvalidInput(MALFORMED, field="file")
        document = docx.Document(io.BytesIO(body))
        return [p for p in document.paragraphs if p.text.strip()]
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001 (see the docstring)
        raise InvalidInput(MALFORMED, field="file") from None


def read_sections(body: bytes) -> list[Section]:
    """The document's sections in order; InvalidInput for a malformed or empty document.

    Slow (it parses XML): call it before any write transaction, off the event loop.
    """
    paragraphs = _paragraphs(body)
    levels = [_heading_level(p) for p in paragraphs]
    if not any(levels):
        levels = [2 if _is_bold_line(p) else 0 for p in paragraphs]
    sections: list[Section] = []
    current: Section | None = None
    part = "narrative"
    for paragraph, level in zip(paragraphs, levels, strict=True):
        text = re.sub(r"[ \t]+", " ", str(getattr(paragraph, "text", ""))).strip()
        named = _FIELDS.get(text.lower().rstrip(":"))
        if level and named and current is not None:
            part = named  # a sub-heading such as "Strengths" inside the section above
        elif level:
            current, part = Section(heading=text[:200]), "narrative"
            sections.append(current)
        else:
            if current is None:
                current = Section(heading="Text before the first heading")
                sections.append(current)
            current.parts.setdefault(part, []).append(text)
    found = [s for s in sections if s.words]
    if not found:
        raise InvalidInput(NO_TEXT, field="file")
    return found


_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "in",
        "on",
        "to",
        "with",
        "who",
        "our",
        "their",
        "its",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
    ]
)


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP]


def _same_word(a: str, b: str) -> bool:
    """Equal, or one starts the other ("leaders", "leadership"; "partnership", "partnerships")."""
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 5 and long.startswith(short[:-1]))


def similarity(heading: str, title: str) -> float:
    """How alike two titles are, 0 to 1: the share of their words they have in common (F1)."""
    a, b = set(_words(heading)), set(_words(title))
    if not a or not b:
        return 0.0
    shared = sum(1 for word in a if any(_same_word(word, other) for other in b))
    return 2 * shared / (len(a) + len(b))


def propose(template: SefTemplate, sections: list[Section]) -> list[str]:
    """For each section, the id of the chapter most like its heading, or "" for none.

    Deterministic: the highest similarity wins, the template's order breaks a tie.
    """
    proposed: list[str] = []
    for section in sections:
        best, best_score = "", MATCH_AT
        for chapter in template.chapters:
            score = similarity(section.heading, chapter.title)
            if score > best_score:
                best, best_score = chapter.id, score
        proposed.append(best)
    return proposed
