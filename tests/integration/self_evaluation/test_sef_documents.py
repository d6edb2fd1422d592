"""Supporting documents of a chapter: upload limits, type checks, visibility, history and the pack."""

import hashlib
import io
import json
import re
from html import unescape
from pathlib import Path
from types import MappingProxyType

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import NotFound, NotPermitted
from app.models import AuditEvent, Cycle, SefDocument, User
from app.reference import get_reference
from app.self_evaluation import pack
from app.self_evaluation.documents import files
from app.self_evaluation.documents import rows as document_rows
from app.self_evaluation.documents import service as documents
from app.self_evaluation.drafting import content, service
from app.settings import get_settings
from tests import factories as f
from tests.conftest import check_page
from tests.sef_document_files import CSV_BYTES, EXE_BYTES, HTML_BYTES, PDF_BYTES
from tests.sef_factories import (
    DERBY,
    form_proposed_triads,
    sign_as,
    signatories,
    submit_latest,
    write_all,
)

DERBYSHIRE = "E10000007"  # in Derby's triad for 2026-27
LEICESTER = "E06000016"  # outside it
CYCLE = "/regions/east-midlands/cycles/2026-27"
SEF = CYCLE + "/self-evaluations/" + DERBY
API = "/api/v1" + SEF
CARE = "children-in-care"
CARE_TITLE = "The experiences and progress of children in care"
TOO_LARGE = "The selected file must be smaller than 10 MB"
NOT_A_PDF = (
    "The selected file is not a real PDF: its contents do not match its name. "
    "The selected file must be a PDF, DOCX, XLSX or CSV"
)
GONE = "There is no such supporting document, or you may not see it."


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path / "data")
    return tmp_path / "data"


def _stored(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "documents").glob("*/*"))


def _add(
    session: Session, cycle: Cycle, who: Principal, name: str, body: bytes, chapter: str = CARE
) -> SefDocument:
    checked = files.check(name, body)
    added = documents.add(session, who, cycle, DERBY, chapter, checked)
    files.store(checked)
    return added


def _error_summary(html: str) -> list[str]:
    match = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no error summary"
    return [unescape(t).strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", match.group(0), re.S)]


def _dcs(session: Session, client: TestClient) -> tuple[Cycle, User]:
    cycle = f.open_cycle(session)
    user = f.make_user(session, Role.DCS, organisation=DERBY, name="Derby DCS")
    f.sign_in(client, user)
    return cycle, user


def _upload(client: TestClient, name: str, body: bytes, media: str = "application/pdf") -> object:
    token = f.csrf(client, SEF + "/documents?chapter=" + CARE)
    return client.post(
        SEF + "/documents",
        data={"csrf_token": token, "chapter_id": CARE},
        files={"file": (name, body, media)},
    )


def test_a_dcs_adds_a_document_that_downloads_as_an_attachment_only(
    session: Session, client: TestClient, data_dir: Path
) -> None:
    _dcs(session, client)
    done = _upload(client, "Ofsted/Annual audit 2026.pdf", PDF_BYTES)
    assert done.status_code == 303, done.text  # type: ignore[attr-defined]
    assert done.headers["location"] == SEF + "#documents-" + CARE  # type: ignore[attr-defined]
    digest = hashlib.sha256(PDF_BYTES).hexdigest()
    assert _stored(data_dir) == [digest]
    page = client.get(SEF)
    check_page(page.text)
    assert "Annual audit 2026.pdf" in page.text
    assert f"(PDF, {len(PDF_BYTES)} bytes), added by Derby DCS on " in page.text
    row = session.scalars(select(SefDocument)).one()
    assert (row.filename, row.media_type, row.size_bytes, row.sha256, row.chapter_id) == (
        "Annual audit 2026.pdf", "application/pdf", len(PDF_BYTES), digest, CARE
    )  # fmt: skip
    got = client.get(f"{SEF}/documents/{row.id}")
    assert got.status_code == 200
    assert got.content == PDF_BYTES
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == 'attachment; filename="Annual audit 2026.pdf"'
    assert got.headers["x-content-type-options"] == "nosniff"
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sef.document_added")
    ).one()
    assert event.summary == (f"Derby DCS added Annual audit 2026.pdf to '{CARE_TITLE}' (version 1)")
    assert json.loads(event.payload)["sha256"] == digest


def test_one_byte_over_ten_megabytes_is_refused_with_the_exact_message(
    session: Session, client: TestClient, data_dir: Path
) -> None:
    _dcs(session, client)
    over = b"a," * (files.MAX_BYTES // 2) + b"1"
    # Past the service-wide 2 MB request limit: only this route lets a 10 MB file through.
    assert len(over) > get_settings().max_request_bytes
    refused = _upload(client, "big.csv", over, "text/csv")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert _error_summary(refused.text) == [TOO_LARGE]  # type: ignore[attr-defined]
    assert _stored(data_dir) == []
    assert session.scalars(select(SefDocument)).all() == []
    exact = _upload(client, "big.csv", over[:-1], "text/csv")
    assert exact.status_code == 303  # type: ignore[attr-defined]


def test_a_body_far_past_the_limit_is_cut_off_while_it_streams(
    session: Session, client: TestClient, data_dir: Path
) -> None:
    _dcs(session, client)
    token = f.csrf(client, SEF + "/documents")

    def chunks():  # type: ignore[no-untyped-def]
        yield (
            f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        for _ in range(12):
            yield b"a," * (512 * 1024)  # 1 MB each, 12 MB in all, no Content-Length
        yield b"\r\n--b--\r\n"

    refused = client.post(
        SEF + "/documents",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert refused.status_code == 413
    assert "larger than 10 MB" in unescape(refused.text)
    assert _stored(data_dir) == []


@pytest.mark.parametrize(("name", "body"), [("setup.pdf", EXE_BYTES), ("page.pdf", HTML_BYTES)])
def test_a_program_or_a_page_renamed_pdf_is_refused(
    session: Session, client: TestClient, data_dir: Path, name: str, body: bytes
) -> None:
    _dcs(session, client)
    refused = _upload(client, name, body)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert _error_summary(refused.text) == [NOT_A_PDF]  # type: ignore[attr-defined]
    assert _stored(data_dir) == []


def test_the_api_refuses_the_same_way_and_lists_what_it_accepted(
    session: Session, client: TestClient
) -> None:
    cycle = f.open_cycle(session)
    headers = f.token_for(session, f.make_user(session, Role.DCS, organisation=DERBY))
    refused = client.post(
        API + "/documents",
        data={"chapter_id": CARE},
        files={"file": ("setup.pdf", EXE_BYTES, "application/pdf")},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == NOT_A_PDF
    assert refused.json()["error"]["field"] == "file"
    made = client.post(
        API + "/documents",
        data={"chapter_id": CARE},
        files={"file": ("figures.csv", CSV_BYTES, "text/csv")},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    listed = client.get(API + "/documents", headers=headers).json()
    assert [(d["filename"], d["sha256"], d["size_bytes"]) for d in listed] == [
        ("figures.csv", hashlib.sha256(CSV_BYTES).hexdigest(), len(CSV_BYTES))
    ]
    got = client.get(f"{API}/documents/{listed[0]['id']}", headers=headers)
    assert got.headers["content-disposition"] == 'attachment; filename="figures.csv"'
    assert got.content == CSV_BYTES
    gone = client.delete(f"{API}/documents/{listed[0]['id']}", headers=headers)
    assert gone.status_code == 204
    assert client.get(API + "/documents", headers=headers).json() == []
    sef = service.get_sef(session, f.coordinator(session), cycle, DERBY)
    assert [d.removed_in_version for d in document_rows.every(session, sef)] == [2]


# --- Visibility: the self-evaluation's own rule (app/self_evaluation/access.py) -----------------------------

PEOPLE: dict[str, tuple[Role, str | None, str | None]] = {
    "Derby DCS": (Role.DCS, DERBY, None),
    "Derby contributor": (Role.CONTRIBUTOR, DERBY, None),
    "coordinator": (Role.REGIONAL_COORDINATOR, None, f.REGION),
    "Derbyshire DCS": (Role.DCS, DERBYSHIRE, None),  # triad peer
    "Leicester DCS": (Role.DCS, LEICESTER, None),  # stranger in the region
    "RISL": (Role.RISL, None, f.REGION),
    "lead DCS": (Role.LEAD_DCS, None, f.REGION),
    "West Midlands coordinator": (Role.REGIONAL_COORDINATOR, None, "west-midlands"),
}


@pytest.fixture
def people(session: Session) -> dict[str, Principal]:
    return {
        name: f.principal(session, f.make_user(session, role, organisation=o, region=r, name=name))
        for name, (role, o, r) in PEOPLE.items()
    }


def _who_sees(
    session: Session, cycle: Cycle, people: dict[str, Principal], document: SefDocument
) -> dict[str, list[str] | str]:
    """Per person: the names listed to them, or why they were refused."""
    seen: dict[str, list[str] | str] = {}
    for name, who in people.items():
        try:
            sef = service.get_sef(session, who, cycle, DERBY)
            listed = [d.filename for d in documents.listed(session, who, cycle, sef)]
            documents.get(session, who, cycle, DERBY, document.id)
            seen[name] = listed
        except (NotPermitted, NotFound) as refused:
            seen[name] = type(refused).__name__
    return seen


def test_documents_follow_the_self_evaluations_visibility_rule(
    session: Session, people: dict[str, Principal]
) -> None:
    cycle = f.open_cycle(session)
    form_proposed_triads(session, cycle)
    signers = signatories(session, DERBY)
    dcs = signers[Role.DCS]
    write_all(session, cycle, DERBY, dcs)
    added = _add(session, cycle, dcs, "audit.pdf", PDF_BYTES)
    draft = {
        "Derby DCS": ["audit.pdf"],
        "Derby contributor": ["audit.pdf"],
        "coordinator": ["audit.pdf"],
        "Derbyshire DCS": "NotPermitted",
        "Leicester DCS": "NotPermitted",
        "RISL": "NotPermitted",
        "lead DCS": "NotPermitted",
        "West Midlands coordinator": "NotPermitted",
    }
    assert _who_sees(session, cycle, people, added) == draft
    submitted = submit_latest(session, cycle, DERBY, dcs)
    for role, who in signers.items():
        sign_as(session, cycle, DERBY, who, role, submitted.content_hash)
    # Signed: its triad peer and the RISL (the East Midlands' data terms allow it) see it too.
    assert _who_sees(session, cycle, people, added) == {
        **draft,
        "Derbyshire DCS": ["audit.pdf"],
        "RISL": ["audit.pdf"],
    }


def test_the_risl_sees_no_document_where_the_data_terms_say_no(
    session: Session, people: dict[str, Principal], monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = get_reference()
    region = reference.regions[f.REGION]
    terms = region.data_terms.model_copy(update={"risl_sees_signed_self_evaluations": False})
    changed = region.model_copy(update={"data_terms": terms})
    monkeypatch.setattr(
        reference, "regions", MappingProxyType({**reference.regions, f.REGION: changed})
    )
    cycle = f.open_cycle(session)
    form_proposed_triads(session, cycle)
    signers = signatories(session, DERBY)
    write_all(session, cycle, DERBY, signers[Role.DCS])
    added = _add(session, cycle, signers[Role.DCS], "audit.pdf", PDF_BYTES)
    submitted = submit_latest(session, cycle, DERBY, signers[Role.DCS])
    for role, who in signers.items():
        sign_as(session, cycle, DERBY, who, role, submitted.content_hash)
    seen = _who_sees(session, cycle, {"RISL": people["RISL"]}, added)
    assert seen == {"RISL": "NotPermitted"}


def test_a_stranger_gets_no_download_and_no_link_over_http(
    session: Session, client: TestClient
) -> None:
    cycle = f.open_cycle(session)
    dcs = f.principal(session, f.make_user(session, Role.DCS, organisation=DERBY))
    added = _add(session, cycle, dcs, "audit.pdf", PDF_BYTES)
    stranger = f.make_user(session, Role.DCS, organisation=LEICESTER)
    f.sign_in(client, stranger)
    assert client.get(f"{SEF}/documents/{added.id}").status_code == 403
    headers = f.token_for(session, stranger)
    assert client.get(f"{API}/documents/{added.id}", headers=headers).status_code == 403
    assert client.get(API + "/documents", headers=headers).status_code == 403


def test_an_added_document_voids_signatures_like_an_edit_and_is_in_the_hash(
    session: Session,
) -> None:
    cycle = f.open_cycle(session)
    signers = signatories(session, DERBY)
    dcs = signers[Role.DCS]
    written = write_all(session, cycle, DERBY, dcs)
    submitted = submit_latest(session, cycle, DERBY, dcs)
    sign_as(
        session, cycle, DERBY, signers[Role.LEAD_MEMBER], Role.LEAD_MEMBER, written.content_hash
    )
    added = _add(session, cycle, dcs, "audit.pdf", PDF_BYTES)
    sef = service.get_sef(session, dcs, cycle, DERBY)
    latest = service.latest_version(session, sef)
    assert latest is not None and sef.state == "draft" and sef.submitted_number is None
    assert latest.number == submitted.number + 1 == added.added_in_version
    assert latest.content == written.content  # the text did not change; the hash did
    assert latest.content_hash == content.content_hash(
        sef.template_id,
        content.loads(latest.content),
        [{"chapter_id": CARE, "filename": "audit.pdf", "sha256": added.sha256}],
    )
    assert latest.content_hash != written.content_hash
    voided = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sef.signatures_voided")
    ).one()
    assert "added audit.pdf to" in voided.summary
    # Removing it is a new version too: the hash is the text's alone again, the row stays.
    documents.remove(session, dcs, cycle, DERBY, added.id)
    after = service.latest_version(session, sef)
    assert after is not None and after.content_hash == written.content_hash
    assert document_rows.in_version(session, sef, latest.number) == [added]
    assert document_rows.attached(session, sef) == []
    assert added.removed_in_version == after.number
    assert [e.action for e in session.scalars(select(AuditEvent)).all()][-1] == (
        "sef.document_removed"
    )


def test_the_pack_lists_the_signed_versions_documents_by_name_size_and_hash(
    session: Session,
) -> None:
    cycle = f.open_cycle(session)
    form_proposed_triads(session, cycle)
    signers = signatories(session, DERBY)
    dcs = signers[Role.DCS]
    write_all(session, cycle, DERBY, dcs)
    _add(session, cycle, dcs, "Annual audit.pdf", PDF_BYTES)
    _add(session, cycle, dcs, "figures.csv", CSV_BYTES, chapter="workforce")
    submitted = submit_latest(session, cycle, DERBY, dcs)
    for role, who in signers.items():
        sign_as(session, cycle, DERBY, who, role, submitted.content_hash)
    built = pack.build_pack(session, dcs, cycle, DERBY)
    assert [(d.chapter_id, d.filename, d.kind, d.size, d.sha256) for d in built.documents] == [
        (CARE, "Annual audit.pdf", "PDF", f"{len(PDF_BYTES)} bytes", hashlib.sha256(PDF_BYTES).hexdigest()),
        ("workforce", "figures.csv", "CSV", f"{len(CSV_BYTES)} bytes", hashlib.sha256(CSV_BYTES).hexdigest()),
    ]  # fmt: skip
    text = "".join(
        " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(pack.render_pack(built))).pages
        ).split()
    )
    assert "Annualaudit.pdf" in text and "figures.csv" in text
    assert hashlib.sha256(PDF_BYTES).hexdigest() in text


def test_the_upload_is_checked_outside_any_transaction(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.test_slow_work_outside_transactions import _spy

    _dcs(session, client)
    seen = _spy(monkeypatch, files, "check", session)
    assert _upload(client, "audit.pdf", PDF_BYTES).status_code == 303  # type: ignore[attr-defined]
    assert seen == [False]
