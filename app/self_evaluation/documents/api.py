"""JSON API for supporting documents and DOCX import, under /api/v1 beside the self-evaluation.

Documents follow the self-evaluation's visibility rule (app/self_evaluation/documents/service.py): a reader it
withholds a document from gets the same 404 as for a document that does not exist, and does not
see it listed. A download is always an attachment. Importing a DOCX is two calls: the upload
answers the document's sections with a proposed chapter for each; the confirmation, with the
chapters the DCS chose, saves them as one new version.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from pydantic import BaseModel, Field

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.errors import InvalidInput
from app.identifiers import Identifier
from app.models import SefDocument
from app.self_evaluation.api import summary_out
from app.self_evaluation.api_models import VersionSummaryOut
from app.self_evaluation.documents import docx_import, files, importing
from app.self_evaluation.documents import service as documents
from app.self_evaluation.documents.import_schemas import ImportInput
from app.self_evaluation.documents.pages import attachment, stored_bytes
from app.self_evaluation.documents.pages_import import kept_sections
from app.self_evaluation.drafting import service
from app.workflow import SELF_EVALUATION, fire
from app.workflow.states import SefAction

router = APIRouter(
    prefix="/api/v1/regions/{region_id}/cycles/{year}/self-evaluations",
    tags=["self-evaluations"],
)
Viewer = Annotated[Principal, permission(Action.VIEW_SEF)]
Writer = Annotated[Principal, permission(Action.EDIT_SEF)]
UPLOAD = "PDF, DOCX, XLSX or CSV, up to 10 MB; its type is checked by its contents"


class DocumentOut(BaseModel):
    id: int
    chapter_id: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the file's bytes")
    uploaded_by: str
    uploaded_at: datetime
    added_in_version: int = Field(description="The first version that carried it")
    removed_in_version: int | None = Field(description="The first version without it, if removed")


class SectionOut(BaseModel):
    index: int
    heading: str
    words: int
    proposed_chapter_id: str = Field(description="The chapter most like the heading, or ''")
    sections: dict[str, str] = Field(description="The text by chapter section (narrative, ...)")


class ImportProposalOut(BaseModel):
    file_sha256: str = Field(description="Send back in the confirmation")
    filename: str
    base_version: int | None = Field(description="The version the proposal was made against")
    sections: list[SectionOut]


def document_out(d: SefDocument) -> DocumentOut:
    return DocumentOut(
        id=d.id,
        chapter_id=d.chapter_id,
        filename=d.filename,
        media_type=d.media_type,
        size_bytes=d.size_bytes,
        sha256=d.sha256,
        uploaded_by=d.uploaded_by_name,
        uploaded_at=d.uploaded_at,
        added_in_version=d.added_in_version,
        removed_in_version=d.removed_in_version,
    )


def _checked(file: UploadFile, allowed: tuple[str, ...]) -> files.CheckedFile:
    if not file.filename:
        raise InvalidInput(files.NOT_CHOSEN, field="file")
    return files.check(file.filename, file.file.read(files.MAX_BYTES + 1), allowed)


@router.get("/{la_code}/documents", response_model=list[DocumentOut])
def list_documents(
    region_id: str,
    year: str,
    la_code: str,
    session: DbSession,
    principal: Viewer,
    cycle: CurrentCycle,
) -> list[DocumentOut]:
    """The supporting documents you may see, by chapter then name (removed ones left out)."""
    sef = service.get_sef(session, principal, cycle, la_code)
    return [document_out(d) for d in documents.listed(session, principal, cycle, sef)]


@router.post("/{la_code}/documents", response_model=DocumentOut, status_code=201)
def add_document(
    region_id: str,
    year: str,
    la_code: str,
    session: WriteSession,
    principal: Writer,
    chapter_id: Annotated[str, Form(min_length=1, max_length=60)],
    file: Annotated[UploadFile, File(description=UPLOAD)],
) -> DocumentOut:
    """Attach a document to a chapter you write; a new version carries it (voiding signatures)."""
    checked = _checked(file, tuple(files.MEDIA_TYPES))  # before the write transaction
    cycle = cycles.get_cycle(session, principal, region_id, year)
    added = documents.add(session, principal, cycle, la_code, chapter_id, checked)
    files.store(checked)
    return document_out(added)


@router.get(
    "/{la_code}/documents/{document_id}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in files.LABELS}, "description": "The file"}},
)
def download_document(
    region_id: str,
    year: str,
    la_code: str,
    document_id: Identifier,
    session: DbSession,
    principal: Viewer,
) -> Response:
    """The file, as an attachment."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    document = documents.get(session, principal, cycle, la_code, document_id)
    return attachment(document, stored_bytes(session, document))


@router.delete("/{la_code}/documents/{document_id}", status_code=204)
def remove_document(
    region_id: str,
    year: str,
    la_code: str,
    document_id: Identifier,
    principal: Writer,
    session: WriteSession,
) -> Response:
    """Take a document off; the history keeps it. A new version no longer carries it."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    documents.remove(session, principal, cycle, la_code, document_id)
    return Response(status_code=204)


@router.post("/{la_code}/import", response_model=ImportProposalOut)
def propose_import(
    region_id: str,
    year: str,
    la_code: str,
    session: WriteSession,
    principal: Writer,
    file: Annotated[UploadFile, File(description="A DOCX, up to 10 MB")],
) -> ImportProposalOut:
    """The DCS uploads a DOCX: its sections, each with a proposed chapter. Nothing is saved yet."""
    checked = _checked(file, (".docx",))
    sections = docx_import.read_sections(checked.body)  # before the write transaction
    cycle = cycles.get_cycle(session, principal, region_id, year)
    service.require_dcs(principal, cycle, la_code, Action.EDIT_SEF)
    sef = service.get_sef(session, principal, cycle, la_code)
    fire(SELF_EVALUATION, sef.state, SefAction.EDIT)  # a signed self-evaluation takes no import
    files.keep_for_import(checked, region_id, year, la_code)
    proposed = docx_import.propose(service.template_of(sef), sections)
    latest = service.latest_version(session, sef)
    return ImportProposalOut(
        file_sha256=checked.sha256,
        filename=checked.filename,
        base_version=latest.number if latest else None,
        sections=[
            SectionOut(
                index=i, heading=s.heading, words=s.words, proposed_chapter_id=p, sections=s.fields
            )
            for i, (s, p) in enumerate(zip(sections, proposed, strict=True))
        ],
    )


@router.post("/{la_code}/import/confirm", response_model=VersionSummaryOut)
def confirm_import(
    region_id: str,
    year: str,
    la_code: str,
    data: ImportInput,
    session: WriteSession,
    principal: Writer,
) -> VersionSummaryOut:
    """Save the chosen sections as drafts of their chapters, as one new version."""
    sections = kept_sections(region_id, year, la_code, data.file_sha256)
    cycle = cycles.get_cycle(session, principal, region_id, year)
    filename = files.safe_filename(data.filename)
    return summary_out(
        importing.apply(session, principal, cycle, la_code, filename, sections, data)
    )
