"""Every page: the Beta banner with its feedback link, and the header naming who is signed in,
as what and where (issue 9)."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.accounts import assign_role
from app.auth.roles import Role
from app.settings import get_settings
from tests import factories as f
from tests.conftest import check_page


def _signed_in_as(page: str) -> str:
    found = re.search(r'<span class="app-signed-in-as">(.*?)</span>\s*<form', page, re.S)
    assert found, page
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("&#39;", "'")


def test_the_header_names_the_person_their_role_and_organisation(
    session: Session, client: TestClient
) -> None:
    f.sign_in(client, f.make_user(session, Role.DCS, organisation="E06000015", name="Jo Bloggs"))
    page = client.get("/")
    check_page(page.text)
    assert (
        _signed_in_as(page.text) == "Signed in as Jo Bloggs, Director of Children's Services, Derby"
    )


def test_a_regional_role_names_the_region_and_counts_the_others(
    session: Session, client: TestClient
) -> None:
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    f.sign_in(client, user)
    assert (
        _signed_in_as(client.get("/").text)
        == "Signed in as Cora Coordinator, Regional coordinator, East Midlands"
    )
    assign_role(session, user, Role.DCS, organisation_code="E06000015")
    session.commit()
    assert _signed_in_as(client.get("/").text) == (
        "Signed in as Cora Coordinator, Regional coordinator, East Midlands (and 1 other role)"
    )


def test_every_page_has_a_beta_banner_with_a_feedback_link(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = client.get("/sign-in").text
    banner = page.split('<div class="govuk-phase-banner ')[1].split("</div>")[0]
    assert re.search(r"govuk-phase-banner__content__tag\">\s*Beta\s*</strong>", banner)
    assert (
        '<a class="govuk-link" href="mailto:riia-cycle@localhost?subject=RIIA%20Cycle%20feedback">'
        "Give feedback</a> to help us improve it." in banner
    )
    monkeypatch.setattr(get_settings(), "feedback_url", 'https://forms.example/f?a=1&b="x"')
    page = client.get("/accessibility").text
    assert 'href="https://forms.example/f?a=1&amp;b=&#34;x&#34;">Give feedback</a>' in page
