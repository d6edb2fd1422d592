"""Signing off a self-evaluation: bound to one version, voided by edits and returns, tracked."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.errors import AlreadyDone, Conflict, InvalidInput, NotPermitted, StaleVersion
from app.models import AuditEvent, Cycle, SefSignOffEvent, SefVersion, SelfEvaluation
from app.reference import get_reference
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import ReturnSefInput, SignSefInput, SubmitInput
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.sef_factories import DERBY, chapter_input, sign_as, submit_latest, write_all

LEICESTER = "E06000016"
RUTLAND = "E06000017"
WORKFORCE = "workforce"
DUE = date(2026, 12, 19)
NAMES = {Role.DCS: "Dee Derby", Role.LEAD_MEMBER: "Lee Member", Role.CHIEF_EXECUTIVE: "Cleo Chief"}
STALE = (
    "The self-evaluation was changed after you opened it, so nothing was recorded. Read the "
    "version now submitted, then decide."
)
EM_NAMES = [
    "Derby",
    "Derbyshire",
    "Leicester",
    "Leicestershire",
    "Lincolnshire",
    "North Northamptonshire",
    "Nottingham",
    "Nottinghamshire",
    "Rutland",
    "West Northamptonshire",
]


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


def _people(session: Session, la_code: str = DERBY) -> dict[Role, Principal]:
    return {
        role: f.principal(session, f.make_user(session, role, organisation=la_code, name=name))
        for role, name in NAMES.items()
    }


def _submitted(
    session: Session, cycle: Cycle, la_code: str = DERBY
) -> tuple[SelfEvaluation, dict[Role, Principal], SefVersion]:
    people = _people(session, la_code)
    write_all(session, cycle, la_code, people[Role.DCS])
    submitted = submit_latest(session, cycle, la_code, people[Role.DCS])
    return service.get_sef(session, people[Role.DCS], cycle, la_code), people, submitted


def _head(session: Session) -> int:
    return session.scalar(select(func.max(AuditEvent.sequence))) or 0


def _since(session: Session, head: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.sequence > head).order_by(AuditEvent.sequence)
        )
    )


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SefSignOffEvent)) or 0


def _sign(
    session: Session, cycle: Cycle, who: Principal, role: Role, content_hash: str
) -> SefSignOffEvent:
    return signoff.sign(
        session, who, cycle, DERBY, SignSefInput(role=role, content_hash=content_hash, confirm=True)
    )


def _return(
    session: Session, cycle: Cycle, who: Principal, role: Role, content_hash: str, reason: str
) -> SefSignOffEvent:
    return signoff.return_for_changes(
        session,
        who,
        cycle,
        DERBY,
        ReturnSefInput(role=role, content_hash=content_hash, reason=reason),
    )


def test_the_statement_names_the_authority_the_role_and_the_version() -> None:
    assert signoff.statement_for("Derby", Role.CHIEF_EXECUTIVE, 6) == (
        "As Chief Executive of Derby, I sign off version 6 of this self-evaluation as a fair and "
        "honest account of our children's services, to be shared with our peers for scrutiny."
    )
    assert "version 7" in signoff.statement_for("Derby", Role.DCS, 7)


def test_a_signature_is_bound_to_the_submitted_versions_hash(
    session: Session, cycle: Cycle
) -> None:
    sef, people, submitted = _submitted(session, cycle)
    head = _head(session)
    event = _sign(
        session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER, submitted.content_hash
    )
    assert (event.decision, event.role, event.signatory_name, event.user_id) == (
        "signed",
        "lead_member",
        "Lee Member",
        people[Role.LEAD_MEMBER].user_id,
    )
    assert (event.sef_version_id, event.content_hash) == (submitted.id, submitted.content_hash)
    assert event.statement == signoff.statement_for("Derby", Role.LEAD_MEMBER, submitted.number)
    assert event.reason is None
    [audit] = _since(session, head)
    assert (audit.action, audit.summary) == (
        "sef.signed",
        f"Lee Member signed version {submitted.number} as Lead Member",
    )
    assert json.loads(audit.payload) == {
        "role": "lead_member",
        "content_hash": submitted.content_hash,
        "statement": event.statement,
    }
    status = signoff.build_status(session, cycle, sef)
    assert status.state == "awaiting_sign_off" and status.submitted is submitted
    assert [(s.role, s.state, s.event) for s in status.signatories] == [
        (Role.DCS, "outstanding", None),
        (Role.LEAD_MEMBER, "signed", event),
        (Role.CHIEF_EXECUTIVE, "outstanding", None),
    ]
    assert (status.signed_count, status.void, status.returns) == (1, (), ())
    assert verify(session).ok


def test_nothing_is_recorded_without_confirmation_or_with_another_hash(
    session: Session, cycle: Cycle
) -> None:
    sef, people, submitted = _submitted(session, cycle)
    head = _head(session)
    with pytest.raises(InvalidInput) as unconfirmed:
        signoff.sign(
            session,
            people[Role.DCS],
            cycle,
            DERBY,
            SignSefInput(role=Role.DCS, content_hash=submitted.content_hash, confirm=False),
        )
    assert unconfirmed.value.message == "Confirm the statement to sign the self-evaluation"
    assert unconfirmed.value.field == "confirm"
    with pytest.raises(StaleVersion) as other:
        _sign(session, cycle, people[Role.DCS], Role.DCS, "b" * 64)
    assert other.value.message == STALE
    with pytest.raises(StaleVersion) as returning:
        _return(session, cycle, people[Role.DCS], Role.DCS, "b" * 64, "Not this one.")
    assert returning.value.message == STALE
    assert (_events(session), _since(session, head), sef.state) == (0, [], "awaiting_sign_off")


def test_signing_with_an_old_versions_hash_records_nothing(session: Session, cycle: Cycle) -> None:
    sef, people, old = _submitted(session, cycle)
    dcs = people[Role.DCS]
    service.save_chapter(session, dcs, cycle, DERBY, WORKFORCE, chapter_input(old.number, " new"))
    new = submit_latest(session, cycle, DERBY, dcs)
    head = _head(session)
    with pytest.raises(StaleVersion) as refused:
        _sign(session, cycle, people[Role.CHIEF_EXECUTIVE], Role.CHIEF_EXECUTIVE, old.content_hash)
    assert refused.value.message == STALE
    assert (_events(session), _since(session, head)) == (0, [])
    assert signoff.build_status(session, cycle, sef).submitted is new


@pytest.mark.parametrize(
    ("who", "as_role", "label"),
    [
        (Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE, "Chief Executive"),
        (Role.CHIEF_EXECUTIVE, Role.DCS, "Director of Children's Services"),
        (Role.DCS, Role.LEAD_MEMBER, "Lead Member"),
    ],
)
def test_nobody_signs_as_a_role_they_do_not_hold(
    session: Session, cycle: Cycle, who: Role, as_role: Role, label: str
) -> None:
    _, people, submitted = _submitted(session, cycle)
    head = _head(session)
    message = (
        f"You cannot sign this authority's self-evaluation: you are not recorded as its {label}. "
        "Ask your regional coordinator to check your role."
    )
    with pytest.raises(NotPermitted) as refused:
        _sign(session, cycle, people[who], as_role, submitted.content_hash)
    assert refused.value.message == message
    with pytest.raises(NotPermitted) as returning:
        _return(session, cycle, people[who], as_role, submitted.content_hash, "No.")
    assert returning.value.message == message
    assert (_events(session), _since(session, head)) == (0, [])


def test_another_authoritys_signatory_cannot_sign(session: Session, cycle: Cycle) -> None:
    _, _, submitted = _submitted(session, cycle)
    outsider = _people(session, LEICESTER)[Role.CHIEF_EXECUTIVE]
    with pytest.raises(NotPermitted) as refused:
        _sign(session, cycle, outsider, Role.CHIEF_EXECUTIVE, submitted.content_hash)
    assert refused.value.message == (
        "You cannot sign this authority's self-evaluation: you are not recorded as its Chief "
        "Executive. Ask your regional coordinator to check your role."
    )
    assert _events(session) == 0


def test_signing_twice_is_already_done_with_one_row(session: Session, cycle: Cycle) -> None:
    _, people, submitted = _submitted(session, cycle)
    _sign(session, cycle, people[Role.DCS], Role.DCS, submitted.content_hash)
    head = _head(session)
    with pytest.raises(AlreadyDone) as twice:
        _sign(session, cycle, people[Role.DCS], Role.DCS, submitted.content_hash)
    assert twice.value.message == (
        f"You have already signed version {submitted.number} as Director of Children's Services."
    )
    assert (_events(session), _since(session, head)) == (1, [])


def test_three_signatures_sign_it_off(session: Session, cycle: Cycle) -> None:
    sef, people, submitted = _submitted(session, cycle)
    head = _head(session)
    for role in SIGNATORY_ROLES:
        assert sef.state == "awaiting_sign_off" and sef.signed_at is None
        _sign(session, cycle, people[role], role, submitted.content_hash)
    assert sef.state == "signed" and sef.signed_at is not None
    events = _since(session, head)
    assert [e.action for e in events] == [
        "sef.signed",
        "sef.signed",
        "sef.signed",
        "sef.signed_off",
    ]
    assert events[-1].summary == (
        f"Version {submitted.number} signed off by all three signatories and shared with its "
        "scrutineers"
    )
    assert json.loads(events[-1].payload) == {
        "number": submitted.number,
        "content_hash": submitted.content_hash,
    }
    assert events[-1].actor_name == "Cleo Chief"
    status = signoff.build_status(session, cycle, sef)
    assert (status.state, status.signed_count, status.void) == ("signed", 3, ())
    assert {s.event.content_hash for s in status.signatories if s.event} == {submitted.content_hash}

    head = _head(session)
    with pytest.raises(Conflict) as again:
        _sign(session, cycle, people[Role.DCS], Role.DCS, submitted.content_hash)
    assert again.value.message == "All three signatories have already signed this self-evaluation."
    with pytest.raises(Conflict) as returned:
        _return(session, cycle, people[Role.CHIEF_EXECUTIVE], Role.CHIEF_EXECUTIVE,
                submitted.content_hash, "Too late.")  # fmt: skip
    assert returned.value.message == (
        "This self-evaluation has been signed by all three signatories, so it cannot be returned."
    )
    with pytest.raises(Conflict) as edit:
        service.save_chapter(session, people[Role.DCS], cycle, DERBY, WORKFORCE,
                             chapter_input(submitted.number, " later"))  # fmt: skip
    assert edit.value.message == (
        "This self-evaluation has been signed by all three signatories and shared with its "
        "scrutineers, so its text can no longer change. Respond to comments instead."
    )
    with pytest.raises(Conflict) as resubmit:
        service.submit(session, people[Role.DCS], cycle, DERBY,
                       SubmitInput(content_hash=submitted.content_hash))  # fmt: skip
    assert resubmit.value.message == "This self-evaluation has already been signed."
    assert (_events(session), _since(session, head), service.version_count(session, sef)) == (
        3,
        [],
        submitted.number,
    )


def test_an_edit_after_a_signature_voids_it_visibly(session: Session, cycle: Cycle) -> None:
    sef, people, old = _submitted(session, cycle)
    dcs = people[Role.DCS]
    signed = _sign(session, cycle, dcs, Role.DCS, old.content_hash)
    head = _head(session)
    new = service.save_chapter(
        session, dcs, cycle, DERBY, WORKFORCE, chapter_input(old.number, " revised")
    )
    assert new.number == old.number + 1
    assert (sef.state, sef.submitted_number, sef.submitted_at) == ("draft", None, None)
    voided, saved = _since(session, head)
    assert (voided.action, voided.summary) == (
        "sef.signatures_voided",
        f"Signatures on version {old.number} are void (Dee Derby edited 'Workforce'): "
        "Dee Derby (Director of Children's Services)",
    )
    assert json.loads(voided.payload) == {
        "number": old.number,
        "content_hash": old.content_hash,
        "signatures": ["Dee Derby (Director of Children's Services)"],
    }
    assert saved.action == "sef.chapter_saved"
    status = signoff.build_status(session, cycle, sef)
    assert status.submitted is None and status.signed_count == 0
    assert [s.state for s in status.signatories] == ["outstanding"] * 3
    assert status.void == ((signed, old.number),)
    assert session.get(SefSignOffEvent, signed.id) is signed  # kept, never deleted

    # Resubmitted and signed again: only the new signatures count.
    submit_latest(session, cycle, DERBY, dcs)
    _sign(session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER, new.content_hash)
    status = signoff.build_status(session, cycle, sef)
    assert status.submitted is new and status.signed_count == 1
    assert [s.state for s in status.signatories] == ["outstanding", "signed", "outstanding"]
    assert status.void == ((signed, old.number),)
    again = _sign(session, cycle, dcs, Role.DCS, new.content_hash)
    _sign(session, cycle, people[Role.CHIEF_EXECUTIVE], Role.CHIEF_EXECUTIVE, new.content_hash)
    status = signoff.build_status(session, cycle, sef)
    assert (status.state, status.signed_count) == ("signed", 3)
    assert status.signatories[0].event is again and status.void == ((signed, old.number),)
    assert _events(session) == 4


def test_a_signatory_returns_it_with_a_reason(session: Session, cycle: Cycle) -> None:
    sef, people, submitted = _submitted(session, cycle)
    dcs_signature = _sign(session, cycle, people[Role.DCS], Role.DCS, submitted.content_hash)
    lm_signature = _sign(
        session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER, submitted.content_hash
    )
    head = _head(session)
    reason = "The workforce chapter understates agency use."
    returned = _return(session, cycle, people[Role.CHIEF_EXECUTIVE], Role.CHIEF_EXECUTIVE,
                       submitted.content_hash, reason)  # fmt: skip
    assert (returned.decision, returned.role, returned.reason, returned.statement) == (
        "returned",
        "chief_executive",
        reason,
        "",
    )
    assert (returned.sef_version_id, returned.content_hash) == (
        submitted.id,
        submitted.content_hash,
    )
    assert (sef.state, sef.submitted_number) == ("draft", None)
    back, voided = _since(session, head)
    assert (back.action, back.summary) == (
        "sef.returned",
        f"Cleo Chief returned version {submitted.number} as Chief Executive: {reason}",
    )
    assert json.loads(back.payload) == {
        "role": "chief_executive",
        "content_hash": submitted.content_hash,
        "reason": reason,
    }
    assert (voided.action, voided.summary) == (
        "sef.signatures_voided",
        f"Signatures on version {submitted.number} are void (returned by the Chief Executive): "
        "Dee Derby (Director of Children's Services), Lee Member (Lead Member)",
    )
    status = signoff.build_status(session, cycle, sef)
    assert status.returns == ((returned, submitted.number),)
    assert status.void == ((dcs_signature, submitted.number), (lm_signature, submitted.number))
    assert status.signed_count == 0 and status.submitted is None

    head = _head(session)
    with pytest.raises(Conflict) as draft:
        _return(session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER,
                submitted.content_hash, "Again.")  # fmt: skip
    assert (
        draft.value.message == "This self-evaluation is being drafted: there is nothing to return."
    )
    with pytest.raises(Conflict) as signing:
        _sign(session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER, submitted.content_hash)
    assert signing.value.message == (
        "This self-evaluation has not been submitted for sign-off yet, so it cannot be signed."
    )
    assert (_events(session), _since(session, head)) == (3, [])


def test_a_returned_version_must_change_before_it_is_submitted_again(
    session: Session, cycle: Cycle
) -> None:
    sef, people, submitted = _submitted(session, cycle)
    dcs = people[Role.DCS]
    _sign(session, cycle, dcs, Role.DCS, submitted.content_hash)
    _return(session, cycle, people[Role.CHIEF_EXECUTIVE], Role.CHIEF_EXECUTIVE,
            submitted.content_hash, "Say more about agency use.")  # fmt: skip
    head = _head(session)
    # The same text again would bring back the signatures the return voided.
    with pytest.raises(Conflict) as same:
        service.submit(session, dcs, cycle, DERBY, SubmitInput(content_hash=submitted.content_hash))
    assert same.value.message == (
        f"Version {submitted.number} was returned by the Chief Executive (Cleo Chief): change "
        "it, then submit the new version."
    )
    assert (sef.state, sef.submitted_number, _since(session, head)) == ("draft", None, [])

    changed = service.save_chapter(
        session, dcs, cycle, DERBY, WORKFORCE, chapter_input(submitted.number, " agency use")
    )
    submit_latest(session, cycle, DERBY, dcs)
    status = signoff.build_status(session, cycle, sef)
    assert status.submitted is changed and status.signed_count == 0
    _sign(session, cycle, dcs, Role.DCS, changed.content_hash)
    status = signoff.build_status(session, cycle, sef)
    assert [s.state for s in status.signatories] == ["signed", "outstanding", "outstanding"]
    assert len(status.void) == 1 and len(status.returns) == 1


def test_a_long_reason_is_kept_whole_and_the_history_line_shortened(
    session: Session, cycle: Cycle
) -> None:
    sef, people, submitted = _submitted(session, cycle)
    reason = "Agency use is understated. " * 70 + "Please revise."
    assert len(reason) <= 2000
    head = _head(session)
    returned = _return(session, cycle, people[Role.LEAD_MEMBER], Role.LEAD_MEMBER,
                       submitted.content_hash, reason)  # fmt: skip
    assert returned.reason == reason.strip()
    [event] = _since(session, head)
    assert event.action == "sef.returned" and len(event.summary) == 500
    assert event.summary.startswith(
        f"Lee Member returned version {submitted.number} as Lead Member"
    )
    assert event.summary.endswith("…")
    assert json.loads(event.payload)["reason"] == reason.strip()
    assert sef.state == "draft" and verify(session).ok


def test_sign_off_is_due_when_the_calendars_window_closes(session: Session, cycle: Cycle) -> None:
    region = get_reference().regions[f.REGION]
    assert region.default_calendar(f.YEAR)["self_evaluation"] == (date(2026, 11, 1), DUE)
    sef, people, submitted = _submitted(session, cycle)
    assert signoff.due_date(session, cycle) == DUE

    def late(on: date) -> bool:
        status = signoff.build_status(session, cycle, sef, today=on)
        assert status.due_on == DUE
        return status.late

    assert sef.state == "awaiting_sign_off"
    assert (late(date(2026, 11, 23)), late(DUE), late(date(2026, 12, 20))) == (False, False, True)
    service.save_chapter(session, people[Role.DCS], cycle, DERBY, WORKFORCE,
                         chapter_input(submitted.number, " again"))  # fmt: skip
    assert sef.state == "draft"
    assert (late(DUE), late(date(2026, 12, 20)), late(date(2027, 3, 31))) == (False, True, True)
    latest = submit_latest(session, cycle, DERBY, people[Role.DCS])
    for role in SIGNATORY_ROLES:
        _sign(session, cycle, people[role], role, latest.content_hash)
    assert sef.state == "signed"
    assert (late(date(2026, 12, 20)), late(date(2027, 3, 31))) == (False, False)
    # Without a day given, it is today (the suite's fixed 23 November 2026).
    assert signoff.build_status(session, cycle, sef).late is False


def test_the_coordinators_tracker(
    session: Session, cycle: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    boss = f.coordinator(session)
    derby, derby_people, derby_version = _submitted(session, cycle, DERBY)
    for role in SIGNATORY_ROLES:
        sign_as(session, cycle, DERBY, derby_people[role], role, derby_version.content_hash)
    _, leicester_people, leicester_version = _submitted(session, cycle, LEICESTER)
    sign_as(session, cycle, LEICESTER, leicester_people[Role.LEAD_MEMBER], Role.LEAD_MEMBER,
            leicester_version.content_hash)  # fmt: skip
    rutland_dcs = _people(session, RUTLAND)[Role.DCS]
    service.save_chapter(session, rutland_dcs, cycle, RUTLAND, WORKFORCE, chapter_input(None))

    due, rows = signoff.tracker(session, boss, cycle)
    assert due == DUE
    assert [r.la_name for r in rows] == EM_NAMES
    by_name = {r.la_name: r for r in rows}
    assert [
        (r.la_name, r.state, r.versions, r.submitted_number)
        for r in (by_name["Derby"], by_name["Leicester"], by_name["Rutland"], by_name["Nottingham"])
    ] == [
        ("Derby", "signed", 6, 6),
        ("Leicester", "awaiting_sign_off", 6, 6),
        ("Rutland", "draft", 1, None),
        ("Nottingham", "draft", 0, None),
    ]
    assert by_name["Derby"].la_code == DERBY and by_name["Derby"].signed_at == derby.signed_at
    assert [s.state for s in by_name["Derby"].signatories] == ["signed"] * 3
    assert [s.state for s in by_name["Leicester"].signatories] == [
        "outstanding",
        "signed",
        "outstanding",
    ]
    assert [s.state for s in by_name["Rutland"].signatories] == ["outstanding"] * 3
    assert all((r.comments, r.unanswered) == (0, 0) for r in rows)
    assert not any(r.late for r in rows)  # 23 November: before the window closes
    assert sum(1 for r in rows if r.state == "draft" and r.versions == 0) == 7

    monkeypatch.setattr("app.clock.today", lambda: date(2026, 12, 20))
    _, rows = signoff.tracker(session, boss, cycle)
    assert [r.la_name for r in rows if r.late] == [n for n in EM_NAMES if n != "Derby"]


@pytest.mark.parametrize(
    ("role", "org", "region"),
    [
        (Role.DCS, DERBY, None),
        (Role.CHIEF_EXECUTIVE, DERBY, None),
        (Role.RISL, None, "east-midlands"),
        (Role.LEAD_DCS, None, "east-midlands"),
        (Role.SERVICE_ADMIN, None, None),
        (Role.REGIONAL_COORDINATOR, None, "west-midlands"),
    ],
)
def test_the_tracker_is_the_coordinators_alone(
    session: Session, cycle: Cycle, role: Role, org: str | None, region: str | None
) -> None:
    who = f.principal(session, f.make_user(session, role, organisation=org, region=region))
    with pytest.raises(NotPermitted) as refused:
        signoff.tracker(session, who, cycle)
    assert refused.value.message == (
        "You cannot track this region's self-evaluations: none of your roles allows it. Ask your "
        "regional coordinator if you think you should."
    )


def test_two_signatures_at_the_same_moment_record_one(
    session: Session, cycle: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    sef, people, submitted = _submitted(session, cycle)
    first = _sign(session, cycle, people[Role.DCS], Role.DCS, submitted.content_hash)
    # A double submit whose second request checked before the first was written.
    unsigned = signoff.build_status(session, cycle, sef)
    unsigned = unsigned.__class__(
        unsigned.state,
        unsigned.submitted,
        tuple(s.__class__(s.role, "outstanding", None) for s in unsigned.signatories),
        unsigned.void,
        unsigned.returns,
        unsigned.due_on,
        unsigned.late,
    )
    monkeypatch.setattr(signoff, "build_status", lambda *_a, **_k: unsigned)
    head = _head(session)
    with pytest.raises(AlreadyDone) as raced:
        _sign(session, cycle, people[Role.DCS], Role.DCS, submitted.content_hash)
    assert raced.value.message == (
        f"Version {submitted.number} has already been signed by the Director of Children's "
        "Services."
    )
    monkeypatch.undo()
    assert (_events(session), _since(session, head)) == (1, [])
    assert signoff.build_status(session, cycle, sef).signatories[0].event is first


def test_a_sign_off_completed_after_the_due_day_stays_late(session: Session) -> None:
    from datetime import UTC, datetime

    from tests.sef_factories import signed_sef

    cycle = f.open_cycle(session)
    sef, _ = signed_sef(session, cycle, DERBY)
    after = date(2027, 1, 10)
    assert signoff.build_status(session, cycle, sef, today=after).late is False  # signed in time
    # 19 December 2026 is the due day; 00:30 UTC on the 20th is already the 20th in London.
    sef.signed_at = datetime(2026, 12, 20, 0, 30, tzinfo=UTC)
    assert signoff.build_status(session, cycle, sef, today=after).late is True
    sef.signed_at = datetime(2026, 12, 19, 23, 30, tzinfo=UTC)  # still the 19th in London (GMT)
    assert signoff.build_status(session, cycle, sef, today=after).late is False


def test_an_edit_before_anyone_signs_withdraws_the_submission_in_the_history(
    session: Session,
) -> None:
    cycle = f.open_cycle(session)
    dcs = f.signatory(session, DERBY, Role.DCS)
    write_all(session, cycle, DERBY, dcs)
    submitted = submit_latest(session, cycle, DERBY, dcs)
    service.save_chapter(
        session, dcs, cycle, DERBY, "workforce", chapter_input(submitted.number, " changed")
    )
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc()).limit(2)).all()
    assert [(e.action, e.summary) for e in reversed(events)] == [
        (
            "sef.submission_withdrawn",
            f"Version {submitted.number} is no longer submitted for sign-off: "
            f"{dcs.display_name} edited 'Workforce'",
        ),
        (
            "sef.chapter_saved",
            f"{dcs.display_name} saved 'Workforce' as version {submitted.number + 1}",
        ),
    ]


def test_the_tracker_reads_the_whole_region_in_a_fixed_number_of_queries(
    session: Session,
) -> None:
    """One query per kind of data, not per authority: London's 33 cost what Rutland's 1 does."""
    from sqlalchemy import event

    from tests.sef_factories import signed_sef

    cycle = f.open_cycle(session)
    boss = f.coordinator(session)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def tracked() -> int:
        statements.clear()
        event.listen(session.bind, "before_cursor_execute", count)
        try:
            signoff.tracker(session, boss, cycle)
        finally:
            event.remove(session.bind, "before_cursor_execute", count)
        return len(statements)

    quiet = tracked()
    for la in ("E06000015", "E06000016", "E10000007"):
        signed_sef(session, cycle, la)
    assert tracked() == quiet
    assert quiet <= 6
