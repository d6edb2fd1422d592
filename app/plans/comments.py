"""Peer challenge of an LA's development plan (issue 12): triad partners comment on each
priority of a submitted or signed plan, a comment may be a challenge, and the LA's DCS answers
each challenge once. Partners do not approve another council's priorities: they only comment.

Who may do what is app.plans.access (is_partner, sees_comments, can_comment, can_respond); every
comment and answer is in the history in the same transaction, about ("la_plan_comment", plan).
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.entries import record_in_cycle
from app.auth.principal import Principal
from app.challenge import access as triad_access
from app.db import add_once
from app.errors import AlreadyDone, NotFound, NotPermitted
from app.models import Cycle, LaPlan, LaPlanComment, LaPlanResponse
from app.models.types import utcnow
from app.plans import access, service
from app.plans.actions import PlanAction
from app.plans.schemas import PlanCommentInput, PlanResponseInput
from app.plans.service import PlanView

ANSWERED = "This challenge has already been answered. An answer cannot be changed or given twice."


@dataclass(frozen=True)
class Thread:
    comment: LaPlanComment
    response: LaPlanResponse | None


@dataclass(frozen=True)
class Counts:
    """Where a plan's peer challenge stands, without its words: what the coordinator sees."""

    comments: int
    challenges: int
    answered: int


def comment_subject(plan: LaPlan) -> tuple[str, int]:
    return ("la_plan_comment", plan.id)


def threads(
    session: Session, principal: Principal | None, cycle: Cycle, found: PlanView
) -> dict[int, list[Thread]]:
    """The comments on each priority with their answers, by position; {} for anyone who may not
    see them (the coordinator sees `counts`)."""
    if found.plan is None or not access.sees_comments(session, principal, cycle, found.la.code):
        return {}
    rows = session.execute(
        select(LaPlanComment, LaPlanResponse)
        .outerjoin(LaPlanResponse, LaPlanResponse.comment_id == LaPlanComment.id)
        .where(LaPlanComment.plan_id == found.plan.id)
        .order_by(LaPlanComment.id)
    ).all()
    by_position: dict[int, list[Thread]] = {}
    for comment, response in rows:
        by_position.setdefault(comment.position, []).append(Thread(comment, response))
    return by_position


def counts(session: Session, plan: LaPlan | None) -> Counts:
    if plan is None:
        return Counts(0, 0, 0)
    comments, challenges = session.execute(
        select(
            func.count(LaPlanComment.id),
            func.count(LaPlanComment.id).filter(LaPlanComment.is_challenge.is_(True)),
        ).where(LaPlanComment.plan_id == plan.id)
    ).one()
    answered = session.scalar(
        select(func.count(LaPlanResponse.id))
        .join(LaPlanComment, LaPlanComment.id == LaPlanResponse.comment_id)
        .where(LaPlanComment.plan_id == plan.id)
    )
    return Counts(comments, challenges, answered or 0)


def unanswered(session: Session, plan: LaPlan | None) -> int:
    found = counts(session, plan)
    return found.challenges - found.answered


def _author_la(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> str | None:
    """The partner LA the author comments for; None for a triad reviewer."""
    members = [m for m in triad_access.triad_of(session, cycle, la_code) if m != la_code]
    las = triad_access.member_las_of(principal, PlanAction.COMMENT_PLAN, members)
    return las[0] if las else None


def comment(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    position: int,
    data: PlanCommentInput,
) -> LaPlanComment:
    """A triad partner comments on (or challenges) one priority of a submitted or signed plan."""
    found = service.read(session, principal, cycle, la_code)
    name = found.la.name
    if not access.can_comment(session, principal, cycle, la_code, found.state):
        raise NotPermitted(
            f"Only {name}'s triad partners comment on its development plan, once it is submitted "
            "for sign-off."
        )
    assert found.plan is not None and found.latest is not None  # submitted or signed
    if not 1 <= position <= len(found.content["priorities"]):
        raise NotFound(f"{name}'s development plan has no priority {position}.")
    made = LaPlanComment(
        plan_id=found.plan.id,
        plan_version_id=found.latest.id,
        position=position,
        author_id=principal.user_id,
        author_name=principal.display_name,
        author_la_code=_author_la(session, principal, cycle, la_code),
        text=data.text,
        is_challenge=data.is_challenge,
        created_at=utcnow(),
    )
    session.add(made)
    session.flush()
    kind = "challenged" if data.is_challenge else "commented on"
    record_in_cycle(
        session,
        principal,
        cycle,
        comment_subject(found.plan),
        "plans.challenged" if data.is_challenge else "plans.commented",
        f"{principal.display_name} {kind} priority {position} of {name}'s development plan",
        {"comment_id": made.id, "number": found.latest.number, "position": position},
        la_code,
    )
    return made


def respond(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    comment_id: int,
    data: PlanResponseInput,
) -> LaPlanResponse:
    """The LA's DCS answers a challenge to its plan, once."""
    found = service.read(session, principal, cycle, la_code)
    name = found.la.name
    if not access.can_respond(principal, cycle, la_code):
        raise NotPermitted(f"Only {name}'s Director of Children's Services answers challenges.")
    challenged = session.get(LaPlanComment, comment_id)
    if found.plan is None or challenged is None or challenged.plan_id != found.plan.id:
        raise NotFound(f"There is no such comment on {name}'s development plan.")
    if not challenged.is_challenge:
        raise NotPermitted("This is a comment, not a challenge: it needs no answer.")
    if session.scalar(select(LaPlanResponse.id).where(LaPlanResponse.comment_id == comment_id)):
        raise AlreadyDone(ANSWERED)
    answer = LaPlanResponse(
        comment_id=comment_id,
        author_id=principal.user_id,
        author_name=principal.display_name,
        text=data.text,
        created_at=utcnow(),
    )
    add_once(session, answer, AlreadyDone(ANSWERED))
    record_in_cycle(
        session,
        principal,
        cycle,
        comment_subject(found.plan),
        "plans.challenge_answered",
        f"{principal.display_name} answered {challenged.author_name}'s challenge to priority "
        f"{challenged.position} of {name}'s development plan",
        {"comment_id": comment_id, "position": challenged.position},
        la_code,
    )
    return answer
