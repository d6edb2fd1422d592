"""A missed self-evaluation sign-off is flagged only to those who may see the self-evaluation
unsigned (app/self_evaluation/access.py: the LA's own people and the region's coordinator), by every way out:
profile, full flags page, API, dashboard and its count, and never in the region's data pack
(issue 10). The MoU's missed signatures are the whole region's to see, so they stay."""

import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.benchmarks.flags import flags_for_region
from app.models import User
from tests import factories as f
from tests.integration.benchmarks.test_flags import DERBY, LEICESTER, Q1, REGION, seed
from tests.page_reading import words

JANUARY = date(2027, 1, 4)  # self-evaluations were due on 19 December 2026; none is signed
BIRMINGHAM = "E08000025"  # West Midlands: a stranger to the East Midlands
SEF = "The self-evaluation for 2026-27 was due to be signed off by 19 December 2026"
MOU = "The memorandum of understanding for 2026-27 was due to be signed off by 31 May 2026"
PROFILE = f"/regions/{REGION}/las/{DERBY}"


def _readers(session: Session) -> list[tuple[str, User, bool]]:
    """Each reader, and whether they may see Derby's self-evaluation before it is signed."""
    return [
        ("Derby's DCS", f.make_user(session, Role.DCS, organisation=DERBY), True),
        ("the coordinator", f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION), True),
        ("Leicester's DCS", f.make_user(session, Role.DCS, organisation=LEICESTER), False),
        ("the RISL", f.make_user(session, Role.RISL, region=REGION), False),
        ("a stranger", f.make_user(session, Role.DCS, organisation=BIRMINGHAM), False),
    ]


@pytest.fixture
def january(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(session)
    monkeypatch.setattr(clock, "today", lambda: JANUARY)


def test_without_a_reader_no_self_evaluation_flag_is_raised(session: Session) -> None:
    seed(session)
    shared = flags_for_region(session, REGION, Q1, las={DERBY}, today=JANUARY)
    assert [fl.title for fl in shared if fl.indicator_id is None] == [
        "Memorandum of understanding not signed off"
    ]
    mine = flags_for_region(
        session, REGION, Q1, las={DERBY}, today=JANUARY, reader=f.coordinator(session)
    )
    assert [fl.title for fl in mine if fl.indicator_id is None] == [
        "Memorandum of understanding not signed off",
        "Self-evaluation not signed off",
    ]


@pytest.mark.usefixtures("january")
def test_the_profile_and_its_count_show_it_only_to_its_readers(
    session: Session, client: TestClient
) -> None:
    for who, user, sees in _readers(session):
        f.sign_in(client, user)
        page = client.get(f"{PROFILE}?period=2026-27-q1")
        if who == "a stranger":
            assert page.status_code == 403, who
            assert SEF not in page.text
            continue
        assert page.status_code == 200, (who, page.text)
        text = words(page.text)
        assert (SEF in text, MOU in text) == (sees, True), who
        # Four flags for Derby's own people and the coordinator, three for anyone else: the
        # count says "and 1 more" only where the fourth may be seen.
        assert ("3 of 4" in text, "and 1 more" in text) == (sees, sees), who


@pytest.mark.usefixtures("january")
def test_the_full_flags_page_shows_it_only_to_its_readers(
    session: Session, client: TestClient
) -> None:
    for who, user, sees in _readers(session):
        f.sign_in(client, user)
        page = client.get(f"{PROFILE}/flags?period=2026-27-q1")
        assert page.status_code == (403 if who == "a stranger" else 200), who
        text = words(page.text)
        assert (SEF in text) == sees, who
        if who != "a stranger":
            assert MOU in text, who


@pytest.mark.usefixtures("january")
def test_the_flags_api_gives_it_only_to_its_readers(session: Session, client: TestClient) -> None:
    for who, user, sees in _readers(session):
        found = client.get(
            f"/api/v1/regions/{REGION}/flags?period=2026-27 Q1", headers=f.token_for(session, user)
        )
        if who == "a stranger":
            assert found.status_code == 403 and SEF not in found.text, found.text
            continue
        assert found.status_code == 200, (who, found.text)
        derby = [x["title"] for x in found.json() if x["la_code"] == DERBY]
        expected = ["Memorandum of understanding not signed off"]
        if sees:
            expected.append("Self-evaluation not signed off")
        assert [t for t in derby if "not signed off" in t] == expected, who


@pytest.mark.usefixtures("january")
def test_the_dashboard_lists_and_counts_it_only_for_its_readers(
    session: Session, client: TestClient
) -> None:
    for who, user, sees in _readers(session):
        f.sign_in(client, user)
        page = client.get(f"/regions/{REGION}/dashboard?period=2026-27-q1")
        text = words(page.text)
        if who == "a stranger":
            assert SEF not in text and f'href="#flags-{DERBY}"' not in page.text, who
            continue
        assert page.status_code == 200, who
        count = re.search(rf'href="#flags-{DERBY}">(\d+)</a>', page.text)
        assert count is not None and count.group(1) == ("4" if sees else "3"), who
        # Each LA's DCS sees its own late self-evaluation, no other; the coordinator sees all.
        own = {"Derby's DCS": 1, "Leicester's DCS": 1, "the RISL": 0}
        if who in own:
            assert text.count(SEF) == own[who], who
        else:
            assert text.count(SEF) == text.count(MOU) > 1, who


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.usefixtures("january")
def test_the_regions_data_pack_never_carries_it(session: Session, client: TestClient) -> None:
    # Passed round the region, so not even the coordinator's copy says whose is late.
    for who, user, _ in _readers(session)[:3]:
        f.sign_in(client, user)
        response = client.get(f"/regions/{REGION}/dashboard/2026-27-q1/pack.pdf")
        assert response.status_code == 200, who
        text = _pdf_text(response.content)
        assert MOU in text, who
        assert "Self-evaluation" not in text and "self-evaluation for 2026-27" not in text, who
