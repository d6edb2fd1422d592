"""Quarterly returns: submitting values, importing files, and the coordinator's MoU overrides.

A return is never changed: a resubmission is a new version with a reason. A file is all or
nothing: every row is checked first, and a file with any problem writes nothing.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.audit.chain import Entry, record_many
from app.audit.entries import actor_of
from app.auth.permissions import Action, Scope, can, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cycles.service import region_or_404
from app.db import add_once
from app.errors import AlreadyDone, DomainError, InvalidInput
from app.models import ImportedFile, IndicatorReturn, User
from app.reference import get_reference
from app.reference.models import LocalAuthority, Region
from app.returns import parsing
from app.returns.bulk import (
    Planned,
    Window,
    currents,
    insert_returns,
    reason_needed,
    same,
    submitted_entries,
    windows_for,
)
from app.returns.overrides import (
    command_line_principal,
    record_override,
    refuse_without_mou,
)
from app.returns.periods import Quarter
from app.returns.queries import (
    current_return,
    la_or_404,
    return_values,
    tracker,
    versions,
)
from app.returns.row_checks import FileValue, check_rows
from app.returns.schemas import ValueInput
from app.uk_dates import datetime_uk

# ImportedFile.region_id for a file holding several regions' LAs.
NATIONAL = "national"
# AuditEvent.summary is a VARCHAR(500): PostgreSQL refuses a longer one.
SUMMARY_MAX = 500

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
    window = windows_for(session, [region], quarter, today or clock.today())[region.id]
    _check_values(values)
    refuse_without_mou(session, [(window.cycle, [la])], today or clock.today())
    current = currents(session, [la_code], quarter).get(la_code)
    reason = (reason or "").strip() or None
    if current is not None:
        if same(current, values):
            raise AlreadyDone(
                f"These values are the same as version {current.version}: nothing was changed"
            )
        if reason is None:
            raise reason_needed(la, quarter, current)
    plan = [Planned(la, window, values, current)]
    created = insert_returns(
        session,
        principal,
        plan,
        source=source,
        reason=reason,
        file_sha256=file_sha256,
        demonstration=demonstration,
    )
    entries = submitted_entries(
        principal, plan, created, source=source, reason=reason, file_sha256=file_sha256
    )
    record_many(session, entries)
    return created[0]


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
    region_id: str | None,
    quarter: Quarter,
    filename: str,
    content: bytes,
    *,
    la_code: str | None = None,
    reason: str | None = None,
    today: date | None = None,
    demonstration: bool = False,
) -> ImportResult:
    """Every row checked first; any problem writes nothing; the same file twice is a no-op.

    `region_id` None imports a national file, whose LAs may be in several regions: the
    service administrator's or the command line's. Each row must still be an LA the person
    may submit for (a coordinator their region's, a data lead their own).
    """
    region = _importing_region(principal, region_id, la_code)
    today = today or clock.today()
    # Unzipping and reading a workbook happens before the first statement, so it never holds
    # the write transaction (issue 8). Its refusal waits: a region's file hears "not open yet"
    # before any problem with its rows, as it always has.
    try:
        table, unreadable = parsing.read_table(filename, content), None
    except DomainError as exc:
        table, unreadable = None, exc
    digest = hashlib.sha256(content).hexdigest()
    done = _already_imported(session, digest, quarter)
    if done is not None:
        return done
    windows = windows_for(session, [region], quarter, today) if region is not None else {}
    if unreadable is not None:
        raise unreadable
    assert table is not None
    reference = get_reference()
    may_submit = _may_submit(principal, region, la_code)
    by_la = check_rows(table, quarter, region, may_submit, yours=_yours(principal))
    las = [reference.local_authority(code) for code in by_la]
    by_region: dict[str, list[LocalAuthority]] = {}
    for la in las:
        by_region.setdefault(reference.region_of(la.code).id, []).append(la)
    regions = [r for r in reference.regions.values() if r.id in by_region]
    if region is None:
        windows = windows_for(session, regions, quarter, today)
    refuse_without_mou(session, [(windows[r.id].cycle, by_region[r.id]) for r in regions], today)
    reason = (reason or "").strip() or None
    plan, unchanged = _plan(session, las, by_la, windows, quarter, reason)
    created = insert_returns(
        session,
        principal,
        plan,
        source="upload",
        reason=reason,
        file_sha256=digest,
        demonstration=demonstration,
    )
    one = regions[0] if len(regions) == 1 else None
    cycle_id = windows[one.id].cycle.id if one else None
    _record_file(
        session,
        principal,
        plan,
        created,
        unchanged,
        filename,
        quarter,
        digest,
        reason,
        one,
        cycle_id,
    )
    names = [item.la.name for item in plan]
    message = f"{filename} was imported: {_count(len(created))} ({', '.join(names)})"
    if unchanged:
        message += f". Unchanged: {', '.join(la.name for la in unchanged)}"
    return ImportResult(False, message, tuple(created), tuple(la.name for la in unchanged))


def _importing_region(
    principal: Principal, region_id: str | None, la_code: str | None
) -> Region | None:
    """The region a file is imported into (None: a national file), once the person may."""
    region = region_or_404(region_id) if region_id is not None else None
    if region is not None and la_code is not None:
        la_or_404(region, la_code)
    if region is None:
        if not can(principal, Action.SUBMIT_RETURN):
            require(principal, Action.IMPORT_NATIONAL_RETURNS)
    else:
        require(principal, Action.SUBMIT_RETURN, Scope(region_id, la_code))
    return region


def _may_submit(
    principal: Principal, region: Region | None, la_code: str | None
) -> Callable[[str], bool]:
    """Whether a row's LA is one this person may submit for in this import."""
    reference = get_reference()

    def may_submit(code: str) -> bool:
        if la_code is not None and code != la_code:
            return False
        scope = Scope(reference.region_of(code).id, code)
        return can(principal, Action.SUBMIT_RETURN, scope) or (
            region is None and can(principal, Action.IMPORT_NATIONAL_RETURNS, scope)
        )

    return may_submit


def _plan(
    session: Session,
    las: list[LocalAuthority],
    by_la: dict[str, list[FileValue]],
    windows: dict[str, Window],
    quarter: Quarter,
    reason: str | None,
) -> tuple[list[Planned], list[LocalAuthority]]:
    """Every LA decided before any is written, so a refusal part-way leaves nothing
    half-imported: a new version to write, or unchanged."""
    reference = get_reference()
    found = currents(session, by_la, quarter)
    plan: list[Planned] = []
    unchanged: list[LocalAuthority] = []
    for la in las:
        current = found.get(la.code)
        if current is not None and same(current, by_la[la.code]):
            unchanged.append(la)
        elif current is not None and reason is None:
            raise reason_needed(la, quarter, current)
        else:
            window = windows[reference.region_of(la.code).id]
            plan.append(Planned(la, window, by_la[la.code], current))
    if not plan:
        only = found.get(las[0].code) if len(las) == 1 else None
        said = f"version {only.version}" if only else "the current returns"
        raise AlreadyDone(f"These values are the same as {said}: nothing was changed")
    return plan, unchanged


def _record_file(
    session: Session,
    principal: Principal,
    plan: list[Planned],
    created: list[IndicatorReturn],
    unchanged: list[LocalAuthority],
    filename: str,
    quarter: Quarter,
    digest: str,
    reason: str | None,
    one: Region | None,
    cycle_id: int | None,
) -> None:
    """The file's row (a second import of it at the same moment is refused) and its history:
    one entry per return written, then one for the file."""
    imported = ImportedFile(
        sha256=digest,
        period=str(quarter),
        # The column names one region; a file of several regions is recorded as national.
        region_id=one.id if one else NATIONAL,
        filename=filename[:255],
        returns_created=len(created),
        imported_by_id=principal.user_id,
    )
    add_once(
        session,
        imported,
        AlreadyDone("This file was imported by someone else at the same moment"),
    )
    names = [item.la.name for item in plan]
    entries = submitted_entries(
        principal, plan, created, source="upload", reason=reason, file_sha256=digest
    )
    entries.append(
        Entry(
            actor=actor_of(principal),
            action="returns.file_imported",
            summary=_listed(f"{filename} imported for {quarter}: {_count(len(created))}", names),
            subject_type="imported_file",
            subject_id=imported.id,
            region_id=one.id if one else None,
            cycle_id=cycle_id,
            payload={
                "sha256": digest,
                "filename": filename,
                "period": str(quarter),
                "returns": [r.id for r in created],
                "unchanged": [la.code for la in unchanged],
            },
        )
    )
    record_many(session, entries)


def _yours(principal: Principal) -> str:
    """What a person may submit for, in the words of a refused row of a national file."""
    regions = [
        get_reference().regions[a.region_id].name
        for a in principal.assignments
        if a.role is Role.REGIONAL_COORDINATOR and a.region_id
    ]
    return f"the LAs of {' and '.join(regions)}" if regions else "your own authority"


def _listed(said: str, names: list[str]) -> str:
    """`said (A, B, C)`, naming fewer LAs when a national file's would overflow the summary."""
    whole = f"{said} ({', '.join(names)})"
    if len(whole) <= SUMMARY_MAX:
        return whole
    shown: list[str] = []
    for name in names:
        left = len(names) - len(shown) - 1
        if len(f"{said} ({', '.join([*shown, name])} and {left} more)") > SUMMARY_MAX:
            break
        shown.append(name)
    return f"{said} ({', '.join(shown)} and {len(names) - len(shown)} more)"


def _count(n: int) -> str:
    return f"{n} return" + ("s" if n != 1 else "")
