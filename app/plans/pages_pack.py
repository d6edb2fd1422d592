"""The plan pack as a download: one page route and its API twin.

Both are sync `def` on purpose: WeasyPrint is CPU-bound and must run in the worker thread pool.
"""

from typing import Annotated

from fastapi import APIRouter, Response

from app.auth.principal import Principal
from app.auth.web import DbSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CYCLE
from app.errors import ErrorOut
from app.plans import pack
from app.plans.actions import PlanAction
from app.web import as_download

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["LA development plans"])
PACK = "/plans/{la_code}/pack.pdf"
Reader = Annotated[Principal, permission(PlanAction.READ_PLAN)]


def _pdf(
    session: DbSession, principal: Principal, region_id: str, year: str, la_code: str
) -> bytes:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return pack.plan_pack_pdf(session, principal, cycle, la_code)


@router.get(CYCLE + PACK)
def plan_pack(
    region_id: str, year: str, la_code: str, session: DbSession, principal: Reader
) -> Response:
    pdf = _pdf(session, principal, region_id, year, la_code)
    return as_download(pdf, f"development-plan-{la_code}-{year}.pdf")


@api_router.get(
    CYCLE + PACK,
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The plan pack"},
        409: {"model": ErrorOut, "description": "Not yet submitted for sign-off"},
    },
)
def plan_pack_api(
    region_id: str, year: str, la_code: str, session: DbSession, principal: Reader
) -> Response:
    """The LA's development plan as a tagged PDF: priorities and actions, each success measure
    with its baseline, latest value and target, and the signature schedule with the hash."""
    pdf = _pdf(session, principal, region_id, year, la_code)
    return Response(pdf, media_type="application/pdf")
