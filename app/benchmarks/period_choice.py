"""Which periods the dashboard offers, and how each says where its figures come from (issue 9).

A quarter shows the LAs' provisional returns; a reporting year shows DfE's published annual
statistics. The two are never mixed silently: the note above the figures names the source.
"""

from sqlalchemy.orm import Session

from app.benchmarks.flags import quarters_with_returns
from app.benchmarks.service import published_years
from app.returns.periods import Period, Quarter

PROVISIONAL = (
    "Quarterly figures are provisional management information returned by each local "
    "authority. They are not official statistics. England figures are DfE's published annual "
    "statistics for the year shown, kept apart from the quarterly figures."
)
PUBLISHED = (
    "Figures for a reporting year are DfE's published annual statistics for each local "
    "authority, not the quarterly returns. The region's median and quartiles and the "
    "statistical neighbours' mean are worked out from those published figures."
)


def source_note(period: Period) -> str:
    """The note shown above the figures: provisional returns or published statistics."""
    return PROVISIONAL if isinstance(period, Quarter) else PUBLISHED


def period_label(period: Period) -> str:
    """How the picker names a period: a quarter as it is, a year with its source."""
    return str(period) if isinstance(period, Quarter) else f"{period} (DfE published, annual)"


def period_choices(session: Session, region_id: str, shown: Period) -> tuple[tuple[str, str], ...]:
    """(slug, label) for the picker: quarters with returns, then years with published values.

    Both newest first; the period shown is always offered.
    """
    quarters = set(quarters_with_returns(session, region_id))
    years = set(published_years(session))
    if isinstance(shown, Quarter):
        quarters.add(shown)
    else:
        years.add(shown)
    ordered: list[Period] = [*sorted(quarters, reverse=True), *sorted(years, reverse=True)]
    return tuple((p.slug, period_label(p)) for p in ordered)
