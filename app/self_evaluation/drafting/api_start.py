"""JSON API for how one LA's self-evaluation starts and when it is due, under the self-evaluation
router (app.self_evaluation.api includes this one): start from last year's signed self-evaluation (the DCS),
and the LA's own due date (the region's coordinator)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import WriteSession, permission
from app.cycles import service as cycles
from app.models import SelfEvaluation
from app.self_evaluation import due
from app.self_evaluation.drafting import carry
from app.self_evaluation.schemas import CarryForwardInput, DueDateInput
from app.self_evaluation.signoff import service as signoff

router = APIRouter()


class CarriedForwardOut(BaseModel):
    number: int = Field(description="The version made: always 1, the first")
    content_hash: str
    from_year: str
    carried_forward: dict[str, str] = Field(
        description="Chapter id -> the earlier cycle's year, for each chapter copied"
    )


class DueDateOut(BaseModel):
    la_code: str
    due_on: date | None = Field(description="The LA's due date now: its own, or the region's")
    own: bool = Field(description="Whether it is the LA's own date rather than the region's")
    reason: str | None


@router.post("/{la_code}/start", response_model=CarriedForwardOut, status_code=201)
def start_from_last_year(
    region_id: str,
    year: str,
    la_code: str,
    data: CarryForwardInput,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    session: WriteSession,
) -> CarriedForwardOut:
    """The DCS starts a blank self-evaluation from the LA's own signed one of an earlier cycle.

    Each chapter is marked as carried forward until it is edited. Refused (409) once anything has
    been written, and when the earlier one is not signed or not readable.
    """
    cycle = cycles.get_cycle(session, principal, region_id, year)
    saved = carry.carry_forward(session, principal, cycle, la_code, data)
    sef_id = saved.self_evaluation_id
    sef = session.get(SelfEvaluation, sef_id)
    assert sef is not None
    return CarriedForwardOut(
        number=saved.number,
        content_hash=saved.content_hash,
        from_year=data.from_year,
        carried_forward=carry.carried_chapters(session, sef),
    )


@router.put("/{la_code}/due-date", response_model=DueDateOut)
def set_due_date(
    region_id: str,
    year: str,
    la_code: str,
    data: DueDateInput,
    principal: Annotated[Principal, permission(Action.EDIT_CALENDAR)],
    session: WriteSession,
) -> DueDateOut:
    """The region's coordinator sets the LA's own sign-off date with a reason; a null date
    returns it to the close of the region's self-evaluation window."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    sef = due.set_due_date(session, principal, cycle, la_code, data)
    status = signoff.build_status(session, cycle, sef)
    return DueDateOut(
        la_code=la_code, due_on=status.due_on, own=sef.due_on is not None, reason=sef.due_reason
    )
