"""Reading the record of a triad's challenge conversation, as the MoU lets each reader see it.

The record is versioned like the self-evaluation: every save is a new, immutable version with the
SHA-256 of its canonical content, and every member LA's DCS agrees one exact version through the
sign-off kernel (app.signoff, VersionPolicy.VOID). Who sees what is app.challenge.record_access.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import access
from app.challenge.record_access import Level, is_risl, level, shared_parts
from app.challenge.record_schemas import StoredPart, SupportAsk, SupportOffer
from app.challenge.record_workflow import RecordState
from app.errors import NotFound, NotPermitted
from app.models import (
    ChallengeAccuracyComment,
    ChallengeAgreementEvent,
    ChallengeRecord,
    ChallengeRecordVersion,
    ChallengeShare,
    Cycle,
    Kloe,
    Triad,
)
from app.reference import get_reference
from app.reference.improvement_areas import get_improvement_areas
from app.reference.models import LocalAuthority
from app.signoff.events import Decision
from app.signoff.policies import VersionPolicy
from app.signoff.status import PairState, derive
from app.uk_dates import date_uk

NOT_IN_TRIAD = (
    "The record of a triad's challenge conversation stays private to the triad's members until "
    "every member has agreed it."
)
NOT_FOR_RISL = (
    "The MoU keeps the records of triad challenge conversations from the DfE's regional lead, "
    "unless an authority chooses to share its own part with you."
)


@dataclass(frozen=True)
class AreaCount:
    area: str
    actions: int


@dataclass(frozen=True)
class RecordView:
    """A triad's record as one reader may see it (`level`); the parts withheld are empty."""

    triad: Triad
    members: tuple[LocalAuthority, ...]
    level: Level
    record: ChallengeRecord | None
    version: ChallengeRecordVersion | None
    # {la_code: part} for the parts this reader may read: all at FULL, the shared ones for the RISL.
    parts: dict[str, StoredPart] = field(default_factory=dict)
    kloes: dict[str, tuple[Kloe, ...]] = field(default_factory=dict)
    agreements: tuple[PairState[ChallengeAgreementEvent], ...] = ()
    void: tuple[ChallengeAgreementEvent, ...] = ()
    returns: tuple[ChallengeAgreementEvent, ...] = ()
    comments: tuple[ChallengeAccuracyComment, ...] = ()
    # The agreed summary: actions by improvement area, support asked for and offered.
    actions_by_area: tuple[AreaCount, ...] = ()
    asked: tuple[tuple[str, SupportAsk], ...] = ()  # (la_code, ask)
    offered: tuple[tuple[str, SupportOffer], ...] = ()  # (offering la_code, offer)
    shared: frozenset[str] = frozenset()
    # The number of each version, by id, for what the comments and agreements were on.
    version_numbers: dict[int, int] = field(default_factory=dict)

    @property
    def agreed(self) -> bool:
        return self.record is not None and self.record.state == RecordState.AGREED

    @property
    def content_hash(self) -> str:
        return self.version.content_hash if self.version else ""

    @property
    def returned(self) -> ChallengeAgreementEvent | None:
        """The return on the current version: it must change before anyone agrees it."""
        if self.version is None:
            return None
        on_this = [e for e in self.returns if e.record_version_id == self.version.id]
        return on_this[-1] if on_this else None


def triad_number(number: str) -> int:
    """A triad's number from a URL: 404 for anything that is not one (a route reads it as text, so
    its cycle is found first and a bad cycle and a bad triad answer alike)."""
    if not number.isdigit() or len(number) > 3:
        raise NotFound("There is no such triad in this cycle.")
    return int(number)


def triad_by_number(session: Session, cycle: Cycle, number: int) -> Triad:
    found = session.scalar(select(Triad).where(Triad.cycle_id == cycle.id, Triad.number == number))
    if found is None:
        raise NotFound(f"There is no triad {number} in this cycle.")
    return found


def record_of(session: Session, triad: Triad, *, lock: bool = False) -> ChallengeRecord | None:
    query = select(ChallengeRecord).where(ChallengeRecord.triad_id == triad.id)
    return session.scalar(query.with_for_update() if lock else query)


def current_version(
    session: Session, record: ChallengeRecord | None
) -> ChallengeRecordVersion | None:
    if record is None:
        return None
    return session.scalar(
        select(ChallengeRecordVersion)
        .where(ChallengeRecordVersion.record_id == record.id)
        .order_by(ChallengeRecordVersion.number.desc())
        .limit(1)
    )


def content_of(version: ChallengeRecordVersion | None) -> dict[str, StoredPart]:
    """The version's parts, {la_code: part}; {} before the first save."""
    if version is None:
        return {}
    loaded = json.loads(version.content)["authorities"]
    return {code: StoredPart.model_validate(part) for code, part in loaded.items()}


def members_of(session: Session, cycle: Cycle, triad: Triad) -> tuple[LocalAuthority, ...]:
    region = get_reference().regions[cycle.region_id]
    by_code = {la.code: la for la in region.local_authorities}
    codes = access.member_codes(session, triad)
    return tuple(sorted((by_code[c] for c in codes if c in by_code), key=lambda la: la.name))


def events_of(session: Session, record: ChallengeRecord | None) -> list[ChallengeAgreementEvent]:
    if record is None:
        return []
    return list(
        session.scalars(
            select(ChallengeAgreementEvent)
            .where(ChallengeAgreementEvent.record_id == record.id)
            .order_by(ChallengeAgreementEvent.id)
        )
    )


def agreement_status(
    members: tuple[LocalAuthority, ...],
    events: list[ChallengeAgreementEvent],
    version: ChallengeRecordVersion | None,
) -> tuple[tuple[PairState[ChallengeAgreementEvent], ...], tuple[ChallengeAgreementEvent, ...]]:
    """Each member DCS's agreement on the current version, and the agreements that no longer
    count: on an earlier version, or on this one once a member returned it."""
    returned = version is not None and any(
        e.decision == Decision.RETURNED and e.record_version_id == version.id for e in events
    )
    current = None if version is None or returned else version.id
    found = derive(
        [(la.code, Role.DCS) for la in members],
        events,
        current,
        lambda e: e.record_version_id,
        VersionPolicy.VOID,
    )
    return found.pairs, found.void


Summary = tuple[
    tuple[AreaCount, ...], tuple[tuple[str, SupportAsk], ...], tuple[tuple[str, SupportOffer], ...]
]


def summary_of(cycle: Cycle, parts: dict[str, StoredPart]) -> Summary:
    """The agreed summary: agreed actions counted by improvement area, support asked and offered."""
    names = {a.id: a.name for a in get_improvement_areas().for_region(cycle.region_id)}
    counts: dict[str, int] = defaultdict(int)
    for part in parts.values():
        for note in part.kloes:
            for action in note.actions:
                counts[names.get(action.area, action.area)] += 1
    asked = tuple((code, ask) for code, part in parts.items() for ask in part.support_asked)
    offered = tuple((code, o) for code, part in parts.items() for o in part.support_offered)
    return tuple(AreaCount(a, n) for a, n in sorted(counts.items())), asked, offered


def view(session: Session, principal: Principal | None, cycle: Cycle, number: int) -> RecordView:
    """The triad's record as this person may see it; NotPermitted for those who may see nothing."""
    triad = triad_by_number(session, cycle, number)
    record = record_of(session, triad)
    seen = level(session, principal, cycle, triad, record)
    shared = shared_parts(session, principal, cycle, record)
    if seen is Level.NONE and not shared:
        raise NotPermitted(NOT_FOR_RISL if is_risl(principal, cycle) else NOT_IN_TRIAD)
    members = members_of(session, cycle, triad)
    version = current_version(session, record)
    parts = content_of(version)
    base = RecordView(triad, members, seen, record, version if seen is Level.FULL else None)
    by_area, asked, offered = summary_of(cycle, parts)
    if seen is Level.FULL:
        return _full(
            session,
            cycle,
            replace(base, actions_by_area=by_area, asked=asked, offered=offered),
            parts,
            version,
        )
    if seen is Level.SUMMARY:
        return replace(base, actions_by_area=by_area, asked=asked, offered=offered)
    if shared:  # the RISL: only the parts their LAs shared, nothing of the others
        own = {code: part for code, part in parts.items() if code in shared}
        return replace(base, parts=own, shared=shared, kloes=_kloes(session, cycle, list(own)))
    return base


def _kloes(session: Session, cycle: Cycle, codes: list[str]) -> dict[str, tuple[Kloe, ...]]:
    found: dict[str, list[Kloe]] = defaultdict(list)
    for row in session.scalars(
        select(Kloe)
        .where(Kloe.cycle_id == cycle.id, Kloe.la_code.in_(codes))
        .order_by(Kloe.la_code, Kloe.position)
    ):
        found[row.la_code].append(row)
    return {code: tuple(rows) for code, rows in found.items()}


def _full(
    session: Session,
    cycle: Cycle,
    base: RecordView,
    parts: dict[str, StoredPart],
    version: ChallengeRecordVersion | None,
) -> RecordView:
    """Everything, for the triad's members: the draft, its comments, agreements and returns."""
    record = base.record
    events = events_of(session, record)
    pairs, void = agreement_status(base.members, events, version)
    comments: tuple[ChallengeAccuracyComment, ...] = ()
    shared: frozenset[str] = frozenset()
    numbers: dict[int, int] = {}
    if record is not None:
        numbers = {
            version_id: number
            for version_id, number in session.execute(
                select(ChallengeRecordVersion.id, ChallengeRecordVersion.number).where(
                    ChallengeRecordVersion.record_id == record.id
                )
            )
        }
        comments = tuple(
            session.scalars(
                select(ChallengeAccuracyComment)
                .where(ChallengeAccuracyComment.record_id == record.id)
                .order_by(ChallengeAccuracyComment.id)
            )
        )
        shared = frozenset(
            session.scalars(
                select(ChallengeShare.la_code).where(ChallengeShare.record_id == record.id)
            )
        )
    return replace(
        base,
        parts=parts,
        kloes=_kloes(session, cycle, [la.code for la in base.members]),
        agreements=pairs,
        void=void,
        returns=tuple(e for e in events if e.decision == Decision.RETURNED),
        comments=comments,
        shared=shared,
        version_numbers=numbers,
    )


def agreed_at(record: ChallengeRecord | None) -> datetime | None:
    return record.agreed_at if record is not None else None


def record_lines(session: Session, principal: Principal | None, cycle: Cycle) -> dict[int, str]:
    """Where each triad's record stands, in the words this reader may see, by triad number;
    a triad whose record the reader may not know of is left out."""
    lines: dict[int, str] = {}
    for triad in session.scalars(
        select(Triad).where(Triad.cycle_id == cycle.id).order_by(Triad.number)
    ):
        record = record_of(session, triad)
        seen = level(session, principal, cycle, triad, record)
        agreed = (
            record is not None
            and record.state == RecordState.AGREED
            and record.agreed_at is not None
        )
        if seen is Level.NONE:
            if shared_parts(session, principal, cycle, record):
                lines[triad.number] = "Agreed; an authority shared its part with you"
            continue
        if agreed:
            assert record is not None and record.agreed_at is not None
            lines[triad.number] = f"Agreed on {date_uk(record.agreed_at)}"
        elif seen is Level.FULL:
            version = current_version(session, record)
            lines[triad.number] = (
                f"Private draft, version {version.number}" if version else "Nothing recorded yet"
            )
        else:
            lines[triad.number] = "Not yet agreed"
    return lines
