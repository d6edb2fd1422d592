"""A supporting document's bytes: what type it really is, how large, its safe name, where it lives.

Pure checks and the file store, no database. A document is accepted as a PDF, DOCX, XLSX or CSV
by what its bytes are, not by its name or the type the browser claims (a page or a program renamed
`.pdf` is refused). The store is a folder outside the web root (settings.data_dir), each file named
by its SHA-256, so the same file uploaded twice is stored once and nothing is ever served from it
by path.
"""

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import InvalidInput
from app.settings import get_settings

MAX_BYTES = 10 * 1024 * 1024
TOO_LARGE = "The selected file must be smaller than 10 MB"
EMPTY = "The selected file is empty"
NOT_CHOSEN = "Select a PDF, DOCX, XLSX or CSV file"
WRONG_TYPE = "The selected file must be a PDF, DOCX, XLSX or CSV"

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
MEDIA_TYPES = {".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".csv": CSV}
LABELS = {PDF: "PDF", DOCX: "DOCX", XLSX: "XLSX", CSV: "CSV"}
# The main part an Office Open XML package declares in [Content_Types].xml says what it is.
_MAIN_PARTS = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_CONTENT_TYPES_MAX = 256 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: its cleaned name, real type, size and digest."""

    filename: str
    media_type: str
    size: int
    sha256: str
    body: bytes

    @property
    def label(self) -> str:
        return LABELS[self.media_type]


def safe_filename(sent: str) -> str:
    """The name without any folder, in plain letters, digits and `._-()`, at most 120 long."""
    base = re.split(r"[\\/]", sent or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._() -]+", "-", base).strip(" .-")
    base = re.sub(r"\s+", " ", base)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = ext.lower()[:10]
    stem = (stem or "document")[: 120 - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


def _is_office(body: bytes, media_type: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as package:
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return False
            return _MAIN_PARTS[media_type] in package.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return False


def _is_csv(body: bytes) -> bool:
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def sniff(body: bytes, media_type: str) -> bool:
    """Whether the bytes are what the name says: a PDF, an OOXML package of the kind, or text."""
    if media_type == PDF:
        return body.startswith(b"%PDF-")
    if media_type == CSV:
        return _is_csv(body)
    return _is_office(body, media_type)


def check(
    sent_name: str, body: bytes, allowed: tuple[str, ...] = tuple(MEDIA_TYPES)
) -> CheckedFile:
    """Refuse what is too large, empty, not an allowed type, or not what its name says.

    `body` holds at most MAX_BYTES + 1 bytes, read from the upload: one past the limit says it
    was over. Run this before the write transaction: it reads the whole file.
    """
    if len(body) > MAX_BYTES:
        raise InvalidInput(TOO_LARGE, field="file")
    if not body:
        raise InvalidInput(EMPTY, field="file")
    filename = safe_filename(sent_name)
    ext = os.path.splitext(filename)[1].lower()
    if ext not in allowed:
        raise InvalidInput(_wrong_type(allowed), field="file")
    media_type = MEDIA_TYPES[ext]
    if not sniff(body, media_type):
        raise InvalidInput(
            f"The selected file is not a real {LABELS[media_type]}: its contents do not match "
            f"its name. {_wrong_type(allowed)}",
            field="file",
        )
    digest = hashlib.sha256(body).hexdigest()
    return CheckedFile(filename, media_type, len(body), digest, body)


def _wrong_type(allowed: tuple[str, ...]) -> str:
    if allowed == (".docx",):
        return "The selected file must be a DOCX"
    return WRONG_TYPE


def root() -> Path:
    return get_settings().data_dir / "documents"


def path_of(sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256")
    return root() / sha256[:2] / sha256


def store(checked: CheckedFile) -> Path:
    """Write the bytes once, by digest; a second upload of the same file finds them there."""
    path = path_of(checked.sha256)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{secrets.token_hex(6)}.partial")
    partial.write_bytes(checked.body)
    os.replace(partial, path)  # whole or absent, never half-written
    return path


def import_path(region_id: str, year: str, la_code: str, sha256: str) -> Path:
    """Where a DOCX waits between upload and the DCS's confirmation, kept apart per LA."""
    for part in (region_id, year, la_code):
        if not re.fullmatch(r"[A-Za-z0-9-]{1,60}", part):
            raise ValueError("not a path segment")
    return path_of(sha256).parents[2] / "imports" / region_id / year / la_code / sha256


def keep_for_import(checked: CheckedFile, region_id: str, year: str, la_code: str) -> None:
    path = import_path(region_id, year, la_code, checked.sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{secrets.token_hex(6)}.partial")
    partial.write_bytes(checked.body)
    os.replace(partial, path)


def load(sha256: str) -> bytes:
    return path_of(sha256).read_bytes()


def size_in_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size} bytes"
