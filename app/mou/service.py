"""The MoU: drafting from the region's template, publishing, signing, declining.

Status is derived from signature events on the current published version; nothing is stored by
hand. A signature is bound to the SHA-256 of the exact version; publishing a new version
supersedes the old one, whose signatures stay in the history but no longer count.
"""

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import structured_text
from app.audit.chain import record
from app.auth.permissions import Action, Scope, can, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cycles.service import actor_of
from app.db import add_once
from app.errors import AlreadyDone, Conflict, InvalidInput, NotFound, StaleVersion
from app.models import Cycle, MouSignatureEvent, MouVersion
from app.models.types import utcnow
from app.mou import terms
from app.mou.schemas import DeclineInput, DraftInput, PublishInput, SignInput
from app.mou.status import MouStatus, build_status, statement_for
from app.reference import get_reference
from app.reference.models import Organisation
from app.workflow import MOU_SIGNATORY, MOU_VERSION, fire


def record_version_event(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    version: MouVersion,
    action: str,
    summary: str,
    *,
    payload: dict[str, object],
    organisation_code: str | None = None,
) -> None:
    """One history entry about a version of this cycle's MoU, in the caller's transaction."""
    record(
        session,
        actor=actor_of(principal),
        action=action,
        summary=summary,
        subject_type="mou_version",
        subject_id=version.id,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        organisation_code=organisation_code,
        payload=payload,
    )


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


def blocks_of(version: MouVersion) -> tuple[structured_text.Block, ...]:
    return structured_text.from_dicts(json.loads(version.content))


def _version_in(session: Session, cycle: Cycle, state: str) -> MouVersion | None:
    return session.execute(
        select(MouVersion).where(MouVersion.cycle_id == cycle.id, MouVersion.state == state)
    ).scalar_one_or_none()


def draft_of(session: Session, cycle: Cycle) -> MouVersion | None:
    return _version_in(session, cycle, "draft")


def published_of(session: Session, cycle: Cycle) -> MouVersion | None:
    return _version_in(session, cycle, "published")


def versions(session: Session, cycle: Cycle) -> list[MouVersion]:
    return list(
        session.execute(
            select(MouVersion)
            .where(MouVersion.cycle_id == cycle.id)
            .order_by(MouVersion.number.desc())
        ).scalars()
    )


def version_by_number(session: Session, cycle: Cycle, number: int) -> MouVersion:
    version = session.execute(
        select(MouVersion).where(MouVersion.cycle_id == cycle.id, MouVersion.number == number)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"There is no version {number} of this Memorandum.")
    return version


def may_read(principal: Principal | None, region_id: str, state: str) -> bool:
    """Published and superseded versions are for the region; a draft only for its editors."""
    if state == "draft":
        return can(principal, Action.EDIT_MOU, Scope(region_id))
    return can(principal, Action.VIEW_MOU, Scope(region_id))


def readable_version(
    session: Session, principal: Principal, cycle: Cycle, number: int
) -> MouVersion:
    """A version of the MoU, if may_read allows this person to read it."""
    require(principal, Action.VIEW_MOU, Scope(cycle.region_id))
    version = version_by_number(session, cycle, number)
    if not may_read(principal, cycle.region_id, version.state):
        raise NotFound(f"There is no published version {number} of this Memorandum yet.")
    return version


def published_versions(session: Session, principal: Principal, cycle: Cycle) -> list[MouVersion]:
    """Every version that was published, newest first (drafts are the coordinator's own)."""
    require(principal, Action.VIEW_MOU, Scope(cycle.region_id))
    return [v for v in versions(session, cycle) if v.state != "draft"]


def editor_source(session: Session, cycle: Cycle) -> tuple[str, str, int | None]:
    """What the editor starts from: the draft, else the published text, else the template."""
    draft = draft_of(session, cycle)
    if draft is not None:
        return draft.title, structured_text.to_source(blocks_of(draft)), draft.revision
    reference = get_reference()
    region = reference.regions[cycle.region_id]
    title, body = reference.templates[region.mou_template].render(region)
    published = published_of(session, cycle)
    if published is None:
        return title, body, None
    # A new version starts from the old one, but says the region file's data terms of today.
    blocks = terms.with_current_terms(blocks_of(published), structured_text.parse(body), region)
    return published.title, structured_text.to_source(blocks), None


def save_draft(
    session: Session, principal: Principal, cycle: Cycle, data: DraftInput
) -> MouVersion:
    """The coordinator writes the draft; a save over a newer save is refused, nothing lost."""
    require(principal, Action.EDIT_MOU, Scope(cycle.region_id))
    blocks = structured_text.parse(data.body)
    if not blocks:
        raise InvalidInput("Enter the text of the Memorandum", field="body")
    digest = structured_text.content_hash(data.title, blocks)
    content = structured_text.canonical_json([b.as_dict() for b in blocks])
    draft = draft_of(session, cycle)
    now = utcnow()
    if draft is None:
        if data.revision is not None:
            raise StaleVersion(
                "The draft you were editing has been published since you opened it. "
                "Your text is below: check the published version, then save again to start a new draft.",
                field="body",
            )
        number = (
            session.execute(
                select(func.max(MouVersion.number)).where(MouVersion.cycle_id == cycle.id)
            ).scalar_one()
            or 0
        ) + 1
        draft = MouVersion(
            cycle_id=cycle.id,
            number=number,
            state="draft",
            title=data.title,
            content=content,
            content_hash=digest,
            revision=1,
            created_by_id=principal.user_id,
            updated_at=now,
        )
        add_once(
            session,
            draft,
            StaleVersion(
                "Someone else started a draft at the same moment. Reload to see it; your text is below.",
                field="body",
            ),
        )
    else:
        if data.revision != draft.revision:
            raise StaleVersion(
                f"Someone else saved this draft (now revision {draft.revision}) after you opened it "
                f"at revision {data.revision or 'none'}. Your text is below and nothing was saved: "
                "compare, then save again.",
                field="body",
            )
        if draft.content_hash == digest:
            return draft
        draft.title, draft.content, draft.content_hash = data.title, content, digest
        draft.revision += 1
        draft.updated_at = now
        session.flush()
    record_version_event(
        session,
        principal,
        cycle,
        draft,
        "mou.draft_saved",
        f"Draft version {draft.number} saved (revision {draft.revision})",
        payload={"number": draft.number, "revision": draft.revision, "content_hash": digest},
    )
    return draft


def publish(session: Session, principal: Principal, cycle: Cycle, data: PublishInput) -> MouVersion:
    """Publishing freezes the draft the coordinator reviewed and supersedes the old version."""
    require(principal, Action.PUBLISH_MOU, Scope(cycle.region_id))
    draft = draft_of(session, cycle)
    if draft is None:
        raise Conflict("There is no draft to publish. Edit the Memorandum first.")
    if draft.content_hash != data.content_hash:
        raise StaleVersion(
            "The draft changed after you reviewed it. Review the latest draft, then publish."
        )
    now = utcnow()
    previous = published_of(session, cycle)
    if previous is not None:
        previous.state = fire(MOU_VERSION, previous.state, "supersede")
        previous.superseded_at = now
        # Free the one-published-version slot before the draft takes it.
        session.flush()
        record_version_event(
            session,
            principal,
            cycle,
            previous,
            "mou.superseded",
            f"Version {previous.number} superseded by version {draft.number}; its signatures no longer count",
            payload={"number": previous.number, "content_hash": previous.content_hash},
        )
    draft.state = fire(MOU_VERSION, draft.state, "publish")
    draft.published_at, draft.published_by_id = now, principal.user_id
    session.flush()
    record_version_event(
        session,
        principal,
        cycle,
        draft,
        "mou.published",
        f"Version {draft.number} published for signature",
        # The data terms it is published under go into the hash-chained log with its hash.
        payload={
            "number": draft.number,
            "content_hash": draft.content_hash,
            "data_terms": get_reference().regions[cycle.region_id].data_terms.model_dump(),
        },
    )
    return draft


def _signable(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    organisation_code: str,
    role: Role,
    content_hash: str,
) -> tuple[MouVersion, Organisation, str]:
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
    state = status.signatory(organisation_code, role).state
    return current, organisation, state


def sign(
    session: Session, principal: Principal, cycle: Cycle, data: SignInput
) -> MouSignatureEvent:
    """A signatory signs the exact published version, with an explicit statement of intent."""
    if not data.confirm:
        raise InvalidInput("Confirm the statement to sign the Memorandum", field="confirm")
    version, organisation, state = _signable(
        session, principal, cycle, data.organisation_code, data.role, data.content_hash
    )
    if state == "signed":
        # A double submit: say so plainly, so a page can treat it as success.
        raise AlreadyDone(MOU_SIGNATORY.refusals[("signed", "sign")])
    fire(MOU_SIGNATORY, state, "sign")
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
        "mou.signed",
        f"{principal.display_name} signed version {version.number} for {organisation.name} as {data.role.label}",
        organisation_code=organisation.code,
        payload={
            "role": data.role.value,
            "content_hash": version.content_hash,
            "statement": event.statement,
        },
    )
    status = build_status(session, cycle, version)
    if status.in_force:
        record_version_event(
            session,
            principal,
            cycle,
            version,
            "mou.came_into_force",
            f"Version {version.number} is in force: every organisation has signed",
            payload={"content_hash": version.content_hash},
        )
    return event


def decline(
    session: Session, principal: Principal, cycle: Cycle, data: DeclineInput
) -> MouSignatureEvent:
    """A signatory may decline the published version, saying why."""
    version, organisation, state = _signable(
        session, principal, cycle, data.organisation_code, data.role, data.content_hash
    )
    fire(MOU_SIGNATORY, state, "decline")
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


def status(session: Session, principal: Principal | None, cycle: Cycle) -> MouStatus:
    """Per-organisation and regional status, derived from signatures on the current version."""
    require(principal, Action.VIEW_MOU, Scope(cycle.region_id))
    return build_status(session, cycle, published_of(session, cycle))


def signature_events(session: Session, version: MouVersion) -> list[MouSignatureEvent]:
    return list(
        session.execute(
            select(MouSignatureEvent)
            .where(MouSignatureEvent.mou_version_id == version.id)
            .order_by(MouSignatureEvent.id)
        ).scalars()
    )
