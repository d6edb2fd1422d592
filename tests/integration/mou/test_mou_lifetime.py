"""The MoU lasts across cycles, and a revised version has a changeover (issue 10).

Walks two cycles on SQLite and PostgreSQL: signed once in the first, in force in the second
without signing again, a revised version whose changeover keeps returns flowing until its date,
a lapse after it, and signing the new version to come back into force.
"""

from datetime import date
from types import MappingProxyType

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.errors import AlreadyDone, Conflict, InvalidInput, NotPermitted
from app.models import AuditEvent, Cycle, MouSignatureEvent, MouVersion
from app.mou import review
from app.mou import service as mou
from app.mou.binding import CHANGEOVER, IN_FORCE, LAPSED, NOT_SIGNED, region_bindings
from app.mou.schemas import DraftInput, PublishInput, ReviewInput
from app.reference import get_reference
from app.returns import service as returns
from app.returns.periods import Quarter
from app.returns.schemas import ValueInput
from tests import factories as f

DERBY, LEICESTER, RUTLAND = "E06000015", "E06000016", "E06000017"
LINCOLNSHIRE = "E10000019"
NEXT_YEAR = "2027-28"
Q1_NEXT = Quarter(2027, 1)
CHANGEOVER_ON = date(2027, 7, 15)
BEFORE, ON_THE_DAY, AFTER = date(2027, 7, 10), date(2027, 7, 15), date(2027, 7, 16)
IDS = list(get_reference().indicators)


def _values(value: float) -> list[ValueInput]:
    return [ValueInput(indicator_id=i, value=value) for i in IDS]


def _lead(session: Session, la: str) -> Principal:
    return f.principal(session, f.make_user(session, Role.DATA_LEAD, organisation=la))


def _submit(session: Session, la: str, today: date, value: float = 1) -> int:
    made = returns.submit_return(
        session,
        _lead(session, la),
        f.REGION,
        Q1_NEXT,
        la,
        _values(value),
        source="form",
        today=today,
        reason=None if value == 1 else "Corrected figures",
    )
    return made.version


def _next_cycle(session: Session, boss: Principal) -> Cycle:
    return cycles.open_cycle(session, boss, f.REGION, OpenCycleInput(year=NEXT_YEAR))


def _revise(
    session: Session, cycle: Cycle, boss: Principal, changeover_on: date | None
) -> MouVersion:
    title, body, revision = mou.editor_source(session, cycle)
    draft = mou.save_draft(
        session,
        boss,
        cycle,
        DraftInput(title=title, body=body + "\n\nA clearer data clause.", revision=revision),
    )
    return mou.publish(
        session,
        boss,
        cycle,
        PublishInput(content_hash=draft.content_hash, changeover_on=changeover_on),
    )


def _sign_organisation(session: Session, cycle: Cycle, code: str) -> None:
    organisation = get_reference().regions[f.REGION].organisation(code)
    for role in organisation.signing_roles:
        f.sign(session, cycle, f.signatory(session, code, role), code, role)


@pytest.fixture
def signed_last_cycle(session: Session) -> tuple[Principal, Cycle]:
    boss = f.coordinator(session)
    first = f.open_cycle(session, boss)
    f.publish_from_template(session, first, boss)
    f.sign_everyone(session, first)
    return boss, first


def test_a_signed_mou_stays_in_force_in_the_next_cycle_without_signing_again(
    session: Session, signed_last_cycle: tuple[Principal, Cycle]
) -> None:
    boss, first = signed_last_cycle
    version_1 = mou.published_of(session, first)
    second = _next_cycle(session, boss)
    status = mou.status(session, boss, second)
    assert status.current is version_1 and status.in_force
    assert {b.state for b in status.bindings.values()} == {IN_FORCE}
    assert status.bindings[DERBY].version is version_1
    assert _submit(session, DERBY, BEFORE) == 1
    assert session.scalar(select(func.count()).select_from(MouSignatureEvent)) == 31


def test_across_a_changeover_returns_flow_until_its_date_then_lapse_until_signed(
    session: Session, signed_last_cycle: tuple[Principal, Cycle], monkeypatch: pytest.MonkeyPatch
) -> None:
    boss, first = signed_last_cycle
    version_1 = mou.published_of(session, first)
    second = _next_cycle(session, boss)
    version_2 = _revise(session, second, boss, CHANGEOVER_ON)
    assert version_1 is not None and (version_1.number, version_2.number) == (1, 2)
    assert version_2.changeover_on == CHANGEOVER_ON
    _sign_organisation(session, second, DERBY)

    # Before the changeover: Leicester signed only version 1 and is still bound by it.
    monkeypatch.setattr(clock, "today", lambda: BEFORE)
    bound = region_bindings(session, second)
    assert (bound[DERBY].state, bound[DERBY].version) == (IN_FORCE, version_2)
    assert (bound[LEICESTER].state, bound[LEICESTER].version) == (CHANGEOVER, version_1)
    assert _submit(session, LEICESTER, BEFORE) == 1
    assert _submit(session, LEICESTER, ON_THE_DAY, 2) == 2

    # After it: Leicester's MoU has lapsed and its return is refused, saying why.
    monkeypatch.setattr(clock, "today", lambda: AFTER)
    assert region_bindings(session, second)[LEICESTER].state == LAPSED
    assert not mou.status(session, boss, second).in_force
    with pytest.raises(Conflict) as caught:
        _submit(session, LEICESTER, AFTER, 3)
    assert caught.value.message == (
        "The Memorandum of Understanding has lapsed for Leicester: the changeover to version 2 "
        "ended on 15 July 2027 and it has not signed it, so the return cannot be accepted. It "
        "is accepted again once every signatory has signed version 2, or sooner if the "
        "regional coordinator records an override on the page "
        "/regions/east-midlands/cycles/2027-28/returns/overrides."
    )
    assert _submit(session, DERBY, AFTER) == 1

    # Leicester signs version 2: in force again, its returns accepted.
    _sign_organisation(session, second, LEICESTER)
    assert region_bindings(session, second)[LEICESTER].state == IN_FORCE
    assert _submit(session, LEICESTER, AFTER, 3) == 3


def test_the_changeover_defaults_to_sixty_days_and_must_be_in_the_future(
    session: Session, signed_last_cycle: tuple[Principal, Cycle]
) -> None:
    boss, first = signed_last_cycle
    second = _next_cycle(session, boss)
    with pytest.raises(InvalidInput) as caught:
        _revise(session, second, boss, clock.today())
    assert caught.value.field == "changeover_on"
    version_2 = _revise(session, second, boss, None)
    assert version_2.changeover_on == date(2027, 1, 22)  # 23 November 2026 + 60 days


def test_a_region_that_re_signs_each_cycle_needs_every_signature_again(
    session: Session, signed_last_cycle: tuple[Principal, Cycle], monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = get_reference()
    changed = reference.regions[f.REGION].model_copy(update={"mou_resign_each_cycle": True})
    monkeypatch.setattr(
        reference, "regions", MappingProxyType({**reference.regions, f.REGION: changed})
    )
    boss, _ = signed_last_cycle
    second = _next_cycle(session, boss)
    assert mou.published_of(session, second) is None
    assert region_bindings(session, second)[DERBY].state == NOT_SIGNED
    with pytest.raises(Conflict) as caught:
        _submit(session, DERBY, BEFORE)
    assert caught.value.message.startswith(
        "The Memorandum of Understanding is not yet in force for Derby, so the return"
    )
    version = f.publish_from_template(session, second, boss)
    assert version.changeover_on is None  # nothing of this cycle bound anyone before it
    _sign_organisation(session, second, DERBY)
    assert region_bindings(session, second)[DERBY].state == IN_FORCE
    assert _submit(session, DERBY, BEFORE) == 1


def test_reviewed_no_change_keeps_the_version_and_is_recorded_once(
    session: Session, signed_last_cycle: tuple[Principal, Cycle]
) -> None:
    boss, first = signed_last_cycle
    second = _next_cycle(session, boss)
    assert review.review_state(session, second).state == "due"
    assert review.review_state(session, first).text.startswith("Set up: version 1 published on")
    current = mou.published_of(session, second)
    assert current is not None
    data = ReviewInput(content_hash=current.content_hash, confirm=True)
    row = review.record_no_change(session, boss, second, data)
    state = review.review_state(session, second)
    assert state.text == (
        f"Reviewed, no change on {clock.day_of(row.reviewed_at):%-d %B %Y} by "
        f"{boss.display_name}: version 1 stays in force"
    )
    assert state.state == "reviewed_no_change" and state.version is current
    with pytest.raises(AlreadyDone):
        review.record_no_change(session, boss, second, data)
    last = (
        session.execute(select(AuditEvent).order_by(AuditEvent.sequence.desc())).scalars().first()
    )
    assert last is not None and last.action == "mou.reviewed"
    assert mou.status(session, boss, second).in_force


def test_the_leads_and_the_coordinator_record_the_review_and_no_one_else(
    session: Session, signed_last_cycle: tuple[Principal, Cycle]
) -> None:
    boss, _ = signed_last_cycle
    second = _next_cycle(session, boss)
    current = mou.published_of(session, second)
    assert current is not None
    data = ReviewInput(content_hash=current.content_hash, confirm=True)
    leads = (Role.REGIONAL_COORDINATOR, Role.LEAD_DCS, Role.LEAD_LEAD_MEMBER)
    leads += (Role.LEAD_CHIEF_EXECUTIVE,)
    refused = []
    for role in Role:
        if role in leads:
            continue
        if role in (
            Role.DCS,
            Role.LEAD_MEMBER,
            Role.CHIEF_EXECUTIVE,
            Role.DATA_LEAD,
            Role.CONTRIBUTOR,
        ):
            # Leicester leads nothing in the region file, so its people act only as themselves.
            who = f.principal(session, f.make_user(session, role, organisation=LEICESTER))
        else:
            who = f.principal(session, f.make_user(session, role, region=f.REGION))
        with pytest.raises(NotPermitted):
            review.record_no_change(session, who, second, data)
        refused.append(role)
    assert len(refused) == len(Role) - len(leads)
    assert review.review_state(session, second).state == "due"
    # Lincolnshire's DCS leads the region's DCSs (regions/east-midlands.yaml), so records it.
    lead = f.principal(session, f.make_user(session, Role.DCS, organisation=LINCOLNSHIRE))
    review.record_no_change(session, lead, second, data)
    assert review.review_state(session, second).state == "reviewed_no_change"


def test_a_new_office_holder_adds_a_signature_without_changing_the_status(
    session: Session, signed_last_cycle: tuple[Principal, Cycle]
) -> None:
    boss, first = signed_last_cycle
    second = _next_cycle(session, boss)
    before = mou.status(session, boss, second)
    first_dcs = before.signatory(DERBY, Role.DCS).event
    new_dcs = f.signatory(session, DERBY, Role.DCS)
    f.sign(session, second, new_dcs, DERBY, Role.DCS)
    with pytest.raises(AlreadyDone):
        f.sign(session, second, new_dcs, DERBY, Role.DCS)
    after = mou.status(session, boss, second)
    assert after.signatory(DERBY, Role.DCS).event is first_dcs
    assert after.bindings[DERBY].since == before.bindings[DERBY].since
    version = mou.published_of(session, second)
    assert version is not None
    derby_dcs = [
        e.signatory_name
        for e in mou.signature_events(session, version)
        if (e.organisation_code, e.role) == (DERBY, Role.DCS.value)
    ]
    assert first_dcs is not None
    assert derby_dcs == [first_dcs.signatory_name, new_dcs.display_name]
    last = (
        session.execute(select(AuditEvent).order_by(AuditEvent.sequence.desc())).scalars().first()
    )
    assert last is not None and last.action == "mou.signature_added"


def test_the_late_mou_flag_follows_the_binding_rule(
    session: Session, signed_last_cycle: tuple[Principal, Cycle]
) -> None:
    """A MoU signed last cycle is not "not signed off" this cycle; a lapsed one is."""
    from app.benchmarks.flag_engagement import signoff_flags

    boss, _ = signed_last_cycle
    second = _next_cycle(session, boss)

    def late_mou(today: date) -> list[str]:
        flags = signoff_flags(session, f.REGION, Q1_NEXT, [DERBY, LEICESTER], today)
        return [
            flag.la_code
            for flag in flags
            if flag.title == "Memorandum of understanding not signed off"
        ]

    assert late_mou(BEFORE) == []
    _revise(session, second, boss, CHANGEOVER_ON)
    _sign_organisation(session, second, DERBY)
    assert late_mou(ON_THE_DAY) == []
    assert late_mou(AFTER) == [LEICESTER]
