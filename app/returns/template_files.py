"""The CSV and XLSX templates a data lead fills in, generated from core_indicators.yaml."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from app.reference import get_reference
from app.returns.parsing import TEMPLATE_COLUMNS
from app.returns.periods import Quarter
from app.returns.schemas import MISSING_CODES
from app.spreadsheet_safety import formula_safe

UNIT_WORDS = {
    "percent": "per cent",
    "rate_per_10k": "rate per 10,000 children",
    "ratio": "ratio",
    "count": "count",
}
GUIDANCE_COLUMNS = (
    "indicator_id",
    "indicator_name",
    "definition",
    "unit",
    "which way is better",
    "valid range",
    "decimal places",
)


def template_rows(region_id: str, quarter: Quarter, la_codes: list[str]) -> list[list[str]]:
    """Header, then one row per LA per indicator with an empty value and commentary."""
    reference = get_reference()
    region = reference.regions[region_id]
    rows = [list(TEMPLATE_COLUMNS)]
    for code in la_codes:
        la = region.local_authority(code)
        for indicator in reference.indicators.values():
            rows.append(
                [
                    str(quarter),
                    la.code,
                    la.name,
                    indicator.id,
                    indicator.name,
                    UNIT_WORDS[indicator.unit.value],
                    "",
                    "",
                ]
            )
    return rows


def guidance_rows() -> list[list[str]]:
    """Each indicator's definition and rules, then what the DfE codes mean."""
    rows = [list(GUIDANCE_COLUMNS)]
    for indicator in get_reference().indicators.values():
        low, high = indicator.valid_min, indicator.valid_max
        rows.append(
            [
                indicator.id,
                indicator.name,
                indicator.definition,
                UNIT_WORDS[indicator.unit.value],
                indicator.polarity_note,
                f"{low:g} to {high:g}",
                str(indicator.decimals),
            ]
        )
    rows.append([])
    rows.append(["DfE code", "meaning (type the letter in the value column instead of a number)"])
    rows.extend([code, meaning] for code, meaning in MISSING_CODES.items())
    return rows


def csv_template(region_id: str, quarter: Quarter, la_codes: list[str]) -> bytes:
    """The CSV template; a UTF-8 byte order mark so Excel reads the names correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in template_rows(region_id, quarter, la_codes):
        writer.writerow([formula_safe(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def xlsx_template(region_id: str, quarter: Quarter, la_codes: list[str]) -> bytes:
    """The XLSX template: a Return sheet to fill in and a Guidance sheet to read."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Return"
    for row in template_rows(region_id, quarter, la_codes):
        sheet.append([formula_safe(cell) for cell in row])
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (11, 12, 22, 34, 50, 24, 10, 50), strict=True):
        sheet.column_dimensions[column].width = width
    guidance = book.create_sheet("Guidance")
    for row in guidance_rows():
        guidance.append([formula_safe(cell) for cell in row])
    for cell in guidance[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
