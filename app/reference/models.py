"""Frozen, typed models of the reference data in regions/*.yaml and core_indicators.yaml.

Every model forbids unknown keys, so a misspelt key in a hand-kept file fails at start-up
instead of being silently ignored.
"""

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from app.auth.roles import Role
from app.reference.base import Frozen, NonEmpty, OnsCode, signatories
from app.reference.parties import Leads, TriadConflict, Trust, TrustActivity
from app.reference.terms_text import placeholders
from app.structured_text import Block, parse

# The stages of a cycle that have a default window, in the order they are shown.
STAGES: tuple[str, ...] = (
    "mou",
    "quarterly_returns",
    "self_evaluation",
    "triad_challenge",
    "la_development_plan",
    "capacity_index",
    # After the self-evaluations, to agree the regional priorities and plan (seed 002:2328).
    "annual_assurance_conversation",
    "regional_plan",
)

# The canonical order of the nine regions (ONS order), used for lists and files.
REGION_ORDER: tuple[str, ...] = (
    "north-east",
    "north-west",
    "yorkshire-and-the-humber",
    "east-midlands",
    "west-midlands",
    "east-of-england",
    "london",
    "south-east",
    "south-west",
)

_CYCLE_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
# The cycle year starts in April: April to December fall in its first calendar year.
_FIRST_MONTH = 4


class Polarity(StrEnum):
    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    TWO_SIDED = "two_sided"
    CONTEXTUAL = "contextual"


class Unit(StrEnum):
    PERCENT = "percent"
    RATE_PER_10K = "rate_per_10k"
    RATIO = "ratio"
    COUNT = "count"


class Scrutiny(StrEnum):
    """Who scrutinises a signed self-evaluation: the LA's triad, or the region's moderators."""

    TRIAD = "triad"
    MODERATION = "moderation"


class Closeness(StrEnum):
    EXTREMELY_CLOSE = "extremely_close"
    VERY_CLOSE = "very_close"
    CLOSE = "close"
    SOMEWHAT_CLOSE = "somewhat_close"
    NOT_CLOSE = "not_close"


def cycle_start_year(year: str) -> int:
    """The calendar year a cycle year such as "2026-27" starts in; ValueError if malformed."""
    match = _CYCLE_YEAR.match(year)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"cycle year {year!r} is not in the form YYYY-YY, e.g. 2026-27")
    return int(match.group(1))


def _month_day(value: str) -> tuple[int, int]:
    match = _MONTH_DAY.match(value)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        try:
            # 2001 is not a leap year: 29 February would not exist in most cycle years.
            datetime.date(2001, month, day)
        except ValueError:
            pass
        else:
            return month, day
    raise ValueError(f"{value!r} is not a real month and day in the form MM-DD")


def _cycle_order(month_day: tuple[int, int]) -> tuple[int, int, int]:
    month, day = month_day
    return (0 if month >= _FIRST_MONTH else 1, month, day)


class SensibleRange(Frozen):
    """Where a two-sided indicator raises no question: either side of it does."""

    low: float
    high: float
    source: NonEmpty

    @model_validator(mode="after")
    def _ordered(self) -> "SensibleRange":
        if self.low >= self.high:
            raise ValueError(
                f"sensible_range low ({self.low:g}) must be below high ({self.high:g})"
            )
        return self


class Indicator(Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name: NonEmpty
    definition: NonEmpty
    numerator: NonEmpty
    denominator: NonEmpty
    unit: Unit
    polarity: Polarity
    polarity_note: NonEmpty
    decimals: Annotated[StrictInt, Field(ge=0)]
    valid_min: float
    valid_max: float
    source_collection: NonEmpty
    period_basis: NonEmpty
    published_ids: tuple[str, ...]
    england: dict[int, float] = Field(default_factory=dict)
    # The smallest move that counts as change for a signature of risk: a worsening run, or a
    # distance from the region median or England, must exceed it (issue 10: 5.4% to 5.8% turnover
    # is noise, not a signal).
    tolerance: Annotated[float, Field(gt=0)]
    tolerance_why: NonEmpty
    sensible_range: SensibleRange | None = None  # two-sided indicators only

    @model_validator(mode="after")
    def _range(self) -> "Indicator":
        if self.valid_min >= self.valid_max:
            raise ValueError(
                f"valid_min ({self.valid_min:g}) must be less than valid_max ({self.valid_max:g})"
            )
        if (self.polarity == Polarity.TWO_SIDED) != (self.sensible_range is not None):
            raise ValueError("a two-sided indicator, and only one, needs a sensible_range")
        return self


class StatisticalNeighbour(Frozen):
    code: OnsCode
    band: Closeness


class LocalAuthority(Frozen):
    code: OnsCode
    dfe_code: Annotated[str, Field(pattern=r"^\d{3}$")]
    name: NonEmpty
    type: NonEmpty
    ofsted_urn: Annotated[str, Field(pattern=r"^\d+$")]
    statistical_neighbours: tuple[StatisticalNeighbour, ...]


@dataclass(frozen=True)
class Organisation:
    """An LA or a Trust as a party to the cycle: who it is and who signs for it."""

    code: str
    name: str
    kind: Literal["la", "trust"]
    signing_roles: tuple[Role, ...]


class StageWindow(Frozen):
    opens: str
    closes: str

    @field_validator("opens", "closes")
    @classmethod
    def _is_month_day(cls, value: str) -> str:
        _month_day(value)
        return value

    @model_validator(mode="after")
    def _in_order(self) -> "StageWindow":
        if _cycle_order(_month_day(self.closes)) < _cycle_order(_month_day(self.opens)):
            raise ValueError(f"closes {self.closes} before it opens {self.opens}")
        return self

    def dates(self, year: str) -> tuple[datetime.date, datetime.date]:
        """The opening and closing dates of this window in a cycle year such as "2026-27"."""
        start = cycle_start_year(year)

        def on(value: str) -> datetime.date:
            month, day = _month_day(value)
            return datetime.date(start if month >= _FIRST_MONTH else start + 1, month, day)

        return on(self.opens), on(self.closes)


class Calendar(Frozen):
    """The default window of each stage; the keys are exactly STAGES."""

    mou: StageWindow
    quarterly_returns: StageWindow
    self_evaluation: StageWindow
    triad_challenge: StageWindow
    la_development_plan: StageWindow
    capacity_index: StageWindow
    annual_assurance_conversation: StageWindow
    regional_plan: StageWindow

    @model_validator(mode="after")
    def _capacity_index_after_its_sources(self) -> "Calendar":
        # The capacity index is a menu drawn from the self-evaluations and the LA development
        # plans (seed 002:2210): it cannot close before they do.
        closes = _cycle_order(_month_day(self.capacity_index.closes))
        for stage, words in (
            ("self_evaluation", "the self-evaluations"),
            ("la_development_plan", "the LA development plans"),
        ):
            window = self[stage]
            if closes < _cycle_order(_month_day(window.closes)):
                raise ValueError(
                    f"the capacity index closes {self.capacity_index.closes}, before "
                    f"{words} it draws on close ({window.closes}); let it close on or after them"
                )
        # The conversation comes once the self-assessment work is complete (seed 002:2328).
        talk, sef = self.annual_assurance_conversation, self.self_evaluation
        if _cycle_order(_month_day(talk.opens)) < _cycle_order(_month_day(sef.closes)):
            raise ValueError(
                f"the annual assurance conversation opens {talk.opens}, before the "
                f"self-evaluations close ({sef.closes}); it follows them"
            )
        return self

    def __getitem__(self, stage: str) -> StageWindow:
        if stage not in STAGES:
            raise KeyError(stage)
        window: StageWindow = getattr(self, stage)
        return window

    def items(self) -> tuple[tuple[str, StageWindow], ...]:
        """Each stage with its window, in STAGES order."""
        return tuple((stage, self[stage]) for stage in STAGES)


class SigningRoles(Frozen):
    la: Annotated[tuple[Role, ...], Field(min_length=1)]
    trust: Annotated[tuple[Role, ...], Field(min_length=1)]

    @field_validator("la", "trust")
    @classmethod
    def _only_signatories(cls, roles: tuple[Role, ...]) -> tuple[Role, ...]:
        return signatories(roles)


class DataTerms(Frozen):
    risl_release_days: Annotated[StrictInt, Field(ge=0)]
    risl_sees_signed_self_evaluations: StrictBool
    # A quarter's return is due this many days after the quarter ends.
    returns_due_days: Annotated[StrictInt, Field(ge=1, le=120)] = 30
    # Whether the triad summary report to the RIIA board names authorities (issue 12: "No LA is
    # named unless the region's data terms allow it"); by default it names none.
    name_authorities_in_triad_summary: StrictBool = False


class Region(Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z]+(-[a-z]+)*$")]
    name: NonEmpty
    ons_code: Annotated[str, Field(pattern=r"^E12\d{6}$")]
    riia: NonEmpty
    leads: Leads
    mou_template: NonEmpty
    # The seeds' MoU is set up once and lasts (002_d98c8bcad6f8fe4d.txt:2302, :2318); a region
    # that wants every organisation to sign again each cycle says so here.
    mou_resign_each_cycle: bool = False
    signing_roles: SigningRoles
    data_terms: DataTerms
    calendar: Calendar
    local_authorities: tuple[LocalAuthority, ...]
    trusts: tuple[Trust, ...] = ()
    # The signatures-of-risk rules file in regions/flags/ (without .yaml); the shipped default
    # unless a region chooses its own thresholds.
    flag_rules: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] = "default"
    # The self-evaluation template in regions/templates/ (without .yaml); the short form on
    # Ofsted's three questions unless a region chooses its own.
    sef_template: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] = "sef-three-questions"
    # Peer scrutiny of signed self-evaluations: by the triad, or by moderators (the Eastern model).
    scrutiny: Scrutiny = Scrutiny.TRIAD
    # LAs never proposed for one triad, each group with its reason (issue 12).
    triad_conflicts: tuple[TriadConflict, ...] = ()
    # Who signs each LA's development plan (issue 12). The seeds do not fix this (the MoU
    # template has the DCS, Lead Member and Chief Executive sign "the development plan"), so a
    # region may name fewer; until its file says otherwise, all three sign.
    la_plan_signatories: Annotated[tuple[Role, ...], Field(min_length=1)] = (
        Role.DCS,
        Role.LEAD_MEMBER,
        Role.CHIEF_EXECUTIVE,
    )

    @field_validator("la_plan_signatories")
    @classmethod
    def _plan_signatories(cls, roles: tuple[Role, ...]) -> tuple[Role, ...]:
        return signatories(roles)

    @model_validator(mode="after")
    def _conflicts_are_our_las(self) -> "Region":
        codes = {la.code for la in self.local_authorities}
        for number, conflict in enumerate(self.triad_conflicts):
            for code in conflict.codes:
                if code not in codes:
                    raise ValueError(
                        f"triad_conflicts[{number}] names {code}, which is not an LA of this region"
                    )
        return self

    @cached_property
    def organisations(self) -> tuple[Organisation, ...]:
        """The LAs, then the Trusts, each sorted by name."""
        las = tuple(
            Organisation(la.code, la.name, "la", self.signing_roles.la)
            for la in sorted(self.local_authorities, key=lambda la: la.name)
        )
        trusts = tuple(
            Organisation(trust.code, trust.name, "trust", self.signing_roles.trust)
            for trust in sorted(self.trusts, key=lambda trust: trust.name)
        )
        return las + trusts

    def organisation(self, code: str) -> Organisation:
        """The organisation with this code; KeyError if it is not in this region."""
        for organisation in self.organisations:
            if organisation.code == code:
                return organisation
        raise KeyError(code)

    def local_authority(self, code: str) -> LocalAuthority:
        """The LA with this ONS code; KeyError if it is not in this region."""
        for la in self.local_authorities:
            if la.code == code:
                return la
        raise KeyError(code)

    def trusts_serving(
        self, la_code: str, activity: TrustActivity | None = None
    ) -> tuple[Trust, ...]:
        """The Trusts that serve this LA; only those taking part in `activity` when given."""
        return tuple(
            trust
            for trust in self.trusts
            if la_code in trust.serves and (activity is None or activity in trust.takes_part_in)
        )

    def lead_roles_of(self, organisation_code: str) -> tuple[Role, ...]:
        """The regional lead roles this organisation's signatories hold, as co-leads or alone."""
        return tuple(
            role for role, codes in self.leads.by_role().items() if organisation_code in codes
        )

    def default_calendar(self, year: str) -> dict[str, tuple[datetime.date, datetime.date]]:
        """The default opening and closing date of each stage in a cycle year like "2026-27"."""
        return {stage: window.dates(year) for stage, window in self.calendar.items()}


# Placeholders a template may use; render() and the loader's check share this list.
# {data_terms} and {triad_records} are written from the region file (app/reference/terms_text.py).
TEMPLATE_PLACEHOLDERS: tuple[str, ...] = ("region_name", "riia", "data_terms", "triad_records")


class MouTemplate(Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    kind: Literal["mou"]
    title: NonEmpty
    body: NonEmpty

    def render(self, region: Region) -> tuple[str, str]:
        """The title and body with the region's name, RIIA and data terms filled in."""
        values = {"region_name": region.name, "riia": region.riia, **placeholders(region)}
        return self.title.format_map(values), self.body.format_map(values)

    def blocks(self) -> tuple[Block, ...]:
        """The body parsed as structured text (placeholders left in)."""
        return parse(self.body)
