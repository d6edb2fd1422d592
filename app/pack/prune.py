"""Old cached packs pruned: the latest copy of each document stays, older ones go.

A document is a pack's kind and subject (a cycle's MoU, an authority's self-evaluation, a
region's data pack). Copies rendered recently stay too, so a pack printed for two audiences, or
for two quarters, is not pruned while both are being read. Nothing else needs keeping: no
signature and no audit entry refers to a cached pack (a signature binds the hash of the signed
text, which the pack prints; the audit log records no pack's hash), and any pruned copy is
rendered again from the database if it is asked for.
"""

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from app.models import RenderedPack
from app.models.types import utcnow

GRACE = timedelta(minutes=10)


def prune(
    session: Session,
    kind: str | None = None,
    subject_id: str | None = None,
    *,
    grace: timedelta = GRACE,
) -> int:
    """Delete every cached copy older than `grace` but the latest of its document; how many went.

    With `kind` and `subject_id`, only that document's copies."""
    newer = aliased(RenderedPack)
    latest = (
        select(func.max(newer.created_at))
        .where(newer.kind == RenderedPack.kind, newer.subject_id == RenderedPack.subject_id)
        .scalar_subquery()
    )
    statement = delete(RenderedPack).where(
        RenderedPack.created_at < utcnow() - grace, RenderedPack.created_at < latest
    )
    if kind is not None:
        statement = statement.where(RenderedPack.kind == kind)
    if subject_id is not None:
        statement = statement.where(RenderedPack.subject_id == subject_id)
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
