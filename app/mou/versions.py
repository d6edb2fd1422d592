"""Reading the alliance's versions of the MoU, and the history entries about them.

A cycle sees its own drafts and every version that may bind in it (app.mou.binding): the MoU
belongs to the alliance, so a cycle without a version of its own shows the one still in force.
"""

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import structured_text
from app.audit.chain import Entry, record_many
from app.audit.entries import cycle_entry
from app.auth.permissions import Action, Scope, can, require
from app.auth.principal import Principal
from app.errors import NotFound
from app.models import Cycle, MouSignatureEvent, MouVersion
from app.mou.binding import considered_versions, current_version
from app.workflow.states import MouVersionState


def version_entry(
    principal: Principal,
    cycle: Cycle,
    version: MouVersion,
    action: str,
    summary: str,
    *,
    payload: dict[str, object],
    organisation_code: str | None = None,
) -> Entry:
    """One history entry about a version of this cycle's MoU, for `transition` or the log."""
    subject = ("mou_version", version.id)
    return cycle_entry(principal, cycle, subject, action, summary, payload, organisation_code)


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
    entry = version_entry(
        principal,
        cycle,
        version,
        action,
        summary,
        payload=payload,
        organisation_code=organisation_code,
    )
    record_many(session, [entry])


def blocks_of(version: MouVersion) -> tuple[structured_text.Block, ...]:
    return structured_text.from_dicts(json.loads(version.content))


def draft_of(session: Session, cycle: Cycle) -> MouVersion | None:
    return session.execute(
        select(MouVersion).where(
            MouVersion.cycle_id == cycle.id, MouVersion.state == MouVersionState.DRAFT
        )
    ).scalar_one_or_none()


def published_of(session: Session, cycle: Cycle) -> MouVersion | None:
    """The version open for signature in this cycle: the alliance's newest published one."""
    return current_version(session, cycle)


def versions(session: Session, cycle: Cycle) -> list[MouVersion]:
    """This cycle's draft and every version that may bind in it, newest first."""
    found = list(considered_versions(session, [cycle])[cycle.id])
    draft = draft_of(session, cycle)
    if draft is not None:
        found.append(draft)
    return sorted(
        found,
        key=lambda v: (v.state != MouVersionState.DRAFT, v.published_at or v.created_at),
        reverse=True,
    )


def version_by_number(session: Session, cycle: Cycle, number: int) -> MouVersion:
    # Numbers run on across the alliance's cycles; older data numbered each cycle from 1, so a
    # number of this cycle's own comes first.
    matches = [v for v in versions(session, cycle) if v.number == number]
    matches.sort(key=lambda v: v.cycle_id != cycle.id)
    if not matches:
        raise NotFound(f"There is no version {number} of this Memorandum.")
    return matches[0]


def may_read(principal: Principal | None, region_id: str, state: str) -> bool:
    """Published and superseded versions are for the region; a draft only for its editors."""
    if state == MouVersionState.DRAFT:
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
    return [v for v in versions(session, cycle) if v.state != MouVersionState.DRAFT]


def signature_events(session: Session, version: MouVersion) -> list[MouSignatureEvent]:
    return list(
        session.execute(
            select(MouSignatureEvent)
            .where(MouSignatureEvent.mou_version_id == version.id)
            .order_by(MouSignatureEvent.id)
        ).scalars()
    )
