"""The regional dashboard and LA profile as plain data, and their PDF packs cached by input hash.

Pages and packs read the same contexts, so a figure, flag or chart is worked out once and shown
the same way on screen and on paper. Visibility is applied while the context is built: rows only
for the LAs the person may see, the region's aggregates only when they may see the whole region.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date

from sqlalchemy.orm import Session

from app import clock
from app.audit.chain import head as audit_head
from app.auth.principal import Principal
from app.benchmarks.charts import EnglandReference, format_value, trend_chart
from app.benchmarks.export import visible_quarter
from app.benchmarks.figures import (
    POLARITY_WORDS,
    direction_words,
    figure,
    quartile_words,
    strength,
)
from app.benchmarks.flags import earlier_quarters, flags_for_region
from app.benchmarks.pack_contexts import Column, Dashboard, IndicatorProfile, Profile, Row
from app.benchmarks.pack_documents import data_pack_document, profile_document
from app.benchmarks.period_choice import PROVISIONAL, PUBLISHED, period_choices
from app.benchmarks.service import Benchmark, TrendPoint
from app.benchmarks.visible_trends import region_trend_values, visible_trend
from app.errors import NotFound, NotPermitted
from app.pack import inputs
from app.pack.cache import cached_or_rendered
from app.pack.render import render_template_pdf
from app.reference import Indicator, get_reference
from app.returns.periods import Period, Quarter
from app.returns.release_notices import Unreleased, day, notice, release_day, release_text
from app.returns.visibility import can_see_la
from app.returns.windows import window_state


def _england_text(b: Benchmark | None, indicator: Indicator) -> str | None:
    if b is None or b.england_value is None:
        return None
    value = format_value(b.england_value, indicator.unit, indicator.decimals)
    return f"{value} (published {b.england_period})"


def _sorted_rows(rows: list[Row], order: str) -> list[Row]:
    # By name only: several LAs sorted by a value are a league table, which the MoU rules out
    # ("The alliance does not publish league tables or rank members against one another",
    # regions/templates/mou-standard.yaml:44).
    return sorted(rows, key=lambda r: r.la_name, reverse=order == "desc")


def build_dashboard(
    session: Session,
    principal: Principal,
    region_id: str,
    quarter: Period,
    *,
    order: str = "asc",
    today: date | None = None,
    shared: bool = False,
) -> Dashboard:
    """Every LA the person may see by every indicator, with direction and flags.

    `shared`: for a pack passed round the region, so it carries no flag that only this reader
    may see (a missed self-evaluation sign-off, app/benchmarks/flags.py).
    """
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
            reader=None if shared else principal,
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
    columns = _columns(indicators, first, aggregates)
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
        rows=tuple(_sorted_rows(rows, order)),
        aggregates_visible=aggregates,
        notice=notice(window, aggregates, len(seen), on),
        periods=period_choices(session, region_id, quarter),
        sort="la",
        order=order,
        source="provisional" if isinstance(quarter, Quarter) else "published",
    )


def _columns(
    indicators: Mapping[str, Indicator], first: dict[str, Benchmark], aggregates: bool
) -> tuple[Column, ...]:
    """The dashboard's columns: each indicator with the region's median and England's value."""
    return tuple(
        Column(
            indicator_id=i.id,
            name=i.name,
            polarity_text=POLARITY_WORDS[i.polarity],
            definition=i.definition,
            median_text=format_value(first[i.id].region_median, i.unit, i.decimals)
            if aggregates and i.id in first
            else None,
            england_text=_england_text(first.get(i.id), i),
            polarity=i.polarity,
            polarity_note=i.polarity_note,
            unit=i.unit,
            decimals=i.decimals,
            median=first[i.id].region_median if aggregates and i.id in first else None,
            england=first[i.id].england_value if i.id in first else None,
            england_period=first[i.id].england_period if i.id in first else None,
        )
        for i in indicators.values()
    )


def _has_any(point: TrendPoint) -> bool:
    return any(
        v is not None for v in (point.value, point.region_median, point.statistical_neighbour_mean)
    )


def _spreads(
    benchmarks: Sequence[Benchmark],
) -> dict[str, tuple[float, float, float, float, float]]:
    """Each indicator's lowest, quartiles and highest value across the region's LAs."""
    values: dict[str, list[float]] = {}
    quartiles: dict[str, Benchmark] = {}
    for b in benchmarks:
        if b.value is not None:
            values.setdefault(b.indicator_id, []).append(b.value)
        if b.region_median is not None:
            quartiles[b.indicator_id] = b
    spreads = {}
    for i, found in values.items():
        q = quartiles.get(i)
        if q is None or q.region_median is None:
            continue
        q1 = q.region_median if q.region_q1 is None else q.region_q1
        q3 = q.region_median if q.region_q3 is None else q.region_q3
        spreads[i] = (min(found), q1, q.region_median, q3, max(found))
    return spreads


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
        when = f" from {day(window.region_release_on)}" if window else " later"
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
        benchmarks=benchmarks, earlier=view.earlier, window=window, reader=principal,
    )  # fmt: skip
    flagged = {f.indicator_id for f in flags}
    spreads = _spreads(view.benchmarks) if aggregates else {}
    trends = visible_trend(session, principal, la_code, quarter, on)
    strengths = []
    indicators = []
    for b in benchmarks:
        indicator = reference.indicators[b.indicator_id]
        why = strength(b, indicator, aggregates)
        if why:
            strengths.append((indicator.name, why))
        indicators.append(_indicator_profile(b, indicator, flagged, aggregates, trends, spreads))
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
        notice=notice(window, aggregates, 1, on),
    )


def _indicator_profile(
    b: Benchmark,
    indicator: Indicator,
    flagged: set[str | None],
    aggregates: bool,
    trends: dict[str, list[TrendPoint]],
    spreads: dict[str, tuple[float, float, float, float, float]],
) -> IndicatorProfile:
    """One indicator of an LA's profile: its figure against the region and England, and trend."""

    def fmt(value: float | None, i: Indicator = indicator) -> str:
        return format_value(value, i.unit, i.decimals)

    england = (
        EnglandReference(f"England, published {b.england_period}", b.england_value)
        if b.england_value is not None and b.england_period
        else None
    )
    points = trends.get(b.indicator_id, [])
    # A quarter with no figure at all is left out and said once, not drawn as a gap.
    kept = [p for p in points if _has_any(p)]
    chart = trend_chart(
        kept,
        title=indicator.name,
        unit=indicator.unit,
        decimals=indicator.decimals,
        direction=None
        if b.direction == "not_known"
        else direction_words(b.direction, indicator.polarity).lower(),
        england=england,
        chart_id=f"chart-{b.indicator_id}",
    )
    return IndicatorProfile(
        indicator_id=b.indicator_id,
        name=indicator.name,
        definition=indicator.definition,
        polarity_text=POLARITY_WORDS[indicator.polarity],
        polarity_note=indicator.polarity_note,
        figure=figure(b, indicator, b.indicator_id in flagged),
        region_median_text=fmt(b.region_median) if aggregates else None,
        quartile_text=quartile_words(b.quartile, indicator.polarity) if aggregates else None,
        england_text=f"{fmt(b.england_value)} (published {b.england_period})" if england else None,
        neighbours_text=f"{fmt(b.statistical_neighbour_mean)} "
        f"(mean of {b.statistical_neighbour_count} with figures)"
        if aggregates and b.statistical_neighbour_mean is not None
        else None,
        chart=chart,
        spread=spreads.get(b.indicator_id),
        england=b.england_value,
        polarity=indicator.polarity,
        omitted=tuple(p.period for p in points if not _has_any(p)),
    )


def input_hash(kind: str, context: object) -> str:
    """SHA-256 of everything a pack prints: equal inputs give an equal cache key."""
    return inputs.input_hash(kind, asdict(context))  # type: ignore[call-overload]


def _cached_pdf(
    session: Session, kind: str, subject: str, template: str, title: str, document: object
) -> bytes:
    key = input_hash(kind, document)
    published = getattr(getattr(document, "pack", None), "source", "") == "published"
    sequence, chain_hash = audit_head(session)
    context = {
        "doc": document,
        "pack": getattr(document, "pack", document),
        "pack_title": title,
        "provisional": PUBLISHED if published else PROVISIONAL,
        # Printed as provenance; not part of the key, so an unchanged pack is not re-rendered.
        "input_hash": key,
        "rendered_at": clock.now(),
        "chain_head": f"entry {sequence}, {chain_hash}",
    }
    return cached_or_rendered(
        session, key, kind, subject, lambda: render_template_pdf(template, context, title=title)
    )


def data_pack_pdf(session: Session, principal: Principal, region_id: str, quarter: Period) -> bytes:
    """The region's data pack (a quarter or a published year) as this person may see it; from the
    cache if unchanged."""
    context = build_dashboard(session, principal, region_id, quarter, shared=True)
    kind = "indicator_data_pack"
    if not context.rows:
        region = get_reference().regions[region_id]
        window = window_state(session, region_id, quarter) if isinstance(quarter, Quarter) else None
        codes = [la.code for la in region.local_authorities]
        when = release_day(principal, codes, window)
        page = Unreleased(
            riia=context.riia,
            region_name=context.region_name,
            title="Quarterly data pack",
            period=context.period,
            period_label=context.period_label,
            release_on=when.isoformat() if when else None,
            release_text=release_text("The region's figures", context.period, window, when),
        )
        title = f"{context.riia}: quarterly data pack {context.period}, not yet released to you"
        return _cached_pdf(session, kind, region_id, "unreleased.html", title, page)
    periods: tuple[str, ...] = ()
    trends: dict[str, dict[str, tuple[float | None, ...]]] = {}
    if isinstance(quarter, Quarter):  # a published year has no quarterly trend to draw
        periods, trends = region_trend_values(
            session, principal, region_id, [r.la_code for r in context.rows], quarter, clock.today()
        )
    document = data_pack_document(context, periods, trends)
    kind_words = "published" if context.source == "published" else "quarterly"
    title = f"{context.riia}: {kind_words} data pack {context.period}"
    return _cached_pdf(session, kind, region_id, "data_pack.html", title, document)


def profile_pdf(
    session: Session, principal: Principal, region_id: str, la_code: str, quarter: Quarter
) -> bytes:
    """The LA's data profile as this person may see it; from the cache if unchanged.

    Before the LA's figures are released to a person who will see them, it is one page that
    says from when; anyone else is refused as the profile page refuses them.
    """
    region = get_reference().regions.get(region_id)
    if region is not None and la_code in {la.code for la in region.local_authorities}:
        window = window_state(session, region_id, quarter)
        when = release_day(principal, [la_code], window)
        if not can_see_la(principal, la_code, window, clock.today()) and when is not None:
            name = region.local_authority(la_code).name
            page = Unreleased(
                riia=region.riia,
                region_name=region.name,
                title=f"{name}: data profile",
                period=str(quarter),
                period_label=quarter.label,
                release_on=when.isoformat() if when else None,
                release_text=release_text(f"{name}'s figures", str(quarter), window, when),
            )
            title = f"{name}: data profile {quarter}, not yet released to you"
            return _cached_pdf(session, "la_profile", la_code, "unreleased.html", title, page)
    context = build_profile(session, principal, region_id, la_code, quarter)
    document = profile_document(context)
    title = f"{context.la_name}: data profile {context.period}"
    return _cached_pdf(session, "la_profile", la_code, "la_profile.html", title, document)
