"""Deriving who has signed what from the signature events: never stored by hand."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.models import Cycle, MouSignatureEvent, MouVersion
from app.reference import get_reference
from app.reference.models import Organisation


def statement_for(organisation: Organisation, role: Role) -> str:
    return (
        f"I sign this Memorandum of Understanding on behalf of {organisation.name} "
        f"as its {role.label}."
    )


@dataclass(frozen=True)
class SignatoryState:
    organisation_code: str
    role: Role
    state: str  # outstanding, signed or declined
    event: MouSignatureEvent | None


@dataclass(frozen=True)
class OrganisationState:
    organisation: Organisation
    signatories: tuple[SignatoryState, ...]

    @property
    def complete(self) -> bool:
        return all(s.state == "signed" for s in self.signatories)


@dataclass(frozen=True)
class MouStatus:
    cycle: Cycle
    current: MouVersion | None
    organisations: tuple[OrganisationState, ...]

    @property
    def in_force(self) -> bool:
        return self.current is not None and all(o.complete for o in self.organisations)

    @property
    def in_force_since(self) -> datetime | None:
        if not self.in_force:
            return None
        return max(
            s.event.occurred_at for o in self.organisations for s in o.signatories if s.event
        )

    @property
    def outstanding(self) -> tuple[SignatoryState, ...]:
        return tuple(s for o in self.organisations for s in o.signatories if s.state != "signed")

    @property
    def signed_count(self) -> int:
        return sum(1 for o in self.organisations for s in o.signatories if s.state == "signed")

    @property
    def required_count(self) -> int:
        return sum(len(o.signatories) for o in self.organisations)

    def signatory(self, organisation_code: str, role: Role) -> SignatoryState:
        for org in self.organisations:
            if org.organisation.code == organisation_code:
                for s in org.signatories:
                    if s.role == role:
                        return s
        raise KeyError((organisation_code, role))


@dataclass(frozen=True)
class SigningOption:
    """An organisation and role this person may sign the MoU for, and where it stands."""

    organisation: Organisation
    role: Role
    state: SignatoryState
    statement: str


def signing_options(principal: Principal, status: MouStatus) -> list[SigningOption]:
    """Every signatory role the principal holds in this region, with its current state."""
    options = []
    region_id = status.cycle.region_id
    for assignment in principal.assignments:
        code = assignment.organisation_code
        if code is None or not can(
            principal, Action.SIGN_MOU, Scope(region_id, code), as_role=assignment.role
        ):
            continue
        for org in status.organisations:
            if org.organisation.code != code:
                continue
            for signatory in org.signatories:
                if signatory.role == assignment.role:
                    options.append(
                        SigningOption(
                            org.organisation,
                            assignment.role,
                            signatory,
                            statement_for(org.organisation, assignment.role),
                        )
                    )
    return options


def build_status(session: Session, cycle: Cycle, current: MouVersion | None) -> MouStatus:
    region = get_reference().regions[cycle.region_id]
    latest: dict[tuple[str, str], MouSignatureEvent] = {}
    if current is not None:
        events = session.execute(
            select(MouSignatureEvent)
            .where(MouSignatureEvent.mou_version_id == current.id)
            .order_by(MouSignatureEvent.id)
        ).scalars()
        for event in events:
            key = (event.organisation_code, event.role)
            # A signature is final for its version; a later decline cannot exist (the table).
            if latest.get(key) is None or latest[key].decision != "signed":
                latest[key] = event
    organisations = []
    for organisation in region.organisations:
        states = []
        for role in organisation.signing_roles:
            found = latest.get((organisation.code, role.value))
            states.append(
                SignatoryState(
                    organisation.code, role, found.decision if found else "outstanding", found
                )
            )
        organisations.append(OrganisationState(organisation, tuple(states)))
    return MouStatus(cycle, current, tuple(organisations))


def organisations_in_force(session: Session, cycles: Sequence[Cycle]) -> set[str]:
    """Codes of the organisations whose MoU is in force: OrganisationState.complete, for many
    regions from one query, so a national returns file need not build each region's status.

    A signature is final for its version (build_status keeps it over any other event), so an
    organisation is complete when each of its signing roles has a "signed" event on its
    region's published version.
    """
    if not cycles:
        return set()
    signed = set(
        session.execute(
            select(MouVersion.cycle_id, MouSignatureEvent.organisation_code, MouSignatureEvent.role)
            .join(MouVersion, MouVersion.id == MouSignatureEvent.mou_version_id)
            .where(
                MouVersion.cycle_id.in_([cycle.id for cycle in cycles]),
                MouVersion.state == "published",
                MouSignatureEvent.decision == "signed",
            )
            .distinct()
        )
    )
    regions = get_reference().regions
    return {
        organisation.code
        for cycle in cycles
        for organisation in regions[cycle.region_id].organisations
        if all(
            (cycle.id, organisation.code, role.value) in signed
            for role in organisation.signing_roles
        )
    }
