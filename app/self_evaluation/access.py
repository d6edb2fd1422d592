"""Who may see, write and scrutinise a self-evaluation: object-level rules, on top of the table.

Drafts stay inside the LA (and with the region's coordinator). Once signed, a self-evaluation is
shared with its scrutineers (the other LAs of its triad, or the region's moderators) and with the
RISL only where the region's data terms allow it: the signed version, not the drafts before it.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.acting import trust_acting_for, trust_assignments
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.roles import ROLE_SCOPE, Role, ScopeKind
from app.models import Cycle, SefContributor, SelfEvaluation, TriadMember
from app.reference import get_reference
from app.reference.models import Scrutiny
from app.reference.parties import TrustActivity
from app.workflow.states import SefState

# Signed means shared with its scrutineers; closing scrutiny keeps it shared.
SHARED_STATES = frozenset({SefState.SIGNED, SefState.SCRUTINY_CLOSED})


def is_la_member(principal: Principal | None, la_code: str) -> bool:
    """Whether the person holds any role in the LA itself, or signs its self-evaluation for the
    Trust that runs its children's social care (where the region file says the Trust takes part).
    """
    return principal is not None and (
        any(
            a.organisation_code == la_code and ROLE_SCOPE[a.role] is ScopeKind.ORGANISATION
            for a in principal.assignments
        )
        or trust_acting_for(principal, la_code, TrustActivity.SELF_EVALUATION) is not None
    )


def is_coordinator(principal: Principal | None, region_id: str) -> bool:
    return can(principal, Action.TRACK_SEF, Scope(region_id))


def sees_unsigned(principal: Principal | None, region_id: str, la_code: str) -> bool:
    """Who may see a self-evaluation before it is signed (its drafts, its state, whether its
    sign-off is late): the LA's own people and the region's coordinator. Every way out that
    tells an unsigned self-evaluation's state asks here: reading it, its history, its flag."""
    return is_la_member(principal, la_code) or is_coordinator(principal, region_id)


def _triad_codes(session: Session, cycle_id: int, la_code: str) -> set[str]:
    mine = select(TriadMember.triad_id).where(
        TriadMember.cycle_id == cycle_id, TriadMember.la_code == la_code
    )
    return set(
        session.scalars(select(TriadMember.la_code).where(TriadMember.triad_id.in_(mine))).all()
    ) - {la_code}


def scrutineer_organisations(session: Session, cycle: Cycle, la_code: str) -> set[str]:
    """The LAs whose DCSs scrutinise this LA's self-evaluation (none in a moderation region)."""
    region = get_reference().regions[cycle.region_id]
    if region.scrutiny is Scrutiny.MODERATION:
        return set()
    return _triad_codes(session, cycle.id, la_code)


def is_scrutineer(
    session: Session, principal: Principal | None, cycle: Cycle, la_code: str
) -> bool:
    """A DCS of another LA in the triad, or a moderator of a moderation region."""
    if principal is None:
        return False
    region = get_reference().regions[cycle.region_id]
    if region.scrutiny is Scrutiny.MODERATION:
        return any(
            a.role is Role.MODERATOR and a.region_id == region.id for a in principal.assignments
        )
    # A Trust's DCS sits in the triad of each LA the Trust serves, where the region file says so.
    acting = trust_assignments(principal, TrustActivity.TRIAD)
    own = {a.organisation_code for a in principal.assignments + acting if a.role is Role.DCS}
    if not own:  # a coordinator, a data lead: no triad to look up
        return False
    peers = scrutineer_organisations(session, cycle, la_code)
    return bool(own & peers)


def risl_may_read(principal: Principal | None, cycle: Cycle) -> bool:
    region = get_reference().regions[cycle.region_id]
    return (
        principal is not None
        and region.data_terms.risl_sees_signed_self_evaluations
        and any(a.role is Role.RISL and a.region_id == region.id for a in principal.assignments)
    )


def can_read(
    session: Session, principal: Principal | None, cycle: Cycle, sef: SelfEvaluation
) -> bool:
    """Drafts: the LA and its coordinator. Signed: also scrutineers, and the RISL if allowed."""
    if not can(principal, Action.VIEW_SEF, Scope(cycle.region_id)):
        return False
    if sees_unsigned(principal, cycle.region_id, sef.la_code):
        return True
    if sef.state not in SHARED_STATES:
        return False
    return is_scrutineer(session, principal, cycle, sef.la_code) or risl_may_read(principal, cycle)


def can_read_history(principal: Principal | None, where: Cycle | str, sef: SelfEvaluation) -> bool:
    """Earlier drafts, returns with their reasons, and contributors' emails: the LA and its
    coordinator only. Scrutineers and the RISL read the signed version and its signatures.

    `where` is the cycle, or its region's id.
    """
    region_id = where if isinstance(where, str) else where.region_id
    return sees_unsigned(principal, region_id, sef.la_code)


def can_see_scrutiny(
    session: Session, principal: Principal | None, cycle: Cycle, sef: SelfEvaluation
) -> bool:
    """Challenge stays among the LA, its scrutineers and the coordinator (not the RISL)."""
    return (
        is_la_member(principal, sef.la_code)
        or is_coordinator(principal, cycle.region_id)
        or is_scrutineer(session, principal, cycle, sef.la_code)
    )


def is_dcs_of(principal: Principal | None, la_code: str) -> bool:
    return can(principal, Action.EDIT_SEF, Scope(organisation_code=la_code), as_role=Role.DCS)


def assigned_chapters(session: Session, principal: Principal, sef: SelfEvaluation) -> set[str]:
    """The chapters this person has been assigned (and not unassigned from)."""
    return set(
        session.scalars(
            select(SefContributor.chapter_id).where(
                SefContributor.self_evaluation_id == sef.id,
                SefContributor.user_id == principal.user_id,
                SefContributor.ended_at.is_(None),
            )
        ).all()
    )


def can_write_chapter(
    session: Session, principal: Principal | None, sef: SelfEvaluation, chapter_id: str
) -> bool:
    """The DCS writes every chapter; a contributor only the chapters assigned to them."""
    if principal is None or not can(
        principal, Action.EDIT_SEF, Scope(organisation_code=sef.la_code)
    ):
        return False
    return is_dcs_of(principal, sef.la_code) or chapter_id in assigned_chapters(
        session, principal, sef
    )
