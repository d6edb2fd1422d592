"""Trusts and co-leads as the region files name them: who signs, who leads, who sits in a triad."""

import re
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, can
from app.auth.principal import Assignment, Principal
from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import CalendarInput, StageDates
from app.errors import AlreadyDone, InvalidInput
from app.models import SefSignOffEvent, StageWindow
from app.mou import service as mou
from app.reference import get_reference
from app.self_evaluation import access
from app.self_evaluation.drafting import service
from tests import factories as f
from tests.conftest import check_page
from tests.sef_factories import (
    DERBY,
    form_proposed_triads,
    sign_as,
    signatories,
    submit_latest,
    write_all,
)

NORTH_NORTHANTS = "E06000061"
NCT = "northamptonshire-childrens-trust"
NOTTINGHAM = "E06000018"
LEICESTER = "E06000016"
LINCOLNSHIRE = "E10000019"


def _as(role: Role, organisation: str) -> Principal:
    region = get_reference().region_of(organisation).id
    return Principal(
        1, "Someone", "someone@test.example", (Assignment(role, region, organisation),)
    )


@pytest.mark.parametrize("region_id", ["west-midlands", "south-east"])
def test_each_trusts_chief_executive_must_sign_its_regions_mou(
    session: Session, region_id: str
) -> None:
    region = get_reference().regions[region_id]
    trusts = [t.code for t in region.trusts]
    boss = f.coordinator(session, region_id)
    cycle = f.open_cycle(session, boss, region=region_id)
    f.publish_from_template(session, cycle, boss)
    f.sign_everyone(session, cycle, skip={(code, Role.CHIEF_EXECUTIVE) for code in trusts})
    status = mou.status(session, boss, cycle)
    assert status.required_count == 3 * len(region.local_authorities) + len(trusts)
    assert [(s.organisation_code, s.role) for s in status.outstanding] == [
        (code, Role.CHIEF_EXECUTIVE) for code in sorted(trusts)
    ]
    assert not status.in_force
    for code in trusts:
        f.sign(session, cycle, f.signatory(session, code, Role.CHIEF_EXECUTIVE), code,
               Role.CHIEF_EXECUTIVE)  # fmt: skip
    assert mou.status(session, boss, cycle).in_force


def test_both_co_leads_act_as_the_lead(session: Session) -> None:
    em = Scope("east-midlands")
    lead_member = Role.LEAD_LEAD_MEMBER
    # East Midlands names two lead Lead Members (seed 002:2272): each may act as the lead.
    assert can(_as(Role.LEAD_MEMBER, DERBY), Action.VIEW_CYCLE, em, as_role=lead_member)
    assert can(_as(Role.LEAD_MEMBER, NOTTINGHAM), Action.VIEW_CYCLE, em, as_role=lead_member)
    # Another LA's Lead Member, or the co-lead LA's DCS, does not.
    assert not can(_as(Role.LEAD_MEMBER, LEICESTER), Action.VIEW_CYCLE, em, as_role=lead_member)
    assert not can(_as(Role.DCS, DERBY), Action.VIEW_CYCLE, em, as_role=lead_member)
    # A lead acts in its own region only.
    west = Scope("west-midlands")
    assert not can(_as(Role.LEAD_MEMBER, DERBY), Action.VIEW_CYCLE, west, as_role=lead_member)
    assert can(_as(Role.DCS, LINCOLNSHIRE), Action.VIEW_CYCLE, em, as_role=Role.LEAD_DCS)


def test_a_trusts_chief_executive_signs_the_served_las_self_evaluation(session: Session) -> None:
    cycle = f.open_cycle(session)
    people = signatories(session, NORTH_NORTHANTS)
    write_all(session, cycle, NORTH_NORTHANTS, people[Role.DCS])
    submitted = submit_latest(session, cycle, NORTH_NORTHANTS, people[Role.DCS])
    trust_ceo = f.principal(
        session, f.make_user(session, Role.CHIEF_EXECUTIVE, organisation=NCT, name="Tess Trust")
    )
    # The Trust's chief executive reads the version submitted and signs it "or equivalent".
    sef = service.get_sef(session, trust_ceo, cycle, NORTH_NORTHANTS)
    assert access.can_read(session, trust_ceo, cycle, sef)
    sign_as(session, cycle, NORTH_NORTHANTS, trust_ceo, Role.CHIEF_EXECUTIVE,
            submitted.content_hash)  # fmt: skip
    event = session.execute(select(SefSignOffEvent)).scalar_one()
    assert (event.role, event.signatory_name) == ("chief_executive", "Tess Trust")
    assert event.statement == (
        "As Chief Executive of Northamptonshire Children's Trust, for North Northamptonshire, "
        f"I sign off version {submitted.number} of this self-evaluation as a fair and honest account of our "
        "children's services, to be shared with our peers for scrutiny."
    )
    # One Chief Executive (or equivalent) signs: the council's is no longer needed.
    with pytest.raises(AlreadyDone):
        sign_as(session, cycle, NORTH_NORTHANTS, people[Role.CHIEF_EXECUTIVE],
                Role.CHIEF_EXECUTIVE, submitted.content_hash)  # fmt: skip
    for role in (Role.DCS, Role.LEAD_MEMBER):
        sign_as(session, cycle, NORTH_NORTHANTS, people[role], role, submitted.content_hash)
    assert service.get_sef(session, trust_ceo, cycle, NORTH_NORTHANTS).state == "signed"
    # It signs only for the LAs its Trust serves, and only in the Trust's signing roles
    # (signing_roles.trust: chief_executive), not as a Lead Member it may also hold there.
    assert not can(
        trust_ceo, Action.SIGN_SEF, Scope("east-midlands", DERBY), as_role=Role.CHIEF_EXECUTIVE
    )
    trust_member = f.signatory(session, NCT, Role.LEAD_MEMBER)
    assert not can(
        trust_member, Action.SIGN_SEF, Scope("east-midlands", NORTH_NORTHANTS),
        as_role=Role.LEAD_MEMBER,
    )  # fmt: skip


def test_a_trusts_dcs_sits_in_the_triad_of_the_la_it_serves(session: Session) -> None:
    cycle = f.open_cycle(session)
    groups = form_proposed_triads(session, cycle)
    served = set(get_reference().regions["east-midlands"].trusts[0].serves)
    mine = [g for g in groups if served & set(g)]
    peers = {code for g in mine for code in g} - served
    others = {code for g in groups for code in g} - peers - served
    assert peers and others
    trust_dcs = f.signatory(session, NCT, Role.DCS)
    for code in peers:
        assert access.is_scrutineer(session, trust_dcs, cycle, code), code
    for code in others:
        assert not access.is_scrutineer(session, trust_dcs, cycle, code), code


def _summary(html: str) -> list[tuple[str, str]]:
    rows = re.findall(
        r'govuk-summary-list__key[^"]*">\s*(.*?)\s*</dt>\s*'
        r'<dd class="govuk-summary-list__value[^"]*">\s*(.*?)\s*</dd>',
        html,
        re.S,
    )
    return [(unescape(k), unescape(v)) for k, v in rows]


def test_the_region_page_shows_co_leads_the_chair_and_trusts(
    session: Session, client: TestClient
) -> None:
    f.sign_in(client, f.make_user(session, Role.LEAD_MEMBER, organisation=DERBY))
    session.commit()
    page = client.get("/regions/east-midlands")
    assert page.status_code == 200
    check_page(page.text)
    assert _summary(page.text) == [
        ("Lead DCS", "Lincolnshire"),
        ("Lead Lead Members", "Derby and Nottingham"),
        ("Lead Chief Executive", "Nottinghamshire"),
        ("Board chair", "Chief Executive, Lincolnshire"),
        (
            "Northamptonshire Children's Trust",
            "Runs children's social care for North Northamptonshire and West Northamptonshire; "
            "signs their self-evaluations and sits in their triads.",
        ),
    ]
    f.sign_in(client, f.make_user(session, Role.DCS, organisation="E09000021"))
    session.commit()
    london = client.get("/regions/london")
    assert _summary(london.text)[-1] == (
        "Achieving for Children",
        "Runs children's social care for Kingston upon Thames and Richmond upon Thames; signs "
        "their self-evaluations and sits in their triads; also serves authorities in another "
        "region (South East).",
    )


def test_the_cycle_shows_the_annual_assurance_conversation(
    session: Session, client: TestClient
) -> None:
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    f.open_cycle(session, f.principal(session, boss))
    session.commit()
    f.sign_in(client, boss)
    page = client.get("/regions/east-midlands/cycles/2026-27")
    assert page.status_code == 200
    rows = dict(_summary(page.text))
    assert rows["Regional capacity index"] == "1 February 2027 to 13 March 2027"
    assert rows["Annual assurance conversation"] == "2 March 2027 to 20 March 2027"


def test_the_coordinator_cannot_close_the_capacity_index_before_the_plans(
    session: Session,
) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    early = StageDates(opens=date(2027, 2, 1), closes=date(2027, 3, 6))
    with pytest.raises(InvalidInput) as refused:
        cycles.update_calendar(
            session, boss, cycle, CalendarInput(windows={"capacity_index": early})
        )
    assert str(refused.value) == (
        "The regional capacity index cannot close before the LA development plans close: "
        "it draws on them"
    )


def test_a_cycle_opened_before_the_conversation_existed_offers_the_regions_dates(
    session: Session, client: TestClient
) -> None:
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    cycle = f.open_cycle(session, f.principal(session, boss))
    session.execute(
        delete(StageWindow).where(
            StageWindow.cycle_id == cycle.id, StageWindow.stage == "annual_assurance_conversation"
        )
    )
    session.commit()
    f.sign_in(client, boss)
    form = client.get("/regions/east-midlands/cycles/2026-27/calendar").text
    for field, value in (("opens-day", "2"), ("closes-day", "20"), ("closes-month", "3")):
        name = f"annual_assurance_conversation-{field}"
        assert re.search(rf'name="{name}"[^>]*value="{value}"', form), name
    # Saved unchanged, the conversation's window is added to the cycle.
    client.post(
        "/regions/east-midlands/cycles/2026-27/calendar",
        data={"csrf_token": f.csrf(client, "/regions/east-midlands/cycles/2026-27/calendar"),
              **f.calendar_form()},
    )  # fmt: skip
    assert cycles.calendar(session, cycle)["annual_assurance_conversation"].closes_on == date(
        2027, 3, 20
    )
