"""Rendered packs kept by the hash of their inputs and their audience.

A pack that prints differently for different readers (the self-evaluation pack: its authority
sees returns and void signatures, its scrutineers do not) is kept once per audience. The audience
is part of the key itself, so even two audiences whose inputs happened to hash alike could never
be served each other's copy.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.db import READS_ONLY, begin_write, end_read, get_sessionmaker
from app.demo_notice import demo_notice
from app.models import RenderedPack
from app.pack.prune import prune
from app.settings import get_settings

# The audience of a pack that prints the same for everyone allowed to download it.
EVERYONE = "everyone"


def cache_key(inputs_hash: str, audience: str = EVERYONE) -> str:
    """The key a pack is kept under: its inputs' hash, bound to the audience it was printed for,
    and to the demonstration notice it prints on every page when serving the demo (issue 10)."""
    key = inputs_hash  # keys of packs cached before audiences existed stay valid
    if audience != EVERYONE:
        key = hashlib.sha256(f"{audience}\n{inputs_hash}".encode()).hexdigest()
    notice = demo_notice()
    if notice:
        # A demo database's packs cached before the notice existed are never served again.
        key = hashlib.sha256(f"{notice}\n{key}".encode()).hexdigest()
    return key


def cached_pdf(session: Session, key: str) -> bytes | None:
    """The PDF rendered earlier under exactly this key, if any."""
    found = session.get(RenderedPack, key)
    return found.pdf if found is not None else None


def store_pdf(session: Session, key: str, kind: str, subject_id: str, pdf: bytes) -> None:
    session.merge(RenderedPack(input_hash=key, kind=kind, subject_id=subject_id, pdf=pdf))
    session.flush()


def cached_or_rendered(
    session: Session,
    inputs_hash: str,
    kind: str,
    subject_id: str,
    render: Callable[[], bytes],
    *,
    audience: str = EVERYONE,
) -> bytes:
    """From the cache when the inputs and audience are unchanged; otherwise render and keep it.

    In a request, the render (seconds of CPU) happens between the reading transaction and a
    short one that stores the result, so it never holds a lock or a snapshot.
    """
    key = cache_key(inputs_hash, audience)
    pdf = cached_pdf(session, key)
    if pdf is None:
        end_read(session)
        pdf = render()
        begin_write(session)
        store_pdf(session, key, kind, subject_id, pdf)
    return pdf


@dataclass(frozen=True)
class Prepared:
    """A pack read and ready to print: the key it is kept under and how to render it."""

    key: str  # cache_key(...), audience included
    kind: str
    subject_id: str
    render: Callable[[], bytes]


def warm(prepare: Callable[[Session], Prepared | None]) -> None:
    """Render a pack off the request path (a pack job), so its next download comes from the cache.

    `prepare` reads what the pack prints (None: nothing to warm). Reading and storing are two
    short transactions with the slow render between them, so the render never holds a database
    lock (on SQLite that would stall every other request).
    """
    if not get_settings().warm_packs:
        return
    maker = get_sessionmaker()
    with maker(execution_options=READS_ONLY) as session:
        prepared = prepare(session)
        if prepared is None:
            return
        found = cached_pdf(session, prepared.key)
        session.rollback()
    if found is not None:
        return
    pdf = prepared.render()
    with maker.begin() as session:
        store_pdf(session, prepared.key, prepared.kind, prepared.subject_id, pdf)
        # The document changed: its older copies will not be asked for again.
        prune(session, prepared.kind, prepared.subject_id)
