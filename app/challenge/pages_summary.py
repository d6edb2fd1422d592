"""The triad summary report as a download: one page route and its API twin.

Both are sync `def` on purpose: WeasyPrint is CPU-bound and must run in the worker thread pool.
"""

from typing import Annotated

from fastapi import APIRouter, Response

from app.auth.principal import Principal
from app.auth.web import DbSession, permission
from app.challenge import summary
from app.challenge.actions import ChallengeAction
from app.cycles import service as cycles
from app.cycles.routes import CYCLE
from app.errors import ErrorOut
from app.web import as_download

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["triad challenge records"])
SUMMARY = "/conversations/summary.pdf"
Reader = Annotated[Principal, permission(ChallengeAction.VIEW_CONVERSATIONS)]


def _pdf(session: DbSession, principal: Principal, region_id: str, year: str) -> bytes:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return summary.summary_pdf(session, principal, cycle)


@router.get(CYCLE + SUMMARY)
def summary_report(region_id: str, year: str, session: DbSession, principal: Reader) -> Response:
    pdf = _pdf(session, principal, region_id, year)
    return as_download(pdf, f"triad-summary-{region_id}-{year}.pdf")


@api_router.get(
    CYCLE + SUMMARY,
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The triad summary report"},
        409: {"model": ErrorOut, "description": "Not every triad's record is agreed yet"},
    },
)
def summary_report_api(
    region_id: str, year: str, session: DbSession, principal: Reader
) -> Response:
    """The triad summary report for the RIIA board: themes across triads by improvement area,
    counts of actions, support asked for and offered; authorities named only where the region's
    data terms allow it."""
    pdf = _pdf(session, principal, region_id, year)
    return Response(pdf, media_type="application/pdf")
