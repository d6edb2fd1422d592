"""Every link a reader is shown opens for that reader: the returns tracker, the MoU tracker, the
self-evaluation tracker, the cycle page and the history, for every role, walked link by link."""

from datetime import date
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from tests import factories as f
from tests.conftest import check_page
from tests.history_factories import DERBYSHIRE, LEICESTER, build_cycle, person
from tests.sef_factories import DERBY

CYCLE = f"/regions/{f.REGION}/cycles/{f.YEAR}"
PAGES = {
    "returns tracker": f"/regions/{f.REGION}/returns?year={f.YEAR}",
    "MoU tracker": CYCLE + "/mou/tracker",
    "self-evaluation tracker": CYCLE + "/self-evaluations/tracker",
    "cycle page": CYCLE,
    "history": CYCLE + "/history",
}
READERS: dict[str, tuple[Role, str | None, str | None]] = {
    "coordinator": (Role.REGIONAL_COORDINATOR, None, f.REGION),
    "Derby DCS": (Role.DCS, DERBY, None),
    "Derby chief executive": (Role.CHIEF_EXECUTIVE, DERBY, None),
    "Derby data lead": (Role.DATA_LEAD, DERBY, None),
    "Derbyshire DCS (triad peer)": (Role.DCS, DERBYSHIRE, None),
    "Leicester DCS": (Role.DCS, LEICESTER, None),
    "lead DCS": (Role.LEAD_DCS, None, f.REGION),
    "RISL": (Role.RISL, None, f.REGION),
}
# Q2 closes on 30 October 2026; the RISL sees it from 28 November.
DAYS = [date(2026, 10, 15), date(2026, 11, 23)]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.texts: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)
            self._open = href

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.texts[self._open] = (self.texts.get(self._open, "") + data).strip()


def _internal(href: str, page: str) -> str | None:
    """The URL to fetch for a link on `page`, or None for what is not a page of the service."""
    if href.startswith(("#", "http:", "https:", "mailto:", "/static/")):
        return None
    if href.startswith("?"):
        return page.split("?")[0] + href
    return href


def _walk(client: TestClient, page: str) -> list[tuple[str, str, int]]:
    """Every link on the page with what it returned; only the ones that did not open."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    check_page(shown.text)
    links = Links()
    links.feed(shown.text)
    failures = []
    for href in dict.fromkeys(links.hrefs):
        url = _internal(href, page)
        if url is None:
            continue
        response = client.get(url)
        if response.status_code != 200:
            failures.append((links.texts.get(href, ""), url, response.status_code))
    return failures


@pytest.fixture
def readers(session: Session) -> dict[str, object]:
    build_cycle(session)
    users = {name: person(session, spec, name) for name, spec in READERS.items()}
    session.commit()
    return users  # type: ignore[return-value]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_link_a_reader_is_shown_opens(
    client: TestClient,
    readers: dict[str, object],
    page: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walked = 0
    for day in DAYS:
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        for name, user in readers.items():
            client.cookies.clear()
            f.sign_in(client, user)  # type: ignore[arg-type]
            if client.get(PAGES[page]).status_code == 403:
                continue  # the coordinator's own tracker: nobody else is shown its links
            assert _walk(client, PAGES[page]) == [], (name, day)
            walked += 1
    assert walked >= 2


def test_the_returns_tracker_says_when_a_return_is_shared(
    client: TestClient, readers: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    f.sign_in(client, readers["RISL"])  # type: ignore[arg-type]
    page = client.get(PAGES["returns tracker"]).text
    # Q1 is released to the RISL; Q2 (Derby's and Leicester's) only from 28 November.
    assert page.count("Version 1, shared from 28 November 2026") == 2
    assert f'href="/regions/{f.REGION}/returns/2026-27-q1/{DERBY}"' in page
    assert f'href="/regions/{f.REGION}/returns/2026-27-q2/{DERBY}"' not in page
    monkeypatch.setattr(clock, "today", lambda: date(2026, 10, 15))
    client.cookies.clear()
    f.sign_in(client, readers["Derbyshire DCS (triad peer)"])  # type: ignore[arg-type]
    page = client.get(PAGES["returns tracker"]).text
    assert page.count("Version 1, shared from 31 October 2026") == 2
