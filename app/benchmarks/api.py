"""Benchmarks as JSON (/api/v1) and as CSV and XLSX downloads, cut to what the person may see."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, permission
from app.benchmarks import export
from app.returns.periods import Period, period_in_path, period_in_query
from app.web import as_download

api_router = APIRouter(prefix="/api/v1", tags=["benchmarks"])
router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BenchmarkOut(BaseModel):
    period: str
    la_code: str
    la_name: str
    indicator_id: str
    value: float | None
    missing_code: str | None
    commentary: str | None
    region_median: float | None
    region_q1: float | None
    region_q3: float | None
    region_count: int
    # No rank field since issue 10: the MoU forbids ranking members against one another
    # (regions/templates/mou-standard.yaml:44). The quartile band stays.
    quartile: int | None = Field(
        description="The region's quarter the value falls in, 1 = best by polarity; None for "
        "two-sided indicators and measures of demand. There is no rank: the alliance does not "
        "publish league tables or rank members against one another (MoU)."
    )
    england_value: float | None
    england_period: str | None
    statistical_neighbour_mean: float | None
    statistical_neighbour_count: int
    direction: str
    previous_value: float | None
    source: str  # "provisional" quarterly returns or DfE "published" annual figures
    published_neighbour_mean: float | None  # the neighbours' mean of DfE's published figures
    published_neighbour_count: int
    published_neighbour_period: str | None  # the reporting year that mean describes
    published_neighbours_text: str | None  # e.g. "Neighbours 2024-25 (published): 62.1%"


@api_router.get("/regions/{region_id}/benchmarks", response_model=list[BenchmarkOut])
def get_benchmarks(
    region_id: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_BENCHMARKS)],
    period: Annotated[
        str,
        Query(description="A quarter, like 2026-27 Q1, or a reporting year, like 2024-25"),
    ],
) -> list[BenchmarkOut]:
    rows = export.visible_benchmarks(session, principal, region_id, period_in_query(period))
    return [BenchmarkOut(**asdict(r)) for r in rows]


def _filename(region_id: str, quarter: Period, suffix: str) -> str:
    return f"benchmarks-{region_id}-{quarter.slug}.{suffix}"


@router.get("/regions/{region_id}/benchmarks/{quarter_slug}.csv")
def download_csv(
    region_id: str,
    quarter_slug: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_BENCHMARKS)],
) -> Response:
    quarter = period_in_path(quarter_slug)
    rows = export.visible_benchmarks(session, principal, region_id, quarter)
    csv = export.benchmarks_csv(rows)
    return as_download(csv, _filename(region_id, quarter, "csv"), "text/csv; charset=utf-8")


@router.get("/regions/{region_id}/benchmarks/{quarter_slug}.xlsx")
def download_xlsx(
    region_id: str,
    quarter_slug: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_BENCHMARKS)],
) -> Response:
    quarter = period_in_path(quarter_slug)
    rows = export.visible_benchmarks(session, principal, region_id, quarter)
    return as_download(export.benchmarks_xlsx(rows), _filename(region_id, quarter, "xlsx"), XLSX)
