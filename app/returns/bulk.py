"""Deciding and writing many LAs' returns at once, for a form, a region's file or England's.

A national file holds 153 LAs. Asking the database once per LA (its window, its MoU, its
current version, one INSERT, one audit entry each) took over half a second, so each lookup
here is one query for all of a file's LAs and each write is one statement for all its rows.
The rules and messages are those of a single return; only the number of queries changed.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Insert, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.chain import Entry
from app.audit.entries import actor_of
from app.auth.principal import Principal
from app.errors import AlreadyDone, Conflict, InvalidInput
from app.models import Cycle, IndicatorReturn, ReturnValue
from app.reference.models import LocalAuthority, Region
from app.returns.periods import Quarter
from app.returns.windows import WindowState, window_states
from app.uk_dates import date_uk


class Value(Protocol):
    """A form's ValueInput or a file's FileValue: the fields a stored value is made of."""

    @property
    def indicator_id(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def missing_code(self) -> str | None: ...
    @property
    def commentary(self) -> str | None: ...


ValueKey = tuple[str, float | None, str | None, str | None]


@dataclass(frozen=True)
class Window:
    region: Region
    quarter: Quarter
    cycle: Cycle
    state: WindowState
    late: bool


@dataclass(frozen=True)
class Current:
    """An LA's latest version for the quarter, and its values as comparable tuples."""

    version: int
    values: frozenset[ValueKey]


@dataclass(frozen=True)
class Planned:
    """One return to write: the LA, its region's window, its values and what it replaces."""

    la: LocalAuthority
    window: Window
    values: Sequence[Value]
    current: Current | None


def windows_for(
    session: Session, regions: Sequence[Region], quarter: Quarter, today: date
) -> dict[str, Window]:
    """Each region's window, from one query; Conflict naming the first region not open yet."""
    found = window_states(session, [region.id for region in regions], quarter)
    windows = {}
    for region in regions:
        if region.id not in found:
            raise Conflict(
                f"There is no {quarter.year} cycle for {region.name} yet, so returns for "
                f"{quarter} cannot be accepted."
            )
        state, cycle = found[region.id]
        if today < state.opens_on:
            raise Conflict(f"The return for {quarter} opens on {date_uk(state.opens_on)}")
        windows[region.id] = Window(region, quarter, cycle, state, today > state.closes_on)
    return windows


def currents(session: Session, codes: Collection[str], quarter: Quarter) -> dict[str, Current]:
    """The latest version of each LA's return with its values: two queries for any number."""
    latest: dict[str, tuple[int, int]] = {}  # code -> (version, id)
    rows = session.execute(
        select(
            IndicatorReturn.organisation_code, IndicatorReturn.version, IndicatorReturn.id
        ).where(
            IndicatorReturn.organisation_code.in_(codes),
            IndicatorReturn.period == str(quarter),
        )
    )
    for code, version, return_id in rows:
        if code not in latest or version > latest[code][0]:
            latest[code] = (version, return_id)
    if not latest:
        return {}
    values: dict[int, set[ValueKey]] = {return_id: set() for _, return_id in latest.values()}
    stored = session.execute(
        select(
            ReturnValue.return_id,
            ReturnValue.indicator_id,
            ReturnValue.value,
            ReturnValue.missing_code,
            ReturnValue.commentary,
        ).where(ReturnValue.return_id.in_(values))
    )
    for return_id, indicator_id, value, missing_code, commentary in stored:
        values[return_id].add((indicator_id, value, missing_code, commentary))
    return {
        code: Current(version, frozenset(values[return_id]))
        for code, (version, return_id) in latest.items()
    }


def same(current: Current, values: Sequence[Value]) -> bool:
    new = {(v.indicator_id, v.value, v.missing_code, v.commentary or None) for v in values}
    return current.values == new


def reason_needed(la: LocalAuthority, quarter: Quarter, current: Current) -> InvalidInput:
    return InvalidInput(
        f"Enter why you are changing {la.name}'s {quarter} return: version {current.version} "
        "was already accepted",
        field="reason",
    )


def insert_returns(
    session: Session,
    principal: Principal,
    plan: Sequence[Planned],
    *,
    source: str,
    reason: str | None,
    file_sha256: str | None,
    demonstration: bool,
) -> list[IndicatorReturn]:
    """One INSERT ... RETURNING for the returns and one executemany for all their values."""
    rows = [
        {
            "region_id": item.window.region.id,
            "organisation_code": item.la.code,
            "period": str(item.window.quarter),
            "version": item.current.version + 1 if item.current else 1,
            "source": source,
            "reason": reason,
            "late": item.window.late,
            "file_sha256": file_sha256,
            "demonstration": demonstration,
            "submitted_by_id": principal.user_id,
        }
        for item in plan
    ]
    try:
        with session.begin_nested():
            made = session.scalars(insert(IndicatorReturn).returning(IndicatorReturn), rows).all()
    except IntegrityError:
        # Two submits at the same moment: the unique (LA, period, version) lets only one in.
        raced = _raced(session, plan)
        raise AlreadyDone(
            f"{raced.la.name}'s {raced.window.quarter} return was submitted by someone else at "
            "the same moment: nothing was changed. Reload the page to see it."
        ) from None
    # RETURNING need not keep the rows' order; an LA is in a plan once, so match by its code.
    by_code = {made_return.organisation_code: made_return for made_return in made}
    created = [by_code[item.la.code] for item in plan]
    values = [
        {
            "return_id": made_return.id,
            "indicator_id": v.indicator_id,
            "value": v.value,
            "missing_code": v.missing_code,
            "commentary": v.commentary or None,
        }
        for made_return, item in zip(created, plan, strict=True)
        for v in item.values
    ]
    _executemany(session, insert(ReturnValue.__table__), values)  # type: ignore[arg-type]
    return created


def _executemany(session: Session, statement: Insert, rows: list[dict[str, Any]]) -> None:
    """One executemany handed straight to the driver.

    SQLAlchemy's per-row parameter handling was a third of a national import's 3,060 values;
    these columns (integers, text, floats, NULLs) need no conversion, so the statement is
    compiled once for the connection's dialect and its rows passed as the driver expects them.
    """
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(rows[0]))
    if compiled.positional and compiled.positiontup is not None:
        order = compiled.positiontup
        connection.exec_driver_sql(compiled.string, [tuple(row[k] for k in order) for row in rows])
    else:
        connection.exec_driver_sql(compiled.string, rows)  # type: ignore[arg-type]


def _raced(session: Session, plan: Sequence[Planned]) -> Planned:
    """The first LA whose latest version is no longer the one the plan replaces."""
    quarter = plan[0].window.quarter
    now = currents(session, [item.la.code for item in plan], quarter)
    for item in plan:
        then = item.current.version if item.current else None
        latest = now[item.la.code].version if item.la.code in now else None
        if latest != then:
            return item
    return plan[0]


def submitted_entries(
    principal: Principal,
    plan: Sequence[Planned],
    created: Sequence[IndicatorReturn],
    *,
    source: str,
    reason: str | None,
    file_sha256: str | None,
) -> list[Entry]:
    """One history entry per return written, saying who submitted which version."""
    actor = actor_of(principal)
    entries = []
    for item, made in zip(plan, created, strict=True):
        window = item.window
        late = ", late" if window.late else ""
        entries.append(
            Entry(
                actor=actor,
                action="returns.submitted",
                summary=(
                    f"{item.la.name}'s {window.quarter} return submitted "
                    f"(version {made.version}{late})"
                ),
                subject_type="indicator_return",
                subject_id=made.id,
                region_id=window.region.id,
                cycle_id=window.cycle.id,
                organisation_code=item.la.code,
                payload={
                    "period": str(window.quarter),
                    "version": made.version,
                    "source": source,
                    "late": window.late,
                    "reason": reason,
                    "file_sha256": file_sha256,
                    "values": len(item.values),
                    "missing": sum(1 for v in item.values if v.missing_code),
                },
            )
        )
    return entries
