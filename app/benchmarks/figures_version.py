"""Benchmarks remembered until the figures they come from change (issue 8: pages cost what
they must).

Every page that shows indicators read the whole region's benchmarks and each LA's trend from
SQL and rebuilt them in Python on every request: about two thirds of the self-evaluation page,
the LA profile, the chapter page and the dashboard. They depend only on returns and published
values, and on nobody's identity (visibility is applied afterwards, in export.py and pack.py),
so each worker keeps them per figures version:

- Any write to returns or published values, however it is made (the services, a bulk import,
  a test's factories), marks the session; just before it commits, the `figures_version` row is
  given a new random token, in the same transaction.
- A transaction that has changed figures it has not yet committed never uses or fills the
  cache: it computes from what it sees.
- Everyone else reads the token once per transaction and uses what was computed for it.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from app.models import FiguresVersion, IndicatorReturn, PublishedValue, ReturnValue

T = TypeVar("T")

_TRACKED_TABLES = {IndicatorReturn.__table__, ReturnValue.__table__, PublishedValue.__table__}
_TRACKED_CLASSES = (IndicatorReturn, ReturnValue, PublishedValue)
_CHANGED = "riia_figures_changed"  # Session.info: this transaction changed figures
_READ = "riia_figures_token"  # Session.info: (transaction, token) read in this transaction
_SIZE = 256  # entries kept per worker: a region's quarters and its LAs' trends, several times

_remembered: "OrderedDict[tuple[Hashable, ...], Any]" = OrderedDict()
_lock = threading.Lock()


def remembered(session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave before for the same key and the same figures.

    The result is shared between requests and threads: callers must treat it as read-only.
    """
    token = _token(session)  # reading it flushes what is pending, which may mark a change
    if session.info.get(_CHANGED):
        return compute()
    full = (*key, token)
    with _lock:
        if full in _remembered:
            _remembered.move_to_end(full)
            return _remembered[full]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _remembered[full] = value
        while len(_remembered) > _SIZE:
            _remembered.popitem(last=False)
    return value


def forget_all() -> None:
    """Empty this worker's cache (for benchmarks that measure the cost without it)."""
    with _lock:
        _remembered.clear()


def _token(session: Session) -> str:
    transaction = session.get_transaction()
    found = session.info.get(_READ)
    if found is not None and transaction is not None and found[0] is transaction:
        return str(found[1])
    token = session.scalar(select(FiguresVersion.token).where(FiguresVersion.id == 1))
    session.info[_READ] = (session.get_transaction(), token)
    return str(token)


@event.listens_for(Session, "before_flush")
def _flushing_figures(session: Session, _context: Any, _instances: Any) -> None:
    if any(
        isinstance(o, _TRACKED_CLASSES) for o in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _executing_on_figures(state: ORMExecuteState) -> None:
    statement = state.statement
    if (
        (state.is_insert or state.is_update or state.is_delete)
        and isinstance(statement, ClauseElement)
        and _TRACKED_TABLES & set(find_tables(statement, include_crud=True))
    ):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _new_token_before_commit(session: Session) -> None:
    if session.info.get(_CHANGED) and not session.in_nested_transaction():
        session.execute(
            update(FiguresVersion).where(FiguresVersion.id == 1).values(token=secrets.token_hex(16))
        )


@event.listens_for(Session, "after_transaction_end")
def _transaction_over(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_READ, None)
