"""The self-evaluation's tasks on the cycle overview: write, sign, draft, scrutinise, track."""

from datetime import date

from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.models import Cycle, SelfEvaluation
from app.self_evaluation import access
from app.self_evaluation.access import SHARED_STATES
from app.self_evaluation.drafting import content
from app.self_evaluation.drafting import service as sef_service
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff
from app.self_evaluation.signoff.service import SignOffStatus
from app.stage import Task


def _due(due_on: date | None) -> str:
    return f"Due by {due_on:%-d %B %Y}" if due_on else "No due date is set yet"


def _write_task(href: str, sef: SelfEvaluation, status: SignOffStatus, saved: int) -> Task:
    """The DCS's own self-evaluation: from nothing written to submitted and signed."""
    title = "Write and submit your self-evaluation"
    if sef.state == "draft":
        if saved == 0:
            return Task(title, href, "late" if status.late else "not_started", _due(status.due_on))
        hint = f"Version {saved} saved; submit it for sign-off. {_due(status.due_on)}"
        if status.current_return:
            event, number = status.current_return
            hint = (
                f"Version {number} was returned by {event.signatory_name}; make the changes and "
                f"submit it again. {_due(status.due_on)}"
            )
        return Task(title, href, "late" if status.late else "in_progress", hint)
    if sef.state == "awaiting_sign_off":
        return Task(
            title,
            href,
            "completed",
            f"Version {sef.submitted_number} submitted; {status.signed_count} of "
            f"{len(SIGNATORY_ROLES)} signatures",
        )
    return Task(title, href, "completed", f"Version {sef.submitted_number} signed by all three")


def _sign_task(
    href: str, sef: SelfEvaluation, status: SignOffStatus, held: list[Role]
) -> Task | None:
    """A signatory's own signature, from before submission (cannot start) to signed."""
    title = "Sign your self-evaluation"
    if status.state == "awaiting_sign_off" and status.submitted:
        waiting = [s for s in status.signatories if s.role in held and s.state != "signed"]
        if waiting:
            return Task(
                title,
                f"{href}/sign",
                "late" if status.late else "not_started",
                f"Version {status.submitted.number} is awaiting your signature. "
                + _due(status.due_on),
            )
        return Task(
            title,
            href,
            "completed",
            f"You have signed version {status.submitted.number}; {status.signed_count} of "
            f"{len(SIGNATORY_ROLES)} signatures",
        )
    if Role.DCS in held:
        return None  # the DCS's write-and-submit task already says what comes first, and after
    if sef.state in SHARED_STATES:
        return Task(title, href, "completed", f"Version {sef.submitted_number} signed by all three")
    return Task(
        title,
        None,
        "cannot_start",
        "Signing opens when the Director of Children's Services submits it for sign-off. "
        + _due(status.due_on),
    )


def _chapter_tasks(
    session: Session, principal: Principal, cycle: Cycle, sef: SelfEvaluation, href: str
) -> list[Task]:
    """A contributor's chapters: the ones their DCS assigned them, while they can be drafted."""
    assigned = access.assigned_chapters(session, principal, sef)
    if not assigned:
        return []
    name = sef_service.local_authority(cycle, sef.la_code).name
    text = sef_service.content_of(sef, sef_service.latest_version(session, sef))
    editable = sef.state in ("draft", "awaiting_sign_off")
    tasks = []
    for chapter in sef_service.template_of(sef).chapters:
        if chapter.id not in assigned:
            continue
        sections = text.get(chapter.id, {})
        graded = sef_service.template_of(sef).graded(chapter.id)
        if not editable or not content.chapter_gaps(sections, graded=graded):
            state = "completed"
        else:
            state = "in_progress" if any(v.strip() for v in sections.values()) else "not_started"
        tasks.append(
            Task(
                f"Draft '{chapter.title}' for {name}",
                f"{href}/chapters/{chapter.id}" if editable else href,
                state,
                "Your Director of Children's Services asked you to draft this chapter"
                if editable
                else "The self-evaluation is signed; the chapter can no longer change",
            )
        )
    return tasks


def _scrutiny_hint(graded: bool) -> str:
    # Peers are not inspectors: they offer a different view of a grade, they do not challenge it.
    if graded:
        return (
            "Comment chapter by chapter, and offer a different view of a grade if you read "
            "the evidence differently"
        )
    return "Comment chapter by chapter on its strengths and areas for development"


def sef_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    """The self-evaluations: write and submit, sign, scrutinise, respond, and track."""
    base = f"/regions/{cycle.region_id}/cycles/{cycle.year}/self-evaluations"
    tasks: list[Task] = []  # the person's own authority's steps first
    scrutinise: list[Task] = []
    for sef in sef_service.readable_sefs(session, principal, cycle):
        href = f"{base}/{sef.la_code}"
        scope = Scope(cycle.region_id, sef.la_code)
        held = [r for r in SIGNATORY_ROLES if can(principal, Action.SIGN_SEF, scope, as_role=r)]
        dcs = Role.DCS in held
        status = signoff.build_status(session, cycle, sef) if held else None
        if dcs and status is not None:
            latest = sef_service.latest_version(session, sef)
            tasks.append(_write_task(href, sef, status, latest.number if latest else 0))
        if status is not None:
            task = _sign_task(href, sef, status, held)
            if task is not None:
                tasks.append(task)
        if not dcs:
            tasks.extend(_chapter_tasks(session, principal, cycle, sef, href))
        if sef.state in SHARED_STATES and access.is_scrutineer(
            session, principal, cycle, sef.la_code
        ):
            name = sef_service.local_authority(cycle, sef.la_code).name
            closed = sef.state == "scrutiny_closed"
            scrutinise.append(
                Task(
                    f"Scrutinise {name}'s self-evaluation",
                    f"{href}/scrutiny",
                    "closed" if closed else "open",
                    "Scrutiny is closed"
                    if closed
                    else _scrutiny_hint(sef_service.template_of(sef).any_grades),
                )
            )
        if dcs and sef.state == "signed":
            threads = scrutiny.threads(session, sef)
            unanswered = sum(1 for t in threads if t.response is None)
            if unanswered:
                tasks.append(
                    Task(
                        "Respond to scrutiny",
                        f"{href}/scrutiny",
                        "in_progress" if unanswered < len(threads) else "not_started",
                        f"{unanswered} {'comment' if unanswered == 1 else 'comments'} "
                        "without a response",
                    )
                )
    tasks.extend(scrutinise)
    if can(principal, Action.TRACK_SEF, Scope(cycle.region_id)):
        _, rows = signoff.tracker(session, principal, cycle)
        signed = sum(1 for r in rows if r.state in SHARED_STATES)
        late = sum(1 for r in rows if r.late)
        tasks.append(
            Task(
                "Track self-evaluations",
                f"{base}/tracker",
                "completed" if rows and signed == len(rows) else "in_progress",
                f"{signed} of {len(rows)} signed" + (f"; {late} late" if late else ""),
            )
        )
    return tasks
