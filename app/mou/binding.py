"""Which version of the MoU binds an organisation on a given day: the one rule for its lifetime.

The MoU belongs to the alliance, not to a cycle: it is set up once, as a condition of funding
(002_d98c8bcad6f8fe4d.txt:2302, :2318, :2404), and stays in force across cycles until a revised
version replaces it. An organisation is bound once each of its signing roles has signed a
version; a later signature by a new office holder is history, not a new condition. A revised
version has a changeover date: until then an organisation that has not signed it stays bound by
the version it signed; after it, that organisation's MoU lapses. A region whose file says
`mou_resign_each_cycle: true` counts only the cycle's own versions, so every cycle is signed
afresh.

The returns gate, the tracker, the pack, the cycle overview, the API and the history all read
`bindings`; nothing else decides whether an organisation's MoU is in force.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.models import Cycle, MouSignatureEvent, MouVersion
from app.reference import get_reference
from app.reference.models import Organisation
from app.signoff.events import first_signatures
from app.signoff.policies import (
    CHANGEOVER,
    IN_FORCE,
    LAPSED,
    NOT_SIGNED,
    VersionPolicy,
    bound_by,
)

__all__ = ["CHANGEOVER", "DEFAULT_CHANGEOVER_DAYS", "IN_FORCE", "LAPSED", "NOT_SIGNED"]

DEFAULT_CHANGEOVER_DAYS = 60


@dataclass(frozen=True)
class Binding:
    """Where one organisation stands with the alliance's MoU on one day."""

    organisation_code: str
    state: str  # in_force, changeover, lapsed or not_signed
    # The version that binds it (in force or changeover), or the one it last signed (lapsed).
    version: MouVersion | None
    # When that version came into force for it: the day its last signing role signed.
    since: datetime | None
    # The alliance's newest published version on that day, and its changeover date.
    current: MouVersion | None

    @property
    def in_force(self) -> bool:
        return self.state in (IN_FORCE, CHANGEOVER)

    @property
    def changeover_on(self) -> date | None:
        return self.current.changeover_on if self.current is not None else None

    @property
    def text(self) -> str:
        return describe(self)


def considered_versions(session: Session, cycles: Sequence[Cycle]) -> dict[int, list[MouVersion]]:
    """For each cycle, the published or superseded versions that may bind in it, oldest first:
    every earlier cycle's of the same region too, unless the region re-signs each cycle."""
    regions = get_reference().regions
    region_ids = {cycle.region_id for cycle in cycles}
    rows = session.execute(
        select(MouVersion, Cycle)
        .join(Cycle, Cycle.id == MouVersion.cycle_id)
        .where(Cycle.region_id.in_(region_ids), MouVersion.state != "draft")
        .order_by(MouVersion.published_at, MouVersion.id)
    ).all()
    found: dict[int, list[MouVersion]] = {}
    for cycle in cycles:
        each_cycle = regions[cycle.region_id].mou_resign_each_cycle
        found[cycle.id] = [
            version
            for version, owner in rows
            if owner.region_id == cycle.region_id
            and (owner.id == cycle.id if each_cycle else owner.year <= cycle.year)
        ]
    return found


def _signed(session: Session, version_ids: set[int]) -> dict[tuple[int, str, str], datetime]:
    """The first signature of each version, organisation and role."""
    if not version_ids:
        return {}
    events = session.execute(
        select(MouSignatureEvent)
        .where(
            MouSignatureEvent.mou_version_id.in_(version_ids),
            MouSignatureEvent.decision == "signed",
        )
        .order_by(MouSignatureEvent.occurred_at, MouSignatureEvent.id)
    ).scalars()
    return first_signatures(events, lambda event: event.mou_version_id)


def bind(
    organisation: Organisation,
    versions: Sequence[MouVersion],
    signed: dict[tuple[int, str, str], datetime],
    on: date | None = None,
    today: date | None = None,
) -> Binding:
    """The rule itself (the kernel's CHANGEOVER policy), on data already read: see the module's
    docstring.

    `on` None means now: every version and signature stored counts, and the changeover is read
    against `today` (clock.today() unless the caller, like the returns gate, has its own day).
    A past day `on` counts only what had happened by its end.
    """

    def happened(moment: datetime | None) -> bool:
        return moment is not None and (on is None or clock.day_of(moment) <= on)

    bound = bound_by(
        VersionPolicy.CHANGEOVER,
        [v for v in versions if happened(v.published_at)],
        organisation.code,
        [role.value for role in organisation.signing_roles],
        signed,
        today=on or today or clock.today(),
        counts=happened,
    )
    return Binding(organisation.code, bound.state, bound.version, bound.since, bound.current)


def bindings(
    session: Session, cycles: Sequence[Cycle], on: date | None = None, today: date | None = None
) -> dict[tuple[int, str], Binding]:
    """Every organisation of every cycle's region, keyed by (cycle id, organisation code), in
    two queries however many regions (a national returns file has 153 LAs)."""
    considered = considered_versions(session, cycles)
    signed = _signed(session, {v.id for versions in considered.values() for v in versions})
    regions = get_reference().regions
    return {
        (cycle.id, organisation.code): bind(organisation, considered[cycle.id], signed, on, today)
        for cycle in cycles
        for organisation in regions[cycle.region_id].organisations
    }


def region_bindings(session: Session, cycle: Cycle, on: date | None = None) -> dict[str, Binding]:
    """One cycle's organisations, by code."""
    return {code: b for (_, code), b in bindings(session, [cycle], on).items()}


def current_version(session: Session, cycle: Cycle) -> MouVersion | None:
    """The alliance's newest published version that may bind in this cycle, today."""
    versions = considered_versions(session, [cycle])[cycle.id]
    live = [v for v in versions if v.state == "published"]
    return live[-1] if live else None


def describe(binding: Binding) -> str:
    """One line, the same on the tracker, the pack and the API."""
    version = binding.version
    if binding.state == IN_FORCE and version is not None and binding.since is not None:
        return f"Bound by version {version.number} since {clock.day_of(binding.since):%-d %B %Y}"
    if binding.state == CHANGEOVER and version is not None and binding.changeover_on:
        return (
            f"Bound by version {version.number} until it signs version "
            f"{binding.current.number if binding.current else ''}, or until "
            f"{binding.changeover_on:%-d %B %Y}"
        )
    if binding.state == LAPSED and binding.changeover_on and binding.current is not None:
        return (
            f"Lapsed: the changeover to version {binding.current.number} ended on "
            f"{binding.changeover_on:%-d %B %Y} and it has not signed it"
        )
    return "Not signed yet"
