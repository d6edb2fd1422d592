"""Triads: the coordinator forms them; the rules, the history, the page and the API."""

import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth.roles import Role
from app.errors import Conflict, InvalidInput, NotPermitted
from app.models import AuditEvent, Cycle, SelfEvaluation, Triad, TriadMember, User
from app.reference import get_reference
from app.self_evaluation.schemas import TriadsInput
from app.triads import service
from tests import factories as f
from tests.conftest import check_page
from tests.page_reading import error_summary

DERBY = "E06000015"
DERBYSHIRE = "E10000007"
LEICESTER = "E06000016"
LEICESTERSHIRE = "E10000018"
LINCOLNSHIRE = "E10000019"
NORTH_NORTHANTS = "E06000061"
NOTTINGHAM = "E06000018"
NOTTINGHAMSHIRE = "E10000024"
RUTLAND = "E06000017"
WEST_NORTHANTS = "E06000062"
TRUST = "northamptonshire-childrens-trust"

FIRST = [
    [DERBY, DERBYSHIRE, LEICESTER],
    [LEICESTERSHIRE, LINCOLNSHIRE, NORTH_NORTHANTS],
    [NOTTINGHAM, NOTTINGHAMSHIRE, RUTLAND, WEST_NORTHANTS],
]
SECOND = [
    [DERBY, NOTTINGHAM, RUTLAND],
    [DERBYSHIRE, LEICESTERSHIRE, NOTTINGHAMSHIRE],
    [LEICESTER, LINCOLNSHIRE, NORTH_NORTHANTS, WEST_NORTHANTS],
]
FIRST_SUMMARY = (
    "Triads formed: 3 triads (Derby, Derbyshire, Leicester; "
    "Leicestershire, Lincolnshire, North Northamptonshire; "
    "Nottingham, Nottinghamshire, Rutland, West Northamptonshire)"
)
SIZE_RULE = "a triad has three, or two or four when the region's size needs it"
FIXED = "Triads cannot change once a self-evaluation has been shared with its triad for scrutiny"

# Moves that leave five LAs in triad 1.
FIVE = {LEICESTERSHIRE: 1, LINCOLNSHIRE: 1, NORTH_NORTHANTS: 2, RUTLAND: 2}

PAGE = "/regions/east-midlands/cycles/2026-27/triads"
API = "/api/v1/regions/east-midlands/cycles/2026-27/triads"


def _groups(grouping: list[list[str]]) -> dict[str, int]:
    return {code: n for n, group in enumerate(grouping, start=1) for code in group}


def _input(grouping: list[list[str]]) -> TriadsInput:
    return TriadsInput(groups=_groups(grouping))


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _events(session: Session) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "triads.formed")
            .order_by(AuditEvent.sequence)
        )
    )


def _share(session: Session, cycle: Cycle, la_code: str, state: str = "signed") -> None:
    sef = session.execute(
        select(SelfEvaluation).where(
            SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code == la_code
        )
    ).scalar_one()
    sef.state = state
    session.flush()


# The service's rules.


def test_forming_triads_stores_them_and_writes_one_history_entry(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    assert service.triads(session, cycle) == []
    assert service.triad_of(session, cycle, DERBY) is None
    before = _count(session, AuditEvent)

    # Numbers and LAs given in any order come back in number order, each triad by name.
    shuffled = dict(reversed(list(_groups(FIRST).items())))
    formed = service.form_triads(session, boss, cycle, TriadsInput(groups=shuffled))

    assert formed == FIRST
    assert service.triads(session, cycle) == FIRST
    assert service.triad_of(session, cycle, RUTLAND) == FIRST[2]
    assert service.triad_of(session, cycle, DERBY) == FIRST[0]
    assert service.triad_of(session, cycle, TRUST) is None
    assert _count(session, Triad) == 3 and _count(session, TriadMember) == 10
    assert _count(session, AuditEvent) == before + 1
    (event,) = _events(session)
    assert event.summary == FIRST_SUMMARY
    assert (event.subject_type, event.subject_id) == ("cycle", str(cycle.id))
    assert (event.region_id, event.cycle_id) == ("east-midlands", cycle.id)
    assert json.loads(event.payload) == {"triads": FIRST}
    assert event.actor_id == boss.user_id
    assert verify(session).ok


def test_the_same_grouping_again_changes_nothing(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    service.form_triads(session, boss, cycle, _input(FIRST))
    ids = sorted(session.scalars(select(Triad.id)))
    assert service.form_triads(session, boss, cycle, _input(FIRST)) == FIRST
    assert sorted(session.scalars(select(Triad.id))) == ids
    assert len(_events(session)) == 1


def test_re_forming_replaces_the_triads(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    service.form_triads(session, boss, cycle, _input(FIRST))
    assert service.form_triads(session, boss, cycle, _input(SECOND)) == SECOND
    assert service.triads(session, cycle) == SECOND
    assert _count(session, Triad) == 3 and _count(session, TriadMember) == 10
    assert [json.loads(e.payload)["triads"] for e in _events(session)] == [FIRST, SECOND]


def test_a_region_of_thirty_three_forms_its_proposal(session: Session) -> None:
    """London's eleven triads: the longest summary fits the history's column on PostgreSQL."""
    boss = f.coordinator(session, "london")
    cycle = f.open_cycle(session, boss, region="london")
    proposal = service.proposed_groups(get_reference().regions["london"], cycle.year)
    assert service.form_triads(session, boss, cycle, _input(proposal)) == proposal
    (event,) = _events(session)
    assert event.summary.startswith("Triads formed: 11 triads (")


def _with(moves: dict[str, int] | None = None, *, drop: tuple[str, ...] = ()) -> dict[str, int]:
    """FIRST's choices with some LAs moved to another triad number, or left out."""
    groups = {**_groups(FIRST), **(moves or {})}
    for code in drop:
        del groups[code]
    return groups


# fmt: off
REFUSALS = {
    "an LA missing": (_with(drop=(RUTLAND,)), "Choose a triad for Rutland"),
    "two LAs missing": (_with(drop=(RUTLAND, DERBY)), "Choose a triad for Derby and Rutland"),
    "an LA twice": (_with({DERBY.lower(): 2}), "Derby is listed twice: put each authority in one triad"),
    "an unknown code": (_with({"E09000001": 1}), "E09000001 is not a local authority in East Midlands"),
    "a Trust": (_with({TRUST: 1}), "Northamptonshire Children's Trust is a Trust: only local authorities sit in triads"),
    "a five": (_with(FIVE), f"Triad 1 has 5 authorities: {SIZE_RULE}"),
    "a one": (_with({RUTLAND: 4}), f"Triad 4 has only Rutland: {SIZE_RULE}"),
    "numbers with a gap": (_with({NOTTINGHAM: 4, NOTTINGHAMSHIRE: 4, RUTLAND: 4, WEST_NORTHANTS: 4}),
                           "Number the triads 1 to 3 without gaps: no authority is in triad 3"),
    "numbers not from 1": ({c: n + 1 for c, n in _groups(FIRST).items()},
                           "Number the triads 1 to 3 without gaps: no authority is in triad 1"),
    "triad zero": (_with({DERBY: 0}), "Triad 0 is not a triad number: number the triads 1, 2, 3 and so on"),
}
# fmt: on


@pytest.mark.parametrize("case", REFUSALS)
def test_a_wrong_grouping_is_refused_in_plain_words(session: Session, case: str) -> None:
    groups, message = REFUSALS[case]
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    service.form_triads(session, boss, cycle, _input(SECOND))
    before = _count(session, AuditEvent)
    with pytest.raises(InvalidInput) as refused:
        service.form_triads(session, boss, cycle, TriadsInput(groups=groups))
    assert (refused.value.message, refused.value.field) == (message, "groups")
    assert service.triads(session, cycle) == SECOND
    assert _count(session, AuditEvent) == before


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.DCS, {"organisation": DERBY}),
        (Role.REGIONAL_COORDINATOR, {"region": "west-midlands"}),
        (Role.RISL, {"region": "east-midlands"}),
    ],
)
def test_only_the_region_coordinator_forms_triads(
    session: Session, role: Role, where: dict[str, str]
) -> None:
    cycle = f.open_cycle(session)
    other = f.principal(session, f.make_user(session, role, **where))
    with pytest.raises(NotPermitted):
        service.form_triads(session, other, cycle, _input(FIRST))
    assert service.triads(session, cycle) == [] and _events(session) == []


@pytest.mark.parametrize("state", ["signed", "scrutiny_closed"])
def test_triads_are_fixed_once_a_self_evaluation_is_shared(session: Session, state: str) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    service.form_triads(session, boss, cycle, _input(FIRST))
    assert not service.is_fixed(session, cycle)
    _share(session, cycle, RUTLAND, state)
    assert service.is_fixed(session, cycle)
    with pytest.raises(Conflict) as refused:
        service.form_triads(session, boss, cycle, _input(SECOND))
    assert refused.value.message == FIXED
    assert service.triads(session, cycle) == FIRST
    assert len(_events(session)) == 1
    # Saving the same triads again is no change, so it is not refused.
    assert service.form_triads(session, boss, cycle, _input(FIRST)) == FIRST


def test_triads_may_be_formed_late_if_none_were_formed_before(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    _share(session, cycle, RUTLAND)
    assert not service.is_fixed(session, cycle)
    assert service.form_triads(session, boss, cycle, _input(FIRST)) == FIRST


# The page.


def _checked(response: Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text[:800])
    check_page(response.text)
    return unescape(response.text)


def _select(html: str, code: str) -> str:
    match = re.search(rf'<select[^>]*name="la-{code}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select for {code}"
    return match.group(1)


def _selected(html: str, code: str) -> str | None:
    """The value chosen in the LA's select, or None."""
    chosen = re.findall(r'<option value="([^"]*)"\s+selected', _select(html, code))
    return chosen[0] if chosen else None


def _summary_rows(html: str) -> list[tuple[str, str]]:
    pairs = re.findall(
        r'govuk-summary-list__key">\s*(.*?)\s*</dt>\s*<dd class="govuk-summary-list__value">'
        r"\s*(.*?)\s*</dd>",
        html,
        re.S,
    )
    return [(unescape(k), unescape(v)) for k, v in pairs]


def _form(grouping: list[list[str]], token: str) -> dict[str, str]:
    return {"csrf_token": token, **{f"la-{c}": str(n) for c, n in _groups(grouping).items()}}


def _open_as_coordinator(session: Session, client: TestClient) -> tuple[Cycle, User]:
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora")
    cycle = f.open_cycle(session, f.principal(session, user))
    session.commit()
    f.sign_in(client, user)
    return cycle, user


def test_the_coordinator_forms_triads_through_the_page(
    session: Session, client: TestClient
) -> None:
    _open_as_coordinator(session, client)
    html = _checked(client.get(PAGE), 200)
    assert "The regional coordinator has not formed this cycle's triads yet." in html
    assert "Triads rotate each year" in html and "a group of four, or two" in html
    assert "Save triads" in html
    # Five triads at most in a region of ten; prefilled with the proposal.
    assert re.findall(r'<option value="([^"]*)"', _select(html, DERBY)) == list("12345")
    proposal = service.proposed_groups(get_reference().regions[f.REGION], "2026-27")
    for number, group in enumerate(proposal, start=1):
        assert all(_selected(html, code) == str(number) for code in group)
    token = check_page(html).csrf_tokens[0]

    saved = client.post(PAGE, data=_form(FIRST, token))
    assert saved.status_code == 303 and saved.headers["location"] == PAGE
    html = _checked(client.get(PAGE), 200)
    assert "Triads saved." in html
    assert _summary_rows(html) == [
        ("Triad 1", "Derby, Derbyshire, Leicester"),
        ("Triad 2", "Leicestershire, Lincolnshire, North Northamptonshire"),
        ("Triad 3", "Nottingham, Nottinghamshire, Rutland, West Northamptonshire"),
    ]
    assert _selected(html, RUTLAND) == "3" and _selected(html, DERBY) == "1"
    assert len(_events(session)) == 1


def test_the_page_shows_a_refusal_and_keeps_the_choices(
    session: Session, client: TestClient
) -> None:
    _open_as_coordinator(session, client)
    token = f.csrf(client, PAGE)

    five = {**_form(FIRST, token), **{f"la-{c}": str(n) for c, n in FIVE.items()}}
    html = _checked(client.post(PAGE, data=five), 422)
    assert error_summary(html) == [("#groups", f"Triad 1 has 5 authorities: {SIZE_RULE}")]
    assert "groups" in check_page(html).ids
    assert _selected(html, LINCOLNSHIRE) == "1" and _selected(html, RUTLAND) == "2"

    not_a_number = {**_form(FIRST, token), f"la-{DERBY}": "first"}
    html = _checked(client.post(PAGE, data=not_a_number), 422)
    assert error_summary(html) == [(f"#la-{DERBY}", "Choose a triad for Derby")]
    assert _selected(html, DERBY) is None and _selected(html, RUTLAND) == "3"

    twice = client.post(PAGE, data={**_form(FIRST, token), f"la-{DERBY}": ["1", "2"]})
    html = _checked(twice, 422)
    assert error_summary(html) == [
        (f"#la-{DERBY}", "Derby is listed twice: choose one triad for it")
    ]

    missing = _form(FIRST, token)
    del missing[f"la-{RUTLAND}"]
    html = _checked(client.post(PAGE, data=missing), 422)
    assert error_summary(html) == [("#groups", "Choose a triad for Rutland")]
    assert service.triads(session, session.scalars(select(Cycle)).one()) == []
    assert _events(session) == []


def test_the_page_refuses_a_change_once_a_self_evaluation_is_shared(
    session: Session, client: TestClient
) -> None:
    cycle, user = _open_as_coordinator(session, client)
    service.form_triads(session, f.principal(session, user), cycle, _input(FIRST))
    token = f.csrf(client, PAGE)  # the coordinator opened the form before the signature
    _share(session, cycle, DERBY)
    session.commit()

    html = _checked(client.post(PAGE, data=_form(SECOND, token)), 409)
    assert error_summary(html) == [("#groups", FIXED)]
    assert service.triads(session, cycle) == FIRST
    html = _checked(client.get(PAGE), 200)
    assert FIXED + "." in html and "Save triads" not in html


def test_a_dcs_sees_the_triads_but_no_form(session: Session, client: TestClient) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY)
    session.commit()
    f.sign_in(client, dcs)

    html = _checked(client.get(PAGE), 200)
    assert "The regional coordinator has not formed this cycle's triads yet." in html
    assert "Save triads" not in html and 'name="la-' not in html

    service.form_triads(session, boss, cycle, _input(FIRST))
    session.commit()
    html = _checked(client.get(PAGE), 200)
    assert ("Triad 1", "Derby, Derbyshire, Leicester") in _summary_rows(html)
    assert "Save triads" not in html

    token = f.csrf(client, PAGE)
    refused = client.post(PAGE, data=_form(SECOND, token))
    assert refused.status_code == 403
    assert service.triads(session, cycle) == FIRST


def test_a_post_without_its_csrf_token_is_refused(session: Session, client: TestClient) -> None:
    _open_as_coordinator(session, client)
    form = _form(FIRST, "")
    del form["csrf_token"]
    refused = client.post(PAGE, data=form)
    assert refused.status_code == 403
    assert "missing its security token" in unescape(refused.text)
    assert _count(session, Triad) == 0 and _events(session) == []


# The API.


def _api_triads(
    grouping: list[list[str]], notes: list[list[str]] | None = None
) -> list[dict[str, object]]:
    """The API's triads; formed ones carry no notes, a proposal's say what each could not avoid."""
    names = {la.code: la.name for la in get_reference().regions[f.REGION].local_authorities}
    return [
        {
            "number": n,
            "local_authorities": [{"code": c, "name": names[c]} for c in group],
            "notes": notes[n - 1] if notes else [],
        }
        for n, group in enumerate(grouping, start=1)
    ]


AVOIDED_ALL = (
    "No two of these authorities met in a triad in the last three cycles, and no two are "
    "ones the region keeps apart."
)
NOTHING_BEFORE = (
    "No triads were formed in the last three cycles, so there are no pairs to avoid; no "
    "authorities the region keeps apart are grouped together."
)


def test_the_api_proposes_then_forms_triads(session: Session, client: TestClient) -> None:
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION)
    f.open_cycle(session, f.principal(session, boss))
    headers = f.token_for(session, boss)
    session.commit()

    proposal = client.get(API, headers=headers)
    assert proposal.status_code == 200, proposal.text
    # No earlier cycle: the first grouping in name order that keeps apart Derby and Derbyshire,
    # Leicester, Leicestershire and Rutland, and the two Northamptonshires (the region file).
    proposed = [
        [DERBY, LEICESTERSHIRE, NORTH_NORTHANTS],
        [DERBYSHIRE, LEICESTER, LINCOLNSHIRE],
        [NOTTINGHAM, NOTTINGHAMSHIRE, RUTLAND, WEST_NORTHANTS],
    ]
    assert proposal.json() == {
        "triads": _api_triads(proposed, [[AVOIDED_ALL]] * 3),
        "proposed": True,
        "summary": NOTHING_BEFORE,
    }
    assert proposal.json()["triads"][0]["local_authorities"][0] == {
        "code": DERBY,
        "name": "Derby",
    }

    formed = client.put(API, json={"groups": _groups(FIRST)}, headers=headers)
    assert formed.status_code == 200, formed.text
    assert formed.json() == {"triads": _api_triads(FIRST), "proposed": False, "summary": ""}
    assert client.get(API, headers=headers).json() == formed.json()
    assert len(_events(session)) == 1


def test_the_api_refuses_in_plain_words(session: Session, client: TestClient) -> None:
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION)
    cycle = f.open_cycle(session, f.principal(session, boss))
    headers = f.token_for(session, boss)
    dcs = f.token_for(session, f.make_user(session, Role.DCS, organisation=DERBY))
    elsewhere = f.token_for(
        session, f.make_user(session, Role.REGIONAL_COORDINATOR, region="west-midlands")
    )
    session.commit()
    body = {"groups": _groups(FIRST)}

    assert client.put(API, json=body).status_code == 401
    for who in (dcs, elsewhere):
        refused = client.put(API, json=body, headers=who)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["type"] == "NotPermitted"
    assert client.get(API, headers=dcs).json()["proposed"] is True
    assert client.get(API, headers=elsewhere).status_code == 403

    invalid = client.put(API, json={"groups": _with(FIVE)}, headers=headers)
    assert invalid.status_code == 422
    assert invalid.json()["error"] == {
        "type": "InvalidInput",
        "title": "There is a problem",
        "message": f"Triad 1 has 5 authorities: {SIZE_RULE}",
        "field": "groups",
    }
    not_numbers = client.put(API, json={"groups": {DERBY: "first"}}, headers=headers)
    assert not_numbers.status_code == 422

    assert client.put(API, json=body, headers=headers).status_code == 200
    _share(session, cycle, DERBY)
    session.commit()
    fixed = client.put(API, json={"groups": _groups(SECOND)}, headers=headers)
    assert fixed.status_code == 409
    assert fixed.json()["error"]["message"] == FIXED
    assert client.get(API, headers=headers).json() == {
        "triads": _api_triads(FIRST),
        "proposed": False,
        "summary": "",
    }
    assert len(_events(session)) == 1
