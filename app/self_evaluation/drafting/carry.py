"""Starting a self-evaluation from last year's signed one: carry-forward.

An LA rarely starts from nothing: it knows what it wrote and signed last year (seed
002_d98c8bcad6f8fe4d.txt:2322, East Midlands reusing the self-evaluation it writes anyway). The DCS
may start a blank self-evaluation from the LA's own signed self-evaluation of an earlier cycle of
the region, if they may read it. The copy is version 1, written whole and pointing at the signed
version it came from (SefVersion.carried_from_version_id); each copied chapter is shown as
"carried forward, not yet edited" until a later version changes it. That is derived from the
append-only versions, not a flag anyone could reset: a chapter is edited once a later version
names it, or a later version written whole (a DOCX import) changes its text.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.cycles import service as cycles
from app.errors import Conflict, InvalidInput
from app.models import Cycle, SefVersion, SelfEvaluation
from app.self_evaluation import access
from app.self_evaluation.drafting import content, service
from app.self_evaluation.events import SefEvent
from app.self_evaluation.schemas import CarryForwardInput
from app.workflow import SELF_EVALUATION, fire
from app.workflow.states import SefAction


def year_label(year: str) -> str:
    """2025-26 as people write it: 2025–26."""
    return year.replace("-", "\N{EN DASH}")


@dataclass(frozen=True)
class Source:
    """A signed self-evaluation of an earlier cycle that this one could start from."""

    year: str
    version_number: int
    signed_at: datetime | None


def previous_signed(
    session: Session, principal: Principal, cycle: Cycle, la_code: str
) -> Source | None:
    """The LA's newest signed self-evaluation of an earlier cycle of this region, if this person
    may read it; None otherwise (the page then offers nothing)."""
    rows = session.execute(
        select(SelfEvaluation, Cycle)
        .join(Cycle, Cycle.id == SelfEvaluation.cycle_id)
        .where(
            Cycle.region_id == cycle.region_id,
            Cycle.year < cycle.year,
            SelfEvaluation.la_code == la_code,
            SelfEvaluation.state.in_(access.SHARED_STATES),
        )
        .order_by(Cycle.year.desc())
    ).all()
    for sef, earlier in rows:
        if access.can_read(session, principal, earlier, sef) and sef.submitted_number:
            return Source(earlier.year, sef.submitted_number, sef.signed_at)
    return None


def carry_forward(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    data: CarryForwardInput,
) -> SefVersion:
    """The DCS starts this blank self-evaluation from the LA's signed one of `data.from_year`."""
    service.require_dcs(principal, cycle, la_code, Action.EDIT_SEF)
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    fire(SELF_EVALUATION, sef.state, SefAction.EDIT)  # refused before anything is read
    if service.latest_version(session, sef) is not None:
        raise Conflict(
            "This self-evaluation already has text, so it cannot start from last year's: "
            "carrying forward would overwrite what has been written.",
            field="from_year",
        )
    if data.from_year >= cycle.year:
        raise InvalidInput(
            f"Start from an earlier cycle than {year_label(cycle.year)}.", field="from_year"
        )
    earlier = cycles.get_cycle(session, principal, cycle.region_id, data.from_year)
    # The same LA's, and only if this person may read it: get_sef applies the one visibility rule.
    source_sef = service.get_sef(session, principal, earlier, la_code)
    signed = service.signed_version(session, source_sef)
    template = service.template_of(sef)
    copied = service.content_of(source_sef, signed)
    text = content.empty(template)
    for chapter in template.chapters:
        if chapter.id not in copied:
            continue  # a chapter the earlier template did not have starts blank
        for name in text[chapter.id]:
            text[chapter.id][name] = copied[chapter.id].get(name, "")
    chapters = [c.id for c in template.chapters if c.id in copied]
    # Through the one way versions are made, so documents already attached are in its hash.
    return service.add_version(
        session,
        principal,
        cycle,
        sef,
        text,
        chapter_id=None,
        why=f"started from the signed {year_label(earlier.year)} self-evaluation",
        history=lambda saved: service.entry(
            principal,
            cycle,
            sef,
            SefEvent.CARRIED_FORWARD,
            f"{principal.display_name} started the self-evaluation from the signed "
            f"{year_label(earlier.year)} self-evaluation (version {signed.number}): "
            f"{len(chapters)} chapters carried forward as version 1",
            {
                "from_year": earlier.year,
                "from_version": signed.number,
                "from_content_hash": signed.content_hash,
                "chapters": chapters,
                "number": 1,
                "content_hash": saved.content_hash,
            },
        ),
        carried_from_version_id=signed.id,
    )


def carried_chapters(session: Session, sef: SelfEvaluation) -> dict[str, str]:
    """{chapter id: earlier cycle's year} for each chapter still carried forward, not yet edited."""
    first = session.execute(
        select(SefVersion).where(SefVersion.self_evaluation_id == sef.id, SefVersion.number == 1)
    ).scalar_one_or_none()
    if first is None or first.carried_from_version_id is None:
        return {}
    source = session.get(SefVersion, first.carried_from_version_id)
    assert source is not None  # a foreign key
    source_sef = session.get(SelfEvaluation, source.self_evaluation_id)
    assert source_sef is not None
    earlier = session.get(Cycle, source_sef.cycle_id)
    assert earlier is not None
    edited: set[str] = set()
    carried = content.loads(first.content)
    for later in session.scalars(
        select(SefVersion).where(SefVersion.self_evaluation_id == sef.id, SefVersion.number > 1)
    ):
        if later.chapter_id is not None:
            edited.add(later.chapter_id)
        else:
            # Written whole (a DOCX import, say): the chapters whose text it changed.
            text = content.loads(later.content)
            edited.update(c for c in carried if text.get(c) != carried[c])
    copied = content.loads(source.content)
    return {
        c.id: earlier.year
        for c in service.template_of(sef).chapters
        if c.id in copied and c.id not in edited
    }


def source_year(session: Session, version: SefVersion) -> str | None:
    """The earlier cycle's year a carried-forward version was copied from; None otherwise."""
    if version.carried_from_version_id is None:
        return None
    source = session.get(SefVersion, version.carried_from_version_id)
    source_sef = session.get(SelfEvaluation, source.self_evaluation_id) if source else None
    earlier = session.get(Cycle, source_sef.cycle_id) if source_sef else None
    return earlier.year if earlier else None
