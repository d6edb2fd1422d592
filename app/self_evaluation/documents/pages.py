"""HTML pages for a chapter's supporting documents: upload, download, remove.

The file is read and checked (type by its bytes, size, name) in the route's thread before the
write transaction, and stored by its SHA-256 outside the web root; the service then records it
as a new version. A download is always an attachment, never shown in the page: the browser is
told the type and not to guess another.
"""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from app import forms
from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.db import end_read
from app.errors import DomainError, InvalidInput, NotFound, NotPermitted
from app.identifiers import Identifier
from app.models import Cycle, SefDocument, SelfEvaluation
from app.self_evaluation import access
from app.self_evaluation.documents import files
from app.self_evaluation.documents import service as documents
from app.self_evaluation.documents.import_schemas import MESSAGES, DocumentInput
from app.self_evaluation.drafting import service
from app.self_evaluation.drafting.pages_versions import ONE, common, sef_url
from app.web import CloseForm, as_download, render_form, see_other
from app.workflow import SELF_EVALUATION, available

router = APIRouter(include_in_schema=False)


def read_upload(
    form: FormData, allowed: tuple[str, ...] = tuple(files.MEDIA_TYPES)
) -> files.CheckedFile:
    """The posted `file`, read (at most one byte past the limit) and checked; InvalidInput if not.

    Called in the route's thread, before any database work: it reads up to 10 MB.
    """
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        chosen = files.NOT_CHOSEN if len(allowed) > 1 else "Select a DOCX file"
        raise InvalidInput(chosen, field="file")
    return files.check(sent.filename, sent.file.read(files.MAX_BYTES + 1), allowed)


def writable_chapters(
    session: DbSession, principal: Principal, sef: SelfEvaluation
) -> list[tuple[str, str]]:
    if "edit" not in available(SELF_EVALUATION, sef.state):
        return []
    return [
        (c.id, c.title)
        for c in service.template_of(sef).chapters
        if access.can_write_chapter(session, principal, sef, c.id)
    ]


def documents_context(
    session: DbSession, principal: Principal, cycle: Cycle, sef: SelfEvaluation
) -> dict[str, object]:
    """What the self-evaluation's page shows of documents: each chapter's, who may change them."""
    by_chapter: dict[str, list[SefDocument]] = {}
    for document in documents.listed(session, principal, cycle, sef):
        by_chapter.setdefault(document.chapter_id, []).append(document)
    return {
        "documents": by_chapter,
        "document_writable": {c for c, _ in writable_chapters(session, principal, sef)},
        "can_import": access.is_dcs_of(principal, sef.la_code)
        and "edit" in available(SELF_EVALUATION, sef.state),
        "document_kinds": files.LABELS,
        "document_size": files.size_in_words,
    }


def _upload_view(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    sef: SelfEvaluation,
    values: dict[str, str],
    errors: forms.FormErrors,
) -> Response:
    return render_form(
        request,
        "sef/document_upload.html",
        errors,
        {
            **common(cycle, sef),
            "chapters": writable_chapters(session, principal, sef),
            "values": values,
        },
    )


@router.get(ONE + "/documents", response_class=HTMLResponse)
def upload_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    cycle: CurrentCycle,
    chapter: str = "",
) -> Response:
    sef = service.get_sef(session, principal, cycle, la_code)
    if not writable_chapters(session, principal, sef):
        raise NotFound("There is no chapter you can add documents to now.")
    values = {"chapter_id": chapter[:60]}
    return _upload_view(request, session, principal, cycle, sef, values, forms.FormErrors())


@router.post(
    ONE + "/documents", response_class=HTMLResponse, dependencies=[CloseForm, CsrfProtected]
)
def upload(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    form: PostedForm,
) -> Response:
    values = {"chapter_id": str(form.get("chapter_id", ""))}
    data, errors = forms.parse(DocumentInput, values, MESSAGES)
    checked = None
    try:
        checked = read_upload(form)  # before the first statement: no lock while reading
    except DomainError as exc:
        errors.add("file", exc.message)
    cycle = cycles.get_cycle(session, principal, region_id, year)
    sef = service.get_sef(session, principal, cycle, la_code)
    if data is not None and checked is not None:
        try:
            added = documents.add(session, principal, cycle, la_code, data.chapter_id, checked)
        except NotPermitted:
            raise
        except DomainError as exc:
            errors = forms.errors_from(exc, "file")
        else:
            # Stored only once the writer may add it; the bytes land before the row commits.
            files.store(checked)
            title = service.chapter_of(sef, added.chapter_id).title
            return see_other(
                request,
                f"{added.filename} was added to '{title}'.",
                sef_url(cycle, la_code) + "#documents-" + added.chapter_id,
            )
    return _upload_view(request, session, principal, cycle, sef, values, errors)


def attachment(document: SefDocument, body: bytes) -> Response:
    """The file as a download only: its own type, a safe name, and no sniffing."""
    return as_download(
        body, document.filename, document.media_type, {"x-content-type-options": "nosniff"}
    )


def stored_bytes(session: DbSession, document: SefDocument) -> bytes:
    """The document's bytes, read with no transaction open (the row is already checked)."""
    end_read(session)
    try:
        return files.load(document.sha256)
    except FileNotFoundError:
        raise NotFound("This document's file is missing from the store.") from None


@router.get(ONE + "/documents/{document_id}")
def download(
    region_id: str,
    year: str,
    la_code: str,
    document_id: Identifier,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_SEF)],
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    document = documents.get(session, principal, cycle, la_code, document_id)
    return attachment(document, stored_bytes(session, document))


@router.post(
    ONE + "/documents/{document_id}/remove",
    response_class=HTMLResponse,
    dependencies=[CsrfProtected],
)
def remove(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    document_id: Identifier,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    session: WriteSession,
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    sef = service.get_sef(session, principal, cycle, la_code)
    removed = documents.remove(session, principal, cycle, la_code, document_id)
    title = service.chapter_of(sef, removed.chapter_id).title
    return see_other(
        request,
        f"{removed.filename} was removed from '{title}'. The history keeps it.",
        sef_url(cycle, la_code) + "#documents-" + removed.chapter_id,
    )
