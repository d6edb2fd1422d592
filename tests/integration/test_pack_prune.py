"""Old cached packs are pruned: the latest copy of each document stays, and any recent copy."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import RenderedPack
from app.models.types import utcnow
from app.pack.prune import prune


def _copy(session: Session, key: str, kind: str, subject: str, hours_ago: float) -> None:
    at = utcnow() - timedelta(hours=hours_ago)
    session.add(
        RenderedPack(input_hash=key, kind=kind, subject_id=subject, pdf=b"%PDF", created_at=at)
    )


def _kept(session: Session) -> set[str]:
    return set(session.execute(select(RenderedPack.input_hash)).scalars())


def test_prune_keeps_the_latest_copy_of_each_document_and_recent_ones(session: Session) -> None:
    _copy(session, "mou-old", "mou", "1", 50)
    _copy(session, "mou-older", "mou", "1", 60)
    _copy(session, "mou-latest", "mou", "1", 49)
    _copy(session, "mou-other-cycle", "mou", "2", 70)  # the only copy of its document
    _copy(session, "sef-scrutineers", "self_evaluation", "1:E06000015", 0.01)  # recent
    _copy(session, "sef-authority", "self_evaluation", "1:E06000015", 0)
    _copy(session, "sef-old", "self_evaluation", "1:E06000015", 3)
    session.flush()
    assert prune(session) == 3
    assert _kept(session) == {"mou-latest", "mou-other-cycle", "sef-scrutineers", "sef-authority"}
    assert prune(session) == 0


def test_prune_of_one_document_leaves_the_others(session: Session) -> None:
    _copy(session, "a-old", "mou", "1", 5)
    _copy(session, "a-new", "mou", "1", 1)
    _copy(session, "b-old", "mou", "2", 5)
    _copy(session, "b-new", "mou", "2", 1)
    session.flush()
    assert prune(session, "mou", "1", grace=timedelta(0)) == 1
    assert _kept(session) == {"a-new", "b-old", "b-new"}
