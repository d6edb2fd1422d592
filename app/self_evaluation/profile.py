"""The LA's data profile placed beside each self-evaluation chapter.

Writers answer the data rather than retype it: each chapter of the template names its core
indicators, and the LA's latest quarter this person may see (figure, direction of travel, region
and England comparisons, trend chart, signatures of strength and of risk) is cut to those
indicators. The profile is built once, by the indicator stage's own `build_profile`, so a figure
reads the same beside a chapter as on the LA's data profile page and in its pack.
"""

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.benchmarks.flag_order import FirstFlags
from app.benchmarks.flags import Flag, default_quarter
from app.benchmarks.pack import IndicatorProfile, Profile, build_profile
from app.errors import NotFound, NotPermitted
from app.models import IndicatorReturn
from app.reference import get_reference
from app.reference.sef import SefTemplate
from app.returns.periods import Quarter
from app.returns.visibility import can_see_la
from app.returns.windows import window_state


@dataclass(frozen=True)
class ChapterProfile:
    chapter_id: str
    # The chapter's indicators in the chapter's order, only those with a figure this quarter.
    indicators: tuple[IndicatorProfile, ...]
    # Flags on one of the chapter's indicators; engagement flags stay at the profile level.
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class SefDataProfile(FirstFlags):
    la_code: str
    la_name: str
    period: str | None  # e.g. "2026-27 Q2"; None when no data can be shown
    period_label: str | None
    notice: str | None  # the profile's notice, or a plain sentence why nothing is shown
    strengths: tuple[tuple[str, str], ...]  # (indicator name, why it is a strength)
    flags: tuple[Flag, ...]  # every flag for the LA, most important first
    chapters: dict[str, ChapterProfile]  # every chapter of the template, by id
    # The page with every flag, which "and N more" links to; None when there is nothing more.
    flags_href: str | None = None


def _not_shared(la_name: str) -> str:
    return f"No quarterly figures are shared with you for {la_name} yet."


def _not_submitted(la_name: str) -> str:
    return f"{la_name} has not submitted a quarterly return yet."


def _has_figure(item: IndicatorProfile) -> bool:
    # A value, or a DfE missing code the LA returned (c, x, z, u): both say something.
    return item.figure.value is not None or item.figure.missing_text is not None


def _in_chapter(item: IndicatorProfile, chapter_id: str) -> IndicatorProfile:
    """The indicator with its chart's ids prefixed by the chapter's.

    An indicator may sit beside two chapters (referrals beside help and protection and beside
    early help), and a page or pack showing both must not repeat an id.
    """
    old = f"chart-{item.indicator_id}"
    svg = str(item.chart.svg)
    for suffix in ("-title", "-desc"):
        # Quoted, so only the id attributes match: text in the SVG has its quotes escaped.
        svg = svg.replace(f'"{old}{suffix}"', f'"{chapter_id}-{old}{suffix}"')
    # The SVG was built with every piece of text escaped; only ids of [a-z0-9_-] change here.
    chart = replace(item.chart, svg=Markup(svg))  # noqa: S704
    return replace(item, chart=chart)


def _empty_chapters(template: SefTemplate) -> dict[str, ChapterProfile]:
    return {
        c.id: ChapterProfile(chapter_id=c.id, indicators=(), flags=()) for c in template.chapters
    }


def _nothing(la_code: str, la_name: str, template: SefTemplate, notice: str) -> SefDataProfile:
    return SefDataProfile(
        la_code=la_code,
        la_name=la_name,
        period=None,
        period_label=None,
        notice=notice,
        strengths=(),
        flags=(),
        chapters=_empty_chapters(template),
    )


def _returned_quarters(session: Session, region_id: str, la_code: str) -> list[Quarter]:
    """The quarters this LA has a return for, newest first."""
    periods = session.scalars(
        select(IndicatorReturn.period)
        .where(IndicatorReturn.region_id == region_id, IndicatorReturn.organisation_code == la_code)
        .distinct()
    ).all()
    return sorted((Quarter.parse(p) for p in periods), reverse=True)


def _latest_visible(
    session: Session,
    principal: Principal,
    region_id: str,
    la_code: str,
    quarters: list[Quarter],
    on: date,
) -> Quarter:
    """This LA's newest quarter the person may see: a scrutineer whose own newer quarter is in
    still sees the LA's last released one. Otherwise the region's default quarter."""
    for quarter in quarters:
        if can_see_la(principal, la_code, window_state(session, region_id, quarter), on):
            return quarter
    return default_quarter(session, principal, region_id, on)


def _may_see(
    session: Session, principal: Principal, region_id: str, la_code: str, quarter: Quarter, on: date
) -> bool:
    # The same two checks build_profile makes, so "has not submitted" is said only to someone
    # who would see the figures had they come: whether an LA engaged is itself data.
    return can(principal, Action.VIEW_BENCHMARKS, Scope(region_id=region_id)) and can_see_la(
        principal, la_code, window_state(session, region_id, quarter), on
    )


def _chapters(profile: Profile, template: SefTemplate) -> dict[str, ChapterProfile]:
    """Each chapter's indicators (in its order, those with a figure) and the flags on them."""
    by_id = {item.indicator_id: item for item in profile.indicators}
    chapters = {}
    for chapter in template.chapters:
        listed = set(chapter.indicators)
        chapters[chapter.id] = ChapterProfile(
            chapter_id=chapter.id,
            indicators=tuple(
                _in_chapter(by_id[i], chapter.id)
                for i in chapter.indicators
                if i in by_id and _has_figure(by_id[i])
            ),
            flags=tuple(flag for flag in profile.flags if flag.indicator_id in listed),
        )
    return chapters


def sef_data_profile(
    session: Session,
    principal: Principal,
    region_id: str,
    la_code: str,
    template: SefTemplate,
    *,
    today: date | None = None,
) -> SefDataProfile:
    """The LA's latest quarter this person may see, cut to each chapter; figures not shared yet
    (or never returned) give a plain notice, not an error."""
    region = get_reference().regions.get(region_id)
    if region is None or la_code not in {la.code for la in region.local_authorities}:
        raise NotFound("There is no such local authority in this region.")
    la_name = region.local_authority(la_code).name
    on = today or clock.today()
    returned = _returned_quarters(session, region_id, la_code)
    quarter = _latest_visible(session, principal, region_id, la_code, returned, on)
    if not returned:
        shared = _may_see(session, principal, region_id, la_code, quarter, on)
        notice = _not_submitted(la_name) if shared else _not_shared(la_name)
        return _nothing(la_code, la_name, template, notice)
    try:
        profile = build_profile(session, principal, region_id, la_code, quarter, today=on)
    except NotPermitted:
        return _nothing(la_code, la_name, template, _not_shared(la_name))
    return SefDataProfile(
        la_code=la_code,
        la_name=profile.la_name,
        period=profile.period,
        period_label=profile.period_label,
        notice=profile.notice,
        strengths=profile.strengths,
        flags=profile.flags,
        chapters=_chapters(profile, template),
        flags_href=f"/regions/{region_id}/las/{la_code}/flags?period={profile.slug}",
    )


def profile_digest(profile: SefDataProfile) -> dict[str, Any]:
    """Everything the profile prints, as plain JSON-ready data: what a pack cache hashes."""
    return asdict(profile)
