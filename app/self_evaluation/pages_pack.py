"""The self-evaluation pack as a download: one page route and its API twin.

Both are sync `def` on purpose: WeasyPrint is CPU-bound and must run in the worker thread pool.
"""

from typing import Annotated

from fastapi import APIRouter, Response

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CYCLE
from app.errors import ErrorOut
from app.self_evaluation import pack
from app.web import as_download

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["self-evaluations"])
PACK = "/self-evaluations/{la_code}/pack.pdf"
Downloader = Annotated[Principal, permission(Action.DOWNLOAD_SEF_PACK)]


def _pdf(
    session: DbSession, principal: Principal, region_id: str, year: str, la_code: str
) -> bytes:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return pack.sef_pack_pdf(session, principal, cycle, la_code)


@router.get(CYCLE + PACK)
def sef_pack(
    region_id: str, year: str, la_code: str, session: DbSession, principal: Downloader
) -> Response:
    pdf = _pdf(session, principal, region_id, year, la_code)
    return as_download(pdf, f"self-evaluation-{la_code}-{year}.pdf")


@api_router.get(
    CYCLE + PACK,
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The self-evaluation pack"},
        409: {"model": ErrorOut, "description": "Not yet signed by all three signatories"},
    },
)
def sef_pack_api(
    region_id: str, year: str, la_code: str, session: DbSession, principal: Downloader
) -> Response:
    """The signed self-evaluation as a tagged PDF: text, grades, data, signatures and scrutiny."""
    pdf = _pdf(session, principal, region_id, year, la_code)
    return Response(pdf, media_type="application/pdf")
