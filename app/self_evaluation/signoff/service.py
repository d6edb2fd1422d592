"""Signing off a self-evaluation: the DCS, Lead Member and Chief Executive, bound to one version.

Each signature carries a statement of intent and the SHA-256 of the exact version signed. Any edit
after a signature makes a new version; signatures on the old one stay in the history, marked
void, and never count again. A signatory may return the self-evaluation with a reason.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.acting import signing_trust_name
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.errors import AlreadyDone
from app.models import Cycle, SefComment, SefResponse, SefSignOffEvent, SefVersion, SelfEvaluation
from app.models.types import utcnow
from app.pack import jobs as pack_jobs
from app.reference import get_reference
from app.self_evaluation import access
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import MESSAGES, ReturnSefInput, SignSefInput
from app.signoff import acts
from app.signoff.events import Decision
from app.signoff.policies import VersionPolicy
from app.signoff.status import derive, is_late, window_closes
from app.workflow import SELF_EVALUATION, allows, fire
from app.workflow.states import SefAction, SefState
from app.workflow.transition import transition


def statement_for(la_name: str, role: Role, number: int, trust: str | None = None) -> str:
    """The words a signatory signs, naming the authority, the role and the version; a Trust's
    signatory signs for the LA it serves "or equivalent" (seed 002:2208)."""
    who = (
        f"{role.label} of {la_name}" if trust is None else f"{role.label} of {trust}, for {la_name}"
    )
    return (
        f"As {who}, I sign off version {number} of this self-evaluation as "
        "a fair and honest account of our children's services, to be shared with our peers "
        "for scrutiny."
    )


def statement(principal: Principal, la_code: str, la_name: str, role: Role, number: int) -> str:
    """The statement this person signs: for the LA, or for the Trust that serves it."""
    return statement_for(la_name, role, number, signing_trust_name(principal, la_code, role))


@dataclass(frozen=True)
class Signatory:
    """One of the LA's three and where it stands: the kernel's pair, without the LA."""

    role: Role
    state: str  # outstanding | signed
    event: SefSignOffEvent | None


@dataclass(frozen=True)
class SignOffStatus:
    state: str
    submitted: SefVersion | None
    signatories: tuple[Signatory, ...]
    # Signatures that no longer count, because the text changed or it was returned after them.
    void: tuple[tuple[SefSignOffEvent, int], ...]  # (event, version number signed)
    returns: tuple[tuple[SefSignOffEvent, int], ...]  # (returned event, version number)
    due_on: date | None
    late: bool
    # Why the LA has its own due date; None on the region's default (the window's close) and
    # for readers outside the LA and its coordinator (readable_status).
    due_reason: str | None = None

    @property
    def signed_count(self) -> int:
        return sum(1 for s in self.signatories if s.state == "signed")

    @property
    def current_return(self) -> tuple[SefSignOffEvent, int] | None:
        """The return that sent it back to drafting, while it is still being revised."""
        if self.state != "draft" or not self.returns:
            return None
        returned = self.returns[-1]
        later_signature = self.void and self.void[-1][0].id > returned[0].id
        return None if later_signature else returned


def due_date(session: Session, cycle: Cycle) -> date | None:
    """Sign-off is due when the calendar's self-evaluation window closes."""
    return window_closes(session, cycle, "self_evaluation")


def _events(session: Session, sef_ids: list[int]) -> dict[int, list[tuple[SefSignOffEvent, int]]]:
    """Each self-evaluation's sign-off events, oldest first, with the version number each is on."""
    found: dict[int, list[tuple[SefSignOffEvent, int]]] = {i: [] for i in sef_ids}
    for event, number in session.execute(
        select(SefSignOffEvent, SefVersion.number)
        .join(SefVersion, SefVersion.id == SefSignOffEvent.sef_version_id)
        .where(SefSignOffEvent.self_evaluation_id.in_(sef_ids))
        .order_by(SefSignOffEvent.id)
    ).all():
        found[event.self_evaluation_id].append((event, number))
    return found


def _status(
    sef: SelfEvaluation,
    submitted: SefVersion | None,
    events: list[tuple[SefSignOffEvent, int]],
    due: date | None,
    on: date,
) -> SignOffStatus:
    # A new version voids earlier signatures, and a return voids those on its version (it clears
    # the submitted version): the kernel's VOID policy lists them, with the number each was on.
    found = derive(
        [(sef.la_code, role) for role in SIGNATORY_ROLES],
        [e for e, _ in events],
        submitted.id if submitted is not None else None,
        lambda event: event.sef_version_id,
        VersionPolicy.VOID,
    )
    numbers = {e.id: n for e, n in events}
    void = tuple((e, numbers[e.id]) for e in found.void)
    returns = tuple((e, n) for e, n in events if e.decision == Decision.RETURNED)
    # The LA's own date, where the coordinator set one, else the region's window (app.self_evaluation.due).
    due = sef.due_on or due
    still_open = sef.state in {SefState.DRAFT, SefState.AWAITING_SIGN_OFF}
    late = is_late(due, on, still_open=still_open, completed_at=sef.signed_at)
    reason = sef.due_reason if sef.due_on else None
    signatories = tuple(Signatory(p.role, p.state, p.event) for p in found.pairs)
    return SignOffStatus(sef.state, submitted, signatories, void, returns, due, late, reason)


def build_status(
    session: Session, cycle: Cycle, sef: SelfEvaluation, *, today: date | None = None
) -> SignOffStatus:
    """Who has signed the current submitted version, whose signatures are void, and lateness."""
    return _status(
        sef,
        service.submitted_version(session, sef),
        _events(session, [sef.id])[sef.id],
        due_date(session, cycle),
        today or clock.today(),
    )


def readable_status(
    session: Session, principal: Principal | None, cycle: Cycle, sef: SelfEvaluation
) -> SignOffStatus:
    """The sign-off as this person may read it: returns and void signatures are the drafts'
    history, so outside the LA and its coordinator (access.can_read_history) they are left out.

    The one rule for every way out: the page, the API and the pack all read the status here.
    """
    status = build_status(session, cycle, sef)
    if access.can_read_history(principal, cycle, sef):
        return status
    return replace(status, void=(), returns=(), due_reason=None)


def statuses(
    session: Session,
    cycle: Cycle,
    sefs: list[SelfEvaluation],
    *,
    today: date | None = None,
    due: date | None = None,
) -> dict[int, SignOffStatus]:
    """build_status for many self-evaluations of one cycle in three queries, for region lists."""
    ids = [s.id for s in sefs]
    submitted = {
        v.self_evaluation_id: v
        for v in session.scalars(
            select(SefVersion)
            .join(SelfEvaluation, SelfEvaluation.id == SefVersion.self_evaluation_id)
            .where(SelfEvaluation.id.in_(ids), SefVersion.number == SelfEvaluation.submitted_number)
        )
    }
    events = _events(session, ids)
    due = due or due_date(session, cycle)
    on = today or clock.today()
    return {s.id: _status(s, submitted.get(s.id), events[s.id], due, on) for s in sefs}


def _signable(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    role: Role,
    content_hash: str,
    action: SefAction,
) -> tuple[SelfEvaluation, SefVersion, "acts.OnVersion[SefSignOffEvent]"]:
    """Checks shared by sign and return: who, which authority, which state, which version."""
    require(principal, Action.SIGN_SEF, Scope(cycle.region_id, la_code), as_role=role)
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    fire(SELF_EVALUATION, sef.state, action)
    submitted = service.submitted_version(session, sef)
    acts.require_version(
        submitted.content_hash if submitted else None,
        content_hash,
        "The self-evaluation was changed after you opened it, so nothing was recorded. "
        "Read the version now submitted, then decide.",
    )
    assert submitted is not None  # require_version refused a missing one
    keys = {"self_evaluation_id": sef.id, "sef_version_id": submitted.id}
    subject = ("self_evaluation", sef.id)
    on = acts.OnVersion(SefSignOffEvent, keys, submitted.content_hash, cycle, subject)
    return sef, submitted, on


def _signed_off(
    session: Session,
    principal: Principal,
    on: "acts.OnVersion[SefSignOffEvent]",
    sef: SelfEvaluation,
    number: int,
) -> None:
    """On complete: all three have signed, so it is shared with its scrutineers."""
    summary = (
        f"Version {number} signed off by all three signatories and shared with its scrutineers"
    )
    payload = {"number": number, "content_hash": on.content_hash}
    audit = on.entry(principal, "sef.signed_off", summary, payload, sef.la_code)
    transition(
        session, SELF_EVALUATION, sef, SefAction.COMPLETE_SIGN_OFF, audit=audit, signed_at=utcnow()
    )


def sign(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: SignSefInput
) -> SefSignOffEvent:
    """A signatory signs the exact submitted version with a statement of intent."""
    acts.require_confirmed(data.confirm, MESSAGES["confirm"])
    sef, submitted, on = _signable(
        session, principal, cycle, la_code, data.role, data.content_hash, SefAction.SIGN
    )
    number, label = submitted.number, data.role.label
    already = build_status(session, cycle, sef)
    if any(s.role == data.role and s.state == Decision.SIGNED for s in already.signatories):
        raise AlreadyDone(f"You have already signed version {number} as {label}.")
    la_name = service.local_authority(cycle, la_code).name
    words = statement(principal, la_code, la_name, data.role, number)
    event = on.event(principal, Decision.SIGNED, sef.la_code, data.role, statement=words)
    summary = f"{principal.display_name} signed version {number} as {label}"
    signed = acts.sign(
        session,
        event,
        refusal=AlreadyDone(f"Version {number} has already been signed by the {label}."),
        audit=on.entry(principal, "sef.signed", summary, acts.signed_payload(event), sef.la_code),
        complete=lambda: build_status(session, cycle, sef).signed_count == len(SIGNATORY_ROLES),
        on_complete=lambda: _signed_off(session, principal, on, sef, number),
    )
    # app/self_evaluation/pack.py renders it after the commit (nothing while not yet signed off).
    pack_jobs.schedule(session, "self_evaluation", cycle.id, la_code)
    return signed


def return_for_changes(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: ReturnSefInput
) -> SefSignOffEvent:
    """A signatory returns the submitted version to the DCS, saying why; signatures on it lapse."""
    sef, submitted, on = _signable(
        session, principal, cycle, la_code, data.role, data.content_hash, SefAction.RETURN
    )
    event = on.event(principal, Decision.RETURNED, sef.la_code, data.role, reason=data.reason)
    summary = (
        f"{principal.display_name} returned version {submitted.number} as "
        f"{data.role.label}: {data.reason}"
    )
    payload = acts.reason_payload(event)
    audit = on.entry(principal, "sef.returned", summary, payload, sef.la_code)
    acts.decide(session, event, audit=audit, reason_required=MESSAGES["reason"])
    service.void_signatures(session, principal, cycle, sef, f"returned by the {data.role.label}")
    transition(session, SELF_EVALUATION, sef, SefAction.RETURN)
    return event


@dataclass(frozen=True)
class TrackerRow:
    la_code: str
    la_name: str
    state: str
    versions: int
    submitted_number: int | None
    signatories: tuple[Signatory, ...]
    late: bool
    comments: int
    unanswered: int
    signed_at: datetime | None
    # The return that sent it back to drafting, while the DCS revises it.
    returned: tuple[SefSignOffEvent, int] | None
    due_on: date | None = None  # this LA's: its own date, or the window's close
    due_reason: str | None = None  # set only where the LA has its own date

    @property
    def shared(self) -> bool:
        """Signed off, so shared with its scrutineers (open or closed)."""
        return self.state in access.SHARED_STATES

    @property
    def scrutiny_open(self) -> bool:
        return allows(SELF_EVALUATION, self.state, SefAction.CLOSE_SCRUTINY)


def tracker(
    session: Session, principal: Principal, cycle: Cycle
) -> tuple[date | None, list[TrackerRow]]:
    """The coordinator's view: every LA's sign-off, with late ones marked, and scrutiny counts."""
    require(principal, Action.TRACK_SEF, Scope(cycle.region_id))
    region = get_reference().regions[cycle.region_id]
    rows: list[TrackerRow] = []
    counts: dict[int, tuple[int, int]] = {}
    for sef_id, answered in session.execute(
        select(SefComment.self_evaluation_id, SefResponse.id)
        .join(SelfEvaluation, SelfEvaluation.id == SefComment.self_evaluation_id)
        .outerjoin(SefResponse, SefResponse.comment_id == SefComment.id)
        .where(SelfEvaluation.cycle_id == cycle.id)
    ).all():
        total, open_ = counts.get(sef_id, (0, 0))
        counts[sef_id] = (total + 1, open_ + (answered is None))
    by_code = {
        s.la_code: s
        for s in session.scalars(select(SelfEvaluation).where(SelfEvaluation.cycle_id == cycle.id))
    }
    due = due_date(session, cycle)
    found = statuses(session, cycle, list(by_code.values()), due=due)
    versions = dict(
        session.execute(
            select(SefVersion.self_evaluation_id, func.count())
            .join(SelfEvaluation, SelfEvaluation.id == SefVersion.self_evaluation_id)
            .where(SelfEvaluation.cycle_id == cycle.id)
            .group_by(SefVersion.self_evaluation_id)
        ).all()
    )
    for la in sorted(region.local_authorities, key=lambda la: la.name):
        sef = by_code.get(la.code)
        if sef is None:
            continue
        status = found[sef.id]
        total, unanswered = counts.get(sef.id, (0, 0))
        rows.append(
            TrackerRow(
                la.code,
                la.name,
                sef.state,
                versions.get(sef.id, 0),
                sef.submitted_number,
                status.signatories,
                status.late,
                total,
                unanswered,
                sef.signed_at,
                status.current_return,
                status.due_on,
                status.due_reason,
            )
        )
    return due, rows
