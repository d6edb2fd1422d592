"""Reading a returns file (CSV or XLSX) within safe limits, and checking every row of it.

Nothing here touches the database: a file becomes a table of text cells, then each LA's values,
or FileRejected carrying every problem at once with its row (header is row 1) and column.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import openpyxl
import openpyxl.xml

from app.errors import FileRejected, InvalidInput, PayloadTooLarge, RowProblem
from app.reference import get_reference
from app.reference.models import Indicator, Region
from app.returns.periods import Quarter
from app.returns.schemas import COMMENTARY_MAX, MISSING_CODES

# openpyxl parses the XML inside an XLSX with defusedxml only when it is installed; without it
# a crafted file could expand entities, so refuse to start rather than read files unsafely.
if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned dependency
    raise RuntimeError("defusedxml must be installed to read XLSX files safely")

# 2 MB as people count it: under the 2 MiB request cap, so a file at the limit plus the form's
# other fields still reaches this check and gets its friendly message.
MAX_FILE_BYTES = 2_000_000
MAX_ROWS = 5_000
XLSX_MAX_MEMBERS = 50
XLSX_MAX_UNCOMPRESSED = 20 * 1024 * 1024
XLSX_MAX_RATIO = 100
REQUIRED_COLUMNS = ("la_code", "indicator_id", "value")
TEMPLATE_COLUMNS = (
    "period",
    "la_code",
    "la_name",
    "indicator_id",
    "indicator_name",
    "unit",
    "value",
    "commentary",
)
EMPTY_VALUE = "Enter a value or a DfE code (c, x, z or u)"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_SHEET = "Return"


@dataclass(frozen=True)
class Table:
    """A file's header (lower-case names) and its non-blank rows, each with its row number."""

    columns: list[str]
    rows: list[tuple[int, list[str]]]


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _places(n: int) -> str:
    if n == 0:
        return "as a whole number"
    return f"to {n} decimal place" + ("s" if n > 1 else "")


def value_problem(indicator: Indicator, value: float, text: str | None = None) -> str | None:
    """The indicator's rule for a number: within its valid range, at most `decimals` places."""
    shown = text if text is not None else _show(value)
    if not indicator.valid_min <= value <= indicator.valid_max:
        return (
            f"{shown} is outside the range for {indicator.name}: enter a number from "
            f"{_show(indicator.valid_min)} to {_show(indicator.valid_max)}"
        )
    if text is not None:
        # read_cell's text is plain digits (it matched _NUMBER): its places are the digits after
        # the point less trailing zeros, what Decimal's normalize() gives, at a tenth the cost.
        places = len(text.partition(".")[2].rstrip("0"))
    else:
        exponent = Decimal(repr(value)).normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) else 0
    if places > indicator.decimals:
        return f"{shown} has too many decimal places: give {indicator.name} {_places(indicator.decimals)}"
    return None


def read_cell(indicator: Indicator, text: str) -> tuple[float | None, str | None]:
    """A typed cell -> (value, None) or (None, DfE code); ValueError in plain words otherwise."""
    text = text.strip()
    if not text:
        raise ValueError(EMPTY_VALUE)
    if text.lower() in MISSING_CODES:
        return None, text.lower()
    if not _NUMBER.match(text):
        raise ValueError(
            f"“{text}” is not a number or a DfE code: enter a number like 12.5, or c, x, z or u"
        )
    # float() of a decimal string is correctly rounded, the same number float(Decimal()) gives.
    value = float(text)
    problem = value_problem(indicator, value, text)
    if problem:
        raise ValueError(problem)
    return value, None


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        # repr keeps what Excel stored; Decimal writes 1e-05 as 0.00001 for the number check.
        return _show(cell) if cell.is_integer() else format(Decimal(repr(cell)), "f")
    return str(cell).strip()


def _check_size(content: bytes) -> None:
    if len(content) > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            "The file is larger than 2 MB, so it was not read and nothing was saved. "
            "A region's quarterly return is far smaller: check you chose the right file.",
            field="file",
        )


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "The file is not saved as UTF-8 text, so it could not be read. In Excel, choose "
            "Save As and then “CSV UTF-8 (Comma delimited)”.",
            field="file",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, [cell.strip() for cell in record]))
            if len(records) > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise InvalidInput(
            f"Row {reader.line_num} could not be read as CSV ({exc}): check the file is a "
            "comma-separated CSV file",
            field="file",
        ) from None
    return records


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    not_xlsx = InvalidInput(
        "The file could not be opened as an XLSX spreadsheet: save it again from Excel as "
        ".xlsx, or as CSV",
        field="file",
    )
    # An XLSX is a zip: check what it would unpack to before any XML parser sees it.
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise not_xlsx from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if (
        len(members) > XLSX_MAX_MEMBERS
        or unpacked > XLSX_MAX_UNCOMPRESSED
        or unpacked > XLSX_MAX_RATIO * max(packed, 1)
    ):
        raise InvalidInput(
            "The spreadsheet unpacks to far more than a quarterly return needs, so it was not "
            "opened. Save the return on its own in a new workbook, or as CSV.",
            field="file",
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same here
        raise not_xlsx from None
    try:
        sheet = book[_SHEET] if _SHEET in book.sheetnames else book.worksheets[0]
        records: list[tuple[int, list[str]]] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(cell) for cell in row]
            if any(cells):
                records.append((number, cells))
                if len(records) > MAX_ROWS + 1:
                    break
        return records
    finally:
        book.close()


def read_table(filename: str, content: bytes) -> Table:
    """The file's header and rows, CSV or XLSX (told apart by content, then by name)."""
    _check_size(content)
    name = filename.lower()
    if name.endswith(".xls"):
        raise InvalidInput(
            "Old .xls workbooks cannot be read: save it as .xlsx, or as CSV", field="file"
        )
    is_xlsx = content.startswith(b"PK\x03\x04") or name.endswith(".xlsx")
    records = _read_xlsx(content) if is_xlsx else _read_csv(content)
    records = [(n, cells) for n, cells in records if any(cells)]
    if not records:
        raise InvalidInput("The file is empty", field="file")
    header_row, header = records[0]
    columns = [cell.strip().lower() for cell in header]
    if len(columns) == 1 and ";" in columns[0]:
        raise InvalidInput(
            "The columns are separated by semicolons: save the file as CSV with commas",
            field="file",
        )
    rows = records[1:]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            f"The file has more than {MAX_ROWS:,} rows of values, the most one file may hold",
            field="file",
        )
    if not rows:
        raise InvalidInput("The file has a header row but no values", field="file")
    return Table(columns, rows)


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
    problems: list[RowProblem] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    for column in missing:
        problems.append(
            RowProblem(
                1,
                column,
                f"There is no {column} column: the first row must name the columns "
                "la_code, indicator_id and value",
            )
        )
    if missing:
        raise FileRejected(_summary(problems), problems)
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
            given = cells[period_at].strip()
            problems.append(
                RowProblem(
                    row,
                    "period",
                    f"The period is “{given}” but you are importing {quarter}: "
                    f"use the template for {quarter}"
                    if given
                    else f"Enter the period, {quarter}",
                )
            )
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
            problems.append(
                RowProblem(
                    row,
                    "indicator_id",
                    f"{indicator_id} is not a core indicator: use an indicator_id from the template"
                    if indicator_id
                    else "Enter the indicator_id",
                )
            )
            continue
        first = seen.setdefault((la_code, indicator_id), row)
        if first != row:
            who = la_code if la_problem else reference.local_authority(la_code).name
            said = f"{who} has “{indicator.name}” ({indicator_id}) twice: see also row {first}"
            problems.append(RowProblem(row, "indicator_id", said))
            continue
        commentary = cells[commentary_at].strip() if commentary_at is not None else ""
        if len(commentary) > COMMENTARY_MAX:
            problems.append(
                RowProblem(
                    row,
                    "commentary",
                    f"The commentary on “{indicator.name}” is {len(commentary)} characters: "
                    f"keep it to {COMMENTARY_MAX} or fewer",
                )
            )
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
    for la_code in sorted({code for code, _ in seen} - bad_las):
        name = reference.local_authority(la_code).name
        for indicator in indicators.values():
            if (la_code, indicator.id) not in seen:
                problems.append(
                    RowProblem(
                        None,
                        "indicator_id",
                        f"{name} has no row for “{indicator.name}” ({indicator.id}): add it, "
                        "with a DfE code (c, x, z or u) if there is no value",
                    )
                )
    if problems:
        raise FileRejected(_summary(problems), problems)
    return by_la


def _summary(problems: list[RowProblem]) -> str:
    count = len(problems)
    return (
        f"The file has {count} problem{'s' if count != 1 else ''}, so nothing was saved. "
        "Correct the file and upload it again."
    )


def regions_in(table: Table) -> set[str]:
    """The regions of the known LA codes in a table (for the command line, which has no page)."""
    reference = get_reference()
    if "la_code" not in table.columns:
        return set()
    index = table.columns.index("la_code")
    found = set()
    for _, cells in table.rows:
        code = cells[index].strip() if index < len(cells) else ""
        try:
            found.add(reference.region_of(code).id)
        except KeyError:
            continue
    return found
