"""Signing and declining the alliance's current version of the MoU.

A signature binds the organisation, not the person: a new DCS, Lead Member or Chief Executive
does not void it. The new office holder may add their own signature to the same version; the
history shows it and the organisation's status does not change. The same person submitting
twice still signs once (the partial unique index on the signature events). The acts themselves
are the sign-off kernel's (app.signoff.acts); this module says who, which version and in what
words.
"""

from sqlalchemy.orm import Session

from app.audit.chain import record_many
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import AlreadyDone, Conflict, NotFound
from app.models import Cycle, MouSignatureEvent, MouVersion
from app.mou.schemas import MESSAGES, DeclineInput, SignInput
from app.mou.status import MouStatus, build_status, statement_for
from app.mou.versions import published_of
from app.pack import jobs as pack_jobs
from app.reference import get_reference
from app.reference.models import Organisation
from app.signoff import acts
from app.signoff.events import Decision
from app.workflow import MOU_SIGNATORY, fire

STALE = (
    "The Memorandum was changed after you opened it, so your signature was not recorded. "
    "Read the current version, then sign."
)


Signable = tuple[MouVersion, acts.OnVersion[MouSignatureEvent], Organisation, MouStatus]


def _signable(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    organisation_code: str,
    role: Role,
    content_hash: str,
) -> Signable:
    """Checks shared by sign and decline: who, which organisation, which version."""
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
    acts.require_version(current.content_hash, content_hash, STALE)
    on = acts.OnVersion(
        MouSignatureEvent,
        {"mou_version_id": current.id},
        current.content_hash,
        cycle,
        ("mou_version", current.id),
    )
    return current, on, organisation, build_status(session, cycle, current)


def sign(
    session: Session, principal: Principal, cycle: Cycle, data: SignInput
) -> MouSignatureEvent:
    """A signatory signs the exact published version, with an explicit statement of intent."""
    acts.require_confirmed(data.confirm, MESSAGES["confirm"])
    version, on, organisation, status = _signable(
        session, principal, cycle, data.organisation_code, data.role, data.content_hash
    )
    signatory = status.signatory(organisation.code, data.role)
    twice = AlreadyDone(MOU_SIGNATORY.refusals[("signed", "sign")])
    if (organisation.code, data.role.value, principal.user_id) in status.signers:
        # A double submit: say so plainly, so a page can treat it as success.
        raise twice
    # Already signed by someone else: a new office holder adds theirs; the status is unchanged.
    adding = signatory.state == Decision.SIGNED
    fire(MOU_SIGNATORY, signatory.state, "add_signature" if adding else "sign")
    statement = statement_for(organisation, data.role)
    event = on.event(principal, Decision.SIGNED, organisation.code, data.role, statement=statement)
    summary = (
        f"{principal.display_name} signed version {version.number} for {organisation.name} as "
        f"{data.role.label}"
    )
    if adding and signatory.event:
        summary += f", adding their signature to {signatory.event.signatory_name}'s"
    action = "mou.signature_added" if adding else "mou.signed"
    in_force = on.entry(
        principal,
        "mou.came_into_force",
        f"Version {version.number} is in force: every organisation has signed",
        {"content_hash": version.content_hash},
    )
    signed = acts.sign(
        session,
        event,
        refusal=twice,
        audit=on.entry(principal, action, summary, acts.signed_payload(event), organisation.code),
        # A new office holder's signature changes nothing: the version came into force before.
        complete=lambda: not adding and build_status(session, cycle, version).all_signed,
        on_complete=lambda: record_many(session, [in_force]),
    )
    pack_jobs.schedule(session, "mou", cycle.id)  # app/mou/pack.py renders it after the commit
    return signed


def decline(
    session: Session, principal: Principal, cycle: Cycle, data: DeclineInput
) -> MouSignatureEvent:
    """A signatory may decline the published version, saying why."""
    version, on, organisation, status = _signable(
        session, principal, cycle, data.organisation_code, data.role, data.content_hash
    )
    fire(MOU_SIGNATORY, status.signatory(organisation.code, data.role).state, "decline")
    event = on.event(principal, Decision.DECLINED, organisation.code, data.role, reason=data.reason)
    summary = (
        f"{principal.display_name} declined version {version.number} for {organisation.name} "
        f"as {data.role.label}"
    )
    return acts.decide(
        session,
        event,
        audit=on.entry(
            principal, "mou.declined", summary, acts.reason_payload(event), organisation.code
        ),
        reason_required=MESSAGES["reason"],
    )
