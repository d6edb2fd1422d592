"""How a region is organised, as its file says: leads and co-leads, the board chair, Trusts."""

from dataclasses import dataclass

from app.auth.roles import Role
from app.reference import get_reference
from app.reference.models import Region
from app.reference.parties import TrustActivity

_LEAD_LABELS: dict[Role, tuple[str, str]] = {
    Role.LEAD_DCS: ("Lead DCS", "Lead DCSs"),
    Role.LEAD_LEAD_MEMBER: ("Lead Lead Member", "Lead Lead Members"),
    Role.LEAD_CHIEF_EXECUTIVE: ("Lead Chief Executive", "Lead Chief Executives"),
}
_TAKES_PART = {
    TrustActivity.SELF_EVALUATION: "signs their self-evaluations",
    TrustActivity.TRIAD: "sits in their triads",
}


@dataclass(frozen=True)
class Row:
    key: str
    value: str


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def organisation_rows(region: Region) -> list[Row]:
    """One row per lead role (co-leads together), the board chair, then each Trust."""
    name = {o.code: o.name for o in region.organisations}
    rows = []
    for role, codes in region.leads.by_role().items():
        single, plural = _LEAD_LABELS[role]
        rows.append(Row(single if len(codes) == 1 else plural, _and([name[c] for c in codes])))
    chair = region.leads.board_chair
    if chair is not None:
        rows.append(Row("Board chair", f"{chair.role.label}, {name[chair.organisation]}"))
    reference = get_reference()
    for trust in region.trusts:
        text = f"Runs children's social care for {_and([name[c] for c in trust.serves])}"
        if trust.takes_part_in:
            text += "; " + _and([_TAKES_PART[a] for a in trust.takes_part_in])
        elsewhere = [
            r.name for r, _ in reference.trusts_of_company(trust.company_id) if r != region
        ]
        if elsewhere:
            text += f"; also serves authorities in another region ({_and(elsewhere)})"
        rows.append(Row(trust.name, text + "."))
    return rows
