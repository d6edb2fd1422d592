"""Who takes part in a region besides its LAs: Children's Trusts, and the regional leads.

Every model forbids unknown keys (app/reference/base.py), as the rest of the reference data does.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator

from app.auth.roles import Role
from app.reference.base import Frozen, NonEmpty, OnsCode, TrustCode, signatories


class TrustActivity(StrEnum):
    """What a Trust takes part in for the LAs it serves, beyond signing the MoU itself."""

    # Its signing roles sign each served LA's self-evaluation "or equivalent" (seed 002:2208).
    SELF_EVALUATION = "self_evaluation"
    # Its people sit in the triad of each LA it serves.
    TRIAD = "triad"


class Trust(Frozen):
    """A Children's Trust or other alternative delivery model, as a party to one region's RIIA.

    A company serving LAs in two regions is listed in each region file, under a code of its own
    in each (an organisation belongs to one region: people sign that region's MoU for it), with
    the same `company`, name and the LAs it serves in that region.
    """

    code: TrustCode
    name: NonEmpty
    serves: Annotated[tuple[OnsCode, ...], Field(min_length=1)]
    # The legal body when it appears in more than one region file; otherwise its own code.
    company: TrustCode | None = None
    takes_part_in: tuple[TrustActivity, ...] = ()
    # Public pages that say the Trust runs these LAs' children's social care.
    sources: tuple[Annotated[str, Field(pattern=r"^https://\S+$")], ...] = ()

    @field_validator("takes_part_in")
    @classmethod
    def _once_each(cls, values: tuple[TrustActivity, ...]) -> tuple[TrustActivity, ...]:
        if len(set(values)) != len(values):
            raise ValueError("an activity is listed twice")
        return values

    @property
    def company_id(self) -> str:
        return self.company or self.code


LeadCodes = Annotated[tuple[NonEmpty, ...], Field(min_length=1)]

# The signatory role whose holder in a lead organisation acts as each regional lead.
LEAD_FROM: dict[Role, Role] = {
    Role.LEAD_DCS: Role.DCS,
    Role.LEAD_LEAD_MEMBER: Role.LEAD_MEMBER,
    Role.LEAD_CHIEF_EXECUTIVE: Role.CHIEF_EXECUTIVE,
}


class BoardChair(Frozen):
    """Who chairs the RIIA board: the holder of a role in one organisation (seed 002:2272)."""

    organisation: NonEmpty
    role: Role

    @field_validator("role")
    @classmethod
    def _a_signatory(cls, role: Role) -> Role:
        signatories((role,))
        return role


class Leads(Frozen):
    """The organisations whose DCS, Lead Member and Chief Executive lead the region.

    Each role takes one code or a list of co-leads (two lead Lead Members: seed 002:2272).
    """

    lead_dcs: LeadCodes
    lead_lead_member: LeadCodes
    lead_chief_executive: LeadCodes
    board_chair: BoardChair | None = None

    @field_validator("lead_dcs", "lead_lead_member", "lead_chief_executive", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator("lead_dcs", "lead_lead_member", "lead_chief_executive")
    @classmethod
    def _each_once(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(codes)) != len(codes):
            raise ValueError("a co-lead is listed twice")
        return codes

    def by_role(self) -> dict[Role, tuple[str, ...]]:
        """The organisation codes holding each regional lead role, co-leads in file order."""
        return {
            Role.LEAD_DCS: self.lead_dcs,
            Role.LEAD_LEAD_MEMBER: self.lead_lead_member,
            Role.LEAD_CHIEF_EXECUTIVE: self.lead_chief_executive,
        }

    def codes(self) -> dict[str, tuple[str, ...]]:
        """Every organisation code named, by the key it is written under."""
        named = {str(role): codes for role, codes in self.by_role().items()}
        if self.board_chair is not None:
            named["board_chair.organisation"] = (self.board_chair.organisation,)
        return named


class TriadConflict(Frozen):
    """LAs the triad proposal never groups together, and why (issue 12: partners that close
    become a "cosy" triad): one DCS or one Trust for both, or one safeguarding partnership."""

    codes: Annotated[tuple[OnsCode, ...], Field(min_length=2)]
    reason: NonEmpty

    @field_validator("codes")
    @classmethod
    def _distinct(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(codes)) != len(codes):
            raise ValueError("an authority is listed twice in one triad conflict")
        return codes
