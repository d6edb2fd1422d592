"""HTML pages for starting a self-evaluation from an existing DOCX (one written for Ofsted, say).

Upload: the document is checked, read into sections and kept for this LA by its SHA-256; the
page proposes a chapter for each section. Confirm: the DCS adjusts the choices and the text lands
as drafts. Both read the document before the write transaction.
"""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from app import forms
from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.errors import DomainError, InvalidInput, NotPermitted
from app.models import Cycle, SelfEvaluation
from app.self_evaluation.documents import docx_import, files, importing
from app.self_evaluation.documents.import_schemas import MESSAGES, ImportInput
from app.self_evaluation.documents.pages import read_upload
from app.self_evaluation.drafting import service
from app.self_evaluation.drafting.pages_versions import ONE, common, sef_url
from app.web import CloseForm, render_form, see_other
from app.workflow import SELF_EVALUATION, fire
from app.workflow.states import SefAction

router = APIRouter(include_in_schema=False)


def _dcs_sef(
    session: DbSession, principal: Principal, region_id: str, year: str, la_code: str
) -> tuple[Cycle, SelfEvaluation]:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    service.require_dcs(principal, cycle, la_code, Action.EDIT_SEF)
    sef = service.get_sef(session, principal, cycle, la_code)
    fire(SELF_EVALUATION, sef.state, SefAction.EDIT)  # a signed self-evaluation takes no import
    return cycle, sef


def _upload_view(
    request: Request, cycle: Cycle, sef: SelfEvaluation, errors: forms.FormErrors
) -> Response:
    return render_form(request, "sef/import.html", errors, common(cycle, sef))


@router.get(ONE + "/import", response_class=HTMLResponse)
def import_page(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
) -> Response:
    cycle, sef = _dcs_sef(session, principal, region_id, year, la_code)
    return _upload_view(request, cycle, sef, forms.FormErrors())


def _confirm_view(
    request: Request,
    session: DbSession,
    cycle: Cycle,
    sef: SelfEvaluation,
    filename: str,
    sha256: str,
    sections: list[docx_import.Section],
    chosen: list[str],
    errors: forms.FormErrors,
    base_version: str | None = None,
) -> Response:
    latest = service.latest_version(session, sef)
    if base_version is None:
        base_version = str(latest.number) if latest else ""
    return render_form(
        request,
        "sef/import_confirm.html",
        errors,
        {
            **common(cycle, sef),
            "filename": filename,
            "file_sha256": sha256,
            "base_version": base_version,
            "rows": list(zip(sections, chosen, strict=True)),
        },
    )


@router.post(ONE + "/import", response_class=HTMLResponse, dependencies=[CloseForm, CsrfProtected])
def import_upload(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    form: PostedForm,
) -> Response:
    errors = forms.FormErrors()
    try:  # read and parsed before the first statement: nothing is locked meanwhile
        checked = read_upload(form, (".docx",))
        sections = docx_import.read_sections(checked.body)
    except DomainError as exc:
        errors.add("file", exc.message)
    cycle, sef = _dcs_sef(session, principal, region_id, year, la_code)
    if errors:
        return _upload_view(request, cycle, sef, errors)
    files.keep_for_import(checked, region_id, year, la_code)
    proposed = docx_import.propose(service.template_of(sef), sections)
    return _confirm_view(
        request, session, cycle, sef, checked.filename, checked.sha256, sections, proposed, errors
    )


def kept_sections(
    region_id: str, year: str, la_code: str, sha256: str
) -> list[docx_import.Section]:
    """The sections of the document kept at upload; InvalidInput when it is not there."""
    try:
        body = files.import_path(region_id, year, la_code, sha256).read_bytes()
    except (ValueError, OSError):
        raise InvalidInput(
            "The uploaded document is no longer available: upload it again.", field="file"
        ) from None
    return docx_import.read_sections(body)


def _chapters_of(form: FormData) -> list[str]:
    sent = str(form.get("sections", ""))
    count = min(int(sent), 500) if sent.isdigit() else 0
    return [str(form.get(f"section-{i}", "")) for i in range(count)]


def _on_first_section(errors: forms.FormErrors) -> forms.FormErrors:
    """A refusal of the mapping as a whole is shown against the first section's choice."""
    if "chapters" in errors.by_field:
        errors.by_field["section-0"] = errors.by_field.pop("chapters")
    return errors


@router.post(ONE + "/import/confirm", response_class=HTMLResponse, dependencies=[CsrfProtected])
def import_confirm(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    form: PostedForm,
) -> Response:
    sha256 = str(form.get("file_sha256", ""))
    base_version = str(form.get("base_version", ""))
    chapters = _chapters_of(form)
    filename = files.safe_filename(str(form.get("filename", "")))
    values = {
        "file_sha256": sha256,
        "base_version": base_version,
        "chapters": chapters,
        "filename": filename,
    }
    data, errors = forms.parse(ImportInput, values, MESSAGES)
    sections: list[docx_import.Section] = []
    if data is not None:
        try:  # parsed again from the kept file, before the first statement
            sections = kept_sections(region_id, year, la_code, data.file_sha256)
        except DomainError as exc:
            errors.add("file", exc.message)
    cycle, sef = _dcs_sef(session, principal, region_id, year, la_code)
    if data is not None and sections:
        try:
            saved = importing.apply(session, principal, cycle, la_code, filename, sections, data)
        except NotPermitted:
            raise
        except DomainError as exc:
            errors = forms.errors_from(exc, "chapters")
        else:
            return see_other(
                request,
                f"{filename} was imported as version {saved.number}. Check each chapter.",
                sef_url(cycle, la_code),
            )
    if not sections:  # the form, or the kept file, was refused: the errors say which
        return _upload_view(request, cycle, sef, errors)
    chosen = (chapters + [""] * len(sections))[: len(sections)]
    return _confirm_view(
        request,
        session,
        cycle,
        sef,
        filename,
        sha256,
        sections,
        chosen,
        _on_first_section(errors),
        # After a stale refusal the form starts from the newest version, so confirming again
        # (having checked the chapters) goes through.
        None if errors.status_code == 409 else base_version,
    )
