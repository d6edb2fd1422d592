"""Opening a region's annual cycle and keeping its calendar."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

# actor_of: app/triads/service.py still imports it from here.
from app.audit.entries import actor_of as actor_of
from app.audit.entries import record_in_cycle
from app.auth.permissions import Action, Scope, can, require
from app.auth.principal import Principal
from app.cycles.schemas import STAGE_LABELS, CalendarInput, OpenCycleInput, StageDates
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Cycle, ReturnWindow, SelfEvaluation, StageWindow
from app.reference import get_reference
from app.reference.models import Region
from app.returns.periods import Quarter
from app.returns.windows import create_windows


def region_or_404(region_id: str) -> Region:
    region = get_reference().regions.get(region_id)
    if region is None:
        raise NotFound("There is no such region.")
    return region


def get_cycle(session: Session, principal: Principal | None, region_id: str, year: str) -> Cycle:
    """The cycle, if the principal may see this region's cycles."""
    region_or_404(region_id)
    require(principal, Action.VIEW_CYCLE, Scope(region_id))
    cycle = session.execute(
        select(Cycle).where(Cycle.region_id == region_id, Cycle.year == year)
    ).scalar_one_or_none()
    if cycle is None:
        raise NotFound(f"There is no {year} cycle for this region yet.")
    return cycle


def cycles_in_region(session: Session, principal: Principal, region_id: str) -> list[Cycle]:
    region_or_404(region_id)
    require(principal, Action.VIEW_CYCLE, Scope(region_id))
    return list(
        session.execute(
            select(Cycle).where(Cycle.region_id == region_id).order_by(Cycle.year.desc())
        ).scalars()
    )


def visible_regions(principal: Principal) -> list[Region]:
    """The regions whose cycles the principal may see."""
    return [
        region
        for region in get_reference().regions.values()
        if can(principal, Action.VIEW_CYCLE, Scope(region.id))
    ]


def _check_windows(year: str, windows: dict[str, StageDates]) -> None:
    start_year = int(year[:4])
    first, last = date(start_year, 4, 1), date(start_year + 1, 3, 31)
    for stage, dates in windows.items():
        if dates.opens < first or dates.closes > last:
            raise InvalidInput(
                f"{STAGE_LABELS[stage]} must open and close within the cycle year "
                f"(1 April {start_year} to 31 March {start_year + 1})",
                field=f"{stage}-opens",
            )


def _check_sources(windows: dict[str, StageDates]) -> None:
    # The capacity index is drawn from the self-evaluations and LA development plans (seed
    # 002:2210): the coordinator cannot close it before they close, as the region files cannot.
    index = windows.get("capacity_index")
    for stage, words in (
        ("self_evaluation", "the self-evaluations"),
        ("la_development_plan", "the LA development plans"),
    ):
        source = windows.get(stage)
        if index is not None and source is not None and index.closes < source.closes:
            raise InvalidInput(
                f"The regional capacity index cannot close before {words} close: it draws on them",
                field="capacity_index-closes",
            )


def open_cycle(
    session: Session, principal: Principal, region_id: str, data: OpenCycleInput
) -> Cycle:
    """Only the region's coordinator opens its cycle, once per year, with a full calendar."""
    region = region_or_404(region_id)
    require(principal, Action.OPEN_CYCLE, Scope(region_id))
    exists = session.execute(
        select(Cycle.id).where(Cycle.region_id == region_id, Cycle.year == data.year)
    ).first()
    if exists:
        raise Conflict(f"The {data.year} cycle for {region.name} is already open.", field="year")
    defaults = region.default_calendar(data.year)
    windows = {
        stage: StageDates(opens=opens, closes=closes) for stage, (opens, closes) in defaults.items()
    }
    windows.update(data.windows or {})
    _check_windows(data.year, windows)
    _check_sources(windows)
    cycle = Cycle(region_id=region_id, year=data.year, opened_by_id=principal.user_id)
    session.add(cycle)
    session.flush()
    for stage, dates in windows.items():
        session.add(
            StageWindow(
                cycle_id=cycle.id, stage=stage, opens_on=dates.opens, closes_on=dates.closes
            )
        )
    session.flush()
    create_windows(session, cycle)
    # Every LA's self-evaluation starts as an empty draft on the template the region uses now.
    session.add_all(
        SelfEvaluation(
            cycle_id=cycle.id, la_code=la.code, template_id=region.sef_template, state="draft"
        )
        for la in region.local_authorities
    )
    session.flush()
    record_in_cycle(
        session,
        principal,
        cycle,
        ("cycle", cycle.id),
        "cycle.opened",
        f"{region.name} {data.year} cycle opened",
        {"year": data.year, "windows": _windows_payload(windows)},
    )
    return cycle


def _windows_payload(windows: dict[str, StageDates]) -> dict[str, list[str]]:
    return {s: [d.opens.isoformat(), d.closes.isoformat()] for s, d in sorted(windows.items())}


def calendar(session: Session, cycle: Cycle) -> dict[str, StageWindow]:
    rows = session.execute(select(StageWindow).where(StageWindow.cycle_id == cycle.id)).scalars()
    by_stage = {row.stage: row for row in rows}
    return {stage: by_stage[stage] for stage in STAGE_LABELS if stage in by_stage}


def update_calendar(
    session: Session, principal: Principal, cycle: Cycle, data: CalendarInput
) -> dict[str, StageWindow]:
    """The coordinator may move stage windows, within the cycle year; each move is recorded."""
    require(principal, Action.EDIT_CALENDAR, Scope(cycle.region_id))
    _check_windows(cycle.year, data.windows)
    current = calendar(session, cycle)
    merged = {s: StageDates(opens=w.opens_on, closes=w.closes_on) for s, w in current.items()}
    _check_sources(merged | data.windows)
    changed: dict[str, StageDates] = {}
    moved_returns = _move_return_windows(session, cycle, data.returns)
    for stage, dates in data.windows.items():
        row = current.get(stage)
        if row is None:
            row = StageWindow(
                cycle_id=cycle.id, stage=stage, opens_on=dates.opens, closes_on=dates.closes
            )
            session.add(row)
            changed[stage] = dates
        elif (row.opens_on, row.closes_on) != (dates.opens, dates.closes):
            row.opens_on, row.closes_on = dates.opens, dates.closes
            changed[stage] = dates
    if not changed and not moved_returns:
        return current
    session.flush()
    names = [STAGE_LABELS[s] for s in sorted(changed)] + [
        f"{q} return" for q in sorted(moved_returns)
    ]
    record_in_cycle(
        session,
        principal,
        cycle,
        ("cycle", cycle.id),
        "cycle.calendar_changed",
        "Calendar changed: " + ", ".join(names),
        {"windows": _windows_payload(changed), "returns": _windows_payload(moved_returns)},
    )
    return calendar(session, cycle)


def return_windows(session: Session, cycle: Cycle) -> dict[Quarter, ReturnWindow]:
    rows = session.execute(select(ReturnWindow).where(ReturnWindow.cycle_id == cycle.id)).scalars()
    return dict(sorted((Quarter.parse(row.period), row) for row in rows))


def _move_return_windows(
    session: Session, cycle: Cycle, wanted: dict[str, StageDates]
) -> dict[str, StageDates]:
    """A quarter's return can open only once the quarter has ended; each move is kept."""
    rows = return_windows(session, cycle)
    moved: dict[str, StageDates] = {}
    for text, dates in wanted.items():
        try:
            quarter = Quarter.parse(text)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="returns") from None
        row = rows.get(quarter)
        if row is None:
            raise InvalidInput(
                f"{text} is not a quarter of the {cycle.year} cycle", field="returns"
            )
        if dates.opens <= quarter.ends_on:
            raise InvalidInput(
                f"The {quarter} return can open only after the quarter ends on "
                f"{quarter.ends_on:%-d %B %Y}",
                field=f"return-{quarter.slug}-opens",
            )
        if (row.opens_on, row.closes_on) != (dates.opens, dates.closes):
            row.opens_on, row.closes_on = dates.opens, dates.closes
            moved[str(quarter)] = dates
    return moved


@dataclass(frozen=True)
class StageState:
    stage: str
    label: str
    opens_on: date
    closes_on: date


def stage_states(session: Session, cycle: Cycle) -> list[StageState]:
    return [
        StageState(stage, STAGE_LABELS[stage], row.opens_on, row.closes_on)
        for stage, row in calendar(session, cycle).items()
    ]
