"""The text of a self-evaluation version: pure functions, no database.

A version's content is {chapter id: {section: text}} for every chapter of its template; in a chapter
that carries a grade (SefTemplate.graded) the grade is one of the sections (its value, or "" while
undecided); a chapter without one has no grade section at all. Text is plain and never HTML. The hash
of the canonical JSON is what signatories sign.
"""

import difflib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from app.reference.sef import CHAPTER_SECTIONS, TEXT_SECTIONS, OfstedGrade, SefTemplate
from app.self_evaluation.schemas import ChapterInput
from app.structured_text import canonical_json

Content = dict[str, dict[str, str]]
SECTION_NAMES: tuple[str, ...] = tuple(name for name, _ in CHAPTER_SECTIONS)


def section_names(template: SefTemplate, chapter_id: str) -> tuple[str, ...]:
    """The sections this chapter carries: the grade only where the template asks for one."""
    if template.graded(chapter_id):
        return SECTION_NAMES
    return tuple(name for name in SECTION_NAMES if name != "grade")


def empty(template: SefTemplate) -> Content:
    """A blank self-evaluation: every chapter, every section it carries, nothing written."""
    return {c.id: dict.fromkeys(section_names(template, c.id), "") for c in template.chapters}


def loads(raw: str) -> Content:
    data = json.loads(raw)
    return {str(k): {str(s): str(t) for s, t in v.items()} for k, v in data.items()}


def dumps(content: Content) -> str:
    return canonical_json(content)


def content_hash(
    template_id: str, content: Content, documents: list[dict[str, str]] | None = None
) -> str:
    """SHA-256 of the template, the exact text and the supporting documents carried (by name
    and SHA-256, app/self_evaluation/documents/rows.py): what a signature is bound to. Without documents the
    hash is what it was before documents existed, so earlier versions' hashes still hold."""
    body = canonical_json(
        {"template": template_id, "chapters": content}
        | ({"documents": documents} if documents else {})
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def chapter_from(data: ChapterInput, *, graded: bool = True) -> dict[str, str]:
    """The chapter as saved: the grade's value (or "") if it carries one, and every text section."""
    chapter = {name: str(getattr(data, name) or "") for name, _ in TEXT_SECTIONS}
    chapter["grade"] = data.grade.value if data.grade else ""
    return {name: chapter[name] for name in SECTION_NAMES if graded or name != "grade"}


def with_chapter(content: Content, chapter_id: str, chapter: dict[str, str]) -> Content:
    """A copy of the content with one chapter replaced."""
    updated = {key: dict(value) for key, value in content.items()}
    updated[chapter_id] = dict(chapter)
    return updated


def grade_label(value: str) -> str:
    return OfstedGrade(value).label if value else "Not yet graded"


def missing_for_sign_off(template: SefTemplate, content: Content) -> list[str]:
    """What must be written before sign-off: strengths, areas for development, and any grade."""
    return [text for _, text in missing_by_chapter(template, content)]


def missing_by_chapter(template: SefTemplate, content: Content) -> list[tuple[str, str]]:
    """(chapter id, what it still needs), once for each chapter with a gap, in template order."""
    missing: list[tuple[str, str]] = []
    for chapter in template.chapters:
        gaps = chapter_gaps(content.get(chapter.id, {}), graded=template.graded(chapter.id))
        if gaps:
            missing.append((chapter.id, f"{chapter.title} needs {_and_list(gaps)}"))
    return missing


def chapter_gaps(chapter: dict[str, str], *, graded: bool = True) -> list[str]:
    """What one chapter still needs before sign-off: strengths, areas for development, and a
    grade where the template asks for one."""
    return [
        label
        for name, label in (
            ("grade", "a self-assessed grade"),
            ("strengths", "strengths"),
            ("areas_for_development", "areas for development"),
        )
        if (graded or name != "grade") and not chapter.get(name, "").strip()
    ]


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def paragraphs(text: str) -> list[str]:
    """Text split at blank lines, each paragraph's lines kept."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Section:
    """One text section of a chapter as pages and packs show it: its label, then paragraphs."""

    name: str
    label: str
    paragraphs: tuple[str, ...]


def sections_of(text: Mapping[str, str]) -> tuple[Section, ...]:
    """Every text section of a chapter in the template's order (the narrative, strengths before
    areas for development, signatures of strength before signatures of risk, then evidence)."""
    return tuple(
        Section(name, label, tuple(paragraphs(text.get(name, "")))) for name, label in TEXT_SECTIONS
    )


RowKind = Literal["same", "changed", "added", "removed"]


@dataclass(frozen=True)
class DiffRow:
    kind: RowKind
    old: str | None
    new: str | None


@dataclass(frozen=True)
class SectionComparison:
    name: str
    label: str
    changed: bool
    rows: tuple[DiffRow, ...]


@dataclass(frozen=True)
class ChapterComparison:
    chapter_id: str
    title: str
    changed: bool
    sections: tuple[SectionComparison, ...]


def _rows(old: list[str], new: list[str]) -> tuple[DiffRow, ...]:
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(DiffRow("same", a, a) for a in old[i1:i2])
        elif op == "delete":
            rows.extend(DiffRow("removed", a, None) for a in old[i1:i2])
        elif op == "insert":
            rows.extend(DiffRow("added", None, b) for b in new[j1:j2])
        else:
            before, after = old[i1:i2], new[j1:j2]
            for k in range(max(len(before), len(after))):
                a = before[k] if k < len(before) else None
                b = after[k] if k < len(after) else None
                kind: RowKind = "changed" if a and b else ("removed" if a else "added")
                rows.append(DiffRow(kind, a, b))
    return tuple(rows)


def compare(template: SefTemplate, older: Content, newer: Content) -> tuple[ChapterComparison, ...]:
    """Chapter by chapter, section by section: what changed between two versions."""
    chapters: list[ChapterComparison] = []
    for chapter in template.chapters:
        before, after = older.get(chapter.id, {}), newer.get(chapter.id, {})
        sections: list[SectionComparison] = []
        for name, label in CHAPTER_SECTIONS:
            if name == "grade" and not template.graded(chapter.id):
                continue
            old, new = before.get(name, ""), after.get(name, "")
            if name == "grade":
                old_paras = [grade_label(old)] if old else []
                new_paras = [grade_label(new)] if new else []
            else:
                old_paras, new_paras = paragraphs(old), paragraphs(new)
            sections.append(SectionComparison(name, label, old != new, _rows(old_paras, new_paras)))
        chapters.append(
            ChapterComparison(
                chapter.id, chapter.title, any(s.changed for s in sections), tuple(sections)
            )
        )
    return tuple(chapters)


def changed_chapters(template: SefTemplate, older: Content, newer: Content) -> list[str]:
    """The ids of the chapters whose text differs."""
    return [c.id for c in template.chapters if older.get(c.id) != newer.get(c.id)]
