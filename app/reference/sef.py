"""Typed models of the self-evaluation (SEF) templates in regions/templates/ (kind: sef).

A template names its chapters; the sections every chapter carries (strengths, areas for
development, signatures of strength and of risk, evidence) are fixed here, not per file, so every
region's self-evaluation can be read, compared and scrutinised the same way. Whether a chapter also
carries a self-assessed grade is the template's choice (`grades`, overridable per chapter): ADCS's
core features ask for strengths and areas for development, not grades (seed
002_d98c8bcad6f8fe4d.txt:2208), while East Midlands mirrors Ofsted's own self-evaluation and keeps
them (002_d98c8bcad6f8fe4d.txt:2322).
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from app.reference.models import Frozen, NonEmpty

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
IndicatorId = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]


class OfstedGrade(StrEnum):
    """The Ofsted four-point scale, used for a chapter's self-assessed grade."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        """The grade in Ofsted's own words."""
        return _GRADE_LABELS[self]


_GRADE_LABELS: dict[OfstedGrade, str] = {
    OfstedGrade.OUTSTANDING: "Outstanding",
    OfstedGrade.GOOD: "Good",
    OfstedGrade.REQUIRES_IMPROVEMENT: "Requires improvement to be good",
    OfstedGrade.INADEQUATE: "Inadequate",
}

# The sections every chapter of every template has, in the order they are written and shown.
CHAPTER_SECTIONS: tuple[tuple[str, str], ...] = (
    ("grade", "Self-assessed grade"),
    # The answer to the chapter's prompts.
    ("narrative", "What you know, how you know it, and your plans"),
    ("strengths", "Strengths"),
    ("areas_for_development", "Areas for development"),
    ("signatures_of_strength", "Signatures of strength"),
    ("signatures_of_risk", "Signatures of risk"),
    ("evidence", "Evidence references"),
)

# The sections written as text (every one but the grade).
TEXT_SECTIONS: tuple[tuple[str, str], ...] = CHAPTER_SECTIONS[1:]


class SefChapter(Frozen):
    id: Slug
    title: NonEmpty
    prompts: tuple[NonEmpty, ...]
    # Core indicator ids shown beside the chapter; the loader checks each one exists.
    indicators: tuple[IndicatorId, ...] = ()
    # None: as the template says; True or False: this chapter differs from the template.
    grades: bool | None = None


class SefTemplate(Frozen):
    id: Slug
    kind: Literal["sef"]
    title: NonEmpty
    # Whether chapters carry a self-assessed grade. Off unless a template asks for it: grades are
    # the exception, not the rule (002_d98c8bcad6f8fe4d.txt:2208).
    grades: bool = False
    chapters: tuple[SefChapter, ...]

    @model_validator(mode="after")
    def _chapters(self) -> "SefTemplate":
        if not self.chapters:
            raise ValueError("no chapters: a self-evaluation template needs at least one")
        seen: set[str] = set()
        for chapter in self.chapters:
            if chapter.id in seen:
                raise ValueError(f"duplicate chapter id {chapter.id}")
            seen.add(chapter.id)
            if not chapter.prompts:
                raise ValueError(f"chapter {chapter.id} has no prompts")
            if len(set(chapter.indicators)) != len(chapter.indicators):
                raise ValueError(f"chapter {chapter.id} lists an indicator twice")
        return self

    def graded(self, chapter_id: str) -> bool:
        """Whether this chapter carries a self-assessed grade."""
        own = self.chapter(chapter_id).grades
        return self.grades if own is None else own

    @property
    def any_grades(self) -> bool:
        """Whether any chapter carries a grade: if none does, no page or pack mentions grades."""
        return any(self.graded(c.id) for c in self.chapters)

    def chapter(self, chapter_id: str) -> SefChapter:
        """The chapter with this id; KeyError if the template has none."""
        for chapter in self.chapters:
            if chapter.id == chapter_id:
                return chapter
        raise KeyError(chapter_id)
