"""Carry-forward: a new self-evaluation starts from the LA's signed one of last year, each chapter
marked "carried forward from 2025–26, not yet edited" until its first edit; only the LA's DCS may
do it, only into a blank draft, and only from a signed earlier self-evaluation it may read."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.roles import ROLE_SCOPE, Role, ScopeKind
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.errors import Conflict, InvalidInput, NotPermitted
from app.models import AuditEvent, Cycle, SefVersion, User
from app.reference.sef import OfstedGrade
from app.self_evaluation.drafting import carry, service
from app.self_evaluation.schemas import CarryForwardInput
from tests import factories as f
from tests.sef_factories import DERBY, chapter_input, signed_sef, write_all

LEICESTER = "E06000016"
LAST, THIS = "2025-26", "2026-27"
HOME = f"/regions/{f.REGION}/cycles/{THIS}/self-evaluations/{DERBY}"
API = f"/api/v1/regions/{f.REGION}/cycles/{THIS}/self-evaluations/{DERBY}"
CHAPTERS = (
    "help-and-protection",
    "children-in-care",
    "care-leavers",
    "leadership-and-management",
    "workforce",
    "partnerships-and-early-help",
)


def _cycles(session: Session) -> tuple[Cycle, Cycle]:
    """Last year's cycle, with Derby's self-evaluation signed; this year's, still blank."""
    coordinator = f.coordinator(session)
    last = cycles.open_cycle(session, coordinator, f.REGION, OpenCycleInput(year=LAST))
    signed_sef(session, last, DERBY)
    return last, cycles.open_cycle(session, coordinator, f.REGION, OpenCycleInput(year=THIS))


def _dcs(session: Session, org: str = DERBY) -> tuple[User, object]:
    user = f.make_user(session, Role.DCS, organisation=org, name="Dee Derby")
    return user, f.principal(session, user)


def _versions(session: Session, cycle: Cycle) -> list[SefVersion]:
    session.expire_all()
    sef = service._row(session, cycle, DERBY, lock=False)
    return service.versions(session, sef)


def test_start_from_last_year_marks_chapters_until_edited(session: Session) -> None:
    last, this = _cycles(session)
    _, dcs = _dcs(session)
    source = service.signed_version(session, service._row(session, last, DERBY, lock=False))
    before = session.scalar(select(func.max(AuditEvent.sequence)))

    saved = carry.carry_forward(session, dcs, this, DERBY, CarryForwardInput(from_year=LAST))

    assert (saved.number, saved.chapter_id, saved.carried_from_version_id) == (1, None, source.id)
    assert json.loads(saved.content) == json.loads(source.content)  # grades and text, as signed
    sef = service.get_sef(session, dcs, this, DERBY)
    assert (sef.state, sef.submitted_number) == ("draft", None)
    assert carry.carried_chapters(session, sef) == dict.fromkeys(CHAPTERS, LAST)
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.sequence > before)).all()
    assert (event.action, event.summary) == (
        "sef.carried_forward",
        "Dee Derby started the self-evaluation from the signed 2025–26 self-evaluation "
        f"(version {source.number}): 6 chapters carried forward as version 1",
    )
    assert json.loads(event.payload)["from_version"] == source.number

    # The first edit of a chapter clears its mark; the others stay carried forward.
    edited = service.save_chapter(
        session,
        dcs,
        this,
        DERBY,
        "workforce",
        chapter_input(1, " this year", OfstedGrade.REQUIRES_IMPROVEMENT),
    )
    assert edited.number == 2
    assert carry.carried_chapters(session, sef) == {c: LAST for c in CHAPTERS if c != "workforce"}
    # A save that changes nothing makes no version and keeps the mark.
    same = json.loads(edited.content)["care-leavers"]
    unchanged = service.save_chapter(
        session,
        dcs,
        this,
        DERBY,
        "care-leavers",
        chapter_input(2).model_copy(
            update={**same, "grade": OfstedGrade(same["grade"]), "base_version": 2}
        ),
    )
    assert unchanged.number == 2
    assert "care-leavers" in carry.carried_chapters(session, sef)
    # Last year's signed self-evaluation is untouched.
    assert [v.number for v in _versions(session, last)][0] == source.number


def test_carry_forward_is_refused_where_it_would_be_wrong(session: Session) -> None:
    last, this = _cycles(session)
    _, dcs = _dcs(session)
    # Not from the same or a later cycle.
    with pytest.raises(InvalidInput) as same_year:
        carry.carry_forward(session, dcs, this, DERBY, CarryForwardInput(from_year=THIS))
    assert same_year.value.message == "Start from an earlier cycle than 2026–27."
    # Not from a cycle that was never opened.
    with pytest.raises(Exception) as missing:
        carry.carry_forward(session, dcs, this, DERBY, CarryForwardInput(from_year="2024-25"))
    assert missing.value.message == "There is no 2024-25 cycle for this region yet."  # type: ignore[attr-defined]
    # Not from an earlier self-evaluation that was never signed.
    leicester_user, leicester = _dcs(session, LEICESTER)
    write_all(session, last, LEICESTER, leicester)  # drafted last year, never signed
    with pytest.raises(Conflict) as unsigned:
        carry.carry_forward(session, leicester, this, LEICESTER, CarryForwardInput(from_year=LAST))
    assert unsigned.value.message == (
        "This self-evaluation has not been signed by all three signatories yet."
    )
    assert carry.previous_signed(session, leicester, this, LEICESTER) is None
    # Not over text already written.
    service.save_chapter(session, dcs, this, DERBY, "workforce", chapter_input(None))
    with pytest.raises(Conflict) as written:
        carry.carry_forward(session, dcs, this, DERBY, CarryForwardInput(from_year=LAST))
    assert written.value.message.startswith("This self-evaluation already has text")
    assert [v.number for v in _versions(session, this)] == [1]


def _every_other_role(session: Session) -> list[tuple[str, object]]:
    """One person in each role other than Derby's DCS, scoped where that role is held."""
    people = []
    for role in Role:
        kind = ROLE_SCOPE[role]
        if kind is ScopeKind.ORGANISATION:
            orgs = [DERBY, LEICESTER] if role is Role.DCS else [DERBY]
            for org in orgs:
                if (role, org) == (Role.DCS, DERBY):
                    continue
                user = f.make_user(session, role, organisation=org)
                people.append((f"{role.value}@{org}", f.principal(session, user)))
        elif kind is ScopeKind.REGION:
            user = f.make_user(session, role, region=f.REGION)
            people.append((role.value, f.principal(session, user)))
        else:
            people.append((role.value, f.principal(session, f.make_user(session, role))))
    return people


def test_only_the_las_dcs_may_start_from_last_year(session: Session) -> None:
    _, this = _cycles(session)
    for label, who in _every_other_role(session):
        with pytest.raises(NotPermitted):
            carry.carry_forward(session, who, this, DERBY, CarryForwardInput(from_year=LAST))  # type: ignore[arg-type]
        assert _versions(session, this) == [], label


def test_start_from_last_year_through_the_pages_and_the_api(
    session: Session, client: TestClient
) -> None:
    _, this = _cycles(session)
    user, _ = _dcs(session)
    f.sign_in(client, user)
    home = client.get(HOME)
    assert "Start from last year&#39;s signed self-evaluation" in home.text
    start = client.get(HOME + "/start")
    assert start.status_code == 200, start.text
    assert "Start from the 2025–26 self-evaluation" in start.text
    token = f.csrf(client, HOME + "/start")
    done = client.post(HOME + "/start", data={"csrf_token": token, "from_year": LAST})
    assert done.status_code == 303 and done.headers["location"] == HOME
    shown = client.get(HOME).text
    assert shown.count("Carried forward from 2025–26, not yet edited.") == 6
    assert "Start from last year" not in shown  # no longer blank
    history = client.get(HOME + "/versions").text
    assert "Whole self-evaluation, carried forward from the signed 2025–26" in history
    again = client.post(HOME + "/start", data={"csrf_token": token, "from_year": LAST})
    assert again.status_code == 409
    assert "This self-evaluation already has text" in again.text

    headers = f.token_for(session, user)
    body = client.get(API, headers=headers).json()
    assert body["carried_forward"] == dict.fromkeys(CHAPTERS, LAST)
    assert body["latest_version"]["number"] == 1
    refused = client.post(API + "/start", json={"from_year": LAST}, headers=headers)
    assert refused.status_code == 409, refused.text


def test_start_through_the_api_and_who_is_refused(session: Session, client: TestClient) -> None:
    _, this = _cycles(session)
    lee = f.make_user(session, Role.LEAD_MEMBER, organisation=DERBY)
    refused = client.post(
        API + "/start", json={"from_year": LAST}, headers=f.token_for(session, lee)
    )
    assert refused.status_code == 403, refused.text
    user, _ = _dcs(session)
    made = client.post(API + "/start", json={"from_year": LAST}, headers=f.token_for(session, user))
    assert made.status_code == 201, made.text
    assert made.json()["number"] == 1
    assert made.json()["carried_forward"] == dict.fromkeys(CHAPTERS, LAST)
    bad = client.post(
        API + "/start", json={"from_year": "last"}, headers=f.token_for(session, user)
    )
    assert bad.status_code == 422


def test_a_version_written_whole_clears_only_the_chapters_it_changed(session: Session) -> None:
    """A DOCX import writes a whole version; only the chapters whose text it changed count as
    edited (app.self_evaluation.documents.importing)."""
    from app.self_evaluation.drafting import content

    _, this = _cycles(session)
    _, dcs = _dcs(session)
    carry.carry_forward(session, dcs, this, DERBY, CarryForwardInput(from_year=LAST))
    sef = service.get_sef(session, dcs, this, DERBY, lock=True)
    text = service.content_of(sef, service.latest_version(session, sef))
    changed = content.with_chapter(
        text, "care-leavers", {**text["care-leavers"], "narrative": "Imported this year."}
    )
    service.add_version(
        session, dcs, this, sef, changed, chapter_id=None, new_state="draft", why="import"
    )
    assert carry.carried_chapters(session, sef) == {
        c: LAST for c in CHAPTERS if c != "care-leavers"
    }
