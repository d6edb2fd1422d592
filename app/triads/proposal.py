"""The triad proposal: rotate away from recent pairs, keep conflicts apart, say what could not be.

The rule is issue 12 ("Triads that rotate and respect conflicts", `issues show 12`):
- groups are sized as before (`group_sizes`: threes; fours, or a two, where the size needs it);
- no two LAs that the region file marks as in conflict share a group, unless no grouping can
  keep every conflict apart: then the proposal places the fewest conflicting pairs and names them;
- then as few pairs as possible meet again that met in a triad in the last three cycles; among
  equals, pairs that met longer ago are preferred to last year's;
- the same inputs always give the same proposal, and each group says what it could not avoid.

`propose` is a pure function of (LA codes in order, past groupings, conflicts), so it is tested
without a database. Regions of up to `EXACT_UP_TO` LAs are searched exhaustively (the result is
the best there is); larger ones start from the best of every rotation of the order (so never worse
than the old shift-by-one-a-year rule) and improve it by swapping LAs between groups, with a
seeded, bounded number of restarts.
"""

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

# How far back a pair counts as having met (issue 12: "in the last three cycles").
RECENT_CYCLES = 3
# Exhaustive search stays fast up to here (12 LAs in fours of three: 15,400 groupings).
EXACT_UP_TO = 12
# Weights: one placed conflict outweighs every repeat; one repeat outweighs every recency tie-break
# (a grouping of 40 has at most 60 pairs, each weighing at most 3 + 2 + 1 for recency).
_CONFLICT = 1_000_000
_REPEAT = 1_000
_RESTARTS = 24
_KICKS = 3
_SEED = 12  # fixed: the search is seeded so the same inputs give the same proposal


def group_sizes(count: int) -> list[int]:
    """Threes; one left over makes the last group a four; two make two fours, or a pair if small."""
    threes, left = divmod(count, 3)
    if left == 0:
        return [3] * threes
    if left == 1:
        return [3] * (threes - 1) + [4] if threes else [1]
    if count >= 8:
        return [3] * (threes - 2) + [4, 4]
    return [3] * threes + [2]


@dataclass(frozen=True)
class PastGrouping:
    """The triads formed in an earlier cycle, such as "2025-26"."""

    year: str
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class KeepApart:
    """LAs the region keeps apart (a pair or a group), and why."""

    codes: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Repeat:
    """Two LAs of a proposed group that met in a triad in these recent cycles."""

    pair: tuple[str, str]
    years: tuple[str, ...]


@dataclass(frozen=True)
class Clash:
    """Two LAs of a proposed group that the region marks as in conflict."""

    pair: tuple[str, str]
    reason: str


@dataclass(frozen=True)
class ProposedGroup:
    codes: tuple[str, ...]
    repeats: tuple[Repeat, ...]
    clashes: tuple[Clash, ...]


@dataclass(frozen=True)
class Proposal:
    groups: tuple[ProposedGroup, ...]
    # The cycles whose pairs were avoided, most recent first.
    years: tuple[str, ...]
    # True when every grouping was tried, so no grouping has fewer conflicts or repeats.
    exhaustive: bool

    def codes(self) -> list[list[str]]:
        """The groups as lists of codes."""
        return [list(group.codes) for group in self.groups]


def recent(past: Iterable[PastGrouping], year: str) -> tuple[PastGrouping, ...]:
    """The last `RECENT_CYCLES` groupings before `year`, most recent first."""
    earlier = sorted((p for p in past if p.year < year), key=lambda p: p.year, reverse=True)
    return tuple(earlier[:RECENT_CYCLES])


class _Costs:
    """The cost of putting any two LAs together, and the facts behind it."""

    def __init__(
        self, codes: Sequence[str], past: Sequence[PastGrouping], conflicts: Iterable[KeepApart]
    ) -> None:
        self.index = {code: i for i, code in enumerate(codes)}
        size = len(codes)
        self.pen = [[0] * size for _ in range(size)]
        self.met: dict[tuple[int, int], list[str]] = {}
        self.why: dict[tuple[int, int], str] = {}
        newest_first = sorted(past, key=lambda p: p.year, reverse=True)
        for age, grouping in enumerate(newest_first):
            for group in grouping.groups:
                for pair in self._pairs(group):
                    self.met.setdefault(pair, []).append(grouping.year)
                    self._add(pair, len(newest_first) - age)
        for pair in self.met:
            self._add(pair, _REPEAT)
        for conflict in conflicts:
            for pair in self._pairs(conflict.codes):
                if pair not in self.why:
                    self.why[pair] = conflict.reason
                    self._add(pair, _CONFLICT)

    def _pairs(self, codes: Iterable[str]) -> list[tuple[int, int]]:
        # LAs no longer in the region (or never in it) are ignored.
        known = sorted({self.index[c] for c in codes if c in self.index})
        return list(combinations(known, 2))

    def _add(self, pair: tuple[int, int], weight: int) -> None:
        i, j = pair
        self.pen[i][j] += weight
        self.pen[j][i] += weight

    def group(self, members: Sequence[int]) -> int:
        return sum(self.pen[i][j] for i, j in combinations(members, 2))

    def total(self, groups: Sequence[Sequence[int]]) -> int:
        return sum(self.group(g) for g in groups)

    def swap_delta(self, a: list[int], b: list[int], x: int, y: int) -> int:
        """The change in cost if x (in a) and y (in b) change places."""
        px, py = self.pen[x], self.pen[y]
        delta = sum(py[k] - px[k] for k in a if k != x)
        return delta + sum(px[k] - py[k] for k in b if k != y)


def _cut(order: Sequence[int], sizes: Sequence[int]) -> list[list[int]]:
    groups, start = [], 0
    for size in sizes:
        groups.append(list(order[start : start + size]))
        start += size
    return groups


def _best_rotation(size: int, sizes: list[int], costs: _Costs) -> list[list[int]]:
    """The cheapest of every rotation of the order cut into groups (the old rule is one of them)."""
    order = list(range(size))
    starts = [_cut(order[r:] + order[:r], sizes) for r in range(size)]
    return min(starts, key=costs.total)  # min keeps the first of equals


def _descend(groups: list[list[int]], costs: _Costs) -> None:
    """Make the best swap between two groups, in place, until none lowers the cost."""
    while True:
        best, move = 0, None
        for a, b in combinations(range(len(groups)), 2):
            for x in groups[a]:
                for y in groups[b]:
                    delta = costs.swap_delta(groups[a], groups[b], x, y)
                    if delta < best:
                        best, move = delta, (a, b, x, y)
        if move is None:
            return
        a, b, x, y = move
        groups[a][groups[a].index(x)] = y
        groups[b][groups[b].index(y)] = x


def _local_search(start: list[list[int]], costs: _Costs) -> list[list[int]]:
    """Descend from the start, then from seeded random kicks of the best found, a bounded number."""
    best = [list(g) for g in start]
    _descend(best, costs)
    cost = costs.total(best)
    chance = random.Random(_SEED)  # noqa: S311 - a search, not a secret: seeded to be repeatable
    for _ in range(_RESTARTS):
        if cost == 0 or len(best) < 2:
            break
        trial = [list(g) for g in best]
        for _ in range(_KICKS):
            a, b = chance.sample(range(len(trial)), 2)
            i, j = chance.randrange(len(trial[a])), chance.randrange(len(trial[b]))
            trial[a][i], trial[b][j] = trial[b][j], trial[a][i]
        _descend(trial, costs)
        trial_cost = costs.total(trial)
        if trial_cost < cost:
            best, cost = trial, trial_cost
    return best


def _exhaustive(size: int, sizes: list[int], costs: _Costs, bound: int) -> list[list[int]] | None:
    """The cheapest grouping if one costs less than `bound` (branch and bound); else None."""
    found: list[list[list[int]]] = []
    limit = [bound]

    def fill(left: list[int], sizes_left: list[int], made: list[list[int]], cost: int) -> None:
        if cost >= limit[0]:
            return
        if not left:
            limit[0] = cost
            found.append([list(g) for g in made])
            return
        first, rest = left[0], left[1:]
        # The lowest LA left opens the next group, of each size still wanted.
        for group_size in sorted(set(sizes_left), reverse=True):
            remaining = list(sizes_left)
            remaining.remove(group_size)
            for others in combinations(rest, group_size - 1):
                group = [first, *others]
                fill(
                    [c for c in rest if c not in others],
                    remaining,
                    [*made, group],
                    cost + costs.group(group),
                )

    fill(list(range(size)), sizes, [], 0)
    return found[-1] if found else None


def _explained(groups: list[list[int]], codes: Sequence[str], costs: _Costs) -> list[ProposedGroup]:
    out = []
    for group in sorted((sorted(g) for g in groups), key=lambda g: g[0]):
        pairs = list(combinations(group, 2))
        out.append(
            ProposedGroup(
                codes=tuple(codes[i] for i in group),
                repeats=tuple(
                    Repeat((codes[i], codes[j]), tuple(sorted(costs.met[(i, j)])))
                    for i, j in pairs
                    if (i, j) in costs.met
                ),
                clashes=tuple(
                    Clash((codes[i], codes[j]), costs.why[(i, j)])
                    for i, j in pairs
                    if (i, j) in costs.why
                ),
            )
        )
    return out


def propose(
    codes: Sequence[str], past: Sequence[PastGrouping], conflicts: Iterable[KeepApart] = ()
) -> Proposal:
    """Every LA once, groups sized by `group_sizes`, fewest conflicts then fewest recent repeats.

    `codes` in the order ties are broken by (the region's LAs by name); `past` the groupings
    whose pairs to avoid (see `recent`); each group lists its LAs in `codes` order, and the groups
    are ordered by their first LA.
    """
    if not codes:
        return Proposal((), tuple(p.year for p in past), exhaustive=True)
    costs = _Costs(codes, past, conflicts)
    sizes = group_sizes(len(codes))
    groups = _local_search(_best_rotation(len(codes), sizes, costs), costs)
    exhaustive = len(codes) <= EXACT_UP_TO
    if exhaustive:
        groups = _exhaustive(len(codes), sizes, costs, costs.total(groups)) or groups
    years = tuple(p.year for p in sorted(past, key=lambda p: p.year, reverse=True))
    return Proposal(tuple(_explained(groups, codes, costs)), years, exhaustive)


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def group_notes(proposal: Proposal, group: ProposedGroup, names: Mapping[str, str]) -> list[str]:
    """What this group could not avoid, in plain words; or that it avoided everything."""
    if proposal.exhaustive:
        unavoidable = "no grouping of the region keeps every such pair apart"
    else:
        unavoidable = "the proposal found no grouping that keeps every such pair apart"
    notes = [
        f"{names[c.pair[0]]} and {names[c.pair[1]]} are together although the region keeps them "
        f"apart ({c.reason}): {unavoidable}."
        for c in group.clashes
    ]
    notes += [
        f"{names[r.pair[0]]} and {names[r.pair[1]]} met in {_and(r.years)}." for r in group.repeats
    ]
    return notes or [
        "No two of these authorities met in a triad in the last three cycles, and no two are "
        "ones the region keeps apart."
    ]


def summary(proposal: Proposal) -> str:
    """One sentence on the whole proposal: what it avoided and whether anything was unavoidable."""
    repeats = sum(len(g.repeats) for g in proposal.groups)
    clashes = sum(len(g.clashes) for g in proposal.groups)
    if not proposal.years:
        start = "No triads were formed in the last three cycles, so there are no pairs to avoid"
    elif repeats == 0:
        start = f"No two authorities meet again who met in {_and(sorted(proposal.years))}"
    else:
        fewest = "the fewest possible" if proposal.exhaustive else "the fewest the proposal found"
        pairs = "pair meets" if repeats == 1 else "pairs meet"
        start = f"{repeats} {pairs} again from {_and(sorted(proposal.years))}: {fewest}"
    if clashes == 0:
        return start + "; no authorities the region keeps apart are grouped together."
    which = "pair" if clashes == 1 else "pairs"
    return start + f"; {clashes} {which} the region keeps apart could not be kept apart."
