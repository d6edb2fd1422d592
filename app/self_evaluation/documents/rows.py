"""Which supporting documents a version carries: queries only, so the drafting service can bind
them into a version's content hash without depending on the documents service.

Documents are part of the signed version: a version's hash covers its text and the name and
SHA-256 of each document it carries, so adding or removing one after a signature voids the
signature exactly as an edit does (app/self_evaluation/documents/service.py makes a new version each time).
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import SefDocument, SelfEvaluation


def attached(session: Session, sef: SelfEvaluation) -> list[SefDocument]:
    """The documents the newest version carries, by chapter then name."""
    return _sorted(
        session.scalars(
            select(SefDocument).where(
                SefDocument.self_evaluation_id == sef.id,
                SefDocument.removed_in_version.is_(None),
            )
        )
    )


def in_version(session: Session, sef: SelfEvaluation, number: int) -> list[SefDocument]:
    """The documents version `number` carried (added in it or before, not yet removed)."""
    rows = session.scalars(
        select(SefDocument).where(
            SefDocument.self_evaluation_id == sef.id,
            SefDocument.added_in_version <= number,
        )
    )
    return _sorted(r for r in rows if r.removed_in_version is None or r.removed_in_version > number)


def every(session: Session, sef: SelfEvaluation) -> list[SefDocument]:
    """Every document ever attached, removed ones too (the history's view)."""
    return _sorted(
        session.scalars(select(SefDocument).where(SefDocument.self_evaluation_id == sef.id))
    )


def hash_entries(documents: list[SefDocument]) -> list[dict[str, str]]:
    """What of each document a version's hash covers: its chapter, name and SHA-256."""
    return [
        {"chapter_id": d.chapter_id, "filename": d.filename, "sha256": d.sha256} for d in documents
    ]


def _sorted(rows: object) -> list[SefDocument]:
    return sorted(rows, key=lambda d: (d.chapter_id, d.filename.lower(), d.id))  # type: ignore[call-overload]
