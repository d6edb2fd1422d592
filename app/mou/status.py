"""Deriving who has signed what from the signature events: never stored by hand."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.models import Cycle, MouSignatureEvent, MouVersion
from app.mou.binding import CHANGEOVER, LAPSED, Binding, region_bindings
from app.reference import get_reference
from app.reference.models import Organisation
from app.signoff.policies import VersionPolicy
from app.signoff.status import PairState, derive


def statement_for(organisation: Organisation, role: Role) -> str:
    return (
        f"I sign this Memorandum of Understanding on behalf of {organisation.name} "
        f"as its {role.label}."
    )


# One organisation's signing role and where it stands on the current version (the kernel's).
SignatoryState = PairState[MouSignatureEvent]


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
    # Which version binds each organisation today (app.mou.binding): what "in force" means.
    bindings: dict[str, Binding]
    # (organisation, role, user) of every signature on the current version, a new office
    # holder's too: who may still add theirs.
    signers: frozenset[tuple[str, str, int]] = frozenset()

    @property
    def in_force(self) -> bool:
        """Every organisation is bound by a version: the current one, or during a changeover
        the one it signed."""
        return self.current is not None and all(b.in_force for b in self.bindings.values())

    @property
    def changeover_pending(self) -> bool:
        """A revised version's changeover still matters: someone is bound by, or lapsed from,
        an earlier version. Once everyone has signed the current version it is history."""
        return bool(self.current and self.current.changeover_on) and any(
            b.state in (CHANGEOVER, LAPSED) for b in self.bindings.values()
        )

    @property
    def all_signed(self) -> bool:
        """Every signatory has signed the current version."""
        return self.current is not None and all(o.complete for o in self.organisations)

    @property
    def in_force_since(self) -> datetime | None:
        if not self.in_force:
            return None
        return max(b.since for b in self.bindings.values() if b.since is not None)

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
    # This person signed already (the organisation may have signed through someone else).
    signed_by_me: bool = False


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
                            (code, assignment.role.value, principal.user_id) in status.signers,
                        )
                    )
    return options


def build_status(session: Session, cycle: Cycle, current: MouVersion | None) -> MouStatus:
    """Every organisation's signing roles on the current version, and which version binds each."""
    region = get_reference().regions[cycle.region_id]
    events = (
        session.execute(
            select(MouSignatureEvent)
            .where(MouSignatureEvent.mou_version_id == current.id)
            .order_by(MouSignatureEvent.id)
        )
        .scalars()
        .all()
        if current is not None
        else []
    )
    found = derive(
        [(o.code, role) for o in region.organisations for role in o.signing_roles],
        events,
        current.id if current is not None else None,
        lambda event: event.mou_version_id,
        VersionPolicy.CHANGEOVER,
    )
    pairs = {(p.organisation_code, p.role): p for p in found.pairs}
    organisations = tuple(
        OrganisationState(o, tuple(pairs[(o.code, role)] for role in o.signing_roles))
        for o in region.organisations
    )
    return MouStatus(cycle, current, organisations, region_bindings(session, cycle), found.signers)
