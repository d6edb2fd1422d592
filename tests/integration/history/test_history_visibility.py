"""Who sees which history entries: every reader x every kind of entry x every state, on the page
and through the API. Each entry follows the rule of the object it describes (the MoU's drafts,
the data terms' release dates, a self-evaluation's drafts, signed text and scrutiny)."""

import re
from datetime import date
from types import MappingProxyType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.audit.chain import payload_of
from app.auth.roles import Role
from app.models import AuditEvent
from app.reference import get_reference
from tests import factories as f
from tests.conftest import check_page
from tests.history_factories import DERBYSHIRE, LEICESTER, NOTTINGHAM, build_cycle, person
from tests.sef_factories import DERBY

BIRMINGHAM = "E08000025"
CYCLE = f"/regions/{f.REGION}/cycles/{f.YEAR}"
# Q2 closes on 30 October 2026: the region sees it from 31 October, the RISL from 28 November.
BEFORE_CLOSE, AFTER_CLOSE, AFTER_RISL_RELEASE = (
    date(2026, 10, 15),
    date(2026, 11, 23),
    date(2026, 12, 1),
)
DAYS = [BEFORE_CLOSE, AFTER_CLOSE, AFTER_RISL_RELEASE]

READERS: dict[str, tuple[Role, str | None, str | None]] = {
    "coordinator": (Role.REGIONAL_COORDINATOR, None, f.REGION),
    "Derby DCS": (Role.DCS, DERBY, None),
    "Derby chief executive": (Role.CHIEF_EXECUTIVE, DERBY, None),
    "Derby data lead": (Role.DATA_LEAD, DERBY, None),
    "Derbyshire DCS (triad peer)": (Role.DCS, DERBYSHIRE, None),
    "Leicester DCS (not in the triad)": (Role.DCS, LEICESTER, None),
    "lead DCS": (Role.LEAD_DCS, None, f.REGION),
    "RISL": (Role.RISL, None, f.REGION),
}
STRANGERS: dict[str, tuple[Role, str | None, str | None]] = {
    "West Midlands coordinator": (Role.REGIONAL_COORDINATOR, None, "west-midlands"),
    "West Midlands RISL": (Role.RISL, None, "west-midlands"),
    "Birmingham DCS": (Role.DCS, BIRMINGHAM, None),
}

CYCLE_ENTRIES = {"cycle.opened", "cycle.calendar_changed", "triads.formed"}
# Published versions, signatures, the decline with its reason, reminders: the region's to read.
MOU_PUBLISHED = {
    "mou.published",
    "mou.signed",
    "mou.declined",
    "mou.reminders_sent",
    "mou.superseded",
    "mou.came_into_force",
}
DERBY_SIGNED = {"sef.signed_off Derby", "sef.signed Derby (signed version)"}
DERBY_SCRUTINY = {"sef.commented Derby", "sef.responded Derby", "sef.scrutiny_closed Derby"}
# The Chief Executive's return with its reason, the signatures it voided, the drafts: Derby's own.
DERBY_PRIVATE = {
    "sef.chapter_saved Derby",
    "sef.submitted Derby",
    "sef.signed Derby (returned version)",
    "sef.returned Derby",
    "sef.signatures_voided Derby",
    "sef.contributor_assigned Derby",
    "sef.contributor_unassigned Derby",
}
DERBYSHIRE_SIGNED = {"sef.signed_off Derbyshire", "sef.signed Derbyshire"}
DERBYSHIRE_PRIVATE = {"sef.chapter_saved Derbyshire", "sef.submitted Derbyshire"}
DERBY_Q1 = {"returns.submitted Derby 2026-27 Q1"}
DERBY_Q2 = {"returns.submitted Derby 2026-27 Q2"}
LEICESTER_Q2 = {"returns.submitted Leicester 2026-27 Q2"}
Q2_FILE = {"returns.file_imported"}  # the coordinator's file bringing in both Q2 returns
OVERRIDES = {"returns.override_recorded Derby", "returns.override_recorded Leicester"}
LEICESTER_DRAFT = {
    "sef.chapter_saved Leicester",
    "sef.submitted Leicester",
    "sef.submission_withdrawn Leicester",
}
NOTTINGHAM_SUBMITTED = {"sef.chapter_saved Nottingham", "sef.submitted Nottingham"}


def expected(reader: str, day: date) -> set[str]:
    """The rule, written out: what each reader sees on each day."""
    shared = CYCLE_ENTRIES | MOU_PUBLISHED | DERBY_Q1
    region_q2 = DERBY_Q2 | LEICESTER_Q2 | Q2_FILE if day >= AFTER_CLOSE else set()
    if reader == "coordinator":
        return (
            shared | {"mou.draft_saved"} | DERBY_SIGNED | DERBY_SCRUTINY | DERBY_PRIVATE
            | DERBYSHIRE_SIGNED | DERBYSHIRE_PRIVATE | DERBY_Q2 | LEICESTER_Q2 | Q2_FILE
            | OVERRIDES | LEICESTER_DRAFT | NOTTINGHAM_SUBMITTED
        )  # fmt: skip
    if reader == "Derby DCS":  # also scrutinises Derbyshire's signed self-evaluation
        own = DERBY_SIGNED | DERBY_SCRUTINY | DERBY_PRIVATE | DERBY_Q2
        return shared | own | region_q2 | DERBYSHIRE_SIGNED
    if reader.startswith("Derby "):  # not a DCS: no scrutineer of anyone's
        own = DERBY_SIGNED | DERBY_SCRUTINY | DERBY_PRIVATE | DERBY_Q2
        return shared | own | region_q2
    if reader.startswith("Derbyshire"):
        own = DERBYSHIRE_SIGNED | DERBYSHIRE_PRIVATE
        return shared | own | DERBY_SIGNED | DERBY_SCRUTINY | region_q2
    if reader.startswith("Leicester"):
        return shared | LEICESTER_DRAFT | LEICESTER_Q2 | region_q2
    if reader == "lead DCS":
        return shared | region_q2
    assert reader == "RISL"
    risl_q2 = DERBY_Q2 | LEICESTER_Q2 | Q2_FILE if day >= AFTER_RISL_RELEASE else set()
    return shared | DERBY_SIGNED | DERBYSHIRE_SIGNED | risl_q2


def _label(event: AuditEvent) -> str:
    names = {
        DERBY: "Derby",
        DERBYSHIRE: "Derbyshire",
        LEICESTER: "Leicester",
        NOTTINGHAM: "Nottingham",
    }
    org = names.get(event.organisation_code or "", event.organisation_code or "")
    if event.action == "returns.submitted":
        return f"returns.submitted {org} {payload_of(event)['period']}"
    if event.action == "sef.signed":
        number = re.search(r"signed version (\d+)", event.summary)
        assert number is not None
        return f"sef.signed {org} v{number.group(1)}"
    if event.action.startswith(("sef.", "returns.override")):
        return f"{event.action} {org}"
    return event.action


@pytest.fixture
def labelled(session: Session) -> dict[int, str]:
    cycle = build_cycle(session)
    events = session.scalars(select(AuditEvent).where(AuditEvent.cycle_id == cycle.id)).all()
    labels = {e.sequence: _label(e) for e in events}
    # Derby's versions are numbered by chapter saves: name the two signed ones by their part.
    numbers = sorted(
        {
            int(label.rsplit("v", 1)[1])
            for label in labels.values()
            if label.startswith("sef.signed Derby v")
        }
    )
    assert len(numbers) == 2
    parts = {
        f"sef.signed Derby v{n}": f"sef.signed Derby ({part} version)"
        for n, part in zip(numbers, ["returned", "signed"], strict=True)
    }
    labels = {sequence: parts.get(label, label) for sequence, label in labels.items()}
    # Derbyshire was signed at its first submission: all its signatures are on that version.
    labels = {
        sequence: "sef.signed Derbyshire" if label.startswith("sef.signed Derbyshire v") else label
        for sequence, label in labels.items()
    }
    # The scenario holds every kind the table speaks of.
    assert set(labels.values()) == expected("coordinator", AFTER_RISL_RELEASE)
    return labels


def _api_sequences(client: TestClient, headers: dict[str, str]) -> tuple[list[int], int]:
    found: list[int] = []
    url: str | None = "/api/v1" + CYCLE + "/history"
    total = -1
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        found += [e["sequence"] for e in body["entries"]]
        total = body["total"]
        url = body["links"]["next"]
    return found, total


NEXT_PAGE = re.compile(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">')


def _page_sequences(client: TestClient) -> tuple[list[int], str]:
    found: list[int] = []
    url: str | None = "?page=1"
    first = ""
    while url:
        response = client.get(CYCLE + "/history" + url.replace("&amp;", "&"))
        assert response.status_code == 200, response.text
        check_page(response.text)
        first = first or response.text
        found += [int(n) for n in re.findall(r">(\d+) · <code>", response.text)]
        following = NEXT_PAGE.search(response.text)
        url = following.group(1) if following else None
    return found, first


def test_each_reader_sees_exactly_what_the_rules_allow(
    session: Session, client: TestClient, labelled: dict[int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    users = {name: person(session, spec, name) for name, spec in READERS.items()}
    tokens = {name: f.token_for(session, user) for name, user in users.items()}
    session.commit()
    for day in DAYS:
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        for name, user in users.items():
            want = sorted(
                (s for s, label in labelled.items() if label in expected(name, day)), reverse=True
            )
            api, total = _api_sequences(client, tokens[name])
            assert {labelled[s] for s in api} == expected(name, day), (name, day)
            assert (api, total) == (want, len(want)), (name, day)
            client.cookies.clear()
            f.sign_in(client, user)
            page, _ = _page_sequences(client)
            assert page == want, (name, day)
    # Strangers (another region's people) are refused the whole history, page and API.
    for name, spec in STRANGERS.items():
        user = person(session, spec, name)
        headers = f.token_for(session, user)
        session.commit()
        answer = client.get("/api/v1" + CYCLE + "/history", headers=headers)
        assert answer.status_code == 403, name
        assert "sequence" not in answer.text
        client.cookies.clear()
        f.sign_in(client, user)
        refused = client.get(CYCLE + "/history")
        assert refused.status_code == 403, name
        assert "<code>" not in refused.text


def test_filters_offer_only_what_the_reader_sees(
    session: Session, client: TestClient, labelled: dict[int, str]
) -> None:
    risl = person(session, READERS["RISL"], "Rita RISL")
    boss = person(session, READERS["coordinator"], "Cora Coordinator")
    session.commit()
    f.sign_in(client, risl)
    _, page = _page_sequences(client)
    # Pat Peer only commented (scrutiny), Nina Notts only drafted and submitted: neither is
    # offered as a person, nor named; nor is the Chief Executive's reason for returning.
    for hidden in ("Pat Peer", "Nina Notts", "The budget figures"):
        assert hidden not in page, hidden
    assert '<option value="E06000015">Derby</option>' in page
    assert '<option value="quarterly_returns">Quarterly core indicators</option>' in page
    client.cookies.clear()
    f.sign_in(client, boss)
    _, page = _page_sequences(client)
    for shown in ("Pat Peer", "Nina Notts", "The budget figures"):
        assert shown in page, shown


def test_the_risl_sees_no_self_evaluation_where_the_region_keeps_them_out(
    session: Session,
    client: TestClient,
    labelled: dict[int, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = get_reference()
    region = reference.regions[f.REGION]
    terms = region.data_terms.model_copy(update={"risl_sees_signed_self_evaluations": False})
    changed = region.model_copy(update={"data_terms": terms})
    monkeypatch.setattr(
        reference, "regions", MappingProxyType({**reference.regions, f.REGION: changed})
    )
    risl = person(session, READERS["RISL"], "Rita RISL")
    headers = f.token_for(session, risl)
    session.commit()
    api, total = _api_sequences(client, headers)
    assert {labelled[s] for s in api} == expected(
        "RISL", AFTER_CLOSE
    ) - DERBY_SIGNED - DERBYSHIRE_SIGNED
    assert total == len(api)
    f.sign_in(client, risl)
    page, _ = _page_sequences(client)
    assert page == api
