"""Drafting a self-evaluation: chapters, contributors, versions, comparison and submission.

Every save is a new immutable version. A save carries the version its writer started from: if
someone else has since changed the same chapter, the save is refused and nothing is lost (the
page shows both texts); a save to a chapter nobody else touched lands on top of the newest text.
"""

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import add_once
from app.errors import Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from app.models import Cycle, SefSignOffEvent, SefVersion, SelfEvaluation
from app.models.types import utcnow
from app.reference import get_reference
from app.reference.models import LocalAuthority
from app.reference.sef import SefChapter, SefTemplate
from app.self_evaluation import access
from app.self_evaluation.documents import rows as document_rows
from app.self_evaluation.drafting import content
from app.self_evaluation.entries import VersionEntry, audit, entry
from app.self_evaluation.events import SefEvent
from app.self_evaluation.schemas import ChapterInput, SubmitInput
from app.signoff import acts
from app.workflow import SELF_EVALUATION, fire
from app.workflow.states import SefAction
from app.workflow.transition import transition


def local_authority(cycle: Cycle, la_code: str) -> LocalAuthority:
    region = get_reference().regions[cycle.region_id]
    for la in region.local_authorities:
        if la.code == la_code:
            return la
    raise NotFound("That local authority is not part of this region's alliance.")


def template_of(sef: SelfEvaluation) -> SefTemplate:
    return get_reference().sef_templates[sef.template_id]


def chapter_of(sef: SelfEvaluation, chapter_id: str) -> SefChapter:
    try:
        return template_of(sef).chapter(chapter_id)
    except KeyError:
        raise NotFound("This self-evaluation has no such chapter.") from None


def _row(session: Session, cycle: Cycle, la_code: str, *, lock: bool) -> SelfEvaluation:
    local_authority(cycle, la_code)
    query = select(SelfEvaluation).where(
        SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code == la_code
    )
    if lock:
        # Changes to one self-evaluation queue behind each other (PostgreSQL row lock; SQLite
        # already serialises writers), and each reads the state the one before left.
        query = query.with_for_update().execution_options(populate_existing=True)
    sef = session.execute(query).scalar_one_or_none()
    if sef is None:
        raise NotFound("There is no self-evaluation for this authority in this cycle.")
    return sef


def get_sef(
    session: Session,
    principal: Principal | None,
    cycle: Cycle,
    la_code: str,
    *,
    lock: bool = False,
) -> SelfEvaluation:
    """The LA's self-evaluation, if this person may read it now; `lock` before changing it."""
    require(principal, Action.VIEW_SEF, Scope(cycle.region_id))
    sef = _row(session, cycle, la_code, lock=lock)
    if not access.can_read(session, principal, cycle, sef):
        name = local_authority(cycle, la_code).name
        if sef.state in access.SHARED_STATES:
            raise NotPermitted(
                f"{name}'s signed self-evaluation is shared only with {name}, its scrutineers "
                "and the regional coordinator."
            )
        raise NotPermitted(
            f"{name}'s self-evaluation is still being written. Until it is signed it is seen "
            f"only by {name}'s own people and the regional coordinator."
        )
    return sef


def readable_sefs(session: Session, principal: Principal, cycle: Cycle) -> list[SelfEvaluation]:
    """Every self-evaluation of the cycle this person may read, by LA name."""
    require(principal, Action.VIEW_SEF, Scope(cycle.region_id))
    rows = session.scalars(select(SelfEvaluation).where(SelfEvaluation.cycle_id == cycle.id))
    names = {la.code: la.name for la in get_reference().regions[cycle.region_id].local_authorities}
    found = [s for s in rows if access.can_read(session, principal, cycle, s)]
    return sorted(found, key=lambda s: names.get(s.la_code, s.la_code))


def latest_version(session: Session, sef: SelfEvaluation) -> SefVersion | None:
    return session.execute(
        select(SefVersion)
        .where(SefVersion.self_evaluation_id == sef.id)
        .order_by(SefVersion.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def versions(session: Session, sef: SelfEvaluation) -> list[SefVersion]:
    """Every saved version, newest first."""
    return list(
        session.scalars(
            select(SefVersion)
            .where(SefVersion.self_evaluation_id == sef.id)
            .order_by(SefVersion.number.desc())
        )
    )


def version(session: Session, sef: SelfEvaluation, number: int) -> SefVersion:
    found = session.execute(
        select(SefVersion).where(
            SefVersion.self_evaluation_id == sef.id, SefVersion.number == number
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no version {number} of this self-evaluation.")
    return found


def content_of(sef: SelfEvaluation, found: SefVersion | None) -> content.Content:
    """The version's text, or a blank self-evaluation before the first save."""
    return content.loads(found.content) if found else content.empty(template_of(sef))


def submitted_version(session: Session, sef: SelfEvaluation) -> SefVersion | None:
    return version(session, sef, sef.submitted_number) if sef.submitted_number else None


def signed_version(session: Session, sef: SelfEvaluation) -> SefVersion:
    """The version all three signatories signed; Conflict while there is none."""
    found = submitted_version(session, sef) if sef.state in access.SHARED_STATES else None
    if found is None:
        raise Conflict("This self-evaluation has not been signed by all three signatories yet.")
    return found


def void_signatures(
    session: Session, principal: Principal, cycle: Cycle, sef: SelfEvaluation, why: str
) -> list[str]:
    """Signatures on the submitted version stop counting; the history says whose and why."""
    if sef.submitted_number is None:
        return []
    submitted = version(session, sef, sef.submitted_number)
    on_version = SefSignOffEvent.sef_version_id == submitted.id
    voided = acts.voided_by_new_version(session, SefSignOffEvent, on_version)
    if voided:
        audit(
            session,
            principal,
            cycle,
            sef,
            SefEvent.SIGNATURES_VOIDED,
            f"Signatures on version {submitted.number} are void ({why}): {', '.join(voided)}",
            {
                "number": submitted.number,
                "content_hash": submitted.content_hash,
                "signatures": voided,
            },
        )
    sef.submitted_number, sef.submitted_at = None, None
    return voided


def last_change(session: Session, sef: SelfEvaluation, chapter_id: str) -> SefVersion | None:
    """The newest version that changed this chapter (or was written whole)."""
    return session.execute(
        select(SefVersion)
        .where(
            SefVersion.self_evaluation_id == sef.id,
            (SefVersion.chapter_id == chapter_id) | SefVersion.chapter_id.is_(None),
        )
        .order_by(SefVersion.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def require_writer(
    session: Session, principal: Principal, sef: SelfEvaluation, chapter: SefChapter
) -> None:
    """Whose chapter it is and whether it may change now (Conflict once it is signed)."""
    if not access.can_write_chapter(session, principal, sef, chapter.id):
        raise NotPermitted(
            f"You cannot write '{chapter.title}': the DCS writes every chapter, and other people "
            "only the chapters the DCS has assigned to them."
        )
    fire(SELF_EVALUATION, sef.state, SefAction.EDIT)


def save_chapter(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    chapter_id: str,
    data: ChapterInput,
) -> SefVersion:
    """A writer saves one chapter as a new version; a save over someone's newer change is refused."""
    sef = get_sef(session, principal, cycle, la_code, lock=True)
    chapter = chapter_of(sef, chapter_id)
    require_writer(session, principal, sef, chapter)
    latest = latest_version(session, sef)
    latest_number = latest.number if latest else None
    current = content_of(sef, latest)
    graded = template_of(sef).graded(chapter_id)
    if data.grade is not None and not graded:
        raise InvalidInput(
            f"'{chapter.title}' carries no self-assessed grade in this region's template: "
            "write its strengths and areas for development instead.",
            field="grade",
        )
    written = content.chapter_from(data, graded=graded)
    if data.base_version != latest_number:
        base = version(session, sef, data.base_version) if data.base_version else None
        if content_of(sef, base).get(chapter_id) != current.get(chapter_id) and latest:
            theirs = last_change(session, sef, chapter_id) or latest  # who changed this chapter
            blank = "the blank self-evaluation"
            opened = f"version {data.base_version}" if data.base_version else blank
            raise StaleVersion(
                f"{theirs.created_by_name} saved a newer version of '{chapter.title}' (version "
                f"{theirs.number}) after you opened {opened}. Nothing "
                "was saved: your text is kept beside theirs so you can combine them, then save again.",
                field="narrative",
            )
    if latest is not None and current.get(chapter_id) == written:
        return latest  # Nothing changed: a double submit makes no new version.
    updated = content.with_chapter(current, chapter_id, written)
    return add_version(
        session,
        principal,
        cycle,
        sef,
        updated,
        chapter_id=chapter_id,
        why=f"{principal.display_name} edited '{chapter.title}'",
        history=lambda saved: entry(
            principal,
            cycle,
            sef,
            SefEvent.CHAPTER_SAVED,
            f"{principal.display_name} saved '{chapter.title}' as version {saved.number}",
            {"number": saved.number, "chapter_id": chapter_id, "content_hash": saved.content_hash},
        ),
        based_on_number=data.base_version,
        stale=StaleVersion(
            "Someone else saved this self-evaluation at the same moment. Nothing was saved: "
            "your text is kept; reload to see theirs, then save again.",
            field="narrative",
        ),
    )


# What a save made at the same moment as another is told, where the caller has no better words.
SAVED_AT_ONCE = (
    "Someone else saved this self-evaluation at the same moment. Nothing was saved: "
    "reload to see their change, then try again."
)


def add_version(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    sef: SelfEvaluation,
    text: content.Content,
    *,
    chapter_id: str | None,
    why: str,
    history: VersionEntry | None = None,
    based_on_number: int | None | Literal["latest"] = "latest",
    stale: StaleVersion | None = None,
    new_state: str | None = None,
    carried_from_version_id: int | None = None,
) -> SefVersion:
    """Save `text` as the next version (its hash covering the documents attached now), voiding
    signatures gathered so far, and record `history(saved)` (if given) with the edit; flushes.
    Every way a version is made (form, document, import, carry-forward) comes here.

    A chapter's form names the version it was opened on; anything else (a document added or
    removed, a DOCX imported) is based on the latest. The transition table says which state an
    edit leads to; a caller that still names it (`new_state`) must name the same one."""
    if new_state is not None and new_state != fire(SELF_EVALUATION, sef.state, SefAction.EDIT):
        raise ValueError(f"An edit does not lead a {sef.state} self-evaluation to {new_state}")
    latest = latest_version(session, sef)
    if based_on_number == "latest":
        based_on_number = latest.number if latest else None
    saved = SefVersion(
        self_evaluation_id=sef.id,
        number=(latest.number if latest else 0) + 1,
        content=content.dumps(text),
        content_hash=content.content_hash(
            sef.template_id, text, document_rows.hash_entries(document_rows.attached(session, sef))
        ),
        chapter_id=chapter_id,
        based_on_number=based_on_number,
        carried_from_version_id=carried_from_version_id,
        created_by_id=principal.user_id,
        created_by_name=principal.display_name,
        created_at=utcnow(),
    )
    add_once(session, saved, stale or StaleVersion(SAVED_AT_ONCE))
    withdrawn = sef.submitted_number
    if fire(SELF_EVALUATION, sef.state, SefAction.EDIT) != sef.state or withdrawn is not None:
        voided = void_signatures(session, principal, cycle, sef, why)
        if withdrawn is not None and not voided:
            audit(
                session,
                principal,
                cycle,
                sef,
                SefEvent.SUBMISSION_WITHDRAWN,
                f"Version {withdrawn} is no longer submitted for sign-off: {why}",
                {"number": withdrawn, "chapter_id": chapter_id},
            )
    # After the voided signatures, so the history reads in the order things happened.
    audit_entry = history(saved) if history is not None else None
    transition(session, SELF_EVALUATION, sef, SefAction.EDIT, audit=audit_entry)
    return saved


def require_dcs(principal: Principal, cycle: Cycle, la_code: str, action: Action) -> None:
    require(principal, action, Scope(cycle.region_id, la_code), as_role=Role.DCS)


def submit(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: SubmitInput
) -> SefVersion:
    """The DCS submits the exact version they reviewed, once every chapter is written (and graded,
    where the template asks for grades)."""
    require_dcs(principal, cycle, la_code, Action.SUBMIT_SEF)
    sef = get_sef(session, principal, cycle, la_code, lock=True)
    fire(SELF_EVALUATION, sef.state, SefAction.SUBMIT)  # refused before anything is checked
    latest = latest_version(session, sef)
    if latest is None:
        raise Conflict("Nothing has been written yet. Draft the chapters, then submit.")
    if latest.content_hash != data.content_hash:
        raise StaleVersion(
            f"The self-evaluation changed after you reviewed it (it is now version {latest.number}). "
            "Review the latest version, then submit."
        )
    returned = session.scalars(
        select(SefSignOffEvent)
        .where(SefSignOffEvent.sef_version_id == latest.id, SefSignOffEvent.decision == "returned")
        .order_by(SefSignOffEvent.id.desc())
    ).first()
    if returned is not None:
        # Submitting the same version again would revive the signatures its return voided.
        raise Conflict(
            f"Version {latest.number} was returned by the {Role(returned.role).label} "
            f"({returned.signatory_name}): change it, then submit the new version."
        )
    template = template_of(sef)
    missing = content.missing_for_sign_off(template, content_of(sef, latest))
    if missing:
        needs = "a grade, strengths" if template.any_grades else "strengths"
        raise InvalidInput(
            f"Before sign-off every chapter needs {needs} and areas for development: "
            + "; ".join(missing)
            + ".",
            field="content_hash",
        )
    transition(
        session,
        SELF_EVALUATION,
        sef,
        SefAction.SUBMIT,
        audit=entry(
            principal,
            cycle,
            sef,
            SefEvent.SUBMITTED,
            f"Version {latest.number} submitted for sign-off",
            {"number": latest.number, "content_hash": latest.content_hash},
        ),
        submitted_number=latest.number,
        submitted_at=utcnow(),
    )
    return latest


def version_count(session: Session, sef: SelfEvaluation) -> int:
    return session.execute(
        select(func.count()).select_from(SefVersion).where(SefVersion.self_evaluation_id == sef.id)
    ).scalar_one()
