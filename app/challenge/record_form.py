"""The record form's boxes as the API's body, and back: one LA's part of a triad's record.

The page shows, for each of the LA's questions, four boxes and up to three agreed actions, then up
to three requests for support and three offers; rows left blank are not part of the record. The
posted form becomes the same RecordPartInput the API takes, so both are checked by one schema.
"""

from collections.abc import Mapping

from app.challenge.record_schemas import StoredPart
from app.forms import posted_date

NOTE_FIELDS = ("challenge_points", "evidence", "response", "strengths")
ACTION_ROWS = 3
SUPPORT_ROWS = 3
ACTION_FIELDS = ("what", "owner", "area")


def _text(form: Mapping[str, object], name: str) -> str:
    return str(form.get(name, "")).strip()


def _actions(form: Mapping[str, object], position: int) -> list[dict[str, object]]:
    found = []
    for i in range(1, ACTION_ROWS + 1):
        prefix = f"kloe-{position}-action-{i}"
        row: dict[str, object] = {f: _text(form, f"{prefix}-{f}") for f in ACTION_FIELDS}
        row["due_on"] = posted_date(form, f"{prefix}-due_on")
        if any(row.values()):
            found.append(row)
    return found


def _support(
    form: Mapping[str, object], kind: str, fields: tuple[str, ...]
) -> list[dict[str, object]]:
    found = []
    for j in range(1, SUPPORT_ROWS + 1):
        row: dict[str, object] = {f: _text(form, f"{kind}-{j}-{f}") for f in fields}
        if any(row.values()):
            found.append(row)
    return found


def body_from(form: Mapping[str, object], positions: list[int]) -> dict[str, object]:
    """The posted boxes as the API's RecordPartInput body."""
    notes = []
    for p in positions:
        note: dict[str, object] = {f: _text(form, f"kloe-{p}-{f}") for f in NOTE_FIELDS}
        note["actions"] = _actions(form, p)
        note["position"] = p
        notes.append(note)
    return {
        "version": _text(form, "version"),
        "kloes": notes,
        "support_asked": _support(form, "ask", ("area", "days", "detail")),
        "support_offered": _support(form, "offer", ("to_la", "area", "days", "detail")),
    }


def values_from(part: StoredPart | None, version: str) -> dict[str, str]:
    """The boxes as the page opens: the part as last saved."""
    values = {"version": version}
    if part is None:
        return values
    for note in part.kloes:
        p = note.position
        for f in NOTE_FIELDS:
            values[f"kloe-{p}-{f}"] = getattr(note, f)
        for i, action in enumerate(note.actions, start=1):
            prefix = f"kloe-{p}-action-{i}"
            for f in ACTION_FIELDS:
                values[f"{prefix}-{f}"] = getattr(action, f)
            due = action.due_on
            values |= {
                f"{prefix}-due_on-day": str(due.day),
                f"{prefix}-due_on-month": str(due.month),
                f"{prefix}-due_on-year": str(due.year),
            }
    for j, ask in enumerate(part.support_asked, start=1):
        values |= {
            f"ask-{j}-area": ask.area,
            f"ask-{j}-days": str(ask.days),
            f"ask-{j}-detail": ask.detail,
        }
    for j, offer in enumerate(part.support_offered, start=1):
        values |= {
            f"offer-{j}-to_la": offer.to_la,
            f"offer-{j}-area": offer.area,
            f"offer-{j}-days": str(offer.days),
            f"offer-{j}-detail": offer.detail,
        }
    return values
