"""What a reader is told about figures not yet shared with them, and from which day they are.

A pack downloaded before its figures are released to the reader is one page that says when
they will be, not a pack of empty sections (the visibility rule is app/returns/visibility.py).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from app.auth.principal import Principal
from app.returns.visibility import can_see_la
from app.returns.windows import WindowState


@dataclass(frozen=True)
class Unreleased:
    """The one page a pack becomes when none of its figures are shared with the reader yet."""

    riia: str
    region_name: str
    title: str  # e.g. "Quarterly data pack" or "Derby: data profile"
    period: str
    period_label: str
    release_on: str | None  # ISO date: the pack's cache key is JSON
    release_text: str


def day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def release_day(
    principal: Principal, la_codes: Collection[str], window: WindowState | None
) -> date | None:
    """The first release day on which this person may see any of these LAs, if there is one."""
    if window is None:
        return None
    for when in sorted({window.region_release_on, window.risl_release_on}):
        if any(can_see_la(principal, code, window, when) for code in la_codes):
            return when
    return None


def release_text(subject: str, period: str, window: WindowState | None, on: date | None) -> str:
    """The sentence that says when the figures are shared, or why they are not."""
    if window is None:
        return (
            f"No return window is set for {period} yet, so no figures for it are shared with "
            "you. This pack will fill in once the region's returns for the quarter are in and "
            "released under the region's data terms."
        )
    if on is None:
        return f"{subject} for {period} are not shared with you under the region's data terms."
    return (
        f"{subject} for {period} are shared with you from {day(on)}, under the region's data "
        f"terms. Download this pack again on or after {day(on)} to read them."
    )


def notice(window: WindowState | None, aggregates: bool, seen: int, today: date) -> str | None:
    """The note a partly released pack or page carries: what is held back, and until when."""
    if aggregates:
        return None
    if window is None:
        return "No return window is set for this quarter yet, so only your own figures are shown."
    when = day(
        window.region_release_on if today < window.region_release_on else window.risl_release_on
    )
    if seen:
        return (
            f"Only figures you may already see are shown. Other local authorities' figures and "
            f"the region's medians are shared with you from {when}, under the region's data terms."
        )
    return (
        f"Figures for this quarter are shared with you from {when}, under the region's data "
        "terms. Nothing is shown until then."
    )
