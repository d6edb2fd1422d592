"""A template without grades, end to end: a region on the three-questions template writes,
submits, is scrutinised, signs and gets a pack with no grade anywhere (pages, API, pack, history).

Grades are optional per template (seed 002_d98c8bcad6f8fe4d.txt:2208 asks for strengths and
areas for development, not grades); East Midlands keeps them (002_d98c8bcad6f8fe4d.txt:2322).
"""

import json
import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import AuditEvent, Cycle, SefVersion
from app.pack.environment import pack_env
from app.reference import get_reference
from app.reference.sef import OfstedGrade
from app.self_evaluation import pack
from app.self_evaluation.drafting import content, service
from app.self_evaluation.schemas import CommentInput
from tests import factories as f
from tests.page_reading import main_text
from tests.sef_factories import chapter_input, sign_as, signatories, submit_latest, write_all

EAST = "east-of-england"
BEDFORD = "E06000055"
BASE = f"/regions/{EAST}/cycles/2026-27/self-evaluations/{BEDFORD}"
API = f"/api/v1/regions/{EAST}/cycles/2026-27/self-evaluations/{BEDFORD}"
GRADE = re.compile(r"grade|outstanding|requires improvement|inadequate", re.I)


def _no_grade(where: str, text: str) -> None:
    found = GRADE.search(text)
    assert found is None, (
        f"{where} mentions {found.group(0)!r}: ...{text[max(0, found.start() - 80) : found.end() + 80]}..."
    )


def test_which_templates_carry_grades() -> None:
    templates = get_reference().sef_templates
    short, em = templates["sef-three-questions"], templates["sef-east-midlands"]
    assert (short.grades, short.any_grades) == (False, False)
    assert [short.graded(c.id) for c in short.chapters] == [False, False, False]
    assert (em.grades, em.any_grades) == (True, True)
    assert all(em.graded(c.id) for c in em.chapters)
    # A chapter without a grade has no grade section at all, not an empty one.
    assert content.empty(short)["plans"] == dict.fromkeys(
        (
            "narrative",
            "strengths",
            "areas_for_development",
            "signatures_of_strength",
            "signatures_of_risk",
            "evidence",
        ),
        "",
    )
    assert "grade" in content.empty(em)["workforce"]
    # Sign-off asks for strengths and areas for development only.
    assert content.missing_for_sign_off(short, content.empty(short))[0] == (
        "What do you know about the quality and impact of social work practice? needs "
        "strengths and areas for development"
    )


def test_a_template_without_grades_end_to_end(session: Session, client: TestClient) -> None:
    cycle: Cycle = f.open_cycle(session, region=EAST)
    people = signatories(session, BEDFORD)
    dcs_user = f.make_user(session, Role.DCS, organisation=BEDFORD, name="Dee Bedford")
    dcs = f.principal(session, dcs_user)
    headers = f.token_for(session, dcs_user)
    chapters = [c.id for c in get_reference().sef_templates["sef-three-questions"].chapters]

    # The chapter page offers no grade; the API refuses one and says why.
    f.sign_in(client, dcs_user)
    page = client.get(f"{BASE}/chapters/{chapters[0]}")
    assert page.status_code == 200, page.text
    assert 'name="grade"' not in page.text
    _no_grade("the chapter page", main_text(page.text))
    refused = client.put(
        f"{API}/chapters/{chapters[0]}",
        json=chapter_input(None, grade=OfstedGrade.GOOD).model_dump(mode="json"),
        headers=headers,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "grade"
    assert refused.json()["error"]["message"] == (
        "'What do you know about the quality and impact of social work practice?' carries no "
        "self-assessed grade in this region's template: write its strengths and areas for "
        "development instead."
    )
    assert session.scalars(select(SefVersion)).all() == []

    # Written through the API without grades: the saved text has no grade section.
    base = None
    for chapter_id in chapters:
        saved = client.put(
            f"{API}/chapters/{chapter_id}",
            json=chapter_input(base, f" ({chapter_id})", grade=None).model_dump(mode="json"),
            headers=headers,
        )
        assert saved.status_code == 200, saved.text
        base = saved.json()["number"]
    sef = service.get_sef(session, dcs, cycle, BEDFORD)
    latest = service.latest_version(session, sef)
    assert latest is not None and latest.number == 3
    assert all("grade" not in text for text in json.loads(latest.content).values())
    submitted = submit_latest(session, cycle, BEDFORD, dcs)
    for role, who in people.items():
        sign_as(session, cycle, BEDFORD, who, role, submitted.content_hash)

    # Scrutiny: the moderator sees no grade to take a view of, and the service refuses one.
    mo_user = f.make_user(session, Role.MODERATOR, region=EAST, name="Mo Moderator")
    mo = f.principal(session, mo_user)
    f.sign_in(client, mo_user)
    scrutiny_page = client.get(f"{BASE}/scrutiny")
    assert scrutiny_page.status_code == 200, scrutiny_page.text
    assert 'name="challenged_grade"' not in scrutiny_page.text
    _no_grade("the scrutiny page", main_text(scrutiny_page.text))
    mo_headers = f.token_for(session, mo_user)
    view = client.post(
        f"{API}/scrutiny/comments",
        json={"chapter_id": chapters[0], "body": "Thin evidence.", "challenged_grade": "good"},
        headers=mo_headers,
    )
    assert view.status_code == 422, view.text
    assert view.json()["error"]["message"] == (
        "'What do you know about the quality and impact of social work practice?' carries no "
        "self-assessed grade, so there is no grade to offer a different view of: say what you "
        "read in the comment."
    )
    made = client.post(
        f"{API}/scrutiny/comments",
        json=CommentInput(chapter_id=chapters[1], body="Say more about audits.").model_dump(
            mode="json"
        ),
        headers=mo_headers,
    )
    assert made.status_code == 201, made.text

    # Pages: the self-evaluation, its submitted version and the scrutiny say nothing of grades.
    f.sign_in(client, dcs_user)
    for path in (BASE, f"{BASE}/versions/3", f"{BASE}/scrutiny", f"{BASE}/submit"):
        shown = client.get(path)
        assert shown.status_code == 200, (path, shown.text)
        _no_grade(path, main_text(shown.text))

    # API: every chapter says it carries no grade, with none given.
    body = client.get(API, headers=headers).json()
    assert [
        (c["graded"], c["grade"], c["grade_label"]) for c in body["latest_version"]["chapters"]
    ] == [(False, None, None)] * 3

    # Pack: no grade table, no grade line, no count of grade views.
    built = pack.build_pack(session, mo, cycle, BEDFORD)
    assert built.any_grades is False
    assert [(c.graded, c.grade, c.grade_label) for c in built.chapters] == [(False, "", "")] * 3
    env = pack_env()
    printed = env.get_template("pdf/sef.html").render(**pack.template_context(built))
    _no_grade(
        "the pack",
        re.sub(
            r"\s+",
            " ",
            unescape(
                re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", printed, flags=re.S))
            ),
        ),
    )

    # History: no event about this self-evaluation mentions a grade.
    summaries = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.subject_type == "self_evaluation")
    ).all()
    assert len(summaries) >= 8
    for summary in summaries:
        _no_grade("the history", summary)


def test_east_midlands_keeps_its_grades(session: Session, client: TestClient) -> None:
    """The same journey on the East Midlands template still asks for, shows and prints grades."""
    cycle = f.open_cycle(session)
    people = signatories(session, "E06000015")
    write_all(session, cycle, "E06000015", people[Role.DCS])
    sef = service.get_sef(session, people[Role.DCS], cycle, "E06000015")
    latest = service.latest_version(session, sef)
    assert latest is not None
    assert json.loads(latest.content)["workforce"]["grade"] == "good"
