"""Rendered packs kept by the hash of their inputs: equal inputs are never rendered twice."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.db import begin_write, end_read
from app.models import RenderedPack


def cached_pdf(session: Session, key: str) -> bytes | None:
    """The PDF rendered earlier from exactly these inputs, if any."""
    found = session.get(RenderedPack, key)
    return found.pdf if found is not None else None


def store_pdf(session: Session, key: str, kind: str, subject_id: str, pdf: bytes) -> None:
    session.merge(RenderedPack(input_hash=key, kind=kind, subject_id=subject_id, pdf=pdf))
    session.flush()


def cached_or_rendered(
    session: Session, key: str, kind: str, subject_id: str, render: Callable[[], bytes]
) -> bytes:
    """From the cache when the inputs are unchanged; otherwise render now and keep it.

    In a request, the render (seconds of CPU) happens between the reading transaction and a
    short one that stores the result, so it never holds a lock or a snapshot.
    """
    pdf = cached_pdf(session, key)
    if pdf is None:
        end_read(session)
        pdf = render()
        begin_write(session)
        store_pdf(session, key, kind, subject_id, pdf)
    return pdf
