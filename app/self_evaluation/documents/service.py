"""Supporting documents of a chapter ("key documents" shared for the challenge, seed 002:2346).

Who may see them is the self-evaluation's own rule (app/self_evaluation/access.py), applied here once for
every way out (page, API, download, pack): the LA and its coordinator see the documents the
newest version carries and may open removed ones from the history; scrutineers and the RISL,
who read only the signed version, see the documents that version carried. Adding or removing a
document makes a new version (documents are part of what is signed) and is audited; removing
never deletes the row or the bytes.
"""

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.errors import AlreadyDone, NotFound
from app.models import Cycle, SefDocument, SelfEvaluation
from app.models.types import utcnow
from app.self_evaluation import access
from app.self_evaluation.documents import files
from app.self_evaluation.documents import rows as document_rows
from app.self_evaluation.drafting import service, versioning
from app.self_evaluation.events import SefEvent


def readable(
    session: Session, principal: Principal, cycle: Cycle, sef: SelfEvaluation
) -> list[SefDocument]:
    """The documents this reader may list and open; `sef` came from service.get_sef."""
    if access.can_read_history(principal, cycle, sef):
        return document_rows.every(session, sef)
    return document_rows.in_version(session, sef, service.signed_version(session, sef).number)


def listed(
    session: Session, principal: Principal, cycle: Cycle, sef: SelfEvaluation
) -> list[SefDocument]:
    """What the self-evaluation's page and the API list: readable, less the removed ones."""
    return [d for d in readable(session, principal, cycle, sef) if d.removed_in_version is None]


def get(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, document_id: int
) -> SefDocument:
    """One document, if this reader may open it; otherwise the same 404 as a missing one."""
    sef = service.get_sef(session, principal, cycle, la_code)
    for document in readable(session, principal, cycle, sef):
        if document.id == document_id:
            return document
    raise NotFound("There is no such supporting document, or you may not see it.")


def add(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    chapter_id: str,
    checked: files.CheckedFile,
) -> SefDocument:
    """A chapter's writer attaches a checked file (already stored); a new version carries it."""
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    chapter = service.chapter_of(sef, chapter_id)
    service.require_writer(session, principal, sef, chapter)
    for other in document_rows.attached(session, sef):
        if other.chapter_id == chapter.id and other.sha256 == checked.sha256:
            raise AlreadyDone(f"'{chapter.title}' already carries this file, as {other.filename}.")
    number = versioning.next_number(session, sef)
    document = SefDocument(
        self_evaluation_id=sef.id,
        chapter_id=chapter.id,
        filename=checked.filename,
        media_type=checked.media_type,
        size_bytes=checked.size,
        sha256=checked.sha256,
        uploaded_by_id=principal.user_id,
        uploaded_by_name=principal.display_name,
        uploaded_at=utcnow(),
        added_in_version=number,
    )
    session.add(document)
    session.flush()
    text = service.content_of(sef, service.latest_version(session, sef))
    why = f"{principal.display_name} added {checked.filename} to '{chapter.title}'"
    service.add_version(
        session,
        principal,
        cycle,
        sef,
        text,
        chapter_id=chapter.id,
        why=why,
        history=lambda saved: service.entry(
            principal,
            cycle,
            sef,
            SefEvent.DOCUMENT_ADDED,
            f"{why} (version {saved.number})",
            {
                "document_id": document.id,
                "chapter_id": chapter.id,
                "filename": document.filename,
                "media_type": document.media_type,
                "size_bytes": document.size_bytes,
                "sha256": document.sha256,
                "number": saved.number,
                "content_hash": saved.content_hash,
            },
        ),
    )
    return document


def remove(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, document_id: int
) -> SefDocument:
    """A chapter's writer takes a document off; the row and the bytes stay for the history."""
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    document = next((d for d in document_rows.attached(session, sef) if d.id == document_id), None)
    if document is None:
        raise NotFound("There is no such supporting document, or it was already removed.")
    chapter = service.chapter_of(sef, document.chapter_id)
    service.require_writer(session, principal, sef, chapter)
    document.removed_in_version = versioning.next_number(session, sef)
    document.removed_at, document.removed_by_id = utcnow(), principal.user_id
    session.flush()
    text = service.content_of(sef, service.latest_version(session, sef))
    why = f"{principal.display_name} removed {document.filename} from '{chapter.title}'"
    service.add_version(
        session,
        principal,
        cycle,
        sef,
        text,
        chapter_id=chapter.id,
        why=why,
        history=lambda saved: service.entry(
            principal,
            cycle,
            sef,
            SefEvent.DOCUMENT_REMOVED,
            f"{why} (version {saved.number})",
            {
                "document_id": document.id,
                "chapter_id": chapter.id,
                "filename": document.filename,
                "sha256": document.sha256,
                "number": saved.number,
                "content_hash": saved.content_hash,
            },
        ),
    )
    return document
