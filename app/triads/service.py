"""Forming a cycle's triads: a proposal that rotates and keeps conflicts apart, checked groups,
one history entry.

A triad is stored as numbered rows; each LA sits in one triad a cycle. Once any self-evaluation
of the cycle has been shared with its triad, the grouping is fixed: changing it would show a
signed text to authorities that were never meant to scrutinise it.
"""

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.cycles.service import actor_of
from app.errors import Conflict, InvalidInput
from app.models import (
    ChallengeMeeting,
    ChallengeRecord,
    Cycle,
    SelfEvaluation,
    Triad,
    TriadMember,
    TriadReviewer,
)
from app.reference import get_reference
from app.reference.models import Region
from app.self_evaluation.schemas import TriadsInput
from app.triads.proposal import (
    RECENT_CYCLES,
    KeepApart,
    PastGrouping,
    Proposal,
    propose,
    recent,
)

# The states in which a self-evaluation has been shared with its triad (as app.self_evaluation.access has
# them; not imported from there, as the scrutiny code asks this module who is in a triad).
_SHARED_STATES = ("signed", "scrutiny_closed")
_SIZE_RULE = "a triad has three, or two or four when the region's size needs it"
FIELD = "groups"


def _by_name(region: Region, codes: Iterable[str]) -> list[str]:
    names = {la.code: la.name for la in region.local_authorities}
    return sorted(codes, key=lambda code: names.get(code, code))


def conflicts_of(region: Region) -> tuple[KeepApart, ...]:
    """The region file's `triad_conflicts`, as the proposal takes them."""
    return tuple(KeepApart(c.codes, c.reason) for c in region.triad_conflicts)


def proposal_for(region: Region, year: str, past: Sequence[PastGrouping] = ()) -> Proposal:
    """The proposal for `year` (app/triads/proposal.py): the region's LAs by name, kept apart
    where the region file says so, away from pairs that met in the last three cycles of `past`."""
    codes = _by_name(region, (la.code for la in region.local_authorities))
    return propose(codes, recent(past, year), conflicts_of(region))


def proposed_groups(
    region: Region, year: str, past: Sequence[PastGrouping] = ()
) -> list[list[str]]:
    """The proposed triads for `year` as lists of codes (see `proposal_for`)."""
    return proposal_for(region, year, past).codes()


def past_groupings(session: Session, cycle: Cycle) -> list[PastGrouping]:
    """The triads of the region's last three cycles before this one, most recent first."""
    earlier = session.scalars(
        select(Cycle)
        .where(Cycle.region_id == cycle.region_id, Cycle.year < cycle.year)
        .order_by(Cycle.year.desc())
        .limit(RECENT_CYCLES)
    ).all()
    return [
        PastGrouping(c.year, tuple(tuple(group) for group in triads(session, c))) for c in earlier
    ]


def proposal(session: Session, cycle: Cycle) -> Proposal:
    """This cycle's proposal, rotated away from the triads stored for the last three cycles."""
    return proposal_for(_region(cycle), cycle.year, past_groupings(session, cycle))


def _region(cycle: Cycle) -> Region:
    return get_reference().regions[cycle.region_id]


def triads(session: Session, cycle: Cycle) -> list[list[str]]:
    """The formed triads in number order, each LA list sorted by name; [] before any are formed."""
    rows = session.execute(
        select(Triad.number, TriadMember.la_code)
        .join(TriadMember, TriadMember.triad_id == Triad.id)
        .where(Triad.cycle_id == cycle.id)
        .order_by(Triad.number)
    ).all()
    grouped: dict[int, list[str]] = {}
    for number, code in rows:
        grouped.setdefault(number, []).append(code)
    region = _region(cycle)
    return [_by_name(region, grouped[number]) for number in sorted(grouped)]


def triad_of(session: Session, cycle: Cycle, la_code: str) -> list[str] | None:
    """The LAs of the triad this LA sits in this cycle, itself included; None if it has none."""
    for group in triads(session, cycle):
        if la_code in group:
            return group
    return None


def is_fixed(session: Session, cycle: Cycle) -> bool:
    """Triads are fixed once formed and any self-evaluation has been shared with its triad."""
    formed = session.execute(select(Triad.id).where(Triad.cycle_id == cycle.id).limit(1)).first()
    if formed is None:
        return False
    shared = session.execute(
        select(SelfEvaluation.id)
        .where(SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.state.in_(_SHARED_STATES))
        .limit(1)
    ).first()
    return shared is not None


def is_arranged(session: Session, cycle: Cycle) -> bool:
    """Whether any triad of the cycle has a meeting, a named reviewer or a record: rows that
    point at the triads, so re-forming them would strand them."""
    return any(
        session.execute(select(model.id).where(model.cycle_id == cycle.id).limit(1)).first()
        for model in (ChallengeMeeting, TriadReviewer, ChallengeRecord)
    )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _resolve_codes(region: Region, groups: Mapping[str, int]) -> dict[str, int]:
    """The choices keyed by exact LA code; unknown, Trust and repeated codes are refused."""
    las = {la.code: la for la in region.local_authorities}
    trusts = {trust.code.lower(): trust for trust in region.trusts}
    chosen: dict[str, int] = {}
    for raw, number in groups.items():
        code = raw.strip().upper()
        if code not in las:
            trust = trusts.get(raw.strip().lower())
            if trust is not None:
                raise InvalidInput(
                    f"{trust.name} is a Trust: only local authorities sit in triads",
                    field=FIELD,
                )
            raise InvalidInput(
                f"{raw.strip() or 'A blank code'} is not a local authority in {region.name}",
                field=FIELD,
            )
        if code in chosen:
            raise InvalidInput(
                f"{las[code].name} is listed twice: put each authority in one triad", field=FIELD
            )
        chosen[code] = number
    missing = [la.name for la in region.local_authorities if la.code not in chosen]
    if missing:
        raise InvalidInput(f"Choose a triad for {_and(sorted(missing))}", field=FIELD)
    return chosen


def _grouping(region: Region, chosen: dict[str, int]) -> list[list[str]]:
    """The triads in number order; numbers must run 1, 2, 3 ... and each triad hold 2 to 4 LAs."""
    numbers = sorted(set(chosen.values()))
    if not numbers:
        return []
    if numbers[0] < 1:
        raise InvalidInput(
            f"Triad {numbers[0]} is not a triad number: number the triads 1, 2, 3 and so on",
            field=FIELD,
        )
    gaps = [str(n) for n in range(1, numbers[-1] + 1) if n not in chosen.values()]
    if gaps:
        which = "triads" if len(gaps) > 1 else "triad"
        raise InvalidInput(
            f"Number the triads 1 to {len(numbers)} without gaps: "
            f"no authority is in {which} {_and(gaps)}",
            field=FIELD,
        )
    groups = [_by_name(region, [c for c, n in chosen.items() if n == number]) for number in numbers]
    names = {la.code: la.name for la in region.local_authorities}
    for number, group in enumerate(groups, start=1):
        if len(group) == 1:
            raise InvalidInput(
                f"Triad {number} has only {names[group[0]]}: {_SIZE_RULE}", field=FIELD
            )
        if len(group) > 4:
            raise InvalidInput(
                f"Triad {number} has {len(group)} authorities: {_SIZE_RULE}", field=FIELD
            )
    return groups


def form_triads(
    session: Session, principal: Principal, cycle: Cycle, data: TriadsInput
) -> list[list[str]]:
    """The coordinator puts every LA in one triad of 2-4; fixed once a SEF is shared for scrutiny."""
    require(principal, Action.FORM_TRIADS, Scope(cycle.region_id))
    region = _region(cycle)
    wanted = _grouping(region, _resolve_codes(region, data.groups))
    current = triads(session, cycle)
    if wanted == current:
        return current
    if is_fixed(session, cycle):
        raise Conflict(
            "Triads cannot change once a self-evaluation has been shared with its triad "
            "for scrutiny",
            field=FIELD,
        )
    if is_arranged(session, cycle):
        raise Conflict(
            "Triads cannot change once a triad's challenge conversation has a meeting, a named "
            "triad reviewer or a record: those belong to the triads as they are formed",
            field=FIELD,
        )
    session.execute(delete(TriadMember).where(TriadMember.cycle_id == cycle.id))
    session.execute(delete(Triad).where(Triad.cycle_id == cycle.id))
    session.flush()
    rows = [
        Triad(cycle_id=cycle.id, number=number, formed_by_id=principal.user_id)
        for number in range(1, len(wanted) + 1)
    ]
    session.add_all(rows)
    session.flush()
    session.add_all(
        TriadMember(triad_id=row.id, cycle_id=cycle.id, la_code=code)
        for row, group in zip(rows, wanted, strict=True)
        for code in group
    )
    session.flush()
    names = {la.code: la.name for la in region.local_authorities}
    listed = "; ".join(", ".join(names[code] for code in group) for group in wanted)
    summary = f"Triads formed: {len(wanted)} triad{'' if len(wanted) == 1 else 's'} ({listed})"
    record(
        session,
        actor=actor_of(principal),
        action="triads.formed",
        summary=summary,
        subject_type="cycle",
        subject_id=cycle.id,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        payload={"triads": wanted},
    )
    return wanted
