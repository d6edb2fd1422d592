"""Quarterly returns: submitting values, importing files, and the coordinator's MoU overrides.

A return is never changed: a resubmission is a new version with a reason. A file is all or
nothing: every row is checked first, and a file with any problem writes nothing.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth.permissions import Action, Scope, can, require
from app.auth.principal import Principal
from app.cycles.service import actor_of, region_or_404
from app.errors import AlreadyDone, Conflict, InvalidInput
from app.indicators import parsing
from app.indicators.periods import Quarter
from app.indicators.return_overrides import (
    command_line_principal,
    record_override,
    refuse_without_mou,
)
from app.indicators.returns_queries import (
    current_return,
    la_or_404,
    return_values,
    tracker,
    values_of,
    versions,
)
from app.indicators.schemas import ValueInput
from app.indicators.windows import WindowState, window_state
from app.models import Cycle, ImportedFile, IndicatorReturn, ReturnValue, User
from app.reference import get_reference
from app.reference.models import LocalAuthority, Region
from app.web import date_uk, datetime_uk

__all__ = [
    "ImportResult",
    "command_line_principal",
    "current_return",
    "import_file",
    "record_override",
    "return_values",
    "submit_return",
    "tracker",
    "versions",
]


@dataclass(frozen=True)
class ImportResult:
    already_imported: bool
    message: str
    returns: tuple[IndicatorReturn, ...] = ()
    unchanged: tuple[str, ...] = ()  # names of LAs whose values were already the current ones


@dataclass(frozen=True)
class _Window:
    region: Region
    quarter: Quarter
    cycle: Cycle
    state: WindowState
    late: bool


def _window(session: Session, region: Region, quarter: Quarter, today: date) -> _Window:
    state = window_state(session, region.id, quarter)
    if state is None:
        raise Conflict(
            f"There is no {quarter.year} cycle for {region.name} yet, so returns for {quarter} "
            "cannot be accepted."
        )
    if today < state.opens_on:
        raise Conflict(f"The return for {quarter} opens on {date_uk(state.opens_on)}")
    cycle = session.execute(
        select(Cycle).where(Cycle.region_id == region.id, Cycle.year == quarter.year)
    ).scalar_one()
    return _Window(region, quarter, cycle, state, today > state.closes_on)


def _check_values(values: list[ValueInput]) -> None:
    """The same rules as a file's rows: known indicators, once each, all present, in range."""
    indicators = get_reference().indicators
    seen: set[str] = set()
    for item in values:
        indicator = indicators.get(item.indicator_id)
        if indicator is None:
            raise InvalidInput(
                f"{item.indicator_id} is not a core indicator", field=item.indicator_id
            )
        if item.indicator_id in seen:
            raise InvalidInput(
                f"{indicator.name} is given twice: give each indicator once",
                field=item.indicator_id,
            )
        seen.add(item.indicator_id)
        if item.value is not None:
            problem = parsing.value_problem(indicator, item.value)
            if problem:
                raise InvalidInput(problem, field=item.indicator_id)
    for indicator in indicators.values():
        if indicator.id not in seen:
            raise InvalidInput(
                f"Enter a value or a DfE code (c, x, z or u) for {indicator.name}",
                field=indicator.id,
            )


def _same(session: Session, current: IndicatorReturn, values: list[ValueInput]) -> bool:
    old = {
        (v.indicator_id, v.value, v.missing_code, v.commentary) for v in values_of(session, current)
    }
    new = {(v.indicator_id, v.value, v.missing_code, v.commentary or None) for v in values}
    return old == new


def _write(
    session: Session,
    principal: Principal,
    window: _Window,
    la: LocalAuthority,
    values: list[ValueInput],
    current: IndicatorReturn | None,
    *,
    source: str,
    reason: str | None,
    file_sha256: str | None,
    demonstration: bool,
) -> IndicatorReturn:
    number = current.version + 1 if current else 1
    created = IndicatorReturn(
        region_id=window.region.id,
        organisation_code=la.code,
        period=str(window.quarter),
        version=number,
        source=source,
        reason=reason,
        late=window.late,
        file_sha256=file_sha256,
        demonstration=demonstration,
        submitted_by_id=principal.user_id,
    )
    session.add(created)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Two submits at the same moment: the unique (LA, period, version) lets only one in.
        raise AlreadyDone(
            f"{la.name}'s {window.quarter} return was submitted by someone else at the same "
            "moment: nothing was changed. Reload the page to see it."
        ) from None
    # One INSERT for all values: a national file has thousands of them.
    session.execute(
        insert(ReturnValue),
        [
            {
                "return_id": created.id,
                "indicator_id": v.indicator_id,
                "value": v.value,
                "missing_code": v.missing_code,
                "commentary": v.commentary or None,
            }
            for v in values
        ],
    )
    late = ", late" if window.late else ""
    record(
        session,
        actor=actor_of(principal),
        action="returns.submitted",
        summary=f"{la.name}'s {window.quarter} return submitted (version {number}{late})",
        subject_type="indicator_return",
        subject_id=created.id,
        region_id=window.region.id,
        cycle_id=window.cycle.id,
        organisation_code=la.code,
        payload={
            "period": str(window.quarter),
            "version": number,
            "source": source,
            "late": window.late,
            "reason": reason,
            "file_sha256": file_sha256,
            "values": len(values),
            "missing": sum(1 for v in values if v.missing_code),
        },
    )
    return created


def _reason_needed(la: LocalAuthority, quarter: Quarter, current: IndicatorReturn) -> InvalidInput:
    return InvalidInput(
        f"Enter why you are changing {la.name}'s {quarter} return: version {current.version} "
        "was already accepted",
        field="reason",
    )


def submit_return(
    session: Session,
    principal: Principal,
    region_id: str,
    quarter: Quarter,
    la_code: str,
    values: list[ValueInput],
    *,
    source: str,
    reason: str | None = None,
    file_sha256: str | None = None,
    today: date | None = None,
    demonstration: bool = False,
) -> IndicatorReturn:
    """A data lead for their own LA, or the coordinator for any LA, once the window opens."""
    region = region_or_404(region_id)
    la = la_or_404(region, la_code)
    require(principal, Action.SUBMIT_RETURN, Scope(region_id, la_code))
    window = _window(session, region, quarter, today or date.today())
    _check_values(values)
    refuse_without_mou(session, window.cycle, [la])
    current = current_return(session, la_code, quarter)
    reason = (reason or "").strip() or None
    if current is not None:
        if _same(session, current, values):
            raise AlreadyDone(
                f"These values are the same as version {current.version}: nothing was changed"
            )
        if reason is None:
            raise _reason_needed(la, quarter, current)
    return _write(
        session,
        principal,
        window,
        la,
        values,
        current,
        source=source,
        reason=reason,
        file_sha256=file_sha256,
        demonstration=demonstration,
    )


def _already_imported(session: Session, digest: str, quarter: Quarter) -> ImportResult | None:
    found = session.execute(
        select(ImportedFile, User.display_name)
        .join(User, User.id == ImportedFile.imported_by_id)
        .where(ImportedFile.sha256 == digest, ImportedFile.period == str(quarter))
    ).first()
    if found is None:
        return None
    imported, name = found
    return ImportResult(
        already_imported=True,
        message=(
            f"This file was already imported on {datetime_uk(imported.imported_at)} by {name}: "
            "nothing was changed"
        ),
    )


def import_file(
    session: Session,
    principal: Principal,
    region_id: str,
    quarter: Quarter,
    filename: str,
    content: bytes,
    *,
    la_code: str | None = None,
    reason: str | None = None,
    today: date | None = None,
    demonstration: bool = False,
) -> ImportResult:
    """Every row checked first; any problem writes nothing; the same file twice is a no-op."""
    region = region_or_404(region_id)
    if la_code is not None:
        la_or_404(region, la_code)
    require(principal, Action.SUBMIT_RETURN, Scope(region_id, la_code))
    digest = hashlib.sha256(content).hexdigest()
    done = _already_imported(session, digest, quarter)
    if done is not None:
        return done
    window = _window(session, region, quarter, today or date.today())
    table = parsing.read_table(filename, content)

    def may_submit(code: str) -> bool:
        return (la_code is None or code == la_code) and can(
            principal, Action.SUBMIT_RETURN, Scope(region_id, code)
        )

    by_la = parsing.check_rows(table, quarter, region, may_submit)
    las = [region.local_authority(code) for code in by_la]
    refuse_without_mou(session, window.cycle, las)
    reason = (reason or "").strip() or None
    # Decide every LA before writing any, so a refusal part-way leaves nothing half-imported.
    plan: list[tuple[LocalAuthority, IndicatorReturn | None]] = []
    unchanged: list[LocalAuthority] = []
    for la in las:
        current = current_return(session, la.code, quarter)
        if current is not None and _same(session, current, by_la[la.code]):
            unchanged.append(la)
        elif current is not None and reason is None:
            raise _reason_needed(la, quarter, current)
        else:
            plan.append((la, current))
    if not plan:
        only = current_return(session, las[0].code, quarter) if len(las) == 1 else None
        said = f"version {only.version}" if only else "the current returns"
        raise AlreadyDone(f"These values are the same as {said}: nothing was changed")
    created = tuple(
        _write(
            session,
            principal,
            window,
            la,
            by_la[la.code],
            current,
            source="upload",
            reason=reason,
            file_sha256=digest,
            demonstration=demonstration,
        )
        for la, current in plan
    )
    imported = ImportedFile(
        sha256=digest,
        period=str(quarter),
        region_id=region_id,
        filename=filename[:255],
        returns_created=len(created),
        imported_by_id=principal.user_id,
    )
    session.add(imported)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise AlreadyDone("This file was imported by someone else at the same moment") from None
    names = [la.name for la, _ in plan]
    record(
        session,
        actor=actor_of(principal),
        action="returns.file_imported",
        summary=f"{filename} imported for {quarter}: {_count(len(created))} ({', '.join(names)})",
        subject_type="imported_file",
        subject_id=imported.id,
        region_id=region_id,
        cycle_id=window.cycle.id,
        payload={
            "sha256": digest,
            "filename": filename,
            "period": str(quarter),
            "returns": [r.id for r in created],
            "unchanged": [la.code for la in unchanged],
        },
    )
    message = f"{filename} was imported: {_count(len(created))} ({', '.join(names)})"
    if unchanged:
        message += f". Unchanged: {', '.join(la.name for la in unchanged)}"
    return ImportResult(False, message, created, tuple(la.name for la in unchanged))


def _count(n: int) -> str:
    return f"{n} return" + ("s" if n != 1 else "")
