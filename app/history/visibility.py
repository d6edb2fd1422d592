"""Which entries of a cycle's history a reader may see.

An entry describes an object (the cycle, a version of the MoU, a quarterly return, a
self-evaluation), so it is shown only to those the object's own rule lets see it in the state
the entry describes: the MoU's draft rule (app.mou.service.may_read), the data terms' release
dates (app.returns.visibility), the self-evaluation's drafts, signed text and scrutiny
(app.self_evaluation.access). This module only maps entries onto those rules; it holds none of its own.
The result is one SQL condition, so counts and pages include visible entries only.
"""

import json
from datetime import date

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.challenge import access as challenge
from app.challenge import meetings, record_access
from app.models import AuditEvent, Cycle, IndicatorReturn, LaPlan, SelfEvaluation, Triad
from app.mou import service as mou
from app.plans import access as plans
from app.reference import get_reference
from app.returns.periods import Quarter, quarters_of
from app.returns.visibility import can_see_la
from app.returns.windows import read_windows, window_state
from app.self_evaluation import access

# What a cycle's entries describe; each has its rule below. An entry about anything else is shown
# to nobody, so a new kind stays hidden until its rule is written here.
CYCLE_SUBJECTS = frozenset(
    {
        "cycle",
        "mou_version",
        "indicator_return",
        "imported_file",
        "return_override",
        "self_evaluation",
        "kloes",
        "challenge_record",
        "triad",
        "la_plan",
        "la_plan_comment",
    }
)
# Entries that belong to no cycle (accounts, tokens, DfE's published values): never in a history.
OUTSIDE_CYCLES = frozenset({"user", "api_token", "published_values"})
# Entries that describe a version of the MoU while it was a draft.
MOU_DRAFT_ACTIONS = ("mou.draft_saved",)
# What a self-evaluation's scrutineers and (where the data terms allow) the RISL may read once it
# is signed: that it was signed off, and the signatures on the signed version.
SEF_SIGNED_ACTIONS = ("sef.signed_off",)
SEF_SIGNATURE = "sef.signed"
SEF_SCRUTINY_ACTIONS = ("sef.commented", "sef.responded", "sef.scrutiny_closed")


def visible_entries(
    session: Session, principal: Principal, cycle: Cycle, today: date
) -> ColumnElement[bool]:
    """The entries of this cycle the reader may see, as a condition on AuditEvent."""
    allowed: list[ColumnElement[bool]] = []
    # Opening the cycle, its calendar and its triads are on pages everyone in the region sees.
    if can(principal, Action.VIEW_CYCLE, Scope(cycle.region_id)):
        allowed.append(AuditEvent.subject_type == "cycle")
    allowed += _mou(principal, cycle)
    allowed += _returns(session, principal, cycle, today)
    allowed += _self_evaluations(session, principal, cycle)
    allowed.append(_kloes(session, principal, cycle))
    allowed.append(_challenge_records(session, principal, cycle))
    allowed.append(_triads(session, principal, cycle))
    allowed.append(_plans(session, principal, cycle))
    return and_(AuditEvent.cycle_id == cycle.id, or_(false(), *allowed))


def _mou(principal: Principal, cycle: Cycle) -> list[ColumnElement[bool]]:
    about_mou = AuditEvent.subject_type == "mou_version"
    drafts = AuditEvent.action.in_(MOU_DRAFT_ACTIONS)
    allowed = []
    if mou.may_read(principal, cycle.region_id, "draft"):
        allowed.append(and_(about_mou, drafts))
    if mou.may_read(principal, cycle.region_id, "published"):
        allowed.append(and_(about_mou, ~drafts))
    return allowed


def visible_return_ids(
    session: Session, principal: Principal, cycle: Cycle, today: date
) -> set[int]:
    """The cycle's returns whose values this reader may see today (the data terms' rule)."""
    quarters = quarters_of(cycle.year)
    read_windows(session, cycle.region_id, quarters)
    rows = session.execute(
        select(IndicatorReturn.id, IndicatorReturn.organisation_code, IndicatorReturn.period).where(
            IndicatorReturn.region_id == cycle.region_id,
            IndicatorReturn.period.in_([str(q) for q in quarters]),
        )
    ).all()
    return {
        return_id
        for return_id, la_code, period in rows
        if can_see_la(
            principal,
            la_code,
            window_state(session, cycle.region_id, Quarter.parse(period)),
            today,
        )
    }


def _returns(
    session: Session, principal: Principal, cycle: Cycle, today: date
) -> list[ColumnElement[bool]]:
    visible = visible_return_ids(session, principal, cycle, today)
    allowed = [
        and_(
            AuditEvent.subject_type == "indicator_return",
            AuditEvent.subject_id.in_([str(i) for i in sorted(visible)]),
        )
    ]
    # A file names every LA it brought in: shown only to those who may see all their returns.
    files = session.execute(
        select(AuditEvent.subject_id, AuditEvent.payload).where(
            AuditEvent.cycle_id == cycle.id, AuditEvent.subject_type == "imported_file"
        )
    ).all()
    seen = [
        subject_id
        for subject_id, payload in files
        if set(json.loads(payload).get("returns", [])) <= visible
    ]
    allowed.append(
        and_(AuditEvent.subject_type == "imported_file", AuditEvent.subject_id.in_(seen))
    )
    # An override (and its reason) is on the coordinator's own page.
    if can(principal, Action.OVERRIDE_RETURNS, Scope(cycle.region_id)):
        allowed.append(AuditEvent.subject_type == "return_override")
    return allowed


def _self_evaluations(
    session: Session, principal: Principal, cycle: Cycle
) -> list[ColumnElement[bool]]:
    sefs = session.scalars(select(SelfEvaluation).where(SelfEvaluation.cycle_id == cycle.id))
    # Signatures after the last submission are those on the version under sign-off (or signed).
    last_submitted = dict(
        session.execute(
            select(AuditEvent.subject_id, func.max(AuditEvent.sequence))
            .where(
                AuditEvent.cycle_id == cycle.id,
                AuditEvent.subject_type == "self_evaluation",
                AuditEvent.action == "sef.submitted",
            )
            .group_by(AuditEvent.subject_id)
        ).all()
    )
    allowed: list[ColumnElement[bool]] = []
    for sef in sefs.all():
        subject_id = str(sef.id)
        this_one = and_(
            AuditEvent.subject_type == "self_evaluation", AuditEvent.subject_id == subject_id
        )
        if access.can_read_history(principal, cycle, sef):
            allowed.append(this_one)  # drafts, returns with reasons, voided signatures
            continue
        shared = sef.state in access.SHARED_STATES
        if shared and access.can_read(session, principal, cycle, sef):
            allowed.append(and_(this_one, AuditEvent.action.in_(SEF_SIGNED_ACTIONS)))
            allowed.append(
                and_(
                    this_one,
                    AuditEvent.action == SEF_SIGNATURE,
                    AuditEvent.sequence > last_submitted.get(subject_id, 0),
                )
            )
        if shared and access.can_see_scrutiny(session, principal, cycle, sef):
            allowed.append(and_(this_one, AuditEvent.action.in_(SEF_SCRUTINY_ACTIONS)))
    return allowed


def _kloes(session: Session, principal: Principal, cycle: Cycle) -> ColumnElement[bool]:
    """An LA's key lines of enquiry: to the members of its triad (app.challenge.access)."""
    region = get_reference().regions[cycle.region_id]
    readable = [
        la.code
        for la in region.local_authorities
        if challenge.can_read(session, principal, cycle, la.code)
    ]
    return and_(AuditEvent.subject_type == "kloes", AuditEvent.subject_id.in_(readable))


def _challenge_records(session: Session, principal: Principal, cycle: Cycle) -> ColumnElement[bool]:
    """A triad's record: all of it to the triad's members; that it was agreed to those who see
    its agreed summary or its state (app.challenge.record_access)."""
    whole, agreed_only = record_access.history_reach(session, principal, cycle)
    about = AuditEvent.subject_type == "challenge_record"
    return and_(
        about,
        or_(
            AuditEvent.subject_id.in_([str(i) for i in whole]),
            and_(
                AuditEvent.subject_id.in_([str(i) for i in agreed_only]),
                AuditEvent.action == "challenge.record_agreed",
            ),
        ),
    )


def _triads(session: Session, principal: Principal, cycle: Cycle) -> ColumnElement[bool]:
    """A triad's conversation arrangements (meeting, reviewers, attendees, withdrawals): to its
    members and the coordinator (app.challenge.meetings.sees_arrangements)."""
    seen = [
        str(triad.id)
        for triad in session.scalars(select(Triad).where(Triad.cycle_id == cycle.id))
        if meetings.sees_arrangements(session, principal, cycle, triad)
    ]
    return and_(AuditEvent.subject_type == "triad", AuditEvent.subject_id.in_(seen))


def _plans(session: Session, principal: Principal, cycle: Cycle) -> ColumnElement[bool]:
    """An LA's development plan: to its own people and the coordinator (app.plans.access); its
    peer challenge (comments, challenges, answers) to its own people and its triad partners, never
    the coordinator, who sees only the counts on the plan page."""
    rows = session.execute(select(LaPlan.id, LaPlan.la_code).where(LaPlan.cycle_id == cycle.id))
    readable, commented = [], []
    for plan_id, la_code in rows.all():
        if plans.can_read(principal, cycle, la_code):
            readable.append(str(plan_id))
        if plans.sees_comments(session, principal, cycle, la_code):
            commented.append(str(plan_id))
    return or_(
        and_(AuditEvent.subject_type == "la_plan", AuditEvent.subject_id.in_(readable)),
        and_(AuditEvent.subject_type == "la_plan_comment", AuditEvent.subject_id.in_(commented)),
    )
