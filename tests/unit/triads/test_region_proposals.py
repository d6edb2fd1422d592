"""The proposed triads for the shipped regions: every LA once, in groups of two to four, rotated
away from last year's pairs and keeping apart the LAs a region file marks as in conflict."""

from itertools import combinations
from pathlib import Path

import pytest

from app.reference import get_reference
from app.reference.models import Region
from app.triads.proposal import PastGrouping, group_sizes
from app.triads.service import proposal_for, proposed_groups
from tests.unit.reference_files import Edit, edit, put, refused

REGIONS = list(get_reference().regions.values())
EM = "regions/east-midlands.yaml"


def _pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for group in groups for pair in combinations(group, 2)}


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
    """Each year's proposal, made after the last one was formed, differs from it; with four groups
    or more it meets none of last year's pairs again (with three, last year's four members cannot
    all be parted, so the fewest possible meet again: checked in tests of the algorithm)."""
    past: list[PastGrouping] = []
    for year in ["2025-26", "2026-27", "2027-28"]:
        groups = proposed_groups(region, year, past)
        if past:
            last = [list(g) for g in past[-1].groups]
            assert {frozenset(g) for g in groups} != {frozenset(g) for g in last}, year
            if len(groups) >= 4:
                assert not _pairs(groups) & _pairs(last), year
        past.append(PastGrouping(year, tuple(map(tuple, groups))))


def test_the_east_midlands_has_two_threes_and_a_four_and_keeps_its_conflicts_apart() -> None:
    region = get_reference().regions["east-midlands"]
    names = {la.code: la.name for la in region.local_authorities}
    groups = proposed_groups(region, "2026-27")
    # With no triads stored, the first grouping in name order that keeps apart Derby and
    # Derbyshire, Leicester, Leicestershire and Rutland, and the two Northamptonshires.
    assert [[names[c] for c in g] for g in groups] == [
        ["Derby", "Leicestershire", "North Northamptonshire"],
        ["Derbyshire", "Leicester", "Lincolnshire"],
        ["Nottingham", "Nottinghamshire", "Rutland", "West Northamptonshire"],
    ]


def test_the_east_midlands_after_2025_26_avoids_every_pair_but_one_it_must_repeat() -> None:
    region = get_reference().regions["east-midlands"]
    names = {la.code: la.name for la in region.local_authorities}
    before = proposed_groups(region, "2025-26")
    proposal = proposal_for(region, "2026-27", [PastGrouping("2025-26", tuple(map(tuple, before)))])
    assert [[names[c] for c in g] for g in proposal.codes()] == [
        ["Derby", "Leicester", "West Northamptonshire"],
        ["Derbyshire", "Leicestershire", "Nottingham"],
        ["Lincolnshire", "North Northamptonshire", "Nottinghamshire", "Rutland"],
    ]
    # Last year's four are spread over three groups, so two of them must meet again.
    assert [g.repeats for g in proposal.groups if g.repeats] == [(proposal.groups[2].repeats[0],)]
    assert {names[c] for c in proposal.groups[2].repeats[0].pair} == {"Nottinghamshire", "Rutland"}


def test_the_east_midlands_file_names_its_conflicts() -> None:
    region = get_reference().regions["east-midlands"]
    named = [
        sorted(region.local_authority(c).name for c in k.codes) for k in region.triad_conflicts
    ]
    assert named == [
        ["Derby", "Derbyshire"],
        ["Leicester", "Leicestershire", "Rutland"],
        ["North Northamptonshire", "West Northamptonshire"],
    ]
    assert all(conflict.reason for conflict in region.triad_conflicts)


def test_the_same_year_always_proposes_the_same_groups() -> None:
    region = get_reference().regions["london"]
    assert proposed_groups(region, "2026-27") == proposed_groups(region, "2026-27")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            put("triad_conflicts.0.codes", ["E06000015", "E08000025"]),
            "triad_conflicts[0] names E08000025, which is not an LA of this region",
        ),
        (
            put("triad_conflicts.1.codes", ["E06000016", "E06000016"]),
            "an authority is listed twice in one triad conflict",
        ),
        (put("triad_conflicts.0.codes", ["E06000015"]), "at least 2 items"),
        (put("triad_conflicts.2.reason", delete=True), "missing key reason"),
    ],
)
def test_a_broken_conflict_is_refused(root: Path, change: Edit, problem: str) -> None:
    edit(root, EM, change)
    message = refused(root)
    assert message.startswith(f"{EM}: ") and problem in message, message


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
