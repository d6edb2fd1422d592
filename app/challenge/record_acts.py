"""Changing the record of a triad's challenge conversation: write a part, comment on its accuracy,
agree or return the exact version, and share an LA's own part once agreed.

Rules (issue 12, "A private draft first"): the triad's reviewers and DCSs write the private draft
one LA's part at a time; each member LA's DCS comments on its factual accuracy, then agrees the
exact version through the sign-off kernel. An edit makes a new version and voids the agreements on
the old one; a return voids those on its version until the text changes. Every act is refused
whole, in plain words, when the person, the state or the version is wrong; the record row is locked
first, so a last agreement and an edit cannot both land on one version.
"""

import hashlib

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.audit.chain import record_many
from app.audit.entries import cycle_entry
from app.auth.permissions import Scope, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import access
from app.challenge import record as records
from app.challenge.actions import ChallengeAction
from app.challenge.record_schemas import (
    AccuracyCommentInput,
    AgreeRecordInput,
    RecordPartInput,
    ReturnRecordInput,
    ShareInput,
    StoredNote,
    StoredPart,
)
from app.challenge.record_workflow import CHALLENGE_RECORD, RecordAction, RecordState
from app.db import add_once
from app.errors import AlreadyDone, Conflict, InvalidInput, NotPermitted, StaleVersion
from app.models import (
    ChallengeAccuracyComment,
    ChallengeAgreementEvent,
    ChallengeRecord,
    ChallengeRecordVersion,
    ChallengeShare,
    Cycle,
    Kloe,
    Triad,
)
from app.models.types import utcnow
from app.reference.improvement_areas import get_improvement_areas
from app.reference.models import LocalAuthority
from app.signoff import acts
from app.signoff.events import Decision
from app.structured_text import canonical_json
from app.workflow import fire
from app.workflow.transition import transition

CHANGED = (
    "The record was changed after you opened it, so nothing was recorded. Read the version now "
    "in the draft, then decide."
)


def _subject(record: ChallengeRecord) -> tuple[str, int]:
    return ("challenge_record", record.id)


def _member(members: tuple[LocalAuthority, ...], la_code: str) -> LocalAuthority:
    for la in members:
        if la.code == la_code:
            return la
    raise InvalidInput("That authority is not a member of this triad.", field="la_code")


def _acting_dcs(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    triad: Triad,
    la_code: str,
    action: ChallengeAction,
) -> LocalAuthority:
    """The member LA this DCS acts for: its own DCS (a Trust's where it serves the LA)."""
    members = records.members_of(session, cycle, triad)
    la = _member(members, la_code)
    require(principal, action, Scope(organisation_code=la_code), as_role=Role.DCS)
    return la


def _hash(parts: dict[str, StoredPart]) -> tuple[str, str]:
    content = canonical_json(
        {"authorities": {code: p.model_dump(mode="json") for code, p in sorted(parts.items())}}
    )
    return content, hashlib.sha256(content.encode()).hexdigest()


def _check_part(
    cycle: Cycle, members: tuple[LocalAuthority, ...], la: LocalAuthority, data: RecordPartInput
) -> None:
    areas = get_improvement_areas().by_id(cycle.region_id)
    used = [a.area for n in data.kloes for a in n.actions]
    used += [s.area for s in data.support_asked] + [s.area for s in data.support_offered]
    unknown = sorted({a for a in used if a not in areas})
    if unknown:
        raise InvalidInput(
            f"Choose an improvement area from the region's list (not {', '.join(unknown)}).",
            field="kloes",
        )
    others = {m.code for m in members if m.code != la.code}
    if any(o.to_la not in others for o in data.support_offered):
        raise InvalidInput(
            f"{la.name} can offer support only to the other members of its triad.",
            field="support_offered",
        )


def save_part(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    number: int,
    la_code: str,
    data: RecordPartInput,
) -> ChallengeRecordVersion:
    """A reviewer or member DCS saves one LA's part as a new version of the private draft."""
    triad = records.triad_by_number(session, cycle, number)
    require(principal, ChallengeAction.WRITE_RECORD, Scope(cycle.region_id))
    if not access.in_triad(session, principal, cycle, triad):
        raise NotPermitted(records.NOT_IN_TRIAD)
    members = records.members_of(session, cycle, triad)
    la = _member(members, la_code)
    record = records.record_of(session, triad, lock=True)
    if record is not None:
        fire(CHALLENGE_RECORD, record.state, RecordAction.EDIT)
    questions = {
        k.position: k.text
        for k in session.scalars(
            select(Kloe).where(Kloe.cycle_id == cycle.id, Kloe.la_code == la_code)
        )
    }
    if not questions:
        raise Conflict(
            f"{la.name} has not set its key lines of enquiry yet: the record follows them.",
            field="kloes",
        )
    missing = sorted({n.position for n in data.kloes} - set(questions))
    if missing:
        raise InvalidInput(f"{la.name} has no question {missing[0]}.", field="kloes")
    _check_part(cycle, members, la, data)
    current = records.current_version(session, record)
    parts = records.content_of(current)
    notes = [StoredNote(question=questions[n.position], **n.model_dump()) for n in data.kloes]
    parts[la_code] = StoredPart(
        kloes=sorted(notes, key=lambda n: n.position),
        support_asked=data.support_asked,
        support_offered=data.support_offered,
    )
    content, content_hash = _hash(parts)
    if current is not None and content_hash == current.content_hash:
        return current  # the same part again: a double submit changes nothing
    if data.version != (current.content_hash if current else ""):
        raise StaleVersion(
            "Someone else saved the record since you opened it. Reload to see their changes "
            "before you save yours.",
            field="version",
        )
    if record is None:
        record = ChallengeRecord(
            cycle_id=cycle.id,
            triad_id=triad.id,
            state=RecordState.DRAFT,
            started_by_id=principal.user_id,
        )
        add_once(session, record, StaleVersion(CHANGED, field="version"))
    voided = acts.voided_by_new_version(
        session,
        ChallengeAgreementEvent,
        ChallengeAgreementEvent.record_version_id == (current.id if current else -1),
    )
    version = ChallengeRecordVersion(
        record_id=record.id,
        number=(current.number if current else 0) + 1,
        content=content,
        content_hash=content_hash,
        saved_by_id=principal.user_id,
        saved_by_name=principal.display_name,
    )
    add_once(session, version, StaleVersion(CHANGED, field="version"))
    summary = f"Version {version.number} of triad {triad.number}'s record saved: {la.name}'s part"
    if voided:
        summary += f"; agreements no longer count: {', '.join(voided)}"
    payload: dict[str, object] = {
        "number": version.number,
        "content_hash": content_hash,
        "la_code": la_code,
        "voided": voided,
    }
    entry = cycle_entry(
        principal, cycle, _subject(record), "challenge.record_saved", summary, payload
    )
    record_many(session, [entry])
    return version


def _open_version(
    session: Session, cycle: Cycle, triad: Triad, content_hash: str, action: RecordAction
) -> tuple[ChallengeRecord, ChallengeRecordVersion]:
    """The record, locked, in a state that allows `action`, on the exact version read."""
    record = records.record_of(session, triad, lock=True)
    if record is None:
        raise Conflict("Nothing has been recorded for this triad yet.")
    fire(CHALLENGE_RECORD, record.state, action)
    current = records.current_version(session, record)
    acts.require_version(current.content_hash if current else None, content_hash, CHANGED)
    assert current is not None  # require_version refused a missing one
    return record, current


def comment(
    session: Session, principal: Principal, cycle: Cycle, number: int, data: AccuracyCommentInput
) -> ChallengeAccuracyComment:
    """A member DCS comments on the factual accuracy of the draft version it read."""
    triad = records.triad_by_number(session, cycle, number)
    la = _acting_dcs(session, principal, cycle, triad, data.la_code, ChallengeAction.AGREE_RECORD)
    record, current = _open_version(session, cycle, triad, data.content_hash, RecordAction.COMMENT)
    row = ChallengeAccuracyComment(
        record_id=record.id,
        record_version_id=current.id,
        la_code=la.code,
        text=data.text,
        author_id=principal.user_id,
        author_name=principal.display_name,
    )
    session.add(row)
    session.flush()
    summary = f"{principal.display_name} commented on version {current.number} for {la.name}"
    payload: dict[str, object] = {"number": current.number, "text": data.text}
    record_many(
        session,
        [
            cycle_entry(
                principal,
                cycle,
                _subject(record),
                "challenge.accuracy_commented",
                summary,
                payload,
                la.code,
            )
        ],
    )
    return row


def statement(principal: Principal, la: LocalAuthority, triad: Triad, number: int) -> str:
    """The words a member DCS agrees."""
    return (
        f"As Director of Children's Services for {la.name}, I agree version {number} of the "
        f"record of triad {triad.number}'s challenge conversation as a fair account of what was "
        "discussed and agreed."
    )


def agree(
    session: Session, principal: Principal, cycle: Cycle, number: int, data: AgreeRecordInput
) -> ChallengeAgreementEvent:
    """A member DCS agrees the exact version; the last agreement makes the record agreed."""
    acts.require_confirmed(data.confirm, "Confirm that you agree this version of the record")
    triad = records.triad_by_number(session, cycle, number)
    la = _acting_dcs(session, principal, cycle, triad, data.la_code, ChallengeAction.AGREE_RECORD)
    record, current = _open_version(session, cycle, triad, data.content_hash, RecordAction.AGREE)
    members = records.members_of(session, cycle, triad)
    events = records.events_of(session, record)
    returned = [
        e for e in events if e.record_version_id == current.id and e.decision == Decision.RETURNED
    ]
    if returned:
        raise Conflict(
            f"Version {current.number} was returned by {returned[-1].signatory_name}: it must be "
            "changed before it can be agreed.",
        )
    pairs, _ = records.agreement_status(members, events, current)
    if any(p.organisation_code == la.code and p.state == Decision.SIGNED for p in pairs):
        raise AlreadyDone(f"{la.name} has already agreed version {current.number}.")
    on = acts.OnVersion(
        ChallengeAgreementEvent,
        {"record_id": record.id, "record_version_id": current.id},
        current.content_hash,
        cycle,
        _subject(record),
    )
    words = statement(principal, la, triad, current.number)
    event = on.event(principal, Decision.SIGNED, la.code, Role.DCS, statement=words)
    summary = f"{principal.display_name} agreed version {current.number} for {la.name}"

    def complete() -> bool:
        now, _ = records.agreement_status(members, records.events_of(session, record), current)
        return all(p.state == Decision.SIGNED for p in now)

    def agreed() -> None:
        words = f"Version {current.number} agreed by every member of triad {triad.number}"
        payload = {"number": current.number, "content_hash": current.content_hash}
        audit = on.entry(principal, "challenge.record_agreed", words, payload)
        transition(
            session,
            CHALLENGE_RECORD,
            record,
            RecordAction.COMPLETE,
            audit=audit,
            agreed_at=utcnow(),
        )

    return acts.sign(
        session,
        event,
        refusal=AlreadyDone(f"{la.name} has already agreed version {current.number}."),
        audit=on.entry(principal, "challenge.agreed", summary, acts.signed_payload(event), la.code),
        complete=complete,
        on_complete=agreed,
    )


def return_record(
    session: Session, principal: Principal, cycle: Cycle, number: int, data: ReturnRecordInput
) -> ChallengeAgreementEvent:
    """A member DCS returns the version with a reason: agreements on it lapse until it changes."""
    triad = records.triad_by_number(session, cycle, number)
    la = _acting_dcs(session, principal, cycle, triad, data.la_code, ChallengeAction.AGREE_RECORD)
    record, current = _open_version(session, cycle, triad, data.content_hash, RecordAction.RETURN)
    on = acts.OnVersion(
        ChallengeAgreementEvent,
        {"record_id": record.id, "record_version_id": current.id},
        current.content_hash,
        cycle,
        _subject(record),
    )
    event = on.event(principal, Decision.RETURNED, la.code, Role.DCS, reason=data.reason)
    summary = (
        f"{principal.display_name} returned version {current.number} for {la.name}: {data.reason}"
    )
    audit = on.entry(principal, "challenge.returned", summary, acts.reason_payload(event), la.code)
    acts.decide(session, event, audit=audit, reason_required="Say why you are returning the record")
    return event


def share(
    session: Session, principal: Principal, cycle: Cycle, number: int, data: ShareInput
) -> bool:
    """The LA's DCS shares its own part of the agreed record with the RISL, or takes it back.
    Returns whether anything changed (the same choice twice changes nothing)."""
    triad = records.triad_by_number(session, cycle, number)
    la = _acting_dcs(session, principal, cycle, triad, data.la_code, ChallengeAction.SHARE_RECORD)
    record = records.record_of(session, triad, lock=True)
    if record is None:
        raise Conflict("Nothing has been recorded for this triad yet.")
    fire(CHALLENGE_RECORD, record.state, RecordAction.SHARE)
    mine = (ChallengeShare.record_id == record.id, ChallengeShare.la_code == la.code)
    already = (
        session.scalar(select(func.count()).select_from(ChallengeShare).where(*mine)) or 0
    ) > 0
    if already == data.shared:
        return False
    if data.shared:
        add_once(
            session,
            ChallengeShare(record_id=record.id, la_code=la.code, shared_by_id=principal.user_id),
            AlreadyDone(f"{la.name}'s part is already shared."),
        )
        action, words = (
            "challenge.part_shared",
            f"{la.name} shared its part of the record with the RISL",
        )
    else:
        session.execute(delete(ChallengeShare).where(*mine))
        action, words = (
            "challenge.part_unshared",
            f"{la.name} stopped sharing its part of the record with the RISL",
        )
    record_many(
        session,
        [
            cycle_entry(
                principal, cycle, _subject(record), action, words, {"shared": data.shared}, la.code
            )
        ],
    )
    return True
