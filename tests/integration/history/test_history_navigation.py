"""The history in pages of 50, filtered by organisation, stage and person: pages and API count
only the entries the reader may see."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.chain import Actor, Entry, record_many
from app.auth.roles import Role
from app.models import Cycle, SelfEvaluation, User
from tests import factories as f
from tests.conftest import check_page
from tests.sef_factories import DERBY

CYCLE = f"/regions/{f.REGION}/cycles/{f.YEAR}"
API = "/api/v1" + CYCLE + "/history"
LEICESTER, NOTTINGHAM = "E06000016", "E06000018"


def _entries(
    cycle: Cycle,
    actor: Actor,
    action: str,
    subject: str,
    n: int,
    subject_id: int | None = None,
    **kw: str,
) -> list[Entry]:
    return [
        Entry(
            actor,
            action,
            f"{action} {i}",
            subject,
            subject_id or cycle.id,
            f.REGION,
            cycle.id,
            **kw,
        )
        for i in range(n)
    ]


def _cycle_with_many_entries(session: Session) -> tuple[Cycle, User, User, User]:
    """75 calendar changes everyone sees and 120 draft saves only the coordinator sees."""
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    cycle = f.open_cycle(session, f.principal(session, boss))
    actor = Actor(boss.id, boss.display_name)
    record_many(
        session,
        _entries(cycle, actor, "cycle.calendar_changed", "cycle", 75)
        + _entries(cycle, actor, "mou.draft_saved", "mou_version", 120),
    )
    risl = f.make_user(session, Role.RISL, region=f.REGION, name="Rita RISL")
    dcs = f.make_user(session, Role.DCS, organisation=DERBY, name="Dana Director")
    session.commit()
    return cycle, boss, risl, dcs


def test_pages_count_only_what_the_reader_sees(session: Session, client: TestClient) -> None:
    _, boss, risl, _ = _cycle_with_many_entries(session)
    risl_api = f.token_for(session, risl)
    boss_api = f.token_for(session, boss)
    session.commit()

    first = client.get(API, headers=risl_api).json()
    assert (first["total"], first["pages"], first["page"], len(first["entries"])) == (76, 2, 1, 50)
    assert first["links"]["next"] == API + "?page=2"
    assert first["links"]["prev"] is None
    second = client.get(first["links"]["next"], headers=risl_api).json()
    assert (second["page"], len(second["entries"]), second["links"]["next"]) == (2, 26, None)
    assert second["links"]["prev"] == API + "?page=1"
    assert {e["action"] for e in first["entries"] + second["entries"]} == {
        "cycle.calendar_changed",
        "cycle.opened",
    }
    # A page only the coordinator's entries would fill does not exist for the RISL.
    missing = client.get(API + "?page=3", headers=risl_api)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "There is no page 3: the history has 2."
    everything = client.get(API + "?page=4", headers=boss_api).json()
    assert (everything["total"], everything["pages"], len(everything["entries"])) == (196, 4, 46)

    f.sign_in(client, risl)
    page = client.get(CYCLE + "/history?page=2")
    assert page.status_code == 200
    check_page(page.text)
    assert "76 entries, showing 51 to 76." in page.text
    assert "(page 2 of 2)" in page.text
    assert re.search(r'<nav class="govuk-pagination" aria-label="History pages">', page.text)
    assert 'href="?page=1" rel="prev"' in page.text
    assert 'rel="next"' not in page.text
    assert client.get(CYCLE + "/history?page=3").status_code == 404


def test_filters_by_organisation_stage_and_person(session: Session, client: TestClient) -> None:
    cycle, boss, risl, dcs = _cycle_with_many_entries(session)
    derby = Actor(dcs.id, dcs.display_name)
    sef = session.scalars(
        select(SelfEvaluation).where(
            SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code == DERBY
        )
    ).one()
    notts = session.scalars(
        select(SelfEvaluation).where(
            SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code == NOTTINGHAM
        )
    ).one()
    nina = Actor(None, "Nina Notts")
    record_many(
        session,
        _entries(
            cycle, derby, "sef.chapter_saved", "self_evaluation", 3, sef.id, organisation_code=DERBY
        )
        + _entries(cycle, derby, "mou.signed", "mou_version", 1, organisation_code=DERBY)
        + _entries(
            cycle,
            nina,
            "sef.chapter_saved",
            "self_evaluation",
            2,
            notts.id,
            organisation_code=NOTTINGHAM,
        ),
    )
    boss_api = f.token_for(session, boss)
    session.commit()

    def actions(query: str) -> list[str]:
        response = client.get(API + query, headers=boss_api)
        assert response.status_code == 200, response.text
        return [e["action"] for e in response.json()["entries"]]

    assert actions(f"?la={DERBY}") == ["mou.signed"] + ["sef.chapter_saved"] * 3
    assert actions(f"?la={DERBY}&stage=mou") == ["mou.signed"]
    assert actions(f"?person={dcs.id}&stage=self_evaluation") == ["sef.chapter_saved"] * 3
    assert actions(f"?la={LEICESTER}") == []
    entry = client.get(API + f"?la={DERBY}&stage=mou", headers=boss_api).json()
    assert entry["entries"][0]["organisation"] == "Derby"
    assert entry["entries"][0]["stage"] == "mou"
    assert entry["links"]["self"] == API + f"?la={DERBY}&stage=mou&page=1"
    bad = client.get(API + "?stage=nonsense", headers=boss_api)
    assert bad.status_code == 422

    f.sign_in(client, boss)
    page = client.get(CYCLE + f"/history?la={DERBY}&stage=self_evaluation&person=")
    assert page.status_code == 200
    check_page(page.text)
    assert "3 entries." in page.text
    assert page.text.count('data-label="Organisation">Derby</td>') == 3
    assert '<option value="E06000015" selected>Derby</option>' in page.text
    assert '<option value="self_evaluation" selected>Self-evaluation</option>' in page.text
    assert f'<option value="{dcs.id}">Dana Director</option>' in page.text
    assert '<option value="E06000018">Nottingham</option>' in page.text
    assert (
        '<a class="govuk-link" href="/regions/east-midlands/cycles/2026-27/history">Clear filters</a>'
        in page.text
    )
    empty = client.get(CYCLE + f"/history?la={LEICESTER}")
    assert "There are no entries that match these filters." in empty.text

    # The RISL is offered neither Derby's drafting nor the person who did it.
    client.cookies.clear()
    f.sign_in(client, risl)
    page = client.get(CYCLE + "/history")
    assert '<option value="E06000015">Derby</option>' in page.text  # Derby's MoU signature
    assert '<option value="E06000018"' not in page.text  # only Nottingham's drafting
    assert f'<option value="{dcs.id}">' in page.text  # Dana signed the MoU: the RISL sees that
    assert '<option value="self_evaluation"' not in page.text
    assert client.get(CYCLE + "/history?stage=self_evaluation").text.count("<code>") == 0


def test_the_api_documents_the_filters_and_the_links(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/regions/{region_id}/cycles/{year}/history"]["get"]
    documented = {p["name"]: p.get("description") for p in operation["parameters"]}
    assert documented == {
        "region_id": None,
        "year": None,
        "la": "Only entries about this organisation (its ONS code)",
        "stage": "Only this stage: cycle, mou, quarterly_returns, self_evaluation, triad_challenge, "
        "la_development_plan",
        "person": "Only entries by this person (user id)",
        "page": "The page, 50 entries to a page",
    }
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/HistoryOut"}
    links = spec["components"]["schemas"]["PageLinks"]["properties"]
    assert list(links) == ["self", "first", "last", "next", "prev"]
