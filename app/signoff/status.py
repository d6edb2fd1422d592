"""Who has signed: derived from the events for a list of required (organisation, role) pairs.

The MoU requires every organisation of the alliance times its signing roles; a self-evaluation or
an LA plan its LA's three; a regional plan the region's three leads; a triad record each member
LA's DCS. Nothing here is stored by hand: the events are the record.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.models import Cycle, StageWindow
from app.signoff.events import Decision, E
from app.signoff.policies import VersionPolicy

OUTSTANDING = "outstanding"


@dataclass(frozen=True)
class PairState(Generic[E]):
    """One required signatory: an organisation's role, and where it stands on the version."""

    organisation_code: str
    role: Role
    state: str  # outstanding, signed or declined
    event: E | None


@dataclass(frozen=True)
class Signatures(Generic[E]):
    pairs: tuple[PairState[E], ...]
    # Signatures on earlier versions that no longer count (VersionPolicy.VOID), oldest first.
    void: tuple[E, ...]
    # (organisation, role, user) of every signature on the current version, a new office
    # holder's too: who may still add theirs.
    signers: frozenset[tuple[str, str, int]]

    @property
    def complete(self) -> bool:
        return all(p.state == Decision.SIGNED for p in self.pairs)

    @property
    def signed_count(self) -> int:
        return sum(1 for p in self.pairs if p.state == Decision.SIGNED)

    @property
    def outstanding(self) -> tuple[PairState[E], ...]:
        return tuple(p for p in self.pairs if p.state != Decision.SIGNED)

    def pair(self, organisation_code: str, role: Role) -> PairState[E]:
        for found in self.pairs:
            if found.organisation_code == organisation_code and found.role == role:
                return found
        raise KeyError((organisation_code, role))


def derive(
    required: Sequence[tuple[str, Role]],
    events: Iterable[E],
    current: int | None,
    version_of: Callable[[E], int],
    policy: VersionPolicy = VersionPolicy.VOID,
) -> Signatures[E]:
    """Each required pair's state on the `current` version (its id), from `events` oldest first.

    A signature is final for its version: a later decline cannot replace it (the table refuses
    one), while a signatory who declined may still sign. A return is the document's act, not a
    signatory's state. Under VOID, signatures on any other version are listed as void."""
    latest: dict[tuple[str, str], E] = {}
    signers: set[tuple[str, str, int]] = set()
    void: list[E] = []
    for event in events:
        signed = event.decision == Decision.SIGNED
        if current is None or version_of(event) != current:
            if signed and policy is VersionPolicy.VOID:
                void.append(event)
            continue
        if event.decision == Decision.RETURNED:
            continue
        key = (event.organisation_code, event.role)
        if signed:
            signers.add((event.organisation_code, event.role, event.user_id))
        if key not in latest or latest[key].decision != Decision.SIGNED:
            latest[key] = event
    pairs = []
    for code, role in required:
        found = latest.get((code, role.value))
        pairs.append(PairState(code, role, found.decision if found else OUTSTANDING, found))
    return Signatures(tuple(pairs), tuple(void), frozenset(signers))


def is_late(
    due_on: date | None, today: date, *, still_open: bool, completed_at: datetime | None
) -> bool:
    """Late while unsigned after the due day, and still late once signed after it: a tracker
    keeps the record of a late sign-off, not only of one still outstanding."""
    if due_on is None:
        return False
    signed_late = completed_at is not None and clock.day_of(completed_at) > due_on
    return (today > due_on and still_open) or signed_late


def window_closes(session: Session, cycle: Cycle, stage: str) -> date | None:
    """A stage's default due date: the day its window in the cycle's calendar closes."""
    window = session.execute(
        select(StageWindow).where(StageWindow.cycle_id == cycle.id, StageWindow.stage == stage)
    ).scalar_one_or_none()
    return window.closes_on if window else None
