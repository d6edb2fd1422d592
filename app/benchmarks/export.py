"""The benchmarking table as people may see it, and as CSV and XLSX downloads.

The visibility rule is applied here, once, for the API and the downloads: rows only for the LAs
the person may see this quarter, and the region's aggregates only when they may see every LA of
the region (an aggregate over values they may not see would leak them). A reporting year is
benchmarked on DfE's published statistics, which are public: whoever may view the region's
benchmarks sees every LA and the aggregates (visibility.py's rule is about the returns).
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from openpyxl import Workbook
from sqlalchemy.orm import Session

from app import clock
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.benchmarks.service import Benchmark, direction_of_travel, region_benchmark_runs
from app.errors import NotFound
from app.reference import get_reference
from app.returns.periods import Period, ReportingYear, trailing
from app.returns.visibility import can_see_region, visible_las
from app.returns.windows import WindowState, window_state
from app.spreadsheet_safety import formula_safe

HEADER = (
    "period",
    "la_code",
    "la_name",
    "indicator_id",
    "value",
    "region_median",
    "england_value",
    "statistical_neighbour_mean",
    "direction_of_travel",
)
# No rank column since issue 10: the MoU says "The alliance does not publish league tables or
# rank members against one another" (regions/templates/mou-standard.yaml:44). Quartiles stay.
EXTRA = (
    "missing_code",
    "region_q1",
    "region_q3",
    "quartile",
    "region_count",
    "england_period",
    "statistical_neighbour_count",
    "commentary",
    # Issue 9: where the value comes from, and the neighbours' published annual mean with its
    # year, beside the quarterly neighbours' mean that is nearly always empty.
    "value_source",
    "statistical_neighbour_published_mean",
    "statistical_neighbour_published_year",
    "statistical_neighbour_published_count",
)
COLUMNS = HEADER + EXTRA


def _without_aggregates(row: Benchmark, polarity: str, decimals: int) -> Benchmark:
    return replace(
        row,
        region_median=None,
        region_q1=None,
        region_q3=None,
        quartile=None,
        statistical_neighbour_mean=None,
        statistical_neighbour_count=0,
        # A two-sided direction is read against the median, so it would hint at it.
        direction=direction_of_travel(polarity, row.previous_value, row.value, decimals),
    )


@dataclass(frozen=True)
class VisibleQuarter:
    """One quarter's benchmarks as a person may see them, and what the cut was based on."""

    window: WindowState | None
    aggregates: bool  # may they see every LA of the region, and so its aggregates?
    benchmarks: list[Benchmark]
    # The quarters before, oldest first, uncut: flags read their direction of travel, never shown.
    earlier: list[list[Benchmark]] = field(default_factory=list)


def visible_quarter(
    session: Session,
    principal: Principal,
    region_id: str,
    quarter: Period,
    today: date | None = None,
    *,
    earlier: int = 0,
) -> VisibleQuarter:
    """The region's benchmarks cut to what this person may see today (MoU data terms).

    With `earlier`, that many quarters before are computed in the same statements, for the
    worsening-run flag, so a page does not compute the region's benchmarks twice. A reporting
    year's published figures are shown whole, with no earlier runs (flags read quarters).
    """
    reference = get_reference()
    if region_id not in reference.regions:
        raise NotFound("There is no region with that name.")
    require(principal, Action.VIEW_BENCHMARKS, Scope(region_id=region_id))
    if isinstance(quarter, ReportingYear):
        return VisibleQuarter(
            None, True, region_benchmark_runs(session, region_id, [quarter])[quarter]
        )
    on = today or clock.today()
    window = window_state(session, region_id, quarter)
    las = visible_las(principal, region_id, window, on)
    aggregates = can_see_region(principal, region_id, window, on)
    if not las:
        return VisibleQuarter(window, aggregates, [])
    before = trailing(quarter, earlier + 1)[:-1]
    runs = region_benchmark_runs(session, region_id, [*before, quarter], las=las)
    rows = runs[quarter]
    if not aggregates:
        indicators = reference.indicators
        rows = [
            _without_aggregates(
                r, indicators[r.indicator_id].polarity, indicators[r.indicator_id].decimals
            )
            for r in rows
        ]
    return VisibleQuarter(window, aggregates, rows, [runs[q] for q in before])


def visible_benchmarks(
    session: Session,
    principal: Principal,
    region_id: str,
    quarter: Period,
    today: date | None = None,
) -> list[Benchmark]:
    """The region's benchmarks cut to what this person may see today (MoU data terms)."""
    return visible_quarter(session, principal, region_id, quarter, today).benchmarks


def _rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def table(rows: Sequence[Benchmark]) -> list[list[object]]:
    """Rows in COLUMNS order: numbers rounded to each indicator's decimals, missing as its code."""
    indicators = get_reference().indicators
    out: list[list[object]] = []
    for r in rows:
        d = indicators[r.indicator_id].decimals
        out.append(
            [
                r.period,
                r.la_code,
                r.la_name,
                r.indicator_id,
                r.missing_code if r.value is None else _rounded(r.value, d),
                _rounded(r.region_median, d),
                _rounded(r.england_value, d),
                _rounded(r.statistical_neighbour_mean, d),
                r.direction,
                r.missing_code,
                _rounded(r.region_q1, d),
                _rounded(r.region_q3, d),
                r.quartile,
                r.region_count,
                r.england_period,
                r.statistical_neighbour_count,
                r.commentary,
                r.source,
                _rounded(r.published_neighbour_mean, d),
                r.published_neighbour_period,
                r.published_neighbour_count,
            ]
        )
    return out


def _csv_cell(value: object, decimals: int) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return formula_safe(value)


def benchmarks_csv(rows: Sequence[Benchmark]) -> str:
    """The table as CSV text, header first, with spreadsheet formulas neutralised."""
    indicators = get_reference().indicators
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for bench, cells in zip(rows, table(rows), strict=True):
        decimals = indicators[bench.indicator_id].decimals
        writer.writerow([_csv_cell(c, decimals) for c in cells])
    return buffer.getvalue()


def benchmarks_xlsx(rows: Sequence[Benchmark]) -> bytes:
    """The table as an XLSX workbook, numbers as numbers, formulas neutralised."""
    indicators = get_reference().indicators
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Benchmarks"
    sheet.append(list(COLUMNS))
    for bench, cells in zip(rows, table(rows), strict=True):
        sheet.append([formula_safe(c) for c in cells])
        decimals = indicators[bench.indicator_id].decimals
        number_format = "0" if decimals == 0 else "0." + "0" * decimals
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
