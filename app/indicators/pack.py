"""The regional dashboard and LA profile as plain data, and their PDF packs cached by input hash.

Pages and packs read the same contexts, so a figure, flag or chart is worked out once and shown
the same way on screen and on paper. Visibility is applied while the context is built: rows only
for the LAs the person may see, the region's aggregates only when they may see the whole region.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from app import clock
from app.auth.principal import Principal
from app.errors import NotFound, NotPermitted
from app.indicators.benchmarks import Benchmark, trend
from app.indicators.charts import (
    DIRECTION_WORDS,
    POLARITY_WORDS,
    Chart,
    EnglandReference,
    Figure,
    figure,
    format_value,
    trend_chart,
)
from app.indicators.export import visible_quarter
from app.indicators.flags import Flag, earlier_quarters, flags_for_region, strength
from app.indicators.period_choice import PROVISIONAL, PUBLISHED, period_choices
from app.indicators.periods import Period, Quarter, trailing
from app.indicators.visibility import can_see_la, can_see_region
from app.indicators.windows import WindowState, read_windows, window_state
from app.pack.cache import cached_or_rendered
from app.pack.render import render_template_pdf
from app.reference import Indicator, get_reference
from app.structured_text import canonical_json


@dataclass(frozen=True)
class Column:
    indicator_id: str
    name: str
    polarity_text: str
    definition: str
    median_text: str | None
    england_text: str | None


@dataclass(frozen=True)
class Row:
    la_code: str
    la_name: str
    figures: tuple[Figure, ...]
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class Dashboard:
    region_id: str
    region_name: str
    riia: str
    period: str
    slug: str
    period_label: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    aggregates_visible: bool
    notice: str | None
    periods: tuple[tuple[str, str], ...]  # (slug, label): quarters, then published years
    sort: str
    order: str
    source: str = "provisional"  # or "published": a reporting year of DfE's annual figures


@dataclass(frozen=True)
class IndicatorProfile:
    indicator_id: str
    name: str
    definition: str
    polarity_text: str
    polarity_note: str
    figure: Figure
    region_median_text: str | None
    rank_text: str | None
    england_text: str | None
    neighbours_text: str | None
    chart: Chart


@dataclass(frozen=True)
class Profile:
    region_id: str
    region_name: str
    riia: str
    la_code: str
    la_name: str
    period: str
    slug: str
    period_label: str
    strengths: tuple[tuple[str, str], ...]  # (indicator name, why it is a strength)
    flags: tuple[Flag, ...]
    indicators: tuple[IndicatorProfile, ...]
    aggregates_visible: bool
    notice: str | None


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _england_text(b: Benchmark | None, indicator: Indicator) -> str | None:
    if b is None or b.england_value is None:
        return None
    value = format_value(b.england_value, indicator.unit, indicator.decimals)
    return f"{value} (published {b.england_period})"


def _notice(window: WindowState | None, aggregates: bool, seen: int, today: date) -> str | None:
    if aggregates:
        return None
    if window is None:
        return "No return window is set for this quarter yet, so only your own figures are shown."
    if today < window.region_release_on:
        when = _day(window.region_release_on)
    else:
        when = _day(window.risl_release_on)
    if seen:
        return (
            f"Only figures you may already see are shown. Other local authorities' figures and "
            f"the region's medians are shared with you from {when}, under the region's data terms."
        )
    return (
        f"Figures for this quarter are shared with you from {when}, under the region's data "
        "terms. Nothing is shown until then."
    )


def _sorted_rows(rows: list[Row], columns: Sequence[Column], sort: str, order: str) -> list[Row]:
    ids = [c.indicator_id for c in columns]
    if sort not in ids:
        return sorted(rows, key=lambda r: r.la_name, reverse=order == "desc")
    index = ids.index(sort)
    known = [r for r in rows if r.figures[index].value is not None]
    unknown = [r for r in rows if r.figures[index].value is None]
    known.sort(key=lambda r: (r.figures[index].value, r.la_name), reverse=order == "desc")
    # Rows without a value stay at the end whichever way the column is sorted.
    return known + sorted(unknown, key=lambda r: r.la_name)


def build_dashboard(
    session: Session,
    principal: Principal,
    region_id: str,
    quarter: Period,
    *,
    sort: str = "la",
    order: str = "asc",
    today: date | None = None,
) -> Dashboard:
    """Every LA the person may see by every indicator, with direction and flags."""
    reference = get_reference()
    region = reference.regions.get(region_id)
    if region is None:
        raise NotFound("There is no such region.")
    on = today or clock.today()
    # The quarters the worsening run looks back over come from the same statements, so the
    # region's benchmarks are computed once for the page, flags included.
    view = visible_quarter(
        session, principal, region_id, quarter, today=on, earlier=earlier_quarters(region_id)
    )
    benchmarks, window, aggregates = view.benchmarks, view.window, view.aggregates
    seen = {b.la_code for b in benchmarks}
    flags = (
        flags_for_region(
            session, region_id, quarter, las=seen, today=on, aggregates=aggregates,
            benchmarks=benchmarks, earlier=view.earlier, window=window,
        )
        if seen and isinstance(quarter, Quarter)  # flags read quarterly returns
        else []
    )  # fmt: skip
    flagged = {(f.la_code, f.indicator_id) for f in flags}
    indicators = reference.indicators
    by_la: dict[str, list[Benchmark]] = {}
    for b in benchmarks:
        by_la.setdefault(b.la_code, []).append(b)
    first = {b.indicator_id: b for b in next(iter(by_la.values()), [])}
    columns = tuple(
        Column(
            indicator_id=i.id,
            name=i.name,
            polarity_text=POLARITY_WORDS[i.polarity],
            definition=i.definition,
            median_text=format_value(first[i.id].region_median, i.unit, i.decimals)
            if aggregates and i.id in first
            else None,
            england_text=_england_text(first.get(i.id), i),
        )
        for i in indicators.values()
    )
    rows = [
        Row(
            la_code=code,
            la_name=items[0].la_name,
            figures=tuple(
                figure(b, indicators[b.indicator_id], (code, b.indicator_id) in flagged)
                for b in items
            ),
            flags=tuple(f for f in flags if f.la_code == code),
        )
        for code, items in by_la.items()
    ]
    order = "desc" if order == "desc" else "asc"
    return Dashboard(
        region_id=region_id,
        region_name=region.name,
        riia=region.riia,
        period=str(quarter),
        slug=quarter.slug,
        period_label=quarter.label,
        columns=columns,
        rows=tuple(_sorted_rows(rows, columns, sort, order)),
        aggregates_visible=aggregates,
        notice=_notice(window, aggregates, len(seen), on),
        periods=period_choices(session, region_id, quarter),
        sort=sort if sort in indicators else "la",
        order=order,
        source="provisional" if isinstance(quarter, Quarter) else "published",
    )


def _visible_trend(
    session: Session, principal: Principal, la_code: str, quarter: Quarter, on: date
) -> dict[str, list]:  # type: ignore[type-arg]
    region_id = get_reference().region_of(la_code).id
    read_windows(session, region_id, trailing(quarter, 8))
    shown = {
        str(q): can_see_region(principal, region_id, window_state(session, region_id, q), on)
        for q in trailing(quarter, 8)
    }
    return {
        indicator_id: [
            p
            if shown.get(p.period, False)
            else replace(p, region_median=None, statistical_neighbour_mean=None)
            for p in points
        ]
        for indicator_id, points in trend(session, la_code, quarter).items()
    }


def build_profile(
    session: Session,
    principal: Principal,
    region_id: str,
    la_code: str,
    quarter: Quarter,
    *,
    today: date | None = None,
) -> Profile:
    """One LA's quarter: strengths first, then signatures of risk, then every indicator."""
    reference = get_reference()
    region = reference.regions.get(region_id)
    if region is None or la_code not in {la.code for la in region.local_authorities}:
        raise NotFound("There is no such local authority in this region.")
    la = region.local_authority(la_code)
    on = today or clock.today()
    window = window_state(session, region_id, quarter)
    if not can_see_la(principal, la_code, window, on):
        when = f" from {_day(window.region_release_on)}" if window else " later"
        raise NotPermitted(
            f"{la.name}'s figures for {quarter} are not shared with you yet. They are shared"
            f"{when}, under the region's data terms."
        )
    view = visible_quarter(
        session, principal, region_id, quarter, today=on, earlier=earlier_quarters(region_id)
    )
    aggregates = view.aggregates
    benchmarks = [b for b in view.benchmarks if b.la_code == la_code]
    flags = flags_for_region(
        session, region_id, quarter, las={la_code}, today=on, aggregates=aggregates,
        benchmarks=benchmarks, earlier=view.earlier, window=window,
    )  # fmt: skip
    flagged = {f.indicator_id for f in flags}
    trends = _visible_trend(session, principal, la_code, quarter, on)
    strengths = []
    indicators = []
    for b in benchmarks:
        indicator = reference.indicators[b.indicator_id]
        why = strength(b, indicator, aggregates)
        if why:
            strengths.append((indicator.name, why))

        def fmt(value: float | None, i: Indicator = indicator) -> str:
            return format_value(value, i.unit, i.decimals)

        england = (
            EnglandReference(f"England, published {b.england_period}", b.england_value)
            if b.england_value is not None and b.england_period
            else None
        )
        chart = trend_chart(
            trends.get(b.indicator_id, []),
            title=indicator.name,
            unit=indicator.unit,
            decimals=indicator.decimals,
            direction=DIRECTION_WORDS.get(b.direction, "").lower() or None,
            england=england,
            chart_id=f"chart-{b.indicator_id}",
        )
        indicators.append(
            IndicatorProfile(
                indicator_id=b.indicator_id,
                name=indicator.name,
                definition=indicator.definition,
                polarity_text=POLARITY_WORDS[indicator.polarity],
                polarity_note=indicator.polarity_note,
                figure=figure(b, indicator, b.indicator_id in flagged),
                region_median_text=fmt(b.region_median) if aggregates else None,
                rank_text=f"{b.region_rank} of {b.region_count}"
                if aggregates and b.region_rank is not None
                else None,
                england_text=f"{fmt(b.england_value)} (published {b.england_period})"
                if england
                else None,
                neighbours_text=f"{fmt(b.statistical_neighbour_mean)} "
                f"(mean of {b.statistical_neighbour_count} with figures)"
                if aggregates and b.statistical_neighbour_mean is not None
                else None,
                chart=chart,
            )
        )
    return Profile(
        region_id=region_id,
        region_name=region.name,
        riia=region.riia,
        la_code=la_code,
        la_name=la.name,
        period=str(quarter),
        slug=quarter.slug,
        period_label=quarter.label,
        strengths=tuple(strengths),
        flags=tuple(flags),
        indicators=tuple(indicators),
        aggregates_visible=aggregates,
        notice=_notice(window, aggregates, 1, on),
    )


def input_hash(kind: str, context: Dashboard | Profile) -> str:
    """SHA-256 of everything a pack prints: equal inputs give an equal cache key."""
    payload = canonical_json({"kind": kind, "context": asdict(context)})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _cached_pdf(session: Session, kind: str, subject: str, context: Dashboard | Profile) -> bytes:
    published = isinstance(context, Dashboard) and context.source == "published"
    note = PUBLISHED if published else PROVISIONAL
    template, title = (
        (
            "data_pack.html",
            f"{context.riia}: {'published' if published else 'quarterly'} data pack {context.period}",
        )
        if isinstance(context, Dashboard)
        else ("la_profile.html", f"{context.la_name}: data profile {context.period}")
    )
    return cached_or_rendered(
        session,
        input_hash(kind, context),
        kind,
        subject,
        lambda: render_template_pdf(
            template,
            {"pack": context, "pack_title": title, "provisional": note},
            title=title,
        ),
    )


def data_pack_pdf(session: Session, principal: Principal, region_id: str, quarter: Period) -> bytes:
    """The region's data pack (a quarter or a published year) as this person may see it; from the
    cache if unchanged."""
    context = build_dashboard(session, principal, region_id, quarter)
    return _cached_pdf(session, "indicator_data_pack", region_id, context)


def profile_pdf(
    session: Session, principal: Principal, region_id: str, la_code: str, quarter: Quarter
) -> bytes:
    """The LA's data profile as this person may see it; from the cache if unchanged."""
    context = build_profile(session, principal, region_id, la_code, quarter)
    return _cached_pdf(session, "la_profile", la_code, context)
