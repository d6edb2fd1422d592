"""The triad pack as a download: one page route and its API twin.

Both are sync `def` on purpose: WeasyPrint is CPU-bound and must run in the worker thread pool.
Who may have it is app.challenge.pack.may_download (the triad's members and the coordinator).
"""

from typing import Annotated

from fastapi import APIRouter, Response

from app.auth.principal import Principal
from app.auth.web import DbSession, permission
from app.challenge import pack
from app.challenge.actions import ChallengeAction
from app.cycles.routes import CYCLE, CurrentCycle
from app.errors import ErrorOut
from app.web import as_download

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["key lines of enquiry"])
PACK = CYCLE + "/triads/{number}/pack.pdf"
Downloader = Annotated[Principal, permission(ChallengeAction.VIEW_KLOES)]


@router.get(PACK)
def triad_pack(
    number: str, principal: Downloader, cycle: CurrentCycle, session: DbSession
) -> Response:
    pdf = pack.triad_pack_pdf(session, principal, cycle, pack.number_of(number))
    return as_download(pdf, f"triad-{number}-{cycle.year}.pdf")


@api_router.get(
    PACK,
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The triad pack"},
        403: {"model": ErrorOut, "description": "Not a member of the triad or its coordinator"},
        404: {"model": ErrorOut, "description": "No such triad in this cycle"},
    },
)
def triad_pack_api(
    number: str, principal: Downloader, cycle: CurrentCycle, session: DbSession
) -> Response:
    """The triad's pack as a tagged PDF: for each authority its signed self-evaluation in brief,
    its data profile, its signatures of risk and, for the triad's members, its key lines of
    enquiry."""
    pdf = pack.triad_pack_pdf(session, principal, cycle, pack.number_of(number))
    return Response(pdf, media_type="application/pdf")
