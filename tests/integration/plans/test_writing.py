"""Writing an LA's development plan: priorities, actions and measures in plain-word validation,
the start from the signed self-evaluation, adopting an existing plan, stale saves and double
submits, and every role outside the rule refused."""

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import Conflict, InvalidInput, NotPermitted, StaleVersion
from app.models import AuditEvent, Cycle, LaPlanVersion
from app.plans import service, writing
from app.plans.schemas import AdoptInput, DropInput, StartInput
from tests import factories as f
from tests.plan_factories import DERBY, action, priority
from tests.sef_factories import signed_sef

ONLY_DCS = "Only Derby's Director of Children's Services can write its plan."
DERBYSHIRE = "E10000007"


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


@pytest.fixture
def dcs(session: Session) -> Principal:
    return f.signatory(session, DERBY, Role.DCS)


def _actions(session: Session) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.subject_type == "la_plan")
    return list(session.scalars(query.order_by(AuditEvent.sequence)))


def _versions(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LaPlanVersion)) or 0


def test_the_dcs_writes_a_priority_as_an_immutable_version(
    session: Session, cycle: Cycle, dcs: Principal
) -> None:
    saved = writing.save_priority(session, dcs, cycle, DERBY, 1, priority(None))
    assert saved.number == 1
    content = json.loads(saved.content)
    assert content["adopted"] is None
    (only,) = content["priorities"]
    assert only["title"] == "Timely assessments"
    assert only["source"] is None
    assert only["actions"][0]["owner_name"] == "Sam Patel"
    assert only["actions"][0]["measures"][0]["target"] == 88.0
    assert only["actions"][0]["support"]["provider"] == "within_region"
    assert len(saved.content_hash) == 64
    second = writing.save_priority(session, dcs, cycle, DERBY, 2, priority(1, "Care leavers"))
    assert second.number == 2
    assert [p["title"] for p in json.loads(second.content)["priorities"]] == [
        "Timely assessments",
        "Care leavers",
    ]
    assert _actions(session) == ["plans.priority_saved", "plans.priority_saved"]
    entry = session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "la_plan")).first()
    assert entry is not None and entry.organisation_code == DERBY
    assert (
        entry.summary == f"{dcs.display_name} saved priority 1 ('Timely assessments') as version 1"
    )


def test_the_same_save_twice_makes_one_version(
    session: Session, cycle: Cycle, dcs: Principal
) -> None:
    first = writing.save_priority(session, dcs, cycle, DERBY, 1, priority(None))
    again = writing.save_priority(session, dcs, cycle, DERBY, 1, priority(None))
    assert again.id == first.id
    assert _versions(session) == 1


def test_a_save_over_a_newer_version_is_refused(
    session: Session, cycle: Cycle, dcs: Principal
) -> None:
    writing.save_priority(session, dcs, cycle, DERBY, 1, priority(None))
    writing.save_priority(session, dcs, cycle, DERBY, 1, priority(1, "Timely assessments, now"))
    with pytest.raises(StaleVersion) as refused:
        writing.save_priority(session, dcs, cycle, DERBY, 1, priority(1, "My older edit"))
    assert refused.value.status_code == 409
    assert refused.value.message == (
        "Someone else saved Derby's development plan (version 2) since you opened it. Nothing "
        "was saved: reload to see their change, then try again."
    )
    assert _versions(session) == 2


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"starts_on": "2027-10-01"},
            "Action 1: the due date must be on or after the start date.",
        ),
        (
            {"measures": [{"kind": "indicator", "indicator_id": "assessments_within_45wd_pct"}]},
            "Action 1, success measure 1: give Assessments completed within 45 working days a "
            "baseline and a target.",
        ),
        (
            {
                "measures": [
                    {
                        "kind": "indicator",
                        "indicator_id": "sw_agency_rate_fte_pct",
                        "baseline": 20,
                        "target": 25,
                    }
                ]
            },
            "Action 1, success measure 1: for Agency social worker rate (FTE) lower is better, so "
            "the target must be lower than the baseline.",
        ),
        (
            {
                "measures": [
                    {
                        "kind": "indicator",
                        "indicator_id": "cla_rate_per_10k",
                        "baseline": 70,
                        "target": 60,
                    }
                ]
            },
            "Action 1, success measure 1: Children looked after rate is a contextual indicator: "
            "it is monitored without a target, so leave the target blank.",
        ),
        (
            {"measures": [{"kind": "indicator", "indicator_id": "made_up"}]},
            "Action 1, success measure 1: choose a core indicator from the list.",
        ),
        (
            {"measures": [{"kind": "described"}]},
            "Action 1, success measure 1: describe the measure, or choose a core indicator.",
        ),
        (
            {
                "measures": [
                    {
                        "kind": "indicator",
                        "indicator_id": "assessments_within_45wd_pct",
                        "baseline": 78,
                        "target": 120,
                    }
                ]
            },
            "Action 1, success measure 1: a baseline or target for Assessments completed within "
            "45 working days must lie between 0 and 100.",
        ),
    ],
)
def test_measures_and_dates_are_checked_in_plain_words(
    session: Session, cycle: Cycle, dcs: Principal, changes: dict[str, object], words: str
) -> None:
    data = priority(None, actions=[action(**changes)])
    with pytest.raises(InvalidInput) as refused:
        writing.save_priority(session, dcs, cycle, DERBY, 1, data)
    assert refused.value.message == words
    assert refused.value.field == "actions"
    assert _versions(session) == 0


def test_a_contextual_indicator_is_monitored_and_a_described_measure_kept(
    session: Session, cycle: Cycle, dcs: Principal
) -> None:
    measures = [
        {"kind": "indicator", "indicator_id": "cla_rate_per_10k", "baseline": 70},
        {"kind": "described", "description": "Audits rate practice good or better"},
    ]
    data = priority(None, actions=[action(measures=measures, support=None)])
    saved = writing.save_priority(session, dcs, cycle, DERBY, 1, data)
    kept = json.loads(saved.content)["priorities"][0]["actions"][0]
    assert [m["kind"] for m in kept["measures"]] == ["indicator", "described"]
    assert kept["measures"][0]["target"] is None
    assert kept["support"] is None


def test_a_theory_of_change_is_optional(session: Session, cycle: Cycle, dcs: Principal) -> None:
    toc = {"inputs": "Two practice leads", "activities": "Clinics", "outcomes": "Timely plans"}
    saved = writing.save_priority(
        session, dcs, cycle, DERBY, 1, priority(None, theory_of_change=toc)
    )
    assert json.loads(saved.content)["priorities"][0]["theory_of_change"] == toc


def test_the_plan_starts_from_the_signed_self_evaluation(session: Session, cycle: Cycle) -> None:
    _, people = signed_sef(session, cycle)
    dcs = people[Role.DCS]
    offered = service.suggestions(session, dcs, cycle, DERBY)
    assert offered, "every chapter names an area for development"
    first = offered[0]
    assert first.title == "Timeliness of assessments."
    assert first.label.startswith("Self-evaluation, ")
    assert first.label.endswith(": area for development 1")
    # Only the DCS is offered the draft.
    assert service.suggestions(session, people[Role.LEAD_MEMBER], cycle, DERBY) == []
    keep = [offered[0].key, offered[-1].key]
    started = writing.start(session, dcs, cycle, DERBY, StartInput(keep=keep))
    priorities = json.loads(started.content)["priorities"]
    assert [p["source"]["key"] for p in priorities] == keep
    assert priorities[0]["actions"] == []
    # Again: the same choice makes no new version; a different one is refused.
    assert writing.start(session, dcs, cycle, DERBY, StartInput(keep=keep)).id == started.id
    with pytest.raises(Conflict):
        writing.start(session, dcs, cycle, DERBY, StartInput(keep=keep[:1]))
    # Editing a kept priority keeps its link back to the self-evaluation.
    edited = writing.save_priority(session, dcs, cycle, DERBY, 1, priority(1, "Faster assessments"))
    assert json.loads(edited.content)["priorities"][0]["source"]["key"] == keep[0]
    dropped = writing.drop_priority(session, dcs, cycle, DERBY, 2, DropInput(base_version=2))
    assert [p["title"] for p in json.loads(dropped.content)["priorities"]] == ["Faster assessments"]
    assert _actions(session) == ["plans.started", "plans.priority_saved", "plans.priority_dropped"]


def test_an_unsigned_self_evaluation_offers_nothing_and_an_unknown_key_is_refused(
    session: Session, cycle: Cycle, dcs: Principal
) -> None:
    assert service.suggestions(session, dcs, cycle, DERBY) == []
    with pytest.raises(InvalidInput) as refused:
        writing.start(session, dcs, cycle, DERBY, StartInput(keep=["area_for_development:x:1"]))
    assert refused.value.field == "keep"


def test_the_la_adopts_its_existing_plan(session: Session, cycle: Cycle, dcs: Principal) -> None:
    data = AdoptInput(title="Derby Improvement Plan 2026-28", document="derby-plan.pdf")
    saved = writing.adopt(session, dcs, cycle, DERBY, data)
    assert json.loads(saved.content)["adopted"] == {
        "title": "Derby Improvement Plan 2026-28",
        "document": "derby-plan.pdf",
    }
    with pytest.raises(InvalidInput) as refused:
        writing.adopt(session, dcs, cycle, DERBY, AdoptInput(base_version=1, title="No document"))
    assert refused.value.message == (
        "Enter the name of the supporting document that holds the plan you adopt."
    )
    stopped = writing.adopt(session, dcs, cycle, DERBY, AdoptInput(base_version=1))
    assert json.loads(stopped.content)["adopted"] is None
    assert _actions(session) == ["plans.adopted", "plans.adopted"]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DCS])
def test_only_the_las_dcs_writes(session: Session, cycle: Cycle, role: Role) -> None:
    held_in_la = role in {Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE, Role.DATA_LEAD, Role.CONTRIBUTOR}
    region = None if held_in_la or role == Role.SERVICE_ADMIN else "east-midlands"
    user = f.make_user(session, role, organisation=DERBY if held_in_la else None, region=region)
    with pytest.raises(NotPermitted) as refused:
        writing.save_priority(session, f.principal(session, user), cycle, DERBY, 1, priority(None))
    assert refused.value.message == ONLY_DCS
    assert _versions(session) == 0


def test_another_las_dcs_neither_writes_nor_reads(session: Session, cycle: Cycle) -> None:
    other = f.signatory(session, DERBYSHIRE, Role.DCS)
    with pytest.raises(NotPermitted):
        writing.save_priority(session, other, cycle, DERBY, 1, priority(None))
    with pytest.raises(NotPermitted) as refused:
        service.read(session, other, cycle, DERBY)
    assert refused.value.message == (
        "Derby's development plan is seen only by Derby's own people and the regional "
        "coordinator, and by its triad partners once it is submitted for sign-off."
    )
