"""Reading returns: the current version, its history, the region's tracker, and values.

Values are shown only as app.returns.visibility allows, the same rule as exports and packs.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.permissions import Action, Scope, can, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cycles.service import region_or_404
from app.errors import InvalidInput, NotFound, NotPermitted
from app.models import Cycle, IndicatorReturn, ReturnValue, ReturnWindow, User
from app.reference.models import LocalAuthority, Region
from app.returns.periods import Quarter, quarters_of
from app.returns.visibility import can_see_la, visible_from
from app.returns.windows import WindowState, read_windows, window_state
from app.uk_dates import date_uk


@dataclass(frozen=True)
class VersionInfo:
    """One version of a return and the name of the person who submitted it."""

    record: IndicatorReturn
    submitted_by: str


@dataclass(frozen=True)
class ReturnView:
    la: LocalAuthority
    quarter: Quarter
    window: WindowState | None
    current: IndicatorReturn | None
    values: list[ReturnValue]
    versions: list[VersionInfo]


@dataclass(frozen=True)
class TrackerCell:
    quarter: Quarter
    state: str  # not_open, awaiting, submitted, late or missing
    version: int | None
    submitted_at: datetime | None
    # Whether the reader may open the return today (the data terms' rule), and if not, the day
    # it is shared with them (None: never, as far as their roles go).
    readable: bool = False
    shared_from: date | None = None


@dataclass(frozen=True)
class TrackerRow:
    la: LocalAuthority
    cells: tuple[TrackerCell, ...]


@dataclass(frozen=True)
class Tracker:
    region: Region
    year: str
    windows: dict[Quarter, tuple[date, date]]  # opens, closes
    rows: tuple[TrackerRow, ...]


def la_or_404(region: Region, la_code: str) -> LocalAuthority:
    try:
        return region.local_authority(la_code)
    except KeyError:
        raise NotFound(f"{la_code} is not a local authority in {region.name}.") from None


def current_return(session: Session, la_code: str, quarter: Quarter) -> IndicatorReturn | None:
    """The latest version of an LA's return for a quarter (no permission check: callers do)."""
    return session.execute(
        select(IndicatorReturn)
        .where(
            IndicatorReturn.organisation_code == la_code,
            IndicatorReturn.period == str(quarter),
        )
        .order_by(IndicatorReturn.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def versions(session: Session, la_code: str, quarter: Quarter) -> list[VersionInfo]:
    """Every version, newest first, with who submitted it (no permission check: callers do)."""
    rows = session.execute(
        select(IndicatorReturn, User.display_name)
        .join(User, User.id == IndicatorReturn.submitted_by_id)
        .where(
            IndicatorReturn.organisation_code == la_code,
            IndicatorReturn.period == str(quarter),
        )
        .order_by(IndicatorReturn.version.desc())
    ).all()
    return [VersionInfo(record, name) for record, name in rows]


def values_of(session: Session, record: IndicatorReturn) -> list[ReturnValue]:
    return list(
        session.execute(
            select(ReturnValue).where(ReturnValue.return_id == record.id).order_by(ReturnValue.id)
        ).scalars()
    )


def _refusal(
    principal: Principal, la: LocalAuthority, quarter: Quarter, window: WindowState | None
) -> str:
    if window is None:
        return f"{la.name}'s {quarter} values are shared with the region once the return closes"
    if principal.holds(Role.RISL):
        return (
            f"{la.name}'s {quarter} values are shared with the DfE Regional Improvement and "
            f"Support Lead from {date_uk(window.risl_release_on)}"
        )
    return (
        f"{la.name}'s {quarter} values are shared with the region once the return closes "
        f"on {date_uk(window.closes_on)}"
    )


def return_values(
    session: Session,
    principal: Principal,
    region_id: str,
    quarter: Quarter,
    la_code: str,
    *,
    today: date | None = None,
) -> ReturnView:
    """An LA's return: its own people and the coordinator at once, the region after close."""
    region = region_or_404(region_id)
    require(principal, Action.VIEW_RETURNS, Scope(region_id))
    la = la_or_404(region, la_code)
    window = window_state(session, region_id, quarter)
    if not can_see_la(principal, la_code, window, today or clock.today()):
        raise NotPermitted(_refusal(principal, la, quarter, window))
    current = current_return(session, la_code, quarter)
    return ReturnView(
        la=la,
        quarter=quarter,
        window=window,
        current=current,
        values=values_of(session, current) if current else [],
        versions=versions(session, la_code, quarter),
    )


def _state(submitted: bool, late: bool, opens: date, closes: date, today: date) -> str:
    if submitted:
        return "late" if late else "submitted"
    if today < opens:
        return "not_open"
    return "awaiting" if today <= closes else "missing"


def tracker(
    session: Session,
    principal: Principal,
    region_id: str,
    year: str,
    *,
    today: date | None = None,
) -> Tracker:
    """Each LA's state for each quarter of the year, from one query over windows and returns."""
    region = region_or_404(region_id)
    require(principal, Action.VIEW_RETURNS, Scope(region_id))
    try:
        quarters = quarters_of(year)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="year") from None
    today = today or clock.today()
    ret = IndicatorReturn
    # A return is late when its first version came after the close; a later correction is not.
    summary = (
        select(
            ret.organisation_code,
            ret.period,
            func.max(ret.version).label("latest"),
            func.max(case((and_(ret.version == 1, ret.late), 1), else_=0)).label("late"),
            func.max(ret.submitted_at).label("last_at"),
        )
        .where(ret.region_id == region_id, ret.period.in_([str(q) for q in quarters]))
        .group_by(ret.organisation_code, ret.period)
        .subquery()
    )
    rows = session.execute(
        select(
            ReturnWindow.period,
            ReturnWindow.opens_on,
            ReturnWindow.closes_on,
            summary.c.organisation_code,
            summary.c.latest,
            summary.c.late,
            summary.c.last_at,
        )
        .join(Cycle, Cycle.id == ReturnWindow.cycle_id)
        .outerjoin(summary, summary.c.period == ReturnWindow.period)
        .where(Cycle.region_id == region_id, Cycle.year == year)
    ).all()
    if not rows:
        raise NotFound(f"There is no {year} cycle for {region.name} yet.")
    windows: dict[Quarter, tuple[date, date]] = {}
    found: dict[tuple[str, str], tuple[int, bool, datetime]] = {}
    for period, opens, closes, code, latest, late, last_at in rows:
        windows[Quarter.parse(period)] = (opens, closes)
        if code is not None:
            found[(code, period)] = (latest, bool(late), last_at)
    ordered = sorted(windows)
    read_windows(session, region_id, ordered)
    table = []
    for la in region.local_authorities:
        cells = []
        for quarter in ordered:
            opens, closes = windows[quarter]
            latest, late, last_at = found.get((la.code, str(quarter)), (None, False, None))
            state = _state(latest is not None, late, opens, closes, today)
            first = visible_from(principal, la.code, window_state(session, region_id, quarter))
            readable = first is not None and today >= first
            cells.append(
                TrackerCell(quarter, state, latest, last_at, readable, None if readable else first)
            )
        table.append(TrackerRow(la, tuple(cells)))
    return Tracker(region, year, {q: windows[q] for q in ordered}, tuple(table))


def submittable_las(principal: Principal, region_id: str) -> list[LocalAuthority]:
    """The region's LAs this person may submit for: their own, or every one for a coordinator."""
    region = region_or_404(region_id)
    return [
        la
        for la in region.local_authorities
        if can(principal, Action.SUBMIT_RETURN, Scope(region_id, la.code))
    ]
