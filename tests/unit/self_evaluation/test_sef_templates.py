"""The self-evaluation templates load, regions choose them, and broken templates are refused."""

from pathlib import Path
from typing import Any

import pytest

from app.reference import (
    CHAPTER_SECTIONS,
    PROJECT_ROOT,
    REGION_ORDER,
    OfstedGrade,
    Reference,
    Scrutiny,
    SefTemplate,
    load_reference,
)
from tests.unit.reference_files import INDICATORS_FILE, Edit, edit, put, refused

EM_CHAPTERS = (
    ("help-and-protection",
     "The experiences and progress of children who need help and protection"),
    ("children-in-care", "The experiences and progress of children in care"),
    ("care-leavers", "The experiences and progress of care leavers"),
    ("leadership-and-management",
     "The impact of leaders on social work practice with children and families"),
    ("workforce", "Workforce"),
    ("partnerships-and-early-help", "Partnerships and early help"),
)  # fmt: skip
THREE_QUESTIONS = (
    ("what-we-know",
     "What do you know about the quality and impact of social work practice?"),
    ("how-we-know", "How do you know it?"),
    ("plans", "What are your plans for the next 12 months?"),
)  # fmt: skip
PLANS = "What are your plans for the next 12 months?"


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference(PROJECT_ROOT)


def chapters(template: SefTemplate) -> tuple[tuple[str, str], ...]:
    return tuple((chapter.id, chapter.title) for chapter in template.chapters)


# --- the shipped templates ---------------------------------------------------------------


def test_both_templates_load_beside_the_mou(reference: Reference) -> None:
    assert tuple(reference.sef_templates) == ("sef-east-midlands", "sef-three-questions")
    assert tuple(reference.templates) == ("mou-standard",)


def test_the_east_midlands_template_is_chaptered(reference: Reference) -> None:
    template = reference.sef_templates["sef-east-midlands"]
    assert template.kind == "sef"
    assert template.title == "Annual self-evaluation of children's services"
    assert chapters(template) == EM_CHAPTERS
    for chapter in template.chapters:
        assert 3 <= len(chapter.prompts) <= 5, chapter.id
        assert chapter.prompts[-1] == PLANS, chapter.id
    assert template.chapter("care-leavers").indicators == (
        "care_leavers_eet_19_21_pct",
        "care_leavers_suitable_accom_19_21_pct",
    )
    assert template.chapter("workforce").indicators == (
        "sw_turnover_rate_fte_pct",
        "sw_vacancy_rate_fte_pct",
        "sw_agency_rate_fte_pct",
        "sw_average_caseload_fte",
    )
    assert template.chapter("leadership-and-management").indicators == ()
    with pytest.raises(KeyError):
        template.chapter("finance")


def test_the_short_form_asks_ofsteds_three_questions(reference: Reference) -> None:
    template = reference.sef_templates["sef-three-questions"]
    assert template.title == "Annual self-evaluation (short form)"
    assert chapters(template) == THREE_QUESTIONS
    assert [len(chapter.prompts) for chapter in template.chapters] == [3, 3, 3]
    # The evidence question sits beside the whole core indicator set, in catalogue order.
    assert template.chapter("how-we-know").indicators == tuple(reference.indicators)
    assert template.chapter("what-we-know").indicators == ()
    assert template.chapter("plans").indicators == ()


def test_every_referenced_indicator_exists(reference: Reference) -> None:
    for template in reference.sef_templates.values():
        for chapter in template.chapters:
            for indicator in chapter.indicators:
                assert indicator in reference.indicators, (template.id, chapter.id, indicator)


def test_every_chapter_has_the_standard_sections() -> None:
    assert CHAPTER_SECTIONS == (
        ("grade", "Self-assessed grade"),
        ("narrative", "What you know, how you know it, and your plans"),
        ("strengths", "Strengths"),
        ("areas_for_development", "Areas for development"),
        ("signatures_of_strength", "Signatures of strength"),
        ("signatures_of_risk", "Signatures of risk"),
        ("evidence", "Evidence references"),
    )


def test_ofsted_grades_read_in_ofsteds_words() -> None:
    assert [(grade.value, grade.label) for grade in OfstedGrade] == [
        ("outstanding", "Outstanding"),
        ("good", "Good"),
        ("requires_improvement", "Requires improvement to be good"),
        ("inadequate", "Inadequate"),
    ]
    assert OfstedGrade("requires_improvement") is OfstedGrade.REQUIRES_IMPROVEMENT


def test_regions_choose_their_template(reference: Reference) -> None:
    chosen = {rid: reference.sef_template(rid).id for rid in reference.region_ids}
    assert chosen == {
        rid: "sef-east-midlands" if rid == "east-midlands" else "sef-three-questions"
        for rid in REGION_ORDER
    }


def test_east_of_england_scrutinises_by_moderation(reference: Reference) -> None:
    scrutiny = {rid: region.scrutiny for rid, region in reference.regions.items()}
    assert scrutiny == {
        rid: Scrutiny.MODERATION if rid == "east-of-england" else Scrutiny.TRIAD
        for rid in REGION_ORDER
    }
    assert reference.regions["east-of-england"].scrutiny == "moderation"


# --- broken files ------------------------------------------------------------------------

EM = "regions/east-midlands.yaml"
WM = "regions/west-midlands.yaml"
SEF_EM = "regions/templates/sef-east-midlands.yaml"
SEF_3Q = "regions/templates/sef-three-questions.yaml"
IND = INDICATORS_FILE


def repeat_first_chapter(data: dict[str, Any]) -> None:
    data["chapters"].append(data["chapters"][0])


H_AND_P = "chapters[0] (help-and-protection)"
# fmt: off
BROKEN: list[tuple[str, Edit, str]] = [
    (SEF_EM, put("colour", "green"), "unknown key colour in the top level"),
    (SEF_EM, put("chapters.0.grade", "good"), f"unknown key grade in {H_AND_P}"),
    (SEF_EM, repeat_first_chapter, "duplicate chapter id help-and-protection"),
    (SEF_EM, put("chapters", []),
     "no chapters: a self-evaluation template needs at least one"),
    (SEF_EM, put("chapters", delete=True), "missing key chapters in the top level"),
    (SEF_EM, put("chapters.2.prompts", []), "chapter care-leavers has no prompts"),
    (SEF_EM, put("chapters.0.prompts.1", ""),
     f"bad value at {H_AND_P}.prompts[1]: String should have at least 1 character"),
    (SEF_EM, put("chapters.4.indicators", ["sw_turnover_rate_fte_pct", "sw_sickness_pct"]),
     "chapter workforce lists unknown indicator sw_sickness_pct (not in core_indicators.yaml)"),
    (SEF_EM, put("chapters.4.indicators", ["sw_agency_rate_fte_pct"] * 2),
     "chapter workforce lists an indicator twice"),
    (SEF_3Q, put("id", "sef-short"), "id sef-short does not match the file name"),
    (SEF_3Q, put("kind", "plan"), "unknown template kind plan (expected mou or sef)"),
    (EM, put("sef_template", "sef-gold"),
     "unknown sef_template sef-gold (no file regions/templates/sef-gold.yaml)"),
    (WM, put("sef_template", "mou-standard"),
     "sef_template mou-standard is not a self-evaluation template"),
    (WM, put("mou_template", "sef-three-questions"),
     "mou_template sef-three-questions is not an MoU template"),
    (WM, put("scrutiny", "inspection"),
     "bad value at scrutiny: Input should be 'triad' or 'moderation'"),
]
# fmt: on


@pytest.mark.parametrize(("rel", "change", "problem"), BROKEN, ids=[p for _, _, p in BROKEN])
def test_a_broken_file_is_refused(root: Path, rel: str, change: Edit, problem: str) -> None:
    edit(root, rel, change)
    assert refused(root) == f"{rel}: {problem}"


def test_a_region_without_the_short_form_cannot_default_to_it(root: Path) -> None:
    (root / SEF_3Q).unlink()
    # North East is the first region read and relies on the default.
    assert refused(root) == (
        "regions/north-east.yaml: unknown sef_template sef-three-questions"
        " (no file regions/templates/sef-three-questions.yaml)"
    )


def test_a_new_template_file_can_be_chosen(root: Path) -> None:
    (root / "regions/templates/sef-west-midlands.yaml").write_text(
        "id: sef-west-midlands\nkind: sef\ntitle: Self-evaluation\nchapters:\n"
        "  - id: practice\n    title: Practice\n    prompts: [What do you know?]\n",
        encoding="utf-8",
    )
    edit(root, WM, put("sef_template", "sef-west-midlands"))
    loaded = load_reference(root)
    template = loaded.sef_template("west-midlands")
    assert template.id == "sef-west-midlands"
    assert template.chapters[0].indicators == ()
    assert loaded.sef_template("east-midlands").id == "sef-east-midlands"


def test_a_chapter_may_differ_from_its_templates_grades() -> None:
    """Grades are the template's choice; one chapter may say otherwise (seed 002:2208, 2322)."""
    from app.reference.sef import SefTemplate

    template = SefTemplate.model_validate(
        {
            "id": "sef-mixed",
            "kind": "sef",
            "title": "Mixed",
            "grades": True,
            "chapters": [
                {"id": "graded", "title": "Graded", "prompts": ["How good?"]},
                {"id": "plain", "title": "Plain", "prompts": ["What?"], "grades": False},
            ],
        }
    )
    assert [template.graded(c.id) for c in template.chapters] == [True, False]
    assert template.any_grades is True
    plain = template.model_copy(update={"grades": False})
    assert plain.any_grades is False
