"""A DCS starts from an existing DOCX: headings matched to chapters, confirmed, landed as drafts."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import AuditEvent, Cycle, User
from app.self_evaluation.drafting import service
from app.settings import get_settings
from tests import factories as f
from tests.conftest import check_page
from tests.sef_document_files import docx_bytes
from tests.sef_factories import DERBY, chapter_input

CYCLE = "/regions/east-midlands/cycles/2026-27"
SEF = CYCLE + "/self-evaluations/" + DERBY
API = "/api/v1" + SEF
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OFSTED_SEF = docx_bytes(
    ("Heading 1", "Children in care"),
    ("", "Placement stability has improved."),
    ("Heading 2", "Strengths"),
    ("", "Stable foster carers."),
    ("Heading 1", "Our workforce"),
    ("", "Agency use is down to 9%."),
    ("Heading 1", "Finance"),
    ("", "Spending is within budget."),
)
MALFORMED = (
    "The selected file could not be read as a Word document. Open it in Word, save it as a "
    "Word document (.docx) and upload that."
)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path / "data")
    return tmp_path / "data"


def _selected(html: str) -> dict[str, str]:
    """Each section's select: its label and the chosen option's value."""
    found = {}
    for name, body in re.findall(
        r'<select[^>]*name="(section-\d+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        found[name] = chosen.group(1) if chosen else "?"
    return found


def _labels(html: str) -> list[str]:
    return [
        unescape(t).strip()
        for t in re.findall(
            r'<label class="govuk-label govuk-label--s" for="section-\d+">(.*?)</label>', html, re.S
        )
    ]


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def _start(session: Session, client: TestClient) -> tuple[Cycle, User]:
    cycle = f.open_cycle(session)
    user = f.make_user(session, Role.DCS, organisation=DERBY, name="Derby DCS")
    f.sign_in(client, user)
    return cycle, user


def _propose(client: TestClient, body: bytes, name: str = "Ofsted SEF.docx"):  # type: ignore[no-untyped-def]
    token = f.csrf(client, SEF + "/import")
    return client.post(
        SEF + "/import", data={"csrf_token": token}, files={"file": (name, body, DOCX)}
    )


def test_headings_are_matched_confirmed_and_land_as_drafts(
    session: Session, client: TestClient
) -> None:
    cycle, user = _start(session, client)
    proposal = _propose(client, OFSTED_SEF)
    assert proposal.status_code == 200, proposal.text
    check_page(proposal.text)
    assert _labels(proposal.text) == ["Children in care", "Our workforce", "Finance"]
    assert _selected(proposal.text) == {
        "section-0": "children-in-care",
        "section-1": "workforce",
        "section-2": "",
    }
    # The DCS moves "Finance" into Leadership and leaves the rest as proposed.
    form = {
        "csrf_token": check_page(proposal.text).csrf_tokens[0],
        "file_sha256": _hidden(proposal.text, "file_sha256"),
        "base_version": _hidden(proposal.text, "base_version"),
        "filename": _hidden(proposal.text, "filename"),
        "sections": "3",
        "section-0": "children-in-care",
        "section-1": "workforce",
        "section-2": "leadership-and-management",
    }
    done = client.post(SEF + "/import/confirm", data=form)
    assert done.status_code == 303, done.text
    sef = service.get_sef(session, f.principal(session, user), cycle, DERBY)
    latest = service.latest_version(session, sef)
    assert latest is not None and latest.number == 1 and latest.chapter_id is None
    text = service.content_of(sef, latest)
    assert text["children-in-care"]["narrative"] == "Placement stability has improved."
    assert text["children-in-care"]["strengths"] == "Stable foster carers."
    assert text["workforce"]["narrative"] == "Agency use is down to 9%."
    assert text["leadership-and-management"]["narrative"] == "Spending is within budget."
    assert text["care-leavers"]["narrative"] == ""
    assert all(chapter["grade"] == "" for chapter in text.values())
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sef.docx_imported")
    ).one()
    assert event.summary == "Derby DCS imported Ofsted SEF.docx into 3 chapters as version 1"
    assert json.loads(event.payload)["chapters"] == {
        "children-in-care": ["Children in care"],
        "workforce": ["Our workforce"],
        "leadership-and-management": ["Finance"],
    }


def test_an_import_over_a_chapter_changed_since_the_proposal_is_refused(
    session: Session, client: TestClient
) -> None:
    cycle, user = _start(session, client)
    proposal = _propose(client, OFSTED_SEF)
    form = {
        "csrf_token": check_page(proposal.text).csrf_tokens[0],
        "file_sha256": _hidden(proposal.text, "file_sha256"),
        "base_version": _hidden(proposal.text, "base_version"),
        "filename": "Ofsted SEF.docx",
        "sections": "3",
        "section-0": "children-in-care",
        "section-1": "",
        "section-2": "",
    }
    other = f.principal(session, f.make_user(session, Role.DCS, organisation=DERBY))
    service.save_chapter(session, other, cycle, DERBY, "children-in-care", chapter_input(None))
    refused = client.post(SEF + "/import/confirm", data=form)
    assert refused.status_code == 409
    assert (
        "Someone changed 'The experiences and progress of children in care' after you uploaded "
        "the document. Nothing was imported: check the chapters, then confirm again."
    ) in unescape(refused.text)
    # The form now starts from the newer version: confirming again goes through.
    assert _hidden(refused.text, "base_version") == "1"
    again = client.post(SEF + "/import/confirm", data={**form, "base_version": "1"})
    assert again.status_code == 303


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (
            "broken.docx",
            b"PK\x03\x04 not really a zip",
            "The selected file is not a real DOCX: its contents do not match its name. The selected file must be a DOCX",
        ),
        ("notes.pdf", b"%PDF-1.4", "The selected file must be a DOCX"),
    ],
)
def test_what_is_not_a_docx_is_refused_with_a_clear_error(
    session: Session, client: TestClient, name: str, body: bytes, message: str
) -> None:
    _start(session, client)
    refused = _propose(client, body, name)
    assert refused.status_code == 422
    assert message in unescape(refused.text)


def test_a_docx_whose_word_part_is_broken_is_refused(session: Session, client: TestClient) -> None:
    import io
    import zipfile

    good = io.BytesIO(OFSTED_SEF)
    out = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = b"<w:document" if item.filename == "word/document.xml" else src.read(item)
            dst.writestr(item, body)
    _start(session, client)
    refused = _propose(client, out.getvalue())
    assert refused.status_code == 422
    assert MALFORMED in unescape(refused.text)


def test_only_the_dcs_imports(session: Session, client: TestClient) -> None:
    f.open_cycle(session)
    f.sign_in(client, f.make_user(session, Role.CONTRIBUTOR, organisation=DERBY))
    assert client.get(SEF + "/import").status_code == 403


def test_the_api_proposes_and_confirms(session: Session, client: TestClient) -> None:
    cycle = f.open_cycle(session)
    user = f.make_user(session, Role.DCS, organisation=DERBY)
    headers = f.token_for(session, user)
    proposed = client.post(
        API + "/import", files={"file": ("sef.docx", OFSTED_SEF, DOCX)}, headers=headers
    )
    assert proposed.status_code == 200, proposed.text
    body = proposed.json()
    assert [(s["heading"], s["proposed_chapter_id"]) for s in body["sections"]] == [
        ("Children in care", "children-in-care"),
        ("Our workforce", "workforce"),
        ("Finance", ""),
    ]
    assert body["base_version"] is None
    confirmed = client.post(
        API + "/import/confirm",
        json={
            "file_sha256": body["file_sha256"],
            "base_version": None,
            "filename": body["filename"],
            "chapters": [s["proposed_chapter_id"] for s in body["sections"]],
        },
        headers=headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["number"] == 1
    sef = service.get_sef(session, f.principal(session, user), cycle, DERBY)
    text = service.content_of(sef, service.latest_version(session, sef))
    assert text["workforce"]["narrative"] == "Agency use is down to 9%."
    # A hash the LA never uploaded is not there to import.
    missing = client.post(
        API + "/import/confirm",
        json={"file_sha256": "0" * 64, "chapters": ["workforce"]},
        headers=headers,
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["message"] == (
        "The uploaded document is no longer available: upload it again."
    )


def test_the_upload_is_read_and_parsed_outside_any_transaction(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.self_evaluation.documents import docx_import, files
    from tests.integration.test_slow_work_outside_transactions import _spy

    _start(session, client)
    checked = _spy(monkeypatch, files, "check", session)
    parsed = _spy(monkeypatch, docx_import, "read_sections", session)
    proposal = _propose(client, OFSTED_SEF)
    assert proposal.status_code == 200
    form = {
        "csrf_token": check_page(proposal.text).csrf_tokens[0],
        "file_sha256": _hidden(proposal.text, "file_sha256"),
        "base_version": "",
        "filename": "Ofsted SEF.docx",
        "sections": "3",
        "section-0": "children-in-care",
        "section-1": "",
        "section-2": "",
    }
    assert client.post(SEF + "/import/confirm", data=form).status_code == 303
    # Checked once, parsed at the proposal and again from the kept file at the confirmation.
    assert (checked, parsed) == ([False], [False, False])
