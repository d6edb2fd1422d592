"""Signing and declining the alliance's current version of the MoU.

A signature binds the organisation, not the person: a new DCS, Lead Member or Chief Executive
does not void it. The new office holder may add their own signature to the same version; the
history shows it and the organisation's status does not change. The same person submitting
twice still signs once (the partial unique index on the signature events).
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import add_once
from app.errors import AlreadyDone, Conflict, InvalidInput, NotFound, StaleVersion
from app.models import Cycle, MouSignatureEvent, MouVersion
from app.mou.schemas import DeclineInput, SignInput
from app.mou.status import SignatoryState, build_status, statement_for
from app.mou.versions import published_of, record_version_event
from app.pack import jobs as pack_jobs
from app.reference import get_reference
from app.reference.models import Organisation
from app.workflow import MOU_SIGNATORY, fire


def _signature(
    version: MouVersion,
    organisation: Organisation,
    role: Role,
    principal: Principal,
    decision: str,
    *,
    statement: str = "",
    reason: str | None = None,
) -> MouSignatureEvent:
    return MouSignatureEvent(
        mou_version_id=version.id,
        organisation_code=organisation.code,
        role=role.value,
        decision=decision,
        user_id=principal.user_id,
        signatory_name=principal.display_name,
        statement=statement,
        reason=reason,
        content_hash=version.content_hash,
    )


def _signable(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    organisation_code: str,
    role: Role,
    content_hash: str,
) -> tuple[MouVersion, Organisation, SignatoryState]:
    """Checks shared by sign and decline: who, which organisation, which version, which state."""
    region = get_reference().regions[cycle.region_id]
    try:
        organisation = region.organisation(organisation_code)
    except KeyError:
        raise NotFound("That organisation is not part of this region's alliance.") from None
    require(principal, Action.SIGN_MOU, Scope(cycle.region_id, organisation_code), as_role=role)
    if role not in organisation.signing_roles:
        raise Conflict(f"The {role.label} does not sign the Memorandum for {organisation.name}.")
    current = published_of(session, cycle)
    if current is None:
        raise Conflict("The Memorandum has not been published for signature yet.")
    if current.content_hash != content_hash:
        raise StaleVersion(
            "The Memorandum was changed after you opened it, so your signature was not recorded. "
            "Read the current version, then sign."
        )
    status = build_status(session, cycle, current)
    return current, organisation, status.signatory(organisation_code, role)


def _signed_by(session: Session, version: MouVersion, code: str, role: Role, user_id: int) -> bool:
    return (
        session.execute(
            select(func.count())
            .select_from(MouSignatureEvent)
            .where(
                MouSignatureEvent.mou_version_id == version.id,
                MouSignatureEvent.organisation_code == code,
                MouSignatureEvent.role == role.value,
                MouSignatureEvent.user_id == user_id,
                MouSignatureEvent.decision == "signed",
            )
        ).scalar_one()
        > 0
    )


def sign(
    session: Session, principal: Principal, cycle: Cycle, data: SignInput
) -> MouSignatureEvent:
    """A signatory signs the exact published version, with an explicit statement of intent."""
    if not data.confirm:
        raise InvalidInput("Confirm the statement to sign the Memorandum", field="confirm")
    version, organisation, signatory = _signable(
        session, principal, cycle, data.organisation_code, data.role, data.content_hash
    )
    if _signed_by(session, version, organisation.code, data.role, principal.user_id):
        # A double submit: say so plainly, so a page can treat it as success.
        raise AlreadyDone(MOU_SIGNATORY.refusals[("signed", "sign")])
    # Already signed by someone else: a new office holder adds theirs; the status is unchanged.
    adding = signatory.state == "signed"
    fire(MOU_SIGNATORY, signatory.state, "add_signature" if adding else "sign")
    event = _signature(
        version,
        organisation,
        data.role,
        principal,
        "signed",
        statement=statement_for(organisation, data.role),
    )
    add_once(
        session,
        event,
        AlreadyDone(MOU_SIGNATORY.refusals[("signed", "sign")]),
    )
    record_version_event(
        session,
        principal,
        cycle,
        version,
        "mou.signature_added" if adding else "mou.signed",
        f"{principal.display_name} signed version {version.number} for {organisation.name} as "
        f"{data.role.label}"
        + (
            f", adding their signature to {signatory.event.signatory_name}'s"
            if adding and signatory.event
            else ""
        ),
        organisation_code=organisation.code,
        payload={
            "role": data.role.value,
            "content_hash": version.content_hash,
            "statement": event.statement,
        },
    )
    status = build_status(session, cycle, version)
    if not adding and status.all_signed:
        record_version_event(
            session,
            principal,
            cycle,
            version,
            "mou.came_into_force",
            f"Version {version.number} is in force: every organisation has signed",
            payload={"content_hash": version.content_hash},
        )
    pack_jobs.schedule(session, "mou", cycle.id)  # app/mou/pack.py renders it after the commit
    return event


def decline(
    session: Session, principal: Principal, cycle: Cycle, data: DeclineInput
) -> MouSignatureEvent:
    """A signatory may decline the published version, saying why."""
    version, organisation, signatory = _signable(
        session, principal, cycle, data.organisation_code, data.role, data.content_hash
    )
    fire(MOU_SIGNATORY, signatory.state, "decline")
    event = _signature(version, organisation, data.role, principal, "declined", reason=data.reason)
    session.add(event)
    session.flush()
    record_version_event(
        session,
        principal,
        cycle,
        version,
        "mou.declined",
        f"{principal.display_name} declined version {version.number} for {organisation.name} as {data.role.label}",
        organisation_code=organisation.code,
        payload={
            "role": data.role.value,
            "content_hash": version.content_hash,
            "reason": data.reason,
        },
    )
    return event
