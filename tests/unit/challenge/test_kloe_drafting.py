"""Drafting an LA's key lines of enquiry from its signed self-evaluation, scrutiny and data."""

from app.challenge.drafting import (
    MAX_KLOES,
    DifferentView,
    RiskFlag,
    SourceKind,
    candidates,
    draft,
)
from app.reference import get_reference
from app.reference.sef import SefTemplate

HELP = "The experiences and progress of children who need help and protection"
CARE = "The experiences and progress of children in care"


def _template() -> SefTemplate:
    return get_reference().sef_template("east-midlands")


def _content(**chapters: dict[str, str]) -> dict[str, dict[str, str]]:
    content = {c.id: {} for c in _template().chapters}
    for chapter_id, sections in chapters.items():
        content[chapter_id.replace("_", "-")] = sections
    return content


def test_a_draft_asks_about_each_kind_in_turn_and_links_each_question_to_its_source() -> None:
    content = _content(
        help_and_protection={
            "areas_for_development": "Timeliness of initial child protection conferences.\n\n"
            "Return home interviews.",
            "strengths": "Stable social work teams with low agency use.",
            "signatures_of_risk": "Re-referrals within 12 months are rising.",
        },
        children_in_care={"areas_for_development": "Placement sufficiency for teenagers."},
    )
    views = [DifferentView(7, "children-in-care", "good", "requires_improvement")]
    flags = [
        RiskFlag("worse_than_neighbours", "cin_rate", "Children in need rate above neighbours")
    ]

    kloes = draft(_template(), content, views, flags)

    assert [k.text for k in kloes] == [
        f"{CARE}: a peer read the evidence as requires improvement to be good where you graded "
        "it good. What evidence would settle the difference?",
        f"{HELP}: you name “Timeliness of initial child protection conferences” as an area for "
        "development. What is changing, and how will you know it has worked?",
        "Your data: Children in need rate above neighbours. What does this tell you, and what "
        "are you doing about it?",
        f"{HELP}: you name “Re-referrals within 12 months are rising” as a signature of risk. "
        "What lies behind it, and what are you doing about it?",
        f"{HELP}: you name “Stable social work teams with low agency use” as a strength. How "
        "do you know it holds across the service, and what could others learn from it?",
        f"{CARE}: you name “Placement sufficiency for teenagers” as an area for development. "
        "What is changing, and how will you know it has worked?",
    ]
    assert [(k.source.kind, k.source.chapter_id, k.source.ref) for k in kloes] == [
        (SourceKind.DIFFERENT_VIEW, "children-in-care", "7"),
        (SourceKind.AREA_FOR_DEVELOPMENT, "help-and-protection", "1"),
        (SourceKind.FLAG, None, "worse_than_neighbours:cin_rate"),
        (SourceKind.SIGNATURE_OF_RISK, "help-and-protection", "1"),
        (SourceKind.STRENGTH, "help-and-protection", "1"),
        (SourceKind.AREA_FOR_DEVELOPMENT, "children-in-care", "1"),
    ]
    assert kloes[1].source.label == f"Self-evaluation, {HELP}: area for development 1"
    assert kloes[0].source.label == f"Scrutiny, {CARE}: a different view of the grade"


def test_a_strength_is_among_six_even_when_weaknesses_alone_would_fill_the_draft() -> None:
    areas = "\n\n".join(f"Area {n}." for n in range(1, 9))
    content = _content(
        workforce={"areas_for_development": areas, "signatures_of_risk": areas},
        care_leavers={"strengths": "Care leavers in suitable accommodation."},
    )
    kloes = draft(_template(), content)
    assert len(kloes) == MAX_KLOES
    assert [(k.source.kind, k.source.chapter_id) for k in kloes] == [
        (SourceKind.AREA_FOR_DEVELOPMENT, "workforce"),
        (SourceKind.SIGNATURE_OF_RISK, "workforce"),
        (SourceKind.STRENGTH, "care-leavers"),
        (SourceKind.AREA_FOR_DEVELOPMENT, "workforce"),
        (SourceKind.SIGNATURE_OF_RISK, "workforce"),
        (SourceKind.AREA_FOR_DEVELOPMENT, "workforce"),
    ]


def test_questions_spread_over_chapters_before_returning_to_one() -> None:
    content = _content(
        workforce={"areas_for_development": "Caseloads.\n\nSupervision."},
        care_leavers={"areas_for_development": "Staying put."},
    )
    kloes = draft(_template(), content)
    assert [(k.source.chapter_id, k.source.ref) for k in kloes] == [
        ("care-leavers", "1"),  # template order: care leavers come before workforce
        ("workforce", "1"),
        ("workforce", "2"),
    ]


def test_little_material_gives_a_short_draft_and_none_gives_none() -> None:
    assert draft(_template(), _content()) == []
    one = draft(_template(), _content(workforce={"strengths": "A stable team"}))
    assert [k.source.kind for k in one] == [SourceKind.STRENGTH]


def test_a_long_paragraph_is_quoted_to_a_word_boundary() -> None:
    long = "Return home interviews " + "are offered within seventy-two hours " * 8 + "."
    pool = candidates(_template(), _content(workforce={"areas_for_development": long}))
    text = pool[SourceKind.AREA_FOR_DEVELOPMENT][0].text
    quoted = text.split("“")[1].split("”")[0]
    assert quoted.endswith("…") and len(quoted) <= 160
    assert long.startswith(quoted.removesuffix("…"))


def test_a_paragraph_saying_there_is_nothing_asks_no_question() -> None:
    risks = (
        "None of this chapter's indicators carries a signature of risk this quarter.\n\n"
        "No concerns.\n\nN/A\n\nNottingham's rising re-referrals."
    )
    pool = candidates(_template(), _content(workforce={"signatures_of_risk": risks}))
    (only,) = pool[SourceKind.SIGNATURE_OF_RISK]
    assert "“Nottingham's rising re-referrals”" in only.text
    assert only.source.ref == "4"  # still numbered as written
