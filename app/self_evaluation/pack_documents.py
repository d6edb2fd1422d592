"""The supporting documents a signed version carried, as its pack lists them in each chapter.

By name, type, size and SHA-256: the bytes are not in the pack (packs.md: a document people read,
not a dump), but the hash lets a reader check that the file they are sent is the one signed.
"""

from dataclasses import dataclass

from app.models import SefDocument
from app.self_evaluation.documents import files


@dataclass(frozen=True)
class PackDocument:
    chapter_id: str
    filename: str
    kind: str  # "PDF", "DOCX", "XLSX" or "CSV"
    size: str  # "12 KB"
    sha256: str


def pack_documents(carried: list[SefDocument]) -> tuple[PackDocument, ...]:
    return tuple(
        PackDocument(
            chapter_id=d.chapter_id,
            filename=d.filename,
            kind=files.LABELS.get(d.media_type, d.media_type),
            size=files.size_in_words(d.size_bytes),
            sha256=d.sha256,
        )
        for d in carried
    )
