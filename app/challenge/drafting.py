"""Drafting an LA's key lines of enquiry (KLOEs) from its own material: pure functions, no database.

Before the challenge conversation each LA sets 3 to 6 KLOEs, the questions it wants its triad to
test (../shared/docs/domain.md:57). The service drafts them from the LA's signed self-evaluation:
its areas for development, its strengths (LAs want their strengths tested as well as their
weaknesses), any different view of a grade offered in scrutiny, and its signatures of risk, both
those it wrote and the flags its data raised (issue 12). Each draft keeps a link to where it came
from. The DCS edits them: the LA owns its questions, the draft only starts them.
"""

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.reference.sef import OfstedGrade, SefTemplate
from app.self_evaluation.drafting.content import paragraphs

MIN_KLOES, MAX_KLOES = 3, 6
# Long enough to recognise the sentence quoted, short enough to leave room for the question.
_QUOTE_LIMIT = 160
# A paragraph that says there is nothing to say ("None identified.", "No signature of risk this
# quarter.", "N/A") asks no question.
_NOTHING = re.compile(r"^\s*(none|no|nil|n/a|not applicable)\b", re.IGNORECASE)


class SourceKind(StrEnum):
    DIFFERENT_VIEW = "different_view"
    AREA_FOR_DEVELOPMENT = "area_for_development"
    FLAG = "flag"
    SIGNATURE_OF_RISK = "signature_of_risk"
    STRENGTH = "strength"


# The order a draft takes its questions in, one of each kind in turn: what a peer read
# differently first (it is what the conversation is for), then the LA's own areas for
# development, its data, its own signatures of risk, and its strengths.
_TURNS = (
    SourceKind.DIFFERENT_VIEW,
    SourceKind.AREA_FOR_DEVELOPMENT,
    SourceKind.FLAG,
    SourceKind.SIGNATURE_OF_RISK,
    SourceKind.STRENGTH,
)
_SECTION = {
    SourceKind.AREA_FOR_DEVELOPMENT: "areas_for_development",
    SourceKind.SIGNATURE_OF_RISK: "signatures_of_risk",
    SourceKind.STRENGTH: "strengths",
}


@dataclass(frozen=True)
class DifferentView:
    """A scrutineer's different view of a chapter's self-assessed grade."""

    comment_id: int
    chapter_id: str
    own_grade: str
    peer_grade: str


@dataclass(frozen=True)
class RiskFlag:
    """A flag the LA's quarterly data raised (app.benchmarks.flag_types.Flag, as a KLOE needs it)."""

    rule: str
    indicator_id: str | None
    title: str


@dataclass(frozen=True)
class Source:
    """Where a drafted KLOE came from: enough to link back to it and to say it in words."""

    kind: SourceKind
    chapter_id: str | None  # None for a data flag
    ref: str  # the paragraph's number in its section, the comment id, or the flag's rule:indicator
    label: str

    @property
    def key(self) -> str:
        """One string naming the source, which a form or the API sends back with the question."""
        return f"{self.kind}:{self.chapter_id or ''}:{self.ref}"


@dataclass(frozen=True)
class DraftKloe:
    text: str
    source: Source


def _quote(paragraph: str) -> str:
    text = " ".join(paragraph.split()).rstrip(".")
    if len(text) <= _QUOTE_LIMIT:
        return text
    return text[: _QUOTE_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def _grade(value: str) -> str:
    try:
        return OfstedGrade(value).label.lower()
    except ValueError:
        return value


_QUESTIONS = {
    SourceKind.AREA_FOR_DEVELOPMENT: (
        "{chapter}: you name “{quote}” as an area for development. What is changing, and how "
        "will you know it has worked?",
        "area for development",
    ),
    SourceKind.SIGNATURE_OF_RISK: (
        "{chapter}: you name “{quote}” as a signature of risk. What lies behind it, and what "
        "are you doing about it?",
        "signature of risk",
    ),
    SourceKind.STRENGTH: (
        "{chapter}: you name “{quote}” as a strength. How do you know it holds across the "
        "service, and what could others learn from it?",
        "strength",
    ),
}


def _from_sections(
    template: SefTemplate, content: dict[str, dict[str, str]], kind: SourceKind
) -> Iterator[DraftKloe]:
    question, noun = _QUESTIONS[kind]
    for chapter in template.chapters:
        text = content.get(chapter.id, {}).get(_SECTION[kind], "")
        for n, paragraph in enumerate(paragraphs(text), start=1):
            if _NOTHING.match(paragraph):
                continue  # "None this quarter": nothing for peers to test
            label = f"Self-evaluation, {chapter.title}: {noun} {n}"
            source = Source(kind, chapter.id, str(n), label)
            yield DraftKloe(question.format(chapter=chapter.title, quote=_quote(paragraph)), source)


def _from_views(template: SefTemplate, views: Sequence[DifferentView]) -> Iterator[DraftKloe]:
    titles = {c.id: c.title for c in template.chapters}
    for view in sorted(views, key=lambda v: v.comment_id):
        title = titles.get(view.chapter_id, view.chapter_id)
        text = (
            f"{title}: a peer read the evidence as {_grade(view.peer_grade)} where you graded it "
            f"{_grade(view.own_grade)}. What evidence would settle the difference?"
        )
        label = f"Scrutiny, {title}: a different view of the grade"
        source = Source(SourceKind.DIFFERENT_VIEW, view.chapter_id, str(view.comment_id), label)
        yield DraftKloe(text, source)


def _from_flags(flags: Sequence[RiskFlag]) -> Iterator[DraftKloe]:
    for flag in flags:
        text = f"Your data: {flag.title}. What does this tell you, and what are you doing about it?"
        ref = f"{flag.rule}:{flag.indicator_id or ''}"
        yield DraftKloe(text, Source(SourceKind.FLAG, None, ref, f"Quarterly data: {flag.title}"))


def candidates(
    template: SefTemplate,
    content: dict[str, dict[str, str]],
    views: Sequence[DifferentView] = (),
    flags: Sequence[RiskFlag] = (),
) -> dict[SourceKind, list[DraftKloe]]:
    """Every question the LA's material suggests, by kind, each in the order it was written."""
    return {
        SourceKind.DIFFERENT_VIEW: list(_from_views(template, views)),
        SourceKind.AREA_FOR_DEVELOPMENT: list(
            _from_sections(template, content, SourceKind.AREA_FOR_DEVELOPMENT)
        ),
        SourceKind.FLAG: list(_from_flags(flags)),
        SourceKind.SIGNATURE_OF_RISK: list(
            _from_sections(template, content, SourceKind.SIGNATURE_OF_RISK)
        ),
        SourceKind.STRENGTH: list(_from_sections(template, content, SourceKind.STRENGTH)),
    }


def draft(
    template: SefTemplate,
    content: dict[str, dict[str, str]],
    views: Sequence[DifferentView] = (),
    flags: Sequence[RiskFlag] = (),
) -> list[DraftKloe]:
    """Up to six questions, one of each kind in turn, spread over chapters where it can be.

    Five kinds take turns for six places, so a strength is always among them when the LA wrote
    one. Fewer than three come back only when the material has fewer: the DCS then writes the
    rest, or picks them from the prompt bank."""
    pools = candidates(template, content, views, flags)
    chosen: list[DraftKloe] = []
    asked: Counter[str | None] = Counter()
    while len(chosen) < MAX_KLOES and any(pools.values()):
        for kind in _TURNS:
            pick = _next(pools[kind], asked)
            if pick is None:
                continue
            chosen.append(pick)
            asked[pick.source.chapter_id] += 1
            if len(chosen) == MAX_KLOES:
                break
    return chosen


def _next(pool: list[DraftKloe], asked: Counter[str | None]) -> DraftKloe | None:
    """The first of the pool from the chapter asked about least so far; taken out of the pool."""
    if not pool:
        return None
    pick = min(pool, key=lambda k: asked[k.source.chapter_id])  # min keeps the first of a tie
    pool.remove(pick)
    return pick
