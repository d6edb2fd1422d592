"""Error pages link to the nearest page the reader may open, never blindly to the referrer."""

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.roles import Role
from tests import factories as f
from tests.conftest import check_page
from tests.sef_factories import write_all

DERBY, NOTTINGHAM = "E06000015", "E06000018"
CYCLE = "/regions/east-midlands/cycles/2026-27"
SEFS = f"{CYCLE}/self-evaluations"
DERBY_SEF = f"{SEFS}/{DERBY}"


def _back(client: TestClient, path: str, status: int) -> tuple[str, str]:
    """The error page's one link out of its main content: (href, text)."""
    response = client.get(path, headers={"referer": "https://elsewhere.example/secret"})
    assert response.status_code == status, (response.status_code, response.text[:400])
    check_page(response.text)
    main = re.search(r"<main.*?</main>", response.text, re.S)
    assert main
    links = re.findall(r'<a class="govuk-link" href="([^"]*)">([^<]*)</a>', main.group(0))
    assert len(links) == 1, links
    href, text = links[0]
    return unescape(href), unescape(text).strip()


@pytest.fixture
def written(session: Session) -> None:
    cycle = f.open_cycle(session)
    dcs = f.principal(session, f.make_user(session, Role.DCS, organisation=DERBY))
    write_all(session, cycle, DERBY, dcs)
    session.commit()


def test_a_403_on_a_draft_links_to_the_list_the_reader_can_open(
    session: Session, client: TestClient, written: None
) -> None:
    f.sign_in(client, f.make_user(session, Role.DCS, organisation=NOTTINGHAM))
    assert _back(client, DERBY_SEF, 403) == (SEFS, "Go to the self-evaluations you can read")
    assert _back(client, f"{DERBY_SEF}/versions/1", 403) == (
        SEFS,
        "Go to the self-evaluations you can read",
    )


def test_a_404_on_a_version_links_to_the_versions_list(
    session: Session, client: TestClient, written: None
) -> None:
    f.sign_in(client, f.make_user(session, Role.DCS, organisation=DERBY))
    assert _back(client, f"{DERBY_SEF}/versions/99", 404) == (
        f"{DERBY_SEF}/versions",
        "Go to the versions of Derby's self-evaluation",
    )


def test_a_refused_step_links_to_the_self_evaluation_it_belongs_to(
    session: Session, client: TestClient, written: None
) -> None:
    # The Lead Member reads Derby's self-evaluation but does not submit it.
    f.sign_in(client, f.make_user(session, Role.LEAD_MEMBER, organisation=DERBY))
    assert _back(client, f"{DERBY_SEF}/submit", 403) == (
        DERBY_SEF,
        "Go to Derby's self-evaluation",
    )


def test_an_unknown_address_links_home(session: Session, client: TestClient) -> None:
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION))
    assert _back(client, "/nowhere/at/all", 404) == ("/", "Go to your improvement cycles")
    assert _back(client, "/regions/east-midlands/returns/2026-27-q9/E06000015", 404)[0] == (
        "/regions/east-midlands/returns"
    )
