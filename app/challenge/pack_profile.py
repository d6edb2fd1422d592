"""The triad pack's compact data profile for one LA: its spine chart and what it flags.

Built by the indicator stage's own `build_profile` and `profile_document`, so a figure, a spine
and a chart read the same as on the LA's data profile page and in its pack. Compact (packs.md:
say each thing once, a triad pack is at most 12 pages an LA): the spine chart of every indicator,
the trend chart of each flagged indicator only, the strengths and every signature of risk.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.auth.principal import Principal
from app.benchmarks.flags import Flag
from app.benchmarks.pack import build_profile
from app.benchmarks.pack_contexts import IndicatorProfile
from app.benchmarks.pack_documents import SpineRow, profile_document
from app.errors import NotPermitted
from app.models import IndicatorReturn
from app.reference import get_reference
from app.returns.periods import Quarter
from app.returns.visibility import can_see_la
from app.returns.windows import window_state

# The trend charts a section carries: one per flagged indicator, the three most important
# (as a profile's summary shows its first three signatures of risk).
CHARTS = 3


@dataclass(frozen=True)
class LaProfile:
    la_name: str
    period: str | None  # e.g. "2026-27 Q2"; None when no figures can be shown
    period_label: str | None
    notice: str | None  # the profile's notice, or why nothing is shown
    aggregates_visible: bool
    spine: tuple[SpineRow, ...]
    charts: tuple[IndicatorProfile, ...]  # the flagged indicators' trends
    strengths: tuple[tuple[str, str], ...]
    flags: tuple[Flag, ...]  # most important first


def _nothing(la_name: str, notice: str) -> LaProfile:
    return LaProfile(la_name, None, None, notice, False, (), (), (), ())


def _returned(session: Session, region_id: str, la_code: str) -> list[Quarter]:
    periods = session.scalars(
        select(IndicatorReturn.period)
        .where(IndicatorReturn.region_id == region_id, IndicatorReturn.organisation_code == la_code)
        .distinct()
    ).all()
    return sorted((Quarter.parse(p) for p in periods), reverse=True)


def _charts(
    indicators: tuple[IndicatorProfile, ...], flags: tuple[Flag, ...]
) -> tuple[IndicatorProfile, ...]:
    by_id = {i.indicator_id: i for i in indicators}
    wanted: list[str] = []
    for flag in flags:
        if flag.indicator_id in by_id and flag.indicator_id not in wanted:
            wanted.append(flag.indicator_id)
    return tuple(by_id[i] for i in wanted[:CHARTS])


def la_profile(
    session: Session,
    principal: Principal,
    region_id: str,
    la_code: str,
    *,
    today: date | None = None,
) -> LaProfile:
    """The LA's newest quarter this person may see; a plain notice when there is none."""
    la_name = get_reference().regions[region_id].local_authority(la_code).name
    on = today or clock.today()
    returned = _returned(session, region_id, la_code)
    if not returned:
        return _nothing(la_name, f"{la_name} has not submitted a quarterly return yet.")
    for quarter in returned:
        if can_see_la(principal, la_code, window_state(session, region_id, quarter), on):
            break
    else:
        return _nothing(la_name, f"No quarterly figures are shared with you for {la_name} yet.")
    try:
        profile = build_profile(session, principal, region_id, la_code, quarter, today=on)
    except NotPermitted:
        return _nothing(la_name, f"No quarterly figures are shared with you for {la_name} yet.")
    return LaProfile(
        la_name=la_name,
        period=profile.period,
        period_label=profile.period_label,
        notice=profile.notice,
        aggregates_visible=profile.aggregates_visible,
        spine=profile_document(profile).spine,
        charts=_charts(profile.indicators, profile.flags),
        strengths=profile.strengths,
        flags=profile.flags,
    )
