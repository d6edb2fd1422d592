"""Small real files of each kind a supporting document may be, built in the tests."""

import io
import zipfile

import docx
import openpyxl

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CSV_BYTES = b"indicator,value\nre-referrals,21.4\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML_BYTES = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def docx_bytes(*paragraphs: tuple[str, str]) -> bytes:
    """A DOCX of (style, text) paragraphs; style "" is Normal, "bold" a bold one-line paragraph."""
    document = docx.Document()
    for style, text in paragraphs:
        if style == "bold":
            document.add_paragraph().add_run(text).bold = True
        elif style:
            document.add_paragraph(text, style=style)
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["indicator", "value"])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, body in files.items():
            package.writestr(name, body)
    return out.getvalue()
