"""Who may read and set an LA's key lines of enquiry: object-level rules on top of the table.

The MoU's triad confidentiality clause decides it (issue 12): the record of a challenge
conversation, its KLOEs included, stays private to the triad's members until all have agreed
it. So an LA's questions are read by the DCSs of the LAs in its triad (a Trust's where it sits
in the triads of the LAs it serves), and set by its own DCS. The coordinator sees only whether
they are set; the RISL and everyone else, nothing.
"""

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge.actions import ChallengeAction
from app.models import Cycle, Triad, TriadMember, TriadReviewer
from app.triads import service as triads


def triad_of(session: Session, cycle: Cycle, la_code: str) -> list[str]:
    """The LAs in this LA's triad (itself included); [] before triads are formed."""
    return triads.triad_of(session, cycle, la_code) or []


def can_read(session: Session, principal: Principal | None, cycle: Cycle, la_code: str) -> bool:
    """A DCS of any LA in the LA's triad, or a triad reviewer named to it."""
    if any(
        can(
            principal, ChallengeAction.READ_KLOES, Scope(organisation_code=member), as_role=Role.DCS
        )
        for member in triad_of(session, cycle, la_code)
    ):
        return True
    named = reviewer_triads(session, principal, cycle)
    return bool(named) and triad_id_of(session, cycle, la_code) in named


def triad_id_of(session: Session, cycle: Cycle, la_code: str) -> int | None:
    """The id of the LA's triad this cycle; None before triads are formed."""
    return session.scalar(
        select(TriadMember.triad_id).where(
            TriadMember.cycle_id == cycle.id, TriadMember.la_code == la_code
        )
    )


def can_set(principal: Principal | None, la_code: str) -> bool:
    """The LA's own DCS: the LA owns its questions."""
    return can(
        principal, ChallengeAction.SET_KLOES, Scope(organisation_code=la_code), as_role=Role.DCS
    )


def tracks(principal: Principal | None, region_id: str) -> bool:
    """The region's coordinator, who sees whether each LA has set its questions."""
    return can(
        principal,
        ChallengeAction.VIEW_KLOES,
        Scope(region_id),
        as_role=Role.REGIONAL_COORDINATOR,
    )


def reviewer_triads(session: Session, principal: Principal | None, cycle: Cycle) -> set[int]:
    """The triads of the cycle the coordinator has named this person to as a triad reviewer."""
    named = can(
        principal, ChallengeAction.WRITE_RECORD, Scope(cycle.region_id), as_role=Role.TRIAD_REVIEWER
    )
    if principal is None or not named:
        return set()
    return set(
        session.scalars(
            select(TriadReviewer.triad_id).where(
                TriadReviewer.cycle_id == cycle.id, TriadReviewer.user_id == principal.user_id
            )
        )
    )


def member_codes(session: Session, triad: Triad) -> list[str]:
    """The LAs of a triad, by code."""
    return list(
        session.scalars(
            select(TriadMember.la_code)
            .where(TriadMember.triad_id == triad.id)
            .order_by(TriadMember.la_code)
        )
    )


def member_las_of(principal: Principal | None, action: StrEnum, members: list[str]) -> list[str]:
    """The member LAs this person acts for as DCS (a Trust's DCS may act for more than one)."""
    return [
        code
        for code in members
        if can(principal, action, Scope(organisation_code=code), as_role=Role.DCS)
    ]


def in_triad(session: Session, principal: Principal | None, cycle: Cycle, triad: Triad) -> bool:
    """A member of the triad: a DCS of one of its LAs, or a triad reviewer named to it. The
    MoU's confidentiality clause keeps its KLOEs and its draft record to these people."""
    if member_las_of(principal, ChallengeAction.READ_KLOES, member_codes(session, triad)):
        return True
    return triad.id in reviewer_triads(session, principal, cycle)
