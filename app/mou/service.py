"""The MoU: drafting from the region's template, publishing a version with its changeover.

Status is derived from signature events; nothing is stored by hand. A signature is bound to the
SHA-256 of the exact version. The MoU is the alliance's and lasts across cycles: publishing a
revised version supersedes the old one, and each organisation stays bound by the version it
signed until it signs the new one or the changeover date passes (app.mou.binding). Signing and
declining are in app.mou.signing, reading versions in app.mou.versions, the yearly review in
app.mou.review.
"""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock, structured_text
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.db import add_once
from app.errors import Conflict, InvalidInput, StaleVersion
from app.models import Cycle, MouVersion
from app.models.types import utcnow
from app.mou import terms
from app.mou.binding import DEFAULT_CHANGEOVER_DAYS
from app.mou.events import MouEvent
from app.mou.schemas import DraftInput, PublishInput
from app.mou.signing import decline, sign
from app.mou.status import MouStatus, build_status
from app.mou.versions import (
    blocks_of,
    draft_of,
    may_read,
    published_of,
    published_versions,
    readable_version,
    record_version_event,
    signature_events,
    version_by_number,
    version_entry,
    versions,
)
from app.pack import jobs as pack_jobs
from app.reference import get_reference
from app.workflow import MOU_VERSION
from app.workflow.states import MouVersionAction, MouVersionState
from app.workflow.transition import transition

# Callers reach the whole MoU through this module.
__all__ = [
    "MouStatus",
    "blocks_of",
    "decline",
    "draft_of",
    "editor_source",
    "may_read",
    "publish",
    "published_of",
    "published_versions",
    "readable_version",
    "record_version_event",
    "save_draft",
    "sign",
    "signature_events",
    "status",
    "version_by_number",
    "versions",
]


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
        # Numbers run on across the alliance's cycles: it is one MoU, revised.
        number = (
            session.execute(
                select(func.max(MouVersion.number))
                .join(Cycle, Cycle.id == MouVersion.cycle_id)
                .where(Cycle.region_id == cycle.region_id)
            ).scalar_one()
            or 0
        ) + 1
        draft = MouVersion(
            cycle_id=cycle.id,
            number=number,
            state=MouVersionState.DRAFT,
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
        MouEvent.DRAFT_SAVED,
        f"Draft version {draft.number} saved (revision {draft.revision})",
        payload={"number": draft.number, "revision": draft.revision, "content_hash": digest},
    )
    return draft


def _live_versions(session: Session, region_id: str) -> list[MouVersion]:
    return list(
        session.execute(
            select(MouVersion)
            .join(Cycle, Cycle.id == MouVersion.cycle_id)
            .where(Cycle.region_id == region_id, MouVersion.state == MouVersionState.PUBLISHED)
        ).scalars()
    )


def publish(session: Session, principal: Principal, cycle: Cycle, data: PublishInput) -> MouVersion:
    """Publishing freezes the draft the coordinator reviewed and supersedes the old version.

    A revised version gets a changeover date, set by the leads (default 60 days on): until then
    each organisation stays bound by the version it signed.
    """
    require(principal, Action.PUBLISH_MOU, Scope(cycle.region_id))
    draft = draft_of(session, cycle)
    if draft is None:
        raise Conflict("There is no draft to publish. Edit the Memorandum first.")
    if draft.content_hash != data.content_hash:
        raise StaleVersion(
            "The draft changed after you reviewed it. Review the latest draft, then publish."
        )
    now, today = utcnow(), clock.today()
    # The version that binds in this cycle now is the one a changeover is from.
    revising = published_of(session, cycle)
    changeover_on = None
    if revising is not None:
        changeover_on = data.changeover_on or today + timedelta(days=DEFAULT_CHANGEOVER_DAYS)
        if changeover_on <= today:
            raise InvalidInput(
                "The changeover date must be after today, so organisations have time to sign",
                field="changeover_on",
            )
    for previous in _live_versions(session, cycle.region_id):
        until = (
            f"; organisations that signed it stay bound by it until they sign version "
            f"{draft.number} or until {changeover_on:%-d %B %Y}"
            if changeover_on and previous is revising
            else ""
        )
        # Flushed before the draft moves, freeing the one-published-version slot it takes.
        transition(
            session,
            MOU_VERSION,
            previous,
            MouVersionAction.SUPERSEDE,
            audit=version_entry(
                principal,
                cycle,
                previous,
                MouEvent.SUPERSEDED,
                f"Version {previous.number} superseded by version {draft.number}{until}",
                payload={"number": previous.number, "content_hash": previous.content_hash},
            ),
            superseded_at=now,
        )
    transition(
        session,
        MOU_VERSION,
        draft,
        MouVersionAction.PUBLISH,
        audit=version_entry(
            principal,
            cycle,
            draft,
            MouEvent.PUBLISHED,
            f"Version {draft.number} published for signature"
            + (f", changeover on {changeover_on:%-d %B %Y}" if changeover_on else ""),
            # The data terms it is published under go into the hash-chained log with its hash.
            payload={
                "number": draft.number,
                "content_hash": draft.content_hash,
                "changeover_on": changeover_on.isoformat() if changeover_on else None,
                "data_terms": get_reference().regions[cycle.region_id].data_terms.model_dump(),
            },
        ),
        published_at=now,
        published_by_id=principal.user_id,
        changeover_on=changeover_on,
    )
    pack_jobs.schedule(session, "mou", cycle.id)  # app/mou/pack.py renders it after the commit
    return draft


def status(session: Session, principal: Principal | None, cycle: Cycle) -> MouStatus:
    """Per-organisation and regional status: signatures on the current version, and which
    version binds each organisation today."""
    require(principal, Action.VIEW_MOU, Scope(cycle.region_id))
    return build_status(session, cycle, published_of(session, cycle))
