"""The regional dashboard, LA profiles, their PDF packs, and flags and profiles as JSON."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, permission
from app.benchmarks import pack
from app.benchmarks.flags import default_quarter, visible_flags
from app.benchmarks.period_choice import source_note
from app.returns.periods import Period, Quarter, period_in_query, quarter_in_query
from app.web import as_download, render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["insight"])
DASHBOARD = "/regions/{region_id}/dashboard"
PROFILE = "/regions/{region_id}/las/{la_code}"
Viewer = Annotated[Principal, permission(Action.VIEW_BENCHMARKS)]


def _period(session: DbSession, principal: Principal, region_id: str, text: str | None) -> Quarter:
    return quarter_in_query(text) if text else default_quarter(session, principal, region_id)


@router.get(DASHBOARD, response_class=HTMLResponse)
def dashboard(
    request: Request,
    region_id: str,
    session: DbSession,
    principal: Viewer,
    period: str | None = None,
    order: str = "asc",
) -> Response:
    # A reporting year shows DfE's published figures; the default stays the latest quarter.
    shown: Period = (
        period_in_query(period) if period else _period(session, principal, region_id, None)
    )
    context = pack.build_dashboard(session, principal, region_id, shown, order=order)
    return render(
        request, "indicators/dashboard.html", {"pack": context, "provisional": source_note(shown)}
    )


@router.get(PROFILE, response_class=HTMLResponse)
def la_profile(
    request: Request,
    region_id: str,
    la_code: str,
    session: DbSession,
    principal: Viewer,
    period: str | None = None,
) -> Response:
    quarter = _period(session, principal, region_id, period)
    context = pack.build_profile(session, principal, region_id, la_code, quarter)
    return render(
        request, "indicators/profile.html", {"pack": context, "provisional": pack.PROVISIONAL}
    )


@router.get(PROFILE + "/flags", response_class=HTMLResponse)
def la_flags(
    request: Request,
    region_id: str,
    la_code: str,
    session: DbSession,
    principal: Viewer,
    period: str | None = None,
) -> Response:
    """Every signature of risk for one LA: where a pack's or profile's "and N more" leads. It
    reads the profile, so it shows exactly the flags the profile may show this reader."""
    quarter = _period(session, principal, region_id, period)
    context = pack.build_profile(session, principal, region_id, la_code, quarter)
    return render(request, "indicators/flags.html", {"pack": context})


# Sync `def` on purpose: WeasyPrint is CPU-bound and must run in the worker thread pool.
@router.get(DASHBOARD + "/{slug}/pack.pdf")
def data_pack(region_id: str, slug: str, session: DbSession, principal: Viewer) -> Response:
    shown = period_in_query(slug)
    pdf = pack.data_pack_pdf(session, principal, region_id, shown)
    return as_download(pdf, f"data-pack-{region_id}-{shown.slug}.pdf")


@router.get(PROFILE + "/{slug}/profile.pdf")
def profile_pack(
    region_id: str, la_code: str, slug: str, session: DbSession, principal: Viewer
) -> Response:
    quarter = quarter_in_query(slug)
    pdf = pack.profile_pdf(session, principal, region_id, la_code, quarter)
    return as_download(pdf, f"profile-{la_code}-{quarter.slug}.pdf")


class FlagOut(BaseModel):
    la_code: str
    indicator_id: str | None
    rule: str
    title: str
    explanation: str
    numbers: dict[str, float | int | str | None]


class IndicatorOut(BaseModel):
    indicator_id: str
    name: str
    value: float | None
    shown_as: str
    missing: str | None
    direction: str
    commentary: str | None
    region_median: str | None
    # No rank: the MoU forbids ranking members (regions/templates/mou-standard.yaml:44).
    quartile: str | None = Field(
        description="The region's quarter in words, e.g. \"in the region's lowest quarter, where "
        'lower is better". There is no rank: the alliance does not publish league tables or '
        "rank members against one another (MoU)."
    )
    england: str | None
    statistical_neighbours: str | None
    # The neighbours' published annual mean with its year, e.g. "Neighbours 2024-25
    # (published): 62.1%": a quarter's neighbours outside the region send no returns.
    statistical_neighbours_published: str | None
    trend_summary: str


class StrengthOut(BaseModel):
    indicator: str
    reason: str


class ProfileOut(BaseModel):
    la_code: str
    la_name: str
    period: str
    region_aggregates_shown: bool
    notice: str | None
    strengths: list[StrengthOut]
    flags: list[FlagOut]
    indicators: list[IndicatorOut]


def _flag_out(flag: object) -> FlagOut:
    return FlagOut.model_validate(flag, from_attributes=True)


@api_router.get("/regions/{region_id}/flags", response_model=list[FlagOut])
def get_flags(
    region_id: str,
    session: DbSession,
    principal: Viewer,
    period: Annotated[str | None, Query(description="A quarter, like 2026-27 Q1")] = None,
) -> list[FlagOut]:
    quarter = _period(session, principal, region_id, period)
    return [_flag_out(f) for f in visible_flags(session, principal, region_id, quarter)]


@api_router.get("/regions/{region_id}/las/{la_code}/profile", response_model=ProfileOut)
def get_profile(
    region_id: str,
    la_code: str,
    session: DbSession,
    principal: Viewer,
    period: Annotated[str | None, Query(description="A quarter, like 2026-27 Q1")] = None,
) -> ProfileOut:
    quarter = _period(session, principal, region_id, period)
    p = pack.build_profile(session, principal, region_id, la_code, quarter)
    return ProfileOut(
        la_code=p.la_code,
        la_name=p.la_name,
        period=p.period,
        region_aggregates_shown=p.aggregates_visible,
        notice=p.notice,
        strengths=[StrengthOut(indicator=name, reason=why) for name, why in p.strengths],
        flags=[_flag_out(f) for f in p.flags],
        indicators=[
            IndicatorOut(
                indicator_id=i.indicator_id,
                name=i.name,
                value=i.figure.value,
                shown_as=i.figure.text,
                missing=i.figure.missing_text,
                direction=i.figure.direction,
                commentary=i.figure.commentary,
                region_median=i.region_median_text,
                quartile=i.quartile_text,
                england=i.england_text,
                statistical_neighbours=i.neighbours_text,
                statistical_neighbours_published=i.figure.published_neighbours_text,
                trend_summary=i.chart.text_alternative,
            )
            for i in p.indicators
        ],
    )
