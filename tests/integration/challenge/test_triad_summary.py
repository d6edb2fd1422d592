"""The triad summary report for the RIIA board: once every triad has agreed, from the agreed
summaries only, naming no authority unless the region's data terms allow it."""

import io
from types import MappingProxyType

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.challenge import summary
from app.errors import Conflict, NotPermitted
from app.models import Cycle, RenderedPack
from app.reference import get_reference
from tests import factories as f
from tests.integration.challenge.record_setup import DERBYSHIRE, every_triad_agreed, person
from tests.page_reading import pdf_text

PAGE = "/regions/east-midlands/cycles/2026-27/conversations/summary.pdf"
API = "/api/v1" + PAGE


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


def _tagged(pdf: bytes) -> bool:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return "/StructTreeRoot" in root and bool(root.get("/MarkInfo", {}).get("/Marked"))


def test_it_waits_for_every_triad_and_refuses_the_risl(session: Session, cycle: Cycle) -> None:
    every_triad_agreed(session, cycle, leave_open=2)
    boss = f.coordinator(session)
    with pytest.raises(Conflict) as early:
        summary.build_summary(session, boss, cycle)
    assert early.value.message == (
        "The triad summary report is produced once every triad's record is agreed: 2 of 3 are "
        "agreed."
    )
    with pytest.raises(NotPermitted) as risl:
        summary.build_summary(session, person(session, Role.RISL), cycle)
    assert risl.value.message == summary.NOT_FOR_YOU


def test_the_report_holds_themes_counts_and_support_without_names(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    every_triad_agreed(session, cycle)
    built = summary.build_summary(session, person(session, Role.DCS, DERBYSHIRE), cycle)
    assert built.named is False
    assert [(t.area, t.triads, t.actions, t.asked_days, t.offered_days) for t in built.themes] == [
        ("Front door and early help", 3, 3, 0, 0),
        ("Care leavers", 3, 0, 0, 15),
        ("Workforce", 3, 0, 30, 0),
    ]
    assert [(t.number, t.members, t.actions) for t in built.triads] == [
        (1, "3 authorities", 1),
        (2, "3 authorities", 1),
        (3, "4 authorities", 1),
    ]
    assert [s.who for s in built.asked] == [f"An authority in triad {n}" for n in (1, 2, 3)]
    user = f.make_user(session, Role.DCS, organisation=DERBYSHIRE)
    session.commit()
    pdf = client.get(API, headers=f.token_for(session, user))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Triad summary report" in text and "3 agreed actions" in text
    assert "Under the region's data terms this report names no authority." in text
    assert "Front door and early help 3 3 0 (0) 0 (0)" in text
    region = get_reference().regions["east-midlands"]
    assert not [la.name for la in region.local_authorities if la.name in text]
    assert _tagged(pdf.content)
    again = client.get(API, headers=f.token_for(session, user))
    assert again.content == pdf.content
    assert session.scalar(select(func.count()).select_from(RenderedPack)) == 1


def test_where_the_data_terms_allow_it_the_report_names_authorities(
    session: Session, cycle: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = get_reference()
    region = reference.regions[f.REGION]
    terms = region.data_terms.model_copy(update={"name_authorities_in_triad_summary": True})
    changed = region.model_copy(update={"data_terms": terms})
    monkeypatch.setattr(
        reference, "regions", MappingProxyType({**reference.regions, f.REGION: changed})
    )
    every_triad_agreed(session, cycle)
    built = summary.build_summary(session, f.coordinator(session), cycle)
    assert built.triads[0].members == "Derby, Leicester, West Northamptonshire"
    assert [s.who for s in built.asked] == ["Derby", "Derbyshire", "North Northamptonshire"]
    text = pdf_text(summary.render_summary(built))
    assert "The region's data terms allow this report to name authorities." in text
    assert "Derby" in text
