"""Peer scrutiny of a signed self-evaluation: comments, different views of a grade, responses,
closing.

Scrutineers comment chapter by chapter on the signed version and, where the chapter carries a
self-assessed grade, may offer a different view of it: peers are not inspectors, so they offer a
view rather than "challenge" a grade (seed 002_d98c8bcad6f8fe4d.txt:2208 asks for strengths and
areas for development, not grades). The LA's DCS responds once to each comment; the region's
coordinator closes scrutiny. (The column keeps its first name, challenged_grade.)
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import add_once
from app.errors import AlreadyDone, InvalidInput, NotFound, NotPermitted
from app.models import Cycle, SefComment, SefResponse, SelfEvaluation
from app.models.types import utcnow
from app.pack import jobs as pack_jobs
from app.reference import get_reference
from app.reference.models import Scrutiny
from app.self_evaluation import access
from app.self_evaluation.drafting import content, service
from app.self_evaluation.events import SefEvent
from app.self_evaluation.schemas import CommentInput, ResponseInput
from app.workflow import SELF_EVALUATION, fire
from app.workflow.states import SefAction
from app.workflow.transition import transition

# Said to a reader of the self-evaluation who may not see the challenge (the RISL, say).
WITHHELD = (
    "Scrutiny comments are shared only with the authority, its scrutineers and the regional "
    "coordinator."
)
# Every change here alters the signed pack: app/self_evaluation/pack.py renders it after the commit.
PACK = "self_evaluation"


@dataclass(frozen=True)
class Thread:
    comment: SefComment
    response: SefResponse | None


def _affiliation(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> str:
    region = get_reference().regions[cycle.region_id]
    if region.scrutiny is Scrutiny.MODERATION:
        return "Moderator"
    peers = access.scrutineer_organisations(session, cycle, la_code)
    names = {la.code: la.name for la in region.local_authorities}
    for a in principal.assignments:
        if a.role is Role.DCS and a.organisation_code in peers:
            return f"DCS, {names[a.organisation_code]}"
    return "Scrutineer"


def comment(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: CommentInput
) -> SefComment:
    """A scrutineer comments on a chapter of the signed version, perhaps offering a different view
    of its grade."""
    require(principal, Action.COMMENT_SEF, Scope(cycle.region_id))
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    if not access.is_scrutineer(session, principal, cycle, la_code):
        raise NotPermitted(
            "Only this self-evaluation's scrutineers may comment on it: the DCSs of the other "
            "authorities in its triad, or the region's moderators where the region uses moderation."
        )
    # Comments and responses leave the state as it is: the table only says whether they may come.
    fire(SELF_EVALUATION, sef.state, SefAction.COMMENT)
    chapter = service.chapter_of(sef, data.chapter_id)
    if data.challenged_grade is not None and not service.template_of(sef).graded(chapter.id):
        raise InvalidInput(
            f"'{chapter.title}' carries no self-assessed grade, so there is no grade to offer a "
            "different view of: say what you read in the comment.",
            field="challenged_grade",
        )
    signed = service.signed_version(session, sef)
    row = SefComment(
        self_evaluation_id=sef.id,
        sef_version_id=signed.id,
        chapter_id=chapter.id,
        author_id=principal.user_id,
        author_name=principal.display_name,
        author_affiliation=_affiliation(session, principal, cycle, la_code),
        body=data.body,
        challenged_grade=data.challenged_grade.value if data.challenged_grade else None,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    challenge = (
        f", offering a different view of the grade ({content.grade_label(row.challenged_grade)})"
        if row.challenged_grade
        else ""
    )
    service.audit(
        session,
        principal,
        cycle,
        sef,
        SefEvent.COMMENTED,
        f"{principal.display_name} commented on '{chapter.title}'{challenge}",
        {"comment_id": row.id, "chapter_id": chapter.id, "challenged_grade": row.challenged_grade},
    )
    pack_jobs.schedule(session, PACK, cycle.id, la_code)
    return row


def respond(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    comment_id: int,
    data: ResponseInput,
) -> SefResponse:
    """The LA's DCS responds, once, to a scrutineer's comment."""
    require(principal, Action.RESPOND_SEF, Scope(cycle.region_id, la_code), as_role=Role.DCS)
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    fire(SELF_EVALUATION, sef.state, SefAction.RESPOND)
    found = session.get(SefComment, comment_id)
    if found is None or found.self_evaluation_id != sef.id:
        raise NotFound("There is no such comment on this self-evaluation.")
    row = SefResponse(
        comment_id=found.id,
        author_id=principal.user_id,
        author_name=principal.display_name,
        body=data.body,
        created_at=utcnow(),
    )
    add_once(
        session,
        row,
        AlreadyDone("This comment has already been responded to."),
    )
    chapter = service.chapter_of(sef, found.chapter_id)
    service.audit(
        session,
        principal,
        cycle,
        sef,
        SefEvent.RESPONDED,
        f"{principal.display_name} responded to {found.author_name}'s comment on '{chapter.title}'",
        {"comment_id": found.id, "response_id": row.id},
    )
    pack_jobs.schedule(session, PACK, cycle.id, la_code)
    return row


def close(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> SelfEvaluation:
    """The coordinator closes scrutiny; comments left unanswered are counted in the history."""
    require(principal, Action.CLOSE_SEF_SCRUTINY, Scope(cycle.region_id))
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    found = threads(session, sef)
    unanswered = sum(1 for t in found if t.response is None)
    transition(
        session,
        SELF_EVALUATION,
        sef,
        SefAction.CLOSE_SCRUTINY,
        audit=service.entry(
            principal,
            cycle,
            sef,
            SefEvent.SCRUTINY_CLOSED,
            f"Scrutiny closed with {len(found)} comments, {unanswered} without a response",
            {"comments": len(found), "unanswered": unanswered},
        ),
        scrutiny_closed_at=utcnow(),
    )
    pack_jobs.schedule(session, PACK, cycle.id, la_code)
    return sef


def threads(session: Session, sef: SelfEvaluation) -> list[Thread]:
    """Every comment with its response, oldest first."""
    rows = session.execute(
        select(SefComment, SefResponse)
        .outerjoin(SefResponse, SefResponse.comment_id == SefComment.id)
        .where(SefComment.self_evaluation_id == sef.id)
        .order_by(SefComment.id)
    ).all()
    return [Thread(c, r) for c, r in rows]


def visible_threads(
    session: Session, principal: Principal | None, cycle: Cycle, sef: SelfEvaluation
) -> list[Thread] | None:
    """The threads if this person may see the challenge (not the RISL); None otherwise."""
    if not access.can_see_scrutiny(session, principal, cycle, sef):
        return None
    return threads(session, sef)
