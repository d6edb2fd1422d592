"""The proposal on the real East Midlands file after a stored 2025-26 grouping (issue 12,
"Triads that rotate and respect conflicts"): it avoids last cycle's pairs where it can and the
region's conflicts always, and the page and the API say what each group could not avoid."""

from itertools import combinations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.models import Cycle
from app.reference import get_reference
from app.self_evaluation.schemas import TriadsInput
from app.triads import service
from tests import factories as f
from tests.integration.triads.test_triads import (
    API,
    DERBY,
    DERBYSHIRE,
    LEICESTER,
    LEICESTERSHIRE,
    LINCOLNSHIRE,
    NORTH_NORTHANTS,
    NOTTINGHAM,
    NOTTINGHAMSHIRE,
    PAGE,
    RUTLAND,
    WEST_NORTHANTS,
    _api_triads,
    _checked,
    _selected,
    _summary_rows,
)

# Formed by hand in 2025-26, before the region file listed its conflicts (the two
# Northamptonshires sat together).
LAST_YEAR = [
    [DERBY, LEICESTERSHIRE, NOTTINGHAMSHIRE],
    [DERBYSHIRE, LEICESTER, LINCOLNSHIRE],
    [NORTH_NORTHANTS, NOTTINGHAM, RUTLAND, WEST_NORTHANTS],
]
# The region file's triad_conflicts, as pairs.
KEPT_APART = [
    {DERBY, DERBYSHIRE},
    {LEICESTER, LEICESTERSHIRE},
    {LEICESTER, RUTLAND},
    {LEICESTERSHIRE, RUTLAND},
    {NORTH_NORTHANTS, WEST_NORTHANTS},
]
# The fewest repeats is one: last year's four cannot all be parted among three groups.
PROPOSED = [
    [DERBY, LEICESTER, NOTTINGHAM, WEST_NORTHANTS],
    [DERBYSHIRE, NOTTINGHAMSHIRE, RUTLAND],
    [LEICESTERSHIRE, LINCOLNSHIRE, NORTH_NORTHANTS],
]
AVOIDED_ALL = (
    "No two of these authorities met in a triad in the last three cycles, and no two are "
    "ones the region keeps apart."
)
NOTES = [["Nottingham and West Northamptonshire met in 2025-26."], [AVOIDED_ALL], [AVOIDED_ALL]]
SUMMARY = (
    "1 pair meets again from 2025-26: the fewest possible; no authorities the region keeps apart "
    "are grouped together."
)


def _pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for group in groups for pair in combinations(group, 2)}


def _with_last_year(session: Session) -> tuple[Cycle, Cycle]:
    """A 2025-26 cycle with LAST_YEAR formed, and the 2026-27 cycle open with no triads."""
    boss = f.coordinator(session)
    before = cycles.open_cycle(session, boss, f.REGION, OpenCycleInput(year="2025-26"))
    numbers = {code: n for n, group in enumerate(LAST_YEAR, start=1) for code in group}
    service.form_triads(session, boss, before, TriadsInput(groups=numbers))
    return before, f.open_cycle(session, boss)


def test_the_proposal_avoids_last_years_pairs_and_the_conflicts(session: Session) -> None:
    before, cycle = _with_last_year(session)
    assert service.past_groupings(session, cycle)[0].year == "2025-26"
    assert service.past_groupings(session, before) == []
    proposal = service.proposal(session, cycle)
    groups = proposal.codes()
    assert groups == PROPOSED
    assert not any(set(pair) in KEPT_APART for pair in map(set, _pairs(groups)))
    again = _pairs(groups) & _pairs(LAST_YEAR)
    assert again == {frozenset({NOTTINGHAM, WEST_NORTHANTS})}
    # The same data gives the same proposal.
    assert service.proposal(session, cycle) == proposal


def test_the_page_shows_why_and_prefills_the_proposal(session: Session, client: TestClient) -> None:
    _with_last_year(session)
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION)
    session.commit()
    f.sign_in(client, user)
    html = _checked(client.get(PAGE), 200)
    names = {la.code: la.name for la in get_reference().regions[f.REGION].local_authorities}
    assert "Why these triads" in html and SUMMARY in html
    assert _summary_rows(html) == [
        (f"Triad {n}: " + ", ".join(names[c] for c in group), " ".join(NOTES[n - 1]))
        for n, group in enumerate(PROPOSED, start=1)
    ]
    for number, group in enumerate(PROPOSED, start=1):
        assert all(_selected(html, code) == str(number) for code in group)


def test_the_api_explains_the_proposal(session: Session, client: TestClient) -> None:
    _with_last_year(session)
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION)
    headers = f.token_for(session, boss)
    session.commit()
    got = client.get(API, headers=headers)
    assert got.status_code == 200, got.text
    assert got.json() == {
        "triads": _api_triads(PROPOSED, NOTES),
        "proposed": True,
        "summary": SUMMARY,
    }
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "last three cycles" in schema["TriadOut"]["properties"]["notes"]["description"]
    assert "summary" in schema["TriadsOut"]["properties"]
