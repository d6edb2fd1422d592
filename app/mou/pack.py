"""The MoU pack: its context from the database, and the PDF cached by the hash of its inputs."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit import chain
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.errors import Conflict
from app.models import Cycle, MouSignatureEvent, User
from app.models.types import utcnow
from app.mou import service
from app.mou.binding import CHANGEOVER, LAPSED
from app.mou.pack_document import (
    MouPack,
    MouPackOrganisation,
    MouPackSignatureRow,
    MouPackSupersededVersion,
    pack_input_hash,
    render_mou_pack,
)
from app.mou.review import review_state
from app.mou.status import MouStatus, build_status
from app.pack import jobs
from app.pack.cache import Prepared, cache_key, cached_or_rendered, warm
from app.reference import get_reference
from app.uk_dates import datetime_uk

KIND = "mou"


def _status_text(status: MouStatus) -> str:
    if status.in_force:
        waiting = sum(1 for b in status.bindings.values() if b.state == CHANGEOVER)
        current = status.current
        if waiting and current is not None and current.changeover_on:
            return (
                f"In force: {waiting} organisation{'s' if waiting != 1 else ''} still bound by "
                f"an earlier version until {current.changeover_on:%-d %B %Y}"
            )
        return f"In force since {datetime_uk(status.in_force_since)}"
    lapsed = sum(1 for b in status.bindings.values() if b.state == LAPSED)
    if lapsed:
        return f"Lapsed for {lapsed} organisation{'s' if lapsed != 1 else ''}: see the schedule"
    outstanding = len(status.outstanding)
    return f"Not yet in force: {outstanding} signature{'s' if outstanding != 1 else ''} outstanding"


def build_pack(session: Session, cycle: Cycle) -> MouPack:
    """Everything the pack prints, as plain data."""
    region = get_reference().regions[cycle.region_id]
    current = service.published_of(session, cycle)
    if current is None:
        raise Conflict(
            "The Memorandum has not been published yet, so there is no pack to download."
        )
    status = build_status(session, cycle, current)
    publisher = session.get(User, current.published_by_id) if current.published_by_id else None
    organisations = tuple(
        MouPackOrganisation(
            name=o.organisation.name,
            code=o.organisation.code,
            kind_label="Children's Trust" if o.organisation.kind == "trust" else "Local authority",
            complete=o.complete,
            binding_state=status.bindings[o.organisation.code].state,
            binding_text=status.bindings[o.organisation.code].text,
            rows=tuple(
                MouPackSignatureRow(
                    role_label=s.role.label,
                    status=s.state,  # type: ignore[arg-type]
                    name=s.event.signatory_name if s.event else None,
                    at=s.event.occurred_at if s.event else None,
                    content_hash=s.event.content_hash if s.event else None,
                    statement=s.event.statement
                    if s.event and s.event.decision == "signed"
                    else None,
                    reason=s.event.reason if s.event else None,
                )
                for s in o.signatories
            ),
        )
        for o in status.organisations
    )
    counts: dict[int, int] = {
        version_id: count
        for version_id, count in session.execute(
            select(MouSignatureEvent.mou_version_id, func.count())
            .where(MouSignatureEvent.decision == "signed")
            .group_by(MouSignatureEvent.mou_version_id)
        ).all()
    }
    superseded = tuple(
        MouPackSupersededVersion(v.number, v.content_hash, v.published_at, counts.get(v.id, 0))
        for v in service.versions(session, cycle)
        if v.state == "superseded"
    )
    sequence, head_hash = chain.head(session)
    return MouPack(
        region_name=region.name,
        riia=region.riia,
        cycle_year=cycle.year,
        title=current.title,
        blocks=service.blocks_of(current),
        version_number=current.number,
        content_hash=current.content_hash,
        published_at=current.published_at,
        published_by=publisher.display_name if publisher else None,
        in_force=status.in_force,
        status_text=_status_text(status),
        organisations=organisations,
        outstanding=tuple(
            f"{region.organisation(s.organisation_code).name}: {s.role.label}"
            + (" (declined)" if s.state == "declined" else "")
            for s in status.outstanding
        ),
        superseded_versions=superseded,
        review_text=review_state(session, cycle).text,
        changeover_on=current.changeover_on if status.changeover_pending else None,
        audit_head_sequence=sequence,
        audit_head_hash=head_hash,
        rendered_at=utcnow(),
    )


def pdf_for(session: Session, principal: Principal, cycle: Cycle) -> bytes:
    """The pack for anyone who may see the cycle: from the cache when nothing has changed."""
    require(principal, Action.DOWNLOAD_MOU_PACK, Scope(cycle.region_id))
    pack = build_pack(session, cycle)
    return cached_or_rendered(
        session, pack_input_hash(pack), KIND, str(cycle.id), lambda: render_mou_pack(pack)
    )


@jobs.register(KIND)
def warm_cache(cycle_id: int) -> None:
    """Render as a pack job after a change commits, so the next download comes from the cache."""

    def prepare(session: Session) -> Prepared | None:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None or service.published_of(session, cycle) is None:
            return None
        pack = build_pack(session, cycle)
        key = cache_key(pack_input_hash(pack))
        return Prepared(key, KIND, str(cycle_id), lambda: render_mou_pack(pack))

    warm(prepare)
