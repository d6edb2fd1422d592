"""Signing off an LA's development plan through the sign-off kernel: submit, each signatory signs
the exact version, an edit voids earlier signatures, any signatory returns it with a reason, a
double submit signs once, and every role outside the rule is refused."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.errors import AlreadyDone, Conflict, InvalidInput, NotPermitted, StaleVersion
from app.models import AuditEvent, Cycle, LaPlanSignOffEvent
from app.plans import access, service, signoff, writing
from app.plans.schemas import ReturnPlanInput, SignPlanInput, SubmitPlanInput
from tests import factories as f
from tests.plan_factories import DERBY, priority, submitted_plan, written_plan
from tests.sef_factories import signatories


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


@pytest.fixture
def people(session: Session) -> dict[Role, Principal]:
    return signatories(session, DERBY)


def _sign(session: Session, cycle: Cycle, who: Principal, role: Role, content_hash: str) -> None:
    data = SignPlanInput(role=role, content_hash=content_hash, confirm=True)
    signoff.sign(session, who, cycle, DERBY, data)


def _actions(session: Session) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.subject_type == "la_plan")
    return list(session.scalars(query.order_by(AuditEvent.sequence)))


def _plan(session: Session, cycle: Cycle, who: Principal) -> service.PlanView:
    return service.read(session, who, cycle, DERBY)


def test_each_signatory_signs_the_exact_version_and_it_is_signed(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    submitted = submitted_plan(session, cycle, people[Role.DCS])
    for role in SIGNATORY_ROLES:
        _sign(session, cycle, people[role], role, submitted.content_hash)
    plan = _plan(session, cycle, people[Role.DCS]).plan
    assert plan is not None and plan.state == "signed" and plan.signed_at is not None
    status = signoff.build_status(session, cycle, plan)
    assert status.complete and status.signed_count == 3
    lead = status.signatories[1].event
    assert lead is not None and lead.content_hash == submitted.content_hash
    assert lead.statement == (
        "As Lead Member of Derby, I sign off version 1 of this development plan as our "
        "authority's plan for improvement, and commit to delivering it."
    )
    assert _actions(session) == [
        "plans.priority_saved",
        "plans.submitted",
        "plans.signed",
        "plans.signed",
        "plans.signed",
        "plans.signed_off",
    ]
    with pytest.raises(Conflict) as refused:
        writing.save_priority(session, people[Role.DCS], cycle, DERBY, 1, priority(1, "Later"))
    assert refused.value.message == (
        "This development plan has been signed by all its signatories, so it can no longer change."
    )


def test_a_double_submit_signs_once(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    submitted = submitted_plan(session, cycle, people[Role.DCS])
    _sign(session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER, submitted.content_hash)
    with pytest.raises(AlreadyDone) as refused:
        _sign(session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER, submitted.content_hash)
    assert refused.value.message == "You have already signed version 1 as Lead Member."
    assert len(session.scalars(select(LaPlanSignOffEvent)).all()) == 1


def test_an_edit_voids_earlier_signatures_which_stay_in_the_history(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    dcs = people[Role.DCS]
    submitted = submitted_plan(session, cycle, dcs)
    _sign(session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER, submitted.content_hash)
    edited = writing.save_priority(session, dcs, cycle, DERBY, 1, priority(1, "Sharper"))
    plan = _plan(session, cycle, dcs).plan
    assert plan is not None and plan.state == "draft" and plan.submitted_number is None
    status = signoff.build_status(session, cycle, plan)
    assert status.signed_count == 0
    ((void, number),) = status.void
    assert (void.role, number) == ("lead_member", 1)
    entry = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "plans.signatures_voided")
    ).one()
    lead = people[Role.LEAD_MEMBER].display_name
    assert entry.summary == (
        f"Signatures on version 1 are void ({dcs.display_name} edited the plan): "
        f"{lead} (Lead Member)"
    )
    # The old version's hash no longer signs anything.
    with pytest.raises(Conflict):
        _sign(
            session,
            cycle,
            people[Role.CHIEF_EXECUTIVE],
            Role.CHIEF_EXECUTIVE,
            submitted.content_hash,
        )
    writing.submit(session, dcs, cycle, DERBY, SubmitPlanInput(content_hash=edited.content_hash))
    with pytest.raises(StaleVersion):
        _sign(
            session,
            cycle,
            people[Role.CHIEF_EXECUTIVE],
            Role.CHIEF_EXECUTIVE,
            submitted.content_hash,
        )


def test_any_signatory_returns_it_with_a_reason(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    dcs = people[Role.DCS]
    submitted = submitted_plan(session, cycle, dcs)
    _sign(session, cycle, dcs, Role.DCS, submitted.content_hash)
    reason = "The care leavers priority needs a measure."
    data = ReturnPlanInput(
        role=Role.CHIEF_EXECUTIVE, content_hash=submitted.content_hash, reason=reason
    )
    event = signoff.return_for_changes(session, people[Role.CHIEF_EXECUTIVE], cycle, DERBY, data)
    assert (event.decision, event.reason) == ("returned", reason)
    plan = _plan(session, cycle, dcs).plan
    assert plan is not None and plan.state == "draft"
    status = signoff.build_status(session, cycle, plan)
    assert status.current_return is not None and status.current_return[0].reason == reason
    assert [e.role for e, _ in status.void] == ["dcs"]
    assert _actions(session)[-3:] == ["plans.signed", "plans.returned", "plans.signatures_voided"]
    # The returned version cannot simply be submitted again.
    with pytest.raises(Conflict) as refused:
        writing.submit(
            session, dcs, cycle, DERBY, SubmitPlanInput(content_hash=submitted.content_hash)
        )
    assert refused.value.message == (
        f"Version 1 was returned by the Chief Executive "
        f"({people[Role.CHIEF_EXECUTIVE].display_name}): change it, then submit the new version."
    )


def test_a_return_needs_a_reason_and_a_signature_its_confirmation(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    submitted = submitted_plan(session, cycle, people[Role.DCS])
    unconfirmed = SignPlanInput(role=Role.DCS, content_hash=submitted.content_hash, confirm=False)
    with pytest.raises(InvalidInput) as refused:
        signoff.sign(session, people[Role.DCS], cycle, DERBY, unconfirmed)
    assert refused.value.message == "Confirm the statement to sign the development plan"
    with pytest.raises(ValueError):
        ReturnPlanInput(role=Role.DCS, content_hash=submitted.content_hash, reason="")


def test_submit_needs_actions_under_each_priority_and_the_reviewed_version(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    dcs = people[Role.DCS]
    saved = written_plan(session, cycle, dcs)
    with pytest.raises(StaleVersion):
        writing.submit(session, dcs, cycle, DERBY, SubmitPlanInput(content_hash="0" * 64))
    bare = writing.save_priority(
        session, dcs, cycle, DERBY, 2, priority(saved.number, "Care leavers", actions=[])
    )
    with pytest.raises(InvalidInput) as refused:
        writing.submit(session, dcs, cycle, DERBY, SubmitPlanInput(content_hash=bare.content_hash))
    assert refused.value.message == (
        "Before sign-off the plan needs priority 2 ('Care leavers') needs at least one action."
    )


@pytest.mark.parametrize("role", [r for r in Role if r not in SIGNATORY_ROLES])
def test_only_the_las_signatories_sign(
    session: Session, cycle: Cycle, people: dict[Role, Principal], role: Role
) -> None:
    submitted = submitted_plan(session, cycle, people[Role.DCS])
    held_in_la = role in {Role.DATA_LEAD, Role.CONTRIBUTOR}
    region = None if held_in_la or role == Role.SERVICE_ADMIN else "east-midlands"
    user = f.make_user(session, role, organisation=DERBY if held_in_la else None, region=region)
    for as_role in SIGNATORY_ROLES:
        with pytest.raises(NotPermitted):
            _sign(session, cycle, f.principal(session, user), as_role, submitted.content_hash)
    other = f.signatory(session, "E10000007", Role.DCS)
    with pytest.raises(NotPermitted):
        _sign(session, cycle, other, Role.DCS, submitted.content_hash)
    assert session.scalars(select(LaPlanSignOffEvent)).all() == []


def test_the_regions_signatories_decide_who_signs(
    session: Session, cycle: Cycle, people: dict[Role, Principal], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access, "signatory_roles", lambda region_id: (Role.DCS, Role.LEAD_MEMBER))
    submitted = submitted_plan(session, cycle, people[Role.DCS])
    with pytest.raises(NotPermitted) as refused:
        _sign(
            session,
            cycle,
            people[Role.CHIEF_EXECUTIVE],
            Role.CHIEF_EXECUTIVE,
            submitted.content_hash,
        )
    assert refused.value.message == (
        "In this region the Chief Executive does not sign development plans, so you cannot sign "
        "or return Derby's."
    )
    _sign(session, cycle, people[Role.DCS], Role.DCS, submitted.content_hash)
    _sign(session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER, submitted.content_hash)
    plan = _plan(session, cycle, people[Role.DCS]).plan
    assert plan is not None and plan.state == "signed"


def test_the_las_people_and_the_coordinator_read_it_and_the_risl_does_not(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    written_plan(session, cycle, people[Role.DCS])
    readers = [
        *people.values(),
        f.signatory(session, DERBY, Role.DATA_LEAD),
        f.coordinator(session),
    ]
    for who in readers:
        assert _plan(session, cycle, who).number == 1
    refused = [
        f.principal(session, f.make_user(session, role, region="east-midlands"))
        for role in (Role.RISL, Role.TRIAD_REVIEWER, Role.MODERATOR, Role.LEAD_DCS)
    ]
    refused.append(f.signatory(session, DERBY, Role.CONTRIBUTOR))
    for who in refused:
        with pytest.raises(NotPermitted):
            _plan(session, cycle, who)


def test_the_history_shows_plan_entries_to_the_las_people_and_the_coordinator_only(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    from app.cycles.schemas import HistoryQuery
    from app.history.service import read_history

    written_plan(session, cycle, people[Role.DCS])

    def seen(who: Principal) -> list[str]:
        page = read_history(session, who, "east-midlands", "2026-27", HistoryQuery())
        return [e.event.action for e in page.entries if e.event.action.startswith("plans.")]

    assert seen(people[Role.LEAD_MEMBER]) == ["plans.priority_saved"]
    assert seen(f.coordinator(session)) == ["plans.priority_saved"]
    assert seen(f.signatory(session, "E10000007", Role.DCS)) == []
    risl = f.principal(session, f.make_user(session, Role.RISL, region="east-midlands"))
    assert seen(risl) == []


def test_a_double_submit_for_sign_off_changes_nothing(
    session: Session, cycle: Cycle, people: dict[Role, Principal]
) -> None:
    submitted = submitted_plan(session, cycle, people[Role.DCS])
    data = SubmitPlanInput(content_hash=submitted.content_hash)
    assert writing.submit(session, people[Role.DCS], cycle, DERBY, data).id == submitted.id
    assert _actions(session) == ["plans.priority_saved", "plans.submitted"]
