"""JSON API for quarterly returns, under /api/v1: the tracker, a return, submitting, uploading."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.errors import ErrorOut
from app.returns import parsing
from app.returns import service as returns
from app.returns.periods import quarter_in_path
from app.returns.queries import ReturnView
from app.returns.schemas import ReturnInput

router = APIRouter(prefix="/api/v1/regions/{region_id}/returns", tags=["returns"])


class TrackerCellOut(BaseModel):
    period: str
    state: str  # not_open, awaiting, submitted, late or missing
    version: int | None
    submitted_at: datetime | None


class TrackerRowOut(BaseModel):
    la_code: str
    la_name: str
    quarters: list[TrackerCellOut]


class TrackerOut(BaseModel):
    region_id: str
    year: str
    rows: list[TrackerRowOut]


class ValueOut(BaseModel):
    indicator_id: str
    value: float | None
    missing_code: str | None
    commentary: str | None


class VersionOut(BaseModel):
    version: int
    submitted_by: str
    submitted_at: datetime
    source: str
    reason: str | None
    late: bool


class ReturnOut(BaseModel):
    la_code: str
    la_name: str
    period: str
    current_version: int | None
    values: list[ValueOut]
    versions: list[VersionOut]


class ImportedReturnOut(BaseModel):
    la_code: str
    version: int
    late: bool


class ImportOut(BaseModel):
    already_imported: bool
    message: str
    returns: list[ImportedReturnOut]
    unchanged: list[str]


def _return_out(view: ReturnView) -> ReturnOut:
    return ReturnOut(
        la_code=view.la.code,
        la_name=view.la.name,
        period=str(view.quarter),
        current_version=view.current.version if view.current else None,
        values=[
            ValueOut(
                indicator_id=v.indicator_id,
                value=v.value,
                missing_code=v.missing_code,
                commentary=v.commentary,
            )
            for v in view.values
        ],
        versions=[
            VersionOut(
                version=item.record.version,
                submitted_by=item.submitted_by,
                submitted_at=item.record.submitted_at,
                source=item.record.source,
                reason=item.record.reason,
                late=item.record.late,
            )
            for item in view.versions
        ],
    )


@router.get("", response_model=TrackerOut)
def get_tracker(
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_RETURNS)],
) -> TrackerOut:
    table = returns.tracker(session, principal, region_id, year)
    return TrackerOut(
        region_id=region_id,
        year=year,
        rows=[
            TrackerRowOut(
                la_code=row.la.code,
                la_name=row.la.name,
                quarters=[
                    TrackerCellOut(
                        period=str(c.quarter),
                        state=c.state,
                        version=c.version,
                        submitted_at=c.submitted_at,
                    )
                    for c in row.cells
                ],
            )
            for row in table.rows
        ],
    )


@router.post(
    "/{quarter_slug}/upload",
    response_model=ImportOut,
    responses={
        422: {
            "model": ErrorOut,
            "description": "The file was refused: `problems` lists every problem by row and column",
        }
    },
)
def upload(
    region_id: str,
    quarter_slug: str,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.SUBMIT_RETURN)],
    file: Annotated[UploadFile, File(description="CSV or XLSX, up to 2 MB")],
    reason: Annotated[str | None, Form()] = None,
) -> ImportOut:
    quarter = quarter_in_path(quarter_slug)
    # Starlette puts no cap on a file part: read one byte past the limit to tell it was over.
    content = file.file.read(parsing.MAX_FILE_BYTES + 1)
    result = returns.import_file(
        session, principal, region_id, quarter, file.filename or "upload", content, reason=reason
    )
    return ImportOut(
        already_imported=result.already_imported,
        message=result.message,
        returns=[
            ImportedReturnOut(la_code=r.organisation_code, version=r.version, late=r.late)
            for r in result.returns
        ],
        unchanged=list(result.unchanged),
    )


@router.get("/{quarter_slug}/{la_code}", response_model=ReturnOut)
def get_return(
    region_id: str,
    quarter_slug: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_RETURNS)],
) -> ReturnOut:
    view = returns.return_values(
        session, principal, region_id, quarter_in_path(quarter_slug), la_code
    )
    return _return_out(view)


@router.put("/{quarter_slug}/{la_code}", response_model=ReturnOut)
def put_return(
    region_id: str,
    quarter_slug: str,
    la_code: str,
    data: ReturnInput,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.SUBMIT_RETURN)],
) -> ReturnOut:
    quarter = quarter_in_path(quarter_slug)
    returns.submit_return(
        session,
        principal,
        region_id,
        quarter,
        la_code,
        data.values,
        source="api",
        reason=data.reason,
    )
    return _return_out(returns.return_values(session, principal, region_id, quarter, la_code))
