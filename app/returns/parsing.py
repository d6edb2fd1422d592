"""Reading a returns file (CSV or XLSX) within safe limits into a table of text cells, and
reading one cell as a value (row_checks.py turns the table into each LA's values).

Nothing here touches the database.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import openpyxl.xml

from app.errors import InvalidInput, PayloadTooLarge
from app.reference import get_reference
from app.reference.models import Indicator
from app.returns.schemas import MISSING_CODES

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
