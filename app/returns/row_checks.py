"""Checking every row of a returns table: each LA's values, or FileRejected carrying every
problem at once with its row (header is row 1) and column. Nothing here touches the database."""

from collections.abc import Callable
from typing import NamedTuple

from app.errors import FileRejected, RowProblem
from app.reference import get_reference
from app.reference.models import Region
from app.returns.parsing import REQUIRED_COLUMNS, TEMPLATE_COLUMNS, Table, read_cell
from app.returns.periods import Quarter
from app.returns.schemas import COMMENTARY_MAX


class FileValue(NamedTuple):
    """One checked value from a file: ValueInput's fields, built without pydantic because a
    national file has thousands (read_cell has already applied ValueInput's rules)."""

    indicator_id: str
    value: float | None
    missing_code: str | None
    commentary: str | None


def _la_problem(code: str, region: Region | None) -> str | None:
    reference = get_reference()
    if not code:
        return "Enter the LA's ONS code, like E06000015"
    if region is not None and code in {la.code for la in region.local_authorities}:
        return None
    try:
        la = reference.local_authority(code)
    except KeyError:
        old = [la for la in reference.local_authorities if la.dfe_code == code]
        if old:
            return f"{code} looks like an old DfE code: use the ONS code {old[0].code}"
        return f"{code} is not an LA code we know: use the LA's ONS code, like E06000015"
    if region is None:  # a national file: any LA of England, as far as the file goes
        return None
    return (
        f"{la.name} ({code}) is not in {region.name}: a file can only hold {region.name}'s returns"
    )


def check_rows(
    table: Table,
    quarter: Quarter,
    region: Region | None,
    may_submit: Callable[[str], bool],
    *,
    yours: str = "your own authority",
) -> dict[str, list[FileValue]]:
    """Each LA's values from the table; FileRejected with every problem if there is any.

    `region` None is a national file, whose LAs may be in any region; `yours` says what the
    person may submit for, when a row names an LA they may not.
    """
    reference = get_reference()
    indicators = reference.indicators
    _check_columns(table)
    problems: list[RowProblem] = []
    at = {name: table.columns.index(name) for name in TEMPLATE_COLUMNS if name in table.columns}
    # Column positions looked up once, not per cell: a national file has 3,060 rows.
    la_at, indicator_at, value_at = at["la_code"], at["indicator_id"], at["value"]
    period_at, commentary_at = at.get("period"), at.get("commentary")
    width = len(table.columns)
    period = str(quarter)
    by_la: dict[str, list[FileValue]] = {}
    seen: dict[tuple[str, str], int] = {}
    bad_las: set[str] = set()
    la_checked: dict[str, str | None] = {}  # one check per LA, not per row: files are long

    for row, cells in table.rows:
        # Short rows (a CSV line with fewer cells than the header) read as empty cells.
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        la_code, indicator_id = cells[la_at].strip(), cells[indicator_at].strip()
        if period_at is not None and cells[period_at].strip() != period:
            problems.append(_period_problem(row, cells[period_at].strip(), quarter))
        if la_code not in la_checked:
            la_problem = _la_problem(la_code, region)
            if la_problem is None and not may_submit(la_code):
                name = reference.local_authority(la_code).name
                la_problem = f"You cannot submit {name}'s return: you can submit only for {yours}"
            la_checked[la_code] = la_problem
        la_problem = la_checked[la_code]
        if la_problem:
            problems.append(RowProblem(row, "la_code", la_problem))
            bad_las.add(la_code)
        indicator = indicators.get(indicator_id)
        if indicator is None:
            problems.append(_unknown_indicator(row, indicator_id))
            continue
        first = seen.setdefault((la_code, indicator_id), row)
        if first != row:
            who = la_code if la_problem else reference.local_authority(la_code).name
            said = f"{who} has “{indicator.name}” ({indicator_id}) twice: see also row {first}"
            problems.append(RowProblem(row, "indicator_id", said))
            continue
        commentary = cells[commentary_at].strip() if commentary_at is not None else ""
        if len(commentary) > COMMENTARY_MAX:
            said = f"The commentary on “{indicator.name}” is {len(commentary)} characters: "
            said += f"keep it to {COMMENTARY_MAX} or fewer"
            problems.append(RowProblem(row, "commentary", said))
        try:
            value, code = read_cell(indicator, cells[value_at])
        except ValueError as exc:
            # People know an indicator by its name (the row number finds it in the file).
            said = str(exc)
            if indicator.name not in said:
                said = f"{indicator.name}: {said[:1].lower()}{said[1:]}"
            problems.append(RowProblem(row, "value", said))
            continue
        by_la.setdefault(la_code, []).append(
            FileValue(indicator_id, value, code, commentary or None)
        )
    problems.extend(_missing_rows({code for code, _ in seen} - bad_las, seen))
    if problems:
        raise FileRejected(_summary(problems), problems)
    return by_la


def _summary(problems: list[RowProblem]) -> str:
    count = len(problems)
    return (
        f"The file has {count} problem{'s' if count != 1 else ''}, so nothing was saved. "
        "Correct the file and upload it again."
    )


def _check_columns(table: Table) -> None:
    """FileRejected naming each required column the header lacks."""
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    problems = [
        RowProblem(
            1,
            column,
            f"There is no {column} column: the first row must name the columns "
            "la_code, indicator_id and value",
        )
        for column in missing
    ]
    if problems:
        raise FileRejected(_summary(problems), problems)


def _period_problem(row: int, given: str, quarter: Quarter) -> RowProblem:
    said = (
        f"The period is “{given}” but you are importing {quarter}: use the template for {quarter}"
        if given
        else f"Enter the period, {quarter}"
    )
    return RowProblem(row, "period", said)


def _unknown_indicator(row: int, indicator_id: str) -> RowProblem:
    said = (
        f"{indicator_id} is not a core indicator: use an indicator_id from the template"
        if indicator_id
        else "Enter the indicator_id"
    )
    return RowProblem(row, "indicator_id", said)


def _missing_rows(las: set[str], seen: dict[tuple[str, str], int]) -> list[RowProblem]:
    """A problem for each core indicator a well-formed LA has no row for."""
    reference = get_reference()
    problems = []
    for la_code in sorted(las):
        name = reference.local_authority(la_code).name
        for indicator in reference.indicators.values():
            if (la_code, indicator.id) not in seen:
                problems.append(
                    RowProblem(
                        None,
                        "indicator_id",
                        f"{name} has no row for “{indicator.name}” ({indicator.id}): add it, "
                        "with a DfE code (c, x, z or u) if there is no value",
                    )
                )
    return problems
