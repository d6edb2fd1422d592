"""A supporting document's type is what its bytes are; its size is capped at 10 MB; its name is safe."""

import hashlib

import pytest

from app.errors import InvalidInput
from app.self_evaluation.documents import files
from tests.sef_document_files import (
    CSV_BYTES,
    EXE_BYTES,
    HTML_BYTES,
    PDF_BYTES,
    docx_bytes,
    xlsx_bytes,
    zip_bytes,
)

NOT_A_REAL_PDF = (
    "The selected file is not a real PDF: its contents do not match its name. "
    "The selected file must be a PDF, DOCX, XLSX or CSV"
)


def _refusal(name: str, body: bytes) -> str:
    with pytest.raises(InvalidInput) as refused:
        files.check(name, body)
    assert refused.value.field == "file"
    return refused.value.message


@pytest.mark.parametrize(
    ("name", "body", "media_type"),
    [
        ("audit.pdf", PDF_BYTES, files.PDF),
        ("plan.docx", docx_bytes(("", "Our plan")), files.DOCX),
        ("figures.xlsx", xlsx_bytes(), files.XLSX),
        ("figures.CSV", CSV_BYTES, files.CSV),
    ],
)
def test_each_kind_is_accepted_by_its_contents(name: str, body: bytes, media_type: str) -> None:
    checked = files.check(name, body)
    assert (checked.media_type, checked.size) == (media_type, len(body))
    assert checked.sha256 == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("body", [EXE_BYTES, HTML_BYTES, CSV_BYTES, docx_bytes(("", "x"))])
def test_something_else_renamed_pdf_is_refused(body: bytes) -> None:
    assert _refusal("report.pdf", body) == NOT_A_REAL_PDF


def test_a_docx_and_an_xlsx_are_told_apart_by_their_content_types_part() -> None:
    assert _refusal("plan.xlsx", docx_bytes(("", "x"))).startswith(
        "The selected file is not a real XLSX"
    )
    assert _refusal("plan.docx", xlsx_bytes()).startswith("The selected file is not a real DOCX")
    # A ZIP that is no Office document at all (no [Content_Types].xml) is refused too.
    assert _refusal("plan.docx", zip_bytes({"word/document.xml": b"<w/>"})).startswith(
        "The selected file is not a real DOCX"
    )


def test_a_csv_must_be_utf8_text_without_nuls() -> None:
    assert _refusal("a.csv", b"a,b\x00\n").startswith("The selected file is not a real CSV")
    assert _refusal("a.csv", "café,1\n".encode("latin-1")).startswith(
        "The selected file is not a real CSV"
    )
    assert files.check("a.csv", "\ufeffcafé,1\n".encode()).media_type == files.CSV


@pytest.mark.parametrize("name", ["run.exe", "page.html", "noextension", "macro.docm"])
def test_other_kinds_are_refused_by_name(name: str) -> None:
    assert _refusal(name, PDF_BYTES) == "The selected file must be a PDF, DOCX, XLSX or CSV"


def test_ten_megabytes_is_accepted_and_one_byte_more_is_not() -> None:
    exact = b"a," * (files.MAX_BYTES // 2)
    assert len(exact) == 10 * 1024 * 1024
    assert files.check("big.csv", exact).size == 10_485_760
    assert _refusal("big.csv", exact + b"1") == "The selected file must be smaller than 10 MB"
    assert _refusal("empty.csv", b"") == "The selected file is empty"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\dcs\\Ofsted SEF 2026.PDF", "Ofsted SEF 2026.pdf"),
        ("../../etc/passwd.csv", "passwd.csv"),
        ('evil"; filename=x.html.pdf', "evil- filename-x.html.pdf"),
        ("Évaluation <b>.csv", "Evaluation -b-.csv"),
        (".pdf", "pdf"),
        ("a" * 300 + ".csv", "a" * 116 + ".csv"),
    ],
)
def test_names_keep_no_folder_and_no_unsafe_character(sent: str, kept: str) -> None:
    assert files.safe_filename(sent) == kept
