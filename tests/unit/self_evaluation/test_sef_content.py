"""The text of a self-evaluation version: hashing, chapters, what sign-off needs, comparison."""

import hashlib
import json

import pytest

from app.reference import CHAPTER_SECTIONS, OfstedGrade, get_reference
from app.self_evaluation.drafting import content
from app.self_evaluation.drafting.content import DiffRow
from app.self_evaluation.schemas import ChapterInput

TEMPLATE = get_reference().sef_templates["sef-east-midlands"]
SHORT = get_reference().sef_templates["sef-three-questions"]
HELP = "help-and-protection"
HELP_TITLE = "The experiences and progress of children who need help and protection"
WORKFORCE = "workforce"
SECTIONS = [name for name, _ in CHAPTER_SECTIONS]


def _chapter(label: str = "", grade: str = "good") -> dict[str, str]:
    return {
        "grade": grade,
        "narrative": f"We know our practice{label}.\n\nAudits show it.",
        "strengths": f"Stable workforce{label}.",
        "areas_for_development": f"Timeliness{label}.",
        "signatures_of_strength": "Low agency rate.",
        "signatures_of_risk": "Rising re-referrals.",
        "evidence": "Audit programme.",
    }


def _complete() -> content.Content:
    return {chapter.id: _chapter(f" {chapter.id}") for chapter in TEMPLATE.chapters}


def test_a_blank_self_evaluation_has_every_chapter_and_section_empty() -> None:
    blank = content.empty(TEMPLATE)
    assert list(blank) == [
        "help-and-protection",
        "children-in-care",
        "care-leavers",
        "leadership-and-management",
        "workforce",
        "partnerships-and-early-help",
    ]
    assert all(list(chapter) == SECTIONS for chapter in blank.values())
    assert {text for chapter in blank.values() for text in chapter.values()} == {""}
    assert list(content.empty(SHORT)) == ["what-we-know", "how-we-know", "plans"]


def test_the_hash_is_sha256_of_the_template_and_the_canonical_text() -> None:
    text = _complete()
    body = json.dumps(
        {"template": TEMPLATE.id, "chapters": text},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    expected = hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert content.content_hash(TEMPLATE.id, text) == expected
    assert len(expected) == 64


def test_the_hash_does_not_depend_on_key_order() -> None:
    text = _complete()
    reordered = {
        chapter_id: dict(reversed(list(sections.items())))
        for chapter_id, sections in reversed(list(text.items()))
    }
    assert list(reordered) != list(text)
    assert content.content_hash(TEMPLATE.id, reordered) == content.content_hash(TEMPLATE.id, text)
    # What is stored round-trips to the same hash, whatever order it was written in.
    assert content.dumps(reordered) == content.dumps(text)
    assert content.loads(content.dumps(reordered)) == text


@pytest.mark.parametrize("section", SECTIONS)
def test_the_hash_changes_with_any_change_to_any_section(section: str) -> None:
    text = _complete()
    before = content.content_hash(TEMPLATE.id, text)
    changed = content.with_chapter(
        text, WORKFORCE, {**text[WORKFORCE], section: text[WORKFORCE][section] + " More."}
    )
    assert content.content_hash(TEMPLATE.id, changed) != before
    if section == "grade":
        regraded = content.with_chapter(text, WORKFORCE, {**text[WORKFORCE], "grade": "inadequate"})
        assert content.content_hash(TEMPLATE.id, regraded) != before


def test_the_hash_changes_with_a_single_character_and_with_the_template() -> None:
    text = _complete()
    before = content.content_hash(TEMPLATE.id, text)
    spaced = content.with_chapter(text, HELP, {**text[HELP], "evidence": "Audit programme. "})
    assert content.content_hash(TEMPLATE.id, spaced) != before
    assert content.content_hash(SHORT.id, text) != before


def test_chapter_from_takes_every_section_in_order_with_the_grade_value() -> None:
    data = ChapterInput(
        base_version=3,
        grade=OfstedGrade.REQUIRES_IMPROVEMENT,
        narrative="  What we know.\n\nHow we know it.  ",
        strengths="Strong",
        areas_for_development="Weak",
        evidence="Ref 1",
    )
    chapter = content.chapter_from(data)
    assert list(chapter) == SECTIONS
    assert chapter == {
        "grade": "requires_improvement",
        "narrative": "What we know.\n\nHow we know it.",
        "strengths": "Strong",
        "areas_for_development": "Weak",
        "signatures_of_strength": "",
        "signatures_of_risk": "",
        "evidence": "Ref 1",
    }


def test_chapter_from_an_undecided_grade_is_blank() -> None:
    assert content.chapter_from(ChapterInput(grade=None))["grade"] == ""
    # A form's blank select is "no grade yet", not an error.
    assert content.chapter_from(ChapterInput.model_validate({"grade": "  "}))["grade"] == ""
    assert content.chapter_from(ChapterInput()) == dict.fromkeys(SECTIONS, "")


def test_with_chapter_copies_and_leaves_the_original_alone() -> None:
    text = content.empty(TEMPLATE)
    updated = content.with_chapter(text, HELP, _chapter())
    assert updated[HELP] == _chapter()
    assert text[HELP] == dict.fromkeys(SECTIONS, "")
    assert updated[WORKFORCE] is not text[WORKFORCE] and updated[WORKFORCE] == text[WORKFORCE]


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("", "Not yet graded"),
        ("outstanding", "Outstanding"),
        ("good", "Good"),
        ("requires_improvement", "Requires improvement to be good"),
        ("inadequate", "Inadequate"),
    ],
)
def test_grade_label(value: str, label: str) -> None:
    assert content.grade_label(value) == label


def test_a_blank_self_evaluation_is_missing_everything_in_chapter_order() -> None:
    assert content.missing_for_sign_off(TEMPLATE, content.empty(TEMPLATE)) == [
        f"{chapter.title} needs a self-assessed grade, strengths and areas for development"
        for chapter in TEMPLATE.chapters
    ]
    assert content.missing_for_sign_off(TEMPLATE, {}) == content.missing_for_sign_off(
        TEMPLATE, content.empty(TEMPLATE)
    )


def test_missing_for_sign_off_names_exactly_what_each_chapter_lacks() -> None:
    text = _complete()
    text = content.with_chapter(text, HELP, {**text[HELP], "strengths": "   "})
    text = content.with_chapter(
        text, WORKFORCE, {**text[WORKFORCE], "grade": "", "areas_for_development": ""}
    )
    assert content.missing_for_sign_off(TEMPLATE, text) == [
        f"{HELP_TITLE} needs strengths",
        "Workforce needs a self-assessed grade and areas for development",
    ]


def test_a_complete_self_evaluation_misses_nothing_even_without_optional_sections() -> None:
    text = {
        chapter_id: {**sections, "narrative": "", "signatures_of_risk": "", "evidence": ""}
        for chapter_id, sections in _complete().items()
    }
    assert content.missing_for_sign_off(TEMPLATE, text) == []


def test_paragraphs_split_at_blank_lines_and_keep_lines_within() -> None:
    text = "First line\nsame paragraph.\r\n\r\nSecond.\n\n\n\n  Third.  \n\n"
    assert content.paragraphs(text) == ["First line\nsame paragraph.", "Second.", "Third."]
    assert content.paragraphs("") == [] and content.paragraphs(" \n\n ") == []


def _section(
    comparison: tuple[content.ChapterComparison, ...], chapter_id: str, name: str
) -> content.SectionComparison:
    chapter = next(c for c in comparison if c.chapter_id == chapter_id)
    return next(s for s in chapter.sections if s.name == name)


def test_compare_rows_for_added_removed_and_changed_paragraphs() -> None:
    older = _complete()
    newer = content.with_chapter(
        older,
        HELP,
        {
            **older[HELP],
            "narrative": "A.\n\nB2.\n\nC.\n\nD.",
            "strengths": "Kept.",
            "evidence": "",
        },
    )
    older = content.with_chapter(
        older, HELP, {**older[HELP], "narrative": "A.\n\nB.\n\nC.", "strengths": "Kept.\n\nGone."}
    )
    comparison = content.compare(TEMPLATE, older, newer)
    assert [c.chapter_id for c in comparison] == [c.id for c in TEMPLATE.chapters]
    assert [(c.chapter_id, c.changed) for c in comparison if c.changed] == [(HELP, True)]
    help_chapter = comparison[0]
    assert help_chapter.title == HELP_TITLE
    assert [(s.name, s.label, s.changed) for s in help_chapter.sections] == [
        ("grade", "Self-assessed grade", False),
        ("narrative", "What you know, how you know it, and your plans", True),
        ("strengths", "Strengths", True),
        ("areas_for_development", "Areas for development", False),
        ("signatures_of_strength", "Signatures of strength", False),
        ("signatures_of_risk", "Signatures of risk", False),
        ("evidence", "Evidence references", True),
    ]
    assert _section(comparison, HELP, "narrative").rows == (
        DiffRow("same", "A.", "A."),
        DiffRow("changed", "B.", "B2."),
        DiffRow("same", "C.", "C."),
        DiffRow("added", None, "D."),
    )
    assert _section(comparison, HELP, "strengths").rows == (
        DiffRow("same", "Kept.", "Kept."),
        DiffRow("removed", "Gone.", None),
    )
    assert _section(comparison, HELP, "evidence").rows == (
        DiffRow("removed", "Audit programme.", None),
    )
    unchanged = _section(comparison, WORKFORCE, "strengths")
    assert not unchanged.changed
    assert unchanged.rows == (
        DiffRow("same", "Stable workforce workforce.", "Stable workforce workforce."),
    )


def test_compare_an_uneven_replacement_pairs_then_adds_or_removes() -> None:
    older = content.with_chapter(_complete(), HELP, {**_chapter(), "narrative": "X.\n\nW."})
    newer = content.with_chapter(older, HELP, {**_chapter(), "narrative": "Y."})
    assert _section(content.compare(TEMPLATE, older, newer), HELP, "narrative").rows == (
        DiffRow("changed", "X.", "Y."),
        DiffRow("removed", "W.", None),
    )
    assert _section(content.compare(TEMPLATE, newer, older), HELP, "narrative").rows == (
        DiffRow("changed", "Y.", "X."),
        DiffRow("added", None, "W."),
    )


def test_compare_shows_grades_in_words() -> None:
    blank = content.empty(TEMPLATE)
    graded = content.with_chapter(blank, HELP, {**blank[HELP], "grade": "good"})
    regraded = content.with_chapter(graded, HELP, {**graded[HELP], "grade": "inadequate"})
    first = _section(content.compare(TEMPLATE, blank, graded), HELP, "grade")
    assert (first.changed, first.rows) == (True, (DiffRow("added", None, "Good"),))
    second = _section(content.compare(TEMPLATE, graded, regraded), HELP, "grade")
    assert second.rows == (DiffRow("changed", "Good", "Inadequate"),)
    same = _section(content.compare(TEMPLATE, regraded, regraded), HELP, "grade")
    assert (same.changed, same.rows) == (False, (DiffRow("same", "Inadequate", "Inadequate"),))
    assert _section(content.compare(TEMPLATE, blank, blank), HELP, "grade").rows == ()


def test_changed_chapters() -> None:
    older = _complete()
    newer = content.with_chapter(older, WORKFORCE, {**older[WORKFORCE], "evidence": "New."})
    assert content.changed_chapters(TEMPLATE, older, newer) == [WORKFORCE]
    assert content.changed_chapters(TEMPLATE, older, older) == []
