"""JSON API for self-evaluations, under /api/v1: reading, drafting, versions, submitting.

The tracker, signing, returning and peer scrutiny are in app.self_evaluation.scrutiny.api, whose routes
this router includes: the app includes this one router. Errors are the app's JSON errors
({"error": {"type", "title", "message", "field"}}); a chapter save refused because someone else
saved it first also carries their version and their text of the chapter, so a client can merge.

The history (earlier versions, comparisons, returns' reasons, contributors' emails) is the LA's
and its coordinator's: scrutineers and the RISL, who may read a signed self-evaluation, get its
signed version and signatures only.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.errors import StaleVersion
from app.identifiers import Identifier
from app.models import Cycle, SefVersion, SelfEvaluation
from app.reference.sef import TEXT_SECTIONS, SefChapter
from app.self_evaluation import access, contributors
from app.self_evaluation.api_models import (
    ChapterComparisonOut,
    ChapterOut,
    ComparisonOut,
    ConflictBody,
    ConflictOut,
    ContributorOut,
    SefOut,
    SefSummaryOut,
    VersionOut,
    VersionSummaryOut,
)
from app.self_evaluation.drafting import api_start, carry, content, service
from app.self_evaluation.drafting import versions as sef_versions
from app.self_evaluation.schemas import AssignInput, ChapterInput, CompareInput, SubmitInput
from app.self_evaluation.scrutiny import api as api_scrutiny
from app.self_evaluation.signoff import service as signoff

router = APIRouter(
    prefix="/api/v1/regions/{region_id}/cycles/{year}/self-evaluations",
    tags=["self-evaluations"],
)

# Sign-off and scrutiny first, so "/tracker" is matched before "/{la_code}".
router.include_router(api_scrutiny.router)
router.include_router(api_start.router)

Viewer = Annotated[Principal, permission(Action.VIEW_SEF)]


def chapter_out(chapter: SefChapter, text: dict[str, str], *, graded: bool) -> ChapterOut:
    grade = text.get("grade", "")
    return ChapterOut(
        chapter_id=chapter.id,
        title=chapter.title,
        graded=graded,
        grade=grade if graded else None,
        grade_label=content.grade_label(grade) if graded else None,
        sections={name: text.get(name, "") for name, _ in TEXT_SECTIONS},
    )


def summary_out(version: SefVersion) -> VersionSummaryOut:
    return VersionSummaryOut(
        number=version.number,
        chapter_id=version.chapter_id,
        created_by=version.created_by_name,
        created_at=version.created_at,
        content_hash=version.content_hash,
        based_on=version.based_on_number,
    )


def version_out(sef: SelfEvaluation, version: SefVersion) -> VersionOut:
    text = service.content_of(sef, version)
    template = service.template_of(sef)
    return VersionOut(
        **summary_out(version).model_dump(),
        chapters=[
            chapter_out(c, text.get(c.id, {}), graded=template.graded(c.id))
            for c in template.chapters
        ],
    )


def contributors_out(
    session: Session, principal: Principal, cycle: Cycle, sef: SelfEvaluation
) -> list[ContributorOut]:
    """The current contributors; their emails only for the LA's own people and its coordinator."""
    found = [ContributorOut.model_validate(c) for c in contributors.current(session, sef)]
    if access.can_read_history(principal, cycle, sef):
        return found
    return [c.model_copy(update={"email": None}) for c in found]


def sef_out(session: Session, principal: Principal, cycle: Cycle, sef: SelfEvaluation) -> SefOut:
    latest = service.latest_version(session, sef)
    sign_off = api_scrutiny.sign_off_out(signoff.readable_status(session, principal, cycle, sef))
    return SefOut(
        la_code=sef.la_code,
        la_name=service.local_authority(cycle, sef.la_code).name,
        state=sef.state,
        template_id=sef.template_id,
        submitted_at=sef.submitted_at,
        signed_at=sef.signed_at,
        scrutiny_closed_at=sef.scrutiny_closed_at,
        latest_version=version_out(sef, latest) if latest else None,
        carried_forward=carry.carried_chapters(session, sef),
        sign_off=sign_off,
        contributors=contributors_out(session, principal, cycle, sef),
    )


def _conflict(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    chapter_id: str,
    exc: StaleVersion,
) -> JSONResponse:
    """The app's 409 body, with the newer version and its text of the chapter, for merging."""
    sef = service.get_sef(session, principal, cycle, la_code)
    latest = service.latest_version(session, sef)
    assert latest is not None  # a save is refused as stale only when a newer version exists
    text = service.content_of(sef, latest).get(chapter_id, {})
    body = ConflictBody(
        type=type(exc).__name__,
        title=exc.title,
        message=exc.message,
        field=exc.field,
        latest_version=summary_out(latest),
        chapter=chapter_out(
            service.chapter_of(sef, chapter_id),
            text,
            graded=service.template_of(sef).graded(chapter_id),
        ),
    )
    return JSONResponse(ConflictOut(error=body).model_dump(mode="json"), status_code=409)


@router.get("", response_model=list[SefSummaryOut])
def list_sefs(session: DbSession, principal: Viewer, cycle: CurrentCycle) -> list[SefSummaryOut]:
    """The self-evaluations of the cycle this person may read, by authority name."""
    found = []
    for sef in service.readable_sefs(session, principal, cycle):
        latest = service.latest_version(session, sef)
        status = signoff.build_status(session, cycle, sef)
        found.append(
            SefSummaryOut(
                la_code=sef.la_code,
                la_name=service.local_authority(cycle, sef.la_code).name,
                state=sef.state,
                latest_version=latest.number if latest else None,
                submitted_version=sef.submitted_number,
                due_on=status.due_on,
                late=status.late,
            )
        )
    return found


@router.get("/{la_code}", response_model=SefOut)
def get_sef(
    region_id: str,
    year: str,
    la_code: str,
    session: DbSession,
    principal: Viewer,
    cycle: CurrentCycle,
) -> SefOut:
    """The self-evaluation: its newest text, its sign-off and its contributors."""
    return sef_out(session, principal, cycle, service.get_sef(session, principal, cycle, la_code))


@router.get("/{la_code}/versions", response_model=list[VersionSummaryOut])
def list_versions(
    region_id: str,
    year: str,
    la_code: str,
    session: DbSession,
    principal: Viewer,
    cycle: CurrentCycle,
) -> list[VersionSummaryOut]:
    """Every saved version, newest first; scrutineers and the RISL get the signed one only."""
    sef = service.get_sef(session, principal, cycle, la_code)
    return [summary_out(v) for v in sef_versions.readable_versions(session, principal, cycle, sef)]


@router.get("/{la_code}/versions/{number}", response_model=VersionOut)
def get_version(
    region_id: str,
    year: str,
    la_code: str,
    number: Identifier,
    session: DbSession,
    principal: Viewer,
) -> VersionOut:
    """One version's text; outside the authority and its coordinator, the signed version only."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    sef = service.get_sef(session, principal, cycle, la_code)
    return version_out(sef, sef_versions.readable_version(session, principal, cycle, sef, number))


@router.get("/{la_code}/compare", response_model=ComparisonOut)
def compare(
    region_id: str,
    year: str,
    la_code: str,
    session: DbSession,
    principal: Viewer,
    versions: Annotated[CompareInput, Query()],
) -> ComparisonOut:
    """Two versions side by side, chapter by chapter and section by section.

    For the authority's own people and the regional coordinator only (others see no drafts).
    """
    cycle = cycles.get_cycle(session, principal, region_id, year)
    sef = service.get_sef(session, principal, cycle, la_code)
    found = sef_versions.compare_for(session, principal, cycle, sef, versions.a, versions.b)
    return ComparisonOut(
        older=summary_out(found.older),
        newer=summary_out(found.newer),
        chapters=[ChapterComparisonOut.model_validate(c) for c in found.chapters],
    )


@router.put(
    "/{la_code}/chapters/{chapter_id}",
    response_model=VersionSummaryOut,
    responses={
        409: {
            "model": ConflictOut,
            "description": "Someone else saved a newer version of this chapter, or the "
            "self-evaluation can no longer change. Nothing was saved. A stale save's body "
            "also carries the newer version and its text of the chapter.",
        }
    },
)
def put_chapter(
    region_id: str,
    year: str,
    la_code: str,
    chapter_id: str,
    data: ChapterInput,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    session: WriteSession,
) -> VersionSummaryOut | JSONResponse:
    """Save one chapter as a new version; answers 200 with the version now latest.

    Send `base_version`, the version you started from. A save that changes nothing makes no
    version and returns the latest. A save over someone else's newer change to the same chapter
    is refused with 409; a save over changes to other chapters lands on top of them. A save
    after a signature voids the signatures and returns the self-evaluation to drafting.
    """
    cycle = cycles.get_cycle(session, principal, region_id, year)
    try:
        saved = service.save_chapter(session, principal, cycle, la_code, chapter_id, data)
    except StaleVersion as exc:
        return _conflict(session, principal, cycle, la_code, chapter_id, exc)
    return summary_out(saved)


@router.get("/{la_code}/contributors", response_model=list[ContributorOut])
def list_contributors(
    region_id: str,
    year: str,
    la_code: str,
    session: DbSession,
    principal: Viewer,
    cycle: CurrentCycle,
) -> list[ContributorOut]:
    """The people assigned chapters now, by chapter then name (emails as in the model)."""
    sef = service.get_sef(session, principal, cycle, la_code)
    return contributors_out(session, principal, cycle, sef)


@router.post("/{la_code}/contributors", response_model=ContributorOut, status_code=201)
def assign(
    region_id: str,
    year: str,
    la_code: str,
    data: AssignInput,
    principal: Annotated[Principal, permission(Action.ASSIGN_SEF_CHAPTERS)],
    session: WriteSession,
) -> ContributorOut:
    """The DCS names a person who holds a role in the authority to draft a chapter."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return ContributorOut.model_validate(
        contributors.assign(session, principal, cycle, la_code, data)
    )


@router.delete("/{la_code}/contributors/{contributor_id}", status_code=204)
def unassign(
    region_id: str,
    year: str,
    la_code: str,
    contributor_id: Identifier,
    principal: Annotated[Principal, permission(Action.ASSIGN_SEF_CHAPTERS)],
    session: WriteSession,
) -> Response:
    """End an assignment; what the person wrote stays in the versions."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    contributors.unassign(session, principal, cycle, la_code, contributor_id)
    return Response(status_code=204)


@router.post("/{la_code}/submit", response_model=VersionSummaryOut)
def submit(
    region_id: str,
    year: str,
    la_code: str,
    data: SubmitInput,
    principal: Annotated[Principal, permission(Action.SUBMIT_SEF)],
    session: WriteSession,
) -> VersionSummaryOut:
    """The DCS submits the exact version reviewed (by its hash); returns that version."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return summary_out(service.submit(session, principal, cycle, la_code, data))
