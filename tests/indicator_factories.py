"""Quarterly returns inserted directly, in bulk, for tests that need data rather than the import."""

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import IndicatorReturn, ReturnValue, User
from app.reference import get_reference


def add_return(
    session: Session,
    la_code: str,
    period: str,
    values: dict[str, float | str],
    *,
    version: int = 1,
    submitted_by: User,
    region_id: str | None = None,
    commentary: dict[str, str] | None = None,
    late: bool = False,
    source: str = "form",
) -> IndicatorReturn:
    """One version of an LA's return; a str value is a DfE missing code (c, x, z, u)."""
    returned = IndicatorReturn(
        region_id=region_id or get_reference().region_of(la_code).id,
        organisation_code=la_code,
        period=period,
        version=version,
        source=source,
        reason=None if version == 1 else "Corrected figures",
        late=late,
        submitted_by_id=submitted_by.id,
    )
    session.add(returned)
    session.flush()
    notes = commentary or {}
    rows = [
        {
            "return_id": returned.id,
            "indicator_id": indicator_id,
            "value": None if isinstance(value, str) else float(value),
            "missing_code": value if isinstance(value, str) else None,
            "commentary": notes.get(indicator_id),
        }
        for indicator_id, value in values.items()
    ]
    if rows:
        session.execute(insert(ReturnValue), rows)
    return returned
