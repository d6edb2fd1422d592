"""The proposed triads: every LA once, in groups of two to four, different each year."""

import pytest

from app.reference import get_reference
from app.reference.models import Region
from app.triads.service import group_sizes, proposed_groups

REGIONS = list(get_reference().regions.values())


@pytest.mark.parametrize("region", REGIONS, ids=[r.id for r in REGIONS])
def test_every_la_is_in_one_group_of_two_to_four(region: Region) -> None:
    groups = proposed_groups(region, "2026-27")
    codes = [code for group in groups for code in group]
    assert sorted(codes) == sorted(la.code for la in region.local_authorities)
    assert all(2 <= len(group) <= 4 for group in groups)
    # Threes wherever the region's size allows: at most two groups are not three.
    assert sum(len(group) != 3 for group in groups) <= 2


@pytest.mark.parametrize("region", REGIONS, ids=[r.id for r in REGIONS])
def test_consecutive_years_group_differently(region: Region) -> None:
    def grouping(year: str) -> set[frozenset[str]]:
        return {frozenset(group) for group in proposed_groups(region, year)}

    years = ["2025-26", "2026-27", "2027-28"]
    for this, following in zip(years, years[1:], strict=False):
        assert grouping(this) != grouping(following), (this, following)


def test_the_east_midlands_has_two_threes_and_a_four() -> None:
    region = get_reference().regions["east-midlands"]
    names = {la.code: la.name for la in region.local_authorities}
    groups = proposed_groups(region, "2026-27")
    assert [len(g) for g in groups] == [3, 3, 4]
    # Sorted by name, rotated by 2026 % 10 = 6 places, each group then read by name.
    assert [[names[c] for c in g] for g in groups] == [
        ["Nottingham", "Nottinghamshire", "Rutland"],
        ["Derby", "Derbyshire", "West Northamptonshire"],
        ["Leicester", "Leicestershire", "Lincolnshire", "North Northamptonshire"],
    ]


def test_the_same_year_always_proposes_the_same_groups() -> None:
    region = get_reference().regions["london"]
    assert proposed_groups(region, "2026-27") == proposed_groups(region, "2026-27")


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        (2, [2]),
        (3, [3]),
        (4, [4]),
        (5, [3, 2]),
        (6, [3, 3]),
        (7, [3, 4]),
        (8, [4, 4]),
        (10, [3, 3, 4]),
        (11, [3, 4, 4]),
        (14, [3, 3, 4, 4]),
        (19, [3, 3, 3, 3, 3, 4]),
        (33, [3] * 11),
    ],
)
def test_group_sizes(count: int, sizes: list[int]) -> None:
    assert group_sizes(count) == sizes
