"""A new version made by something other than a chapter's form: a document added or removed, a
DOCX imported. Like a save (app/self_evaluation/drafting/service.py), it is a whole immutable version whose hash
covers the text and the documents carried, and it voids any signatures gathered so far.
"""

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.errors import StaleVersion
from app.models import Cycle, SefVersion, SelfEvaluation
from app.self_evaluation.drafting import content, service
from app.self_evaluation.entries import VersionEntry
from app.workflow import SELF_EVALUATION, fire
from app.workflow.states import SefAction


def add_version(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    sef: SelfEvaluation,
    text: content.Content,
    *,
    chapter_id: str | None,
    why: str,
    history: VersionEntry | None = None,
    new_state: str | None = None,
    carried_from_version_id: int | None = None,
) -> SefVersion:
    """Save `text` as the next version, based on the latest (app.self_evaluation.drafting.service.add_version).

    The transition table says which state an edit leads to; a caller that still names it
    (`new_state`) must name the same one."""
    if new_state is not None and new_state != fire(SELF_EVALUATION, sef.state, SefAction.EDIT):
        raise ValueError(f"An edit does not lead a {sef.state} self-evaluation to {new_state}")
    latest = service.latest_version(session, sef)
    return service.add_version(
        session,
        principal,
        cycle,
        sef,
        text,
        chapter_id=chapter_id,
        why=why,
        history=history,
        based_on_number=latest.number if latest else None,
        stale=StaleVersion(
            "Someone else saved this self-evaluation at the same moment. Nothing was saved: "
            "reload to see their change, then try again."
        ),
        carried_from_version_id=carried_from_version_id,
    )


def next_number(session: Session, sef: SelfEvaluation) -> int:
    latest = service.latest_version(session, sef)
    return (latest.number if latest else 0) + 1
