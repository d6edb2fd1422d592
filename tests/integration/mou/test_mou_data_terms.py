"""The MoU's data terms are written from the region file, recorded on publishing, and watched.

What the RISL may see is agreed in the MoU (seed 002_d98c8bcad6f8fe4d.txt:2493), so the signed
text must say exactly what app/returns/visibility.py and app/self_evaluation/access.py enforce.
"""

import json
from types import MappingProxyType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import AuditEvent
from app.mou import service as mou
from app.mou import terms
from app.reference import get_reference
from tests import factories as f

DERBY = "E06000015"

RISL = "The Department for Education's Regional Improvement and Support Lead (RISL)"
RELEASE_28 = (
    "Other members of the region see an authority's quarterly figures from the day after the "
    f"quarter's return closes. {RISL} sees them 28 days later (the release period)."
)
READS = "The RISL may read each self-evaluation once it has been signed off, but not while it is a draft."
KEPT_OUT = "The RISL may not read self-evaluations, signed off or not."
TRIAD = (
    "The challenge on each self-evaluation, its questions and answers, is seen only by the "
    "authority concerned, the Directors of Children's Services of the other members of its "
    "triad and the regional coordinator. The RISL does not see it."
)

# What app/challenge/record_access.py enforces for the record of a triad's conversation.
RECORD = (
    "The record of each triad's challenge conversation, its key lines of enquiry included, is "
    "seen only by the triad's Directors of Children's Services and the triad reviewers named to "
    "it until all its members agree it; until then the regional coordinator sees only whether it "
    "is agreed. Once agreed, the coordinator and the other members of the alliance see its agreed "
    "summary: actions by improvement area, and support asked for and offered. The RISL does not "
    "see a record unless an authority shares its own part, which it may take back. The triad "
    "summary report to the alliance's board names no authority."
)


def _change_terms(monkeypatch: pytest.MonkeyPatch, **update: object) -> None:
    """The East Midlands' data terms, changed as a new region file would change them."""
    reference = get_reference()
    region = reference.regions[f.REGION]
    changed = region.model_copy(update={"data_terms": region.data_terms.model_copy(update=update)})
    monkeypatch.setattr(
        reference, "regions", MappingProxyType({**reference.regions, f.REGION: changed})
    )


def _body(session: Session) -> str:
    return " ".join(mou.editor_source(session, f.open_cycle(session))[1].split())


def test_the_draft_says_the_region_files_data_terms(session: Session) -> None:
    body = _body(session)
    assert f"- {RELEASE_28} - {READS} -" in body
    assert KEPT_OUT not in body
    assert f"Triad challenge works because it is candid. {TRIAD} {RECORD}" in body
    assert "any independent facilitator" not in body


def test_other_terms_give_other_text(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _change_terms(monkeypatch, risl_release_days=10, risl_sees_signed_self_evaluations=False)
    body = _body(session)
    assert f"{RISL} sees them 10 days later (the release period)." in body
    assert KEPT_OUT in body and READS not in body and "28 days" not in body


def test_moderation_regions_say_moderators_see_the_challenge() -> None:
    reference = get_reference()
    region = reference.regions["east-of-england"]
    _, body = reference.templates[region.mou_template].render(region)
    assert (
        "is seen only by the authority concerned, the region's moderators and the regional "
        "coordinator. The RISL does not see it."
    ) in " ".join(body.split())


def test_the_published_version_carries_its_data_terms(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    version = f.publish_from_template(session, cycle, boss)
    published = session.execute(
        select(AuditEvent).where(AuditEvent.action == "mou.published")
    ).scalar_one()
    assert json.loads(published.payload)["data_terms"] == {
        "risl_release_days": 28,
        "risl_sees_signed_self_evaluations": True,
        "returns_due_days": 30,
        "name_authorities_in_triad_summary": False,
    }
    region = get_reference().regions[f.REGION]
    assert terms.says_current_terms(mou.blocks_of(version), region)
    assert terms.warning_for(boss, mou.status(session, boss, cycle)) is None


def test_changed_terms_warn_the_coordinator(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION)
    boss = f.principal(session, user)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss, extra="\nAn edit of the coordinator's.\n")
    dcs = f.signatory(session, DERBY, Role.DCS)
    session.commit()
    _change_terms(monkeypatch, risl_sees_signed_self_evaluations=False)
    warning = (
        "The data terms in the region file have changed since version 1 was published: "
        "publish a new version."
    )
    assert terms.warning_for(boss, mou.status(session, boss, cycle)) == warning
    assert terms.warning_for(dcs, mou.status(session, dcs, cycle)) is None  # not theirs to fix
    f.sign_in(client, user)
    base = f"/regions/{f.REGION}/cycles/{cycle.year}/mou"
    for path in (base, base + "/tracker"):
        page = client.get(path)
        assert page.status_code == 200 and warning in page.text
    # The next version starts from version 1, keeps its edits, and says the new terms.
    version = f.publish_from_template(session, cycle, boss)
    session.commit()
    text = " ".join(mou.editor_source(session, cycle)[1].split())
    assert KEPT_OUT in text and READS not in text and "An edit of the coordinator's." in text
    assert version.number == 2
    assert terms.warning_for(boss, mou.status(session, boss, cycle)) is None
    assert warning not in client.get(base).text
