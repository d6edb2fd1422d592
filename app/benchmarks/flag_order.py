"""Which signatures of risk matter most, and the few a pack or profile shows first.

The importance order (issue 10), for one LA:
1. non-engagement (a missing return, a missed sign-off, a late return) and breaches (a threshold
   passed, a two-sided indicator outside its sensible range);
2. the region's worst quartile;
3. a worsening run.
Within a tier, engagement comes before the figures (it colours everything else), then the
larger deviation first, measured in the indicator's tolerances so that percentages, rates and
caseloads compare; ties go by indicator id so the order never wobbles.
"""

from collections.abc import Iterable

from app.benchmarks.flag_types import Flag

ENGAGEMENT = ("missing_return", "missed_signoff", "late_return")
TIERS = {
    **dict.fromkeys(ENGAGEMENT, 0),
    "threshold": 0,
    "outside_range": 0,
    "worst_quartile": 1,
    "worsening_run": 2,
}
# The summary at the top of a pack or profile: the full list is one link away. The list holds
# one flag per indicator already (flags._order), so the first three are three concerns.
SHOWN = 3


class FirstFlags:
    """For a row, profile or pack holding `flags` most important first: the summary at the top
    shows the first few (`top_flags`), and says how many more are one link away."""

    flags: tuple[Flag, ...]

    @property
    def top_flags(self) -> tuple[Flag, ...]:
        return self.flags[:SHOWN]

    @property
    def more_flags(self) -> int:
        return max(len(self.flags) - SHOWN, 0)


def importance(flag: Flag) -> tuple[int, int, float, str]:
    engagement = ENGAGEMENT.index(flag.rule) if flag.rule in ENGAGEMENT else len(ENGAGEMENT)
    return (TIERS[flag.rule], engagement, -flag.severity, flag.indicator_id or "")


def by_importance(flags: Iterable[Flag]) -> list[Flag]:
    return sorted(flags, key=importance)
