"""A new version made by something other than a chapter's form: a document added or removed, a
DOCX imported. Like a save (app/sef/service.py), it is a whole immutable version whose hash
covers the text and the documents carried, and it voids any signatures gathered so far.
"""

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.db import add_once
from app.errors import StaleVersion
from app.models import Cycle, SefVersion, SelfEvaluation
from app.models.types import utcnow
from app.sef import content, document_rows, service


def add_version(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    sef: SelfEvaluation,
    text: content.Content,
    *,
    chapter_id: str | None,
    new_state: str,
    why: str,
    carried_from_version_id: int | None = None,
) -> SefVersion:
    """Save `text` with the documents attached now as the next version; flushes."""
    latest = service.latest_version(session, sef)
    number = (latest.number if latest else 0) + 1
    carried = document_rows.hash_entries(document_rows.attached(session, sef))
    saved = SefVersion(
        self_evaluation_id=sef.id,
        number=number,
        content=content.dumps(text),
        content_hash=content.content_hash(sef.template_id, text, carried),
        chapter_id=chapter_id,
        based_on_number=latest.number if latest else None,
        carried_from_version_id=carried_from_version_id,
        created_by_id=principal.user_id,
        created_by_name=principal.display_name,
        created_at=utcnow(),
    )
    add_once(
        session,
        saved,
        StaleVersion(
            "Someone else saved this self-evaluation at the same moment. Nothing was saved: "
            "reload to see their change, then try again."
        ),
    )
    withdrawn = sef.submitted_number
    if sef.state != new_state or withdrawn is not None:
        voided = service.void_signatures(session, principal, cycle, sef, why)
        if withdrawn is not None and not voided:
            service.audit(
                session,
                principal,
                cycle,
                sef,
                "sef.submission_withdrawn",
                f"Version {withdrawn} is no longer submitted for sign-off: {why}",
                {"number": withdrawn, "chapter_id": chapter_id},
            )
    sef.state = new_state
    session.flush()
    return saved


def next_number(session: Session, sef: SelfEvaluation) -> int:
    latest = service.latest_version(session, sef)
    return (latest.number if latest else 0) + 1
