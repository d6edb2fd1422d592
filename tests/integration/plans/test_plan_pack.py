"""The plan pack: priorities and actions, each success measure with its baseline, its latest
value straight from the LA's returns and its target, and the signature schedule with the hash;
for the plan's readers only, and kept by the hash of what it prints."""

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.errors import Conflict, NotPermitted
from app.models import Cycle, LaPlanVersion, RenderedPack, User
from app.plans import pack, signoff
from app.plans.schemas import SignPlanInput
from tests import factories as f
from tests.indicator_factories import add_return
from tests.page_reading import pdf_text
from tests.plan_factories import DERBY, submitted_plan, written_plan
from tests.sef_factories import signatories

API = f"/api/v1/regions/east-midlands/cycles/2026-27/plans/{DERBY}/pack.pdf"


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


@pytest.fixture
def people(session: Session) -> dict[Role, Principal]:
    return signatories(session, DERBY)


def test_the_pack_prints_measures_against_the_latest_return_and_the_signatures(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    with pytest.raises(Conflict) as early:
        written_plan(session, cycle, people[Role.DCS])
        pack.build_pack(session, people[Role.DCS], cycle, DERBY)
    assert early.value.message == pack.NOTHING_YET
    submitted = submitted_plan(session, cycle, people[Role.DCS])
    add_return(
        session,
        DERBY,
        "2026-27 Q2",
        {"assessments_within_45wd_pct": 82.5},
        submitted_by=f.make_user(session),
    )
    for role in SIGNATORY_ROLES:
        data = SignPlanInput(role=role, content_hash=submitted.content_hash, confirm=True)
        signoff.sign(session, people[role], cycle, DERBY, data)
    built = pack.build_pack(session, people[Role.LEAD_MEMBER], cycle, DERBY)
    measure = built.priorities[0].actions[0].measures[0]
    assert (measure.baseline, measure.latest, measure.target, measure.latest_period) == (
        "78.0%",
        "82.5%",
        "88.0%",
        "2026-27 Q2",
    )
    assert measure.summary.endswith("baseline 78.0%, latest 82.5% (2026-27 Q2), target 88.0%.")
    assert [s.role for s in built.signatures] == [r.label for r in SIGNATORY_ROLES]
    assert built.outstanding == ()
    pdf = pack.render_pack(built)
    text = pdf_text(pdf)
    assert "Derby: development plan" in text
    assert "Priority 1: Timely assessments" in text
    assert "Owner: Sam Patel, Head of Assessment." in text
    assert submitted.content_hash in text.replace(" ", "")
    assert "baseline 78.0%, latest 82.5% (2026-27 Q2), target 88.0%." in text
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]


def test_only_the_plans_readers_download_it_and_a_second_download_is_cached(
    session: Session, client: TestClient, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    submitted_plan(session, cycle, people[Role.DCS])
    for outsider in (
        f.signatory(session, "E10000007", Role.DCS),
        f.principal(session, f.make_user(session, Role.RISL, region="east-midlands")),
    ):
        with pytest.raises(NotPermitted):
            pack.build_pack(session, outsider, cycle, DERBY)
    session.commit()
    dcs = session.get(User, people[Role.DCS].user_id)
    assert dcs is not None
    headers = f.token_for(session, dcs)
    first = client.get(API, headers=headers)
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert "Submitted for sign-off: Director of Children's Services" in pdf_text(first.content)
    assert client.get(API, headers=headers).content == first.content
    assert session.scalar(select(func.count()).select_from(RenderedPack)) == 1
    risl = f.token_for(session, f.make_user(session, Role.RISL, region="east-midlands"))
    assert client.get(API, headers=risl).status_code == 403


def test_the_plan_page_links_the_pack_for_its_readers_once_submitted(
    session: Session, client: TestClient, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    from tests.page_reading import main_text

    page = f"/regions/east-midlands/cycles/2026-27/plans/{DERBY}"
    written_plan(session, cycle, people[Role.DCS])
    session.commit()
    user = session.get(User, people[Role.CHIEF_EXECUTIVE].user_id)
    assert user is not None
    f.sign_in(client, user)
    assert "Download the plan pack" not in main_text(client.get(page).text)
    client.cookies.clear()
    dcs = session.get(User, people[Role.DCS].user_id)
    assert dcs is not None
    f.sign_in(client, dcs)
    token = f.csrf(client, page)
    view = client.get(page).text
    assert "Download the plan pack" not in main_text(view)
    submitted = session.scalars(select(func.max(LaPlanVersion.number))).one()
    hashes = session.scalars(
        select(LaPlanVersion.content_hash).where(LaPlanVersion.number == submitted)
    )
    done = client.post(f"{page}/submit", data={"csrf_token": token, "content_hash": hashes.one()})
    assert done.status_code == 303
    assert "Download the plan pack (PDF)" in main_text(client.get(page).text)
