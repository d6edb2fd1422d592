"""Properties of the triad proposal (issue 12, "Triads that rotate and respect conflicts"):
region sizes 2 to 40, rotation over five cycles, conflicts and determinism, on synthetic regions.

The algorithm is a pure function of (LA codes in order, past groupings, conflicts), so these tests
need neither the database nor the region files.
"""

import time
from collections.abc import Iterator, Sequence
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.triads.proposal import (
    EXACT_UP_TO,
    KeepApart,
    PastGrouping,
    Proposal,
    group_notes,
    group_sizes,
    propose,
    recent,
    summary,
)

Groups = list[list[str]]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def codes_of(size: int) -> list[str]:
    return [f"E{number:08d}" for number in range(size)]


def year_of(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def pairs(groups: Sequence[Sequence[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for group in groups for pair in combinations(group, 2)}


def cut(order: Sequence[str]) -> Groups:
    groups, start = [], 0
    for size in group_sizes(len(order)):
        groups.append(list(order[start : start + size]))
        start += size
    return groups


def old_shift_rule(codes: Sequence[str], year: str) -> Groups:
    """The rule issue 12 replaces: the LAs in order, rotated by the cycle's start year, cut."""
    offset = int(year[:4]) % len(codes)
    return cut(list(codes[offset:]) + list(codes[:offset]))


def repeats(groups: Groups, past: Sequence[PastGrouping]) -> int:
    met = set().union(*(pairs(p.groups) for p in past)) if past else set()
    return len(pairs(groups) & met)


def clashes(groups: Groups, conflicts: Sequence[KeepApart]) -> int:
    apart = set().union(*(pairs([c.codes]) for c in conflicts)) if conflicts else set()
    return len(pairs(groups) & apart)


def every_grouping(codes: list[str], sizes: list[int]) -> Iterator[Groups]:
    """Brute force: every way to cut the codes into groups of these sizes."""
    if not codes:
        yield []
        return
    first, rest = codes[0], codes[1:]
    for size in sorted(set(sizes)):
        left = list(sizes)
        left.remove(size)
        for others in combinations(rest, size - 1):
            remaining = [c for c in rest if c not in others]
            for tail in every_grouping(remaining, left):
                yield [[first, *others], *tail]


@st.composite
def groupings(draw: st.DrawFn, codes: list[str]) -> tuple[tuple[str, ...], ...]:
    order = draw(st.permutations(codes))
    return tuple(tuple(group) for group in cut(order))


@st.composite
def histories(draw: st.DrawFn, codes: list[str], cycles: int = 3) -> list[PastGrouping]:
    count = draw(st.integers(0, cycles))
    return [PastGrouping(year_of(2025 - age), draw(groupings(codes))) for age in range(count)]


@st.composite
def apart(draw: st.DrawFn, codes: list[str], most: int) -> list[KeepApart]:
    """Disjoint pairs and triples of LAs to keep apart, as region files list them."""
    order = draw(st.permutations(codes))
    conflicts, start = [], 0
    for _ in range(draw(st.integers(0, most))):
        size = draw(st.sampled_from([2, 2, 3]))
        if start + size > len(order):
            break
        conflicts.append(KeepApart(tuple(order[start : start + size]), "one partnership"))
        start += size
    return conflicts


def check_partition(proposal: Proposal, codes: list[str]) -> None:
    groups = proposal.codes()
    assert sorted(c for g in groups for c in g) == sorted(codes)
    assert sorted(map(len, groups)) == sorted(group_sizes(len(codes)))


@FAST
@given(st.data(), st.integers(2, 40))
def test_every_la_is_in_one_group_sized_as_today(data: st.DataObject, size: int) -> None:
    codes = codes_of(size)
    past = data.draw(histories(codes))
    check_partition(propose(codes, past, data.draw(apart(codes, 3))), codes)


@FAST
@given(st.data(), st.integers(2, 40))
def test_the_same_inputs_give_the_same_proposal(data: st.DataObject, size: int) -> None:
    codes = codes_of(size)
    past, conflicts = data.draw(histories(codes)), data.draw(apart(codes, 3))
    first = propose(codes, past, conflicts)
    again = propose(list(codes), list(reversed(past)), list(conflicts))
    assert first == again


@FAST
@given(st.data(), st.integers(2, 9))
def test_small_regions_get_the_best_grouping_there_is(data: st.DataObject, size: int) -> None:
    """Fewest conflicts placed, then fewest repeats: checked against every grouping."""
    codes = codes_of(size)
    past, conflicts = data.draw(histories(codes)), data.draw(apart(codes, 3))
    proposal = propose(codes, past, conflicts)
    best = min(
        (clashes(g, conflicts), repeats(g, past)) for g in every_grouping(codes, group_sizes(size))
    )
    got = proposal.codes()
    assert (clashes(got, conflicts), repeats(got, past)) == best
    assert proposal.exhaustive


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 40), st.integers(0, 39))
def test_five_cycles_rotate_at_least_as_well_as_the_old_rule(size: int, shift: int) -> None:
    """Each cycle proposed after the ones before repeats no more pairs of the last three than
    the old shift-by-one-a-year rule would, and none where no grouping needs to (small sizes)."""
    codes = codes_of(size)
    codes = codes[shift % size :] + codes[: shift % size]
    past: list[PastGrouping] = []
    for start in range(2026, 2031):
        year = year_of(start)
        last_three = recent(past, year)
        proposal = propose(codes, last_three, ())
        check_partition(proposal, codes)
        got = repeats(proposal.codes(), last_three)
        assert got <= repeats(old_shift_rule(codes, year), last_three), year
        assert got == sum(len(g.repeats) for g in proposal.groups)
        if size <= 9:
            fewest = min(repeats(g, last_three) for g in every_grouping(codes, group_sizes(size)))
            assert got == fewest, year
        past.append(PastGrouping(year, tuple(map(tuple, proposal.codes()))))


@FAST
@given(st.data(), st.integers(13, 40))
def test_conflicts_are_never_grouped_in_larger_regions(data: st.DataObject, size: int) -> None:
    """Disjoint pairs and triples can always be kept apart once a region has five groups."""
    codes = codes_of(size)
    conflicts = data.draw(apart(codes, 6))
    proposal = propose(codes, data.draw(histories(codes)), conflicts)
    assert clashes(proposal.codes(), conflicts) == 0
    assert not any(group.clashes for group in proposal.groups)


def test_only_the_last_three_cycles_count() -> None:
    past = [PastGrouping(year_of(start), ()) for start in range(2020, 2027)]
    assert [p.year for p in recent(past, "2026-27")] == ["2025-26", "2024-25", "2023-24"]


def test_a_forty_la_region_answers_well_under_a_second() -> None:
    codes = codes_of(40)
    past = [PastGrouping(year_of(2025 - age), tuple(map(tuple, cut(codes[age:] + codes[:age]))))
            for age in range(3)]  # fmt: skip
    conflicts = [KeepApart((codes[i], codes[i + 1]), "one Trust") for i in range(0, 12, 2)]
    started = time.perf_counter()
    proposal = propose(codes, past, conflicts)
    assert time.perf_counter() - started < 1.0
    assert clashes(proposal.codes(), conflicts) == 0
    assert repeats(proposal.codes(), past) == 0
    assert not proposal.exhaustive and EXACT_UP_TO < 40


NAMES = {"A": "Derby", "B": "Nottingham", "C": "Lincolnshire", "D": "Rutland"}


def test_each_group_says_which_pairs_met_again_and_when() -> None:
    past = [PastGrouping("2025-26", (("A", "B", "C"),)), PastGrouping("2024-25", (("A", "B"),))]
    proposal = propose(["A", "B", "C"], past, ())
    (group,) = proposal.groups
    assert group_notes(proposal, group, NAMES) == [
        "Derby and Nottingham met in 2024-25 and 2025-26.",
        "Derby and Lincolnshire met in 2025-26.",
        "Nottingham and Lincolnshire met in 2025-26.",
    ]
    assert summary(proposal) == (
        "3 pairs meet again from 2024-25 and 2025-26: the fewest possible; no authorities the "
        "region keeps apart are grouped together."
    )


def test_a_conflict_no_grouping_can_avoid_is_placed_and_named() -> None:
    """Three LAs make one triad: a conflict among them cannot be kept apart, so it is said."""
    proposal = propose(["A", "B", "C"], [], [KeepApart(("A", "C"), "one Trust runs both")])
    (group,) = proposal.groups
    assert group_notes(proposal, group, NAMES) == [
        "Derby and Lincolnshire are together although the region keeps them apart (one Trust "
        "runs both): no grouping of the region keeps every such pair apart."
    ]
    assert summary(proposal) == (
        "No triads were formed in the last three cycles, so there are no pairs to avoid; "
        "1 pair the region keeps apart could not be kept apart."
    )


def test_a_group_that_avoided_everything_says_so() -> None:
    proposal = propose(["A", "B", "C", "D"], [PastGrouping("2025-26", (("A", "B"), ("C", "D")))])
    assert proposal.codes() == [["A", "B", "C", "D"]]  # four LAs make one group: it must repeat
    proposal = propose(["A", "B", "C", "D", "B2", "C2"], [PastGrouping("2025-26", (("A", "B"),))])
    notes = [group_notes(proposal, g, NAMES | {"B2": "Leicester", "C2": "Derbyshire"})
             for g in proposal.groups]  # fmt: skip
    assert notes == [[
        "No two of these authorities met in a triad in the last three cycles, and no two are "
        "ones the region keeps apart."
    ]] * 2  # fmt: skip
    assert summary(proposal).startswith("No two authorities meet again who met in 2025-26")
