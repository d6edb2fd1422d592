"""Demonstration people and the helpers every stage of the East Midlands demo shares.

Everything goes through the service layer, exactly as the pages and API do, so the demo's
history is as real as any user's. People and emails are invented and marked as demonstration.
The walk itself is app/demo_cycle.py: last cycle complete, this cycle played up to today.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import accounts
from app.auth.principal import Principal, load_principal
from app.auth.roles import Role
from app.models import Cycle, User
from app.reference import get_reference
from app.settings import PROJECT_ROOT

REGION = "east-midlands"
# The cycle the browser tests and benchmarks seed; the demo itself plays the cycle of its day.
YEAR = "2026-27"
PUBLISHED_FILE = PROJECT_ROOT.parent / "shared" / "data" / "dfe_csc_indicator_values_2023_2025.csv"
PROFILED_LA = (
    "E06000018"  # Nottingham: its climbing agency rate gives the signals something to find
)
# A demonstration password only: `riia setup-demo` refuses to run in production.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

_ROLE_SLUGS = {
    Role.DCS: "dcs",
    Role.LEAD_MEMBER: "lead-member",
    Role.CHIEF_EXECUTIVE: "chief-executive",
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: str


_FIRST = (
    "Alex",
    "Bea",
    "Chidi",
    "Dana",
    "Eilidh",
    "Farah",
    "Gareth",
    "Hana",
    "Imran",
    "Jo",
    "Kemi",
)
_LAST = (
    "Adeyemi",
    "Barker",
    "Chen",
    "Doyle",
    "Evans",
    "Fletcher",
    "Gill",
    "Hussain",
    "Iqbal",
    "Jones",
)


def _demo_names() -> Iterator[str]:
    """Plausible, invented names; the demo.riia.example addresses mark them as demonstration."""
    for last in _LAST:
        for first in _FIRST:
            yield f"{first} {last}"


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-").replace("--", "-")


def _email(role_slug: str, org_name: str) -> str:
    return f"{role_slug}.{_slug(org_name)}@demo.riia.example"


def load_demo_people(session: Session) -> list[DemoAccount]:
    """East Midlands people: a coordinator, regional leads, a RISL, every signatory, and each
    LA's data lead and self-evaluation contributor."""
    reference = get_reference()
    region = reference.regions[REGION]
    created: list[DemoAccount] = []

    def person(email: str, name: str, *grants: tuple[Role, str | None, str | None]) -> None:
        existing = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        user = existing or accounts.create_user(
            session, email=email, display_name=name, password=DEMO_PASSWORD
        )
        if existing is None:
            for role, region_id, org in grants:
                accounts.assign_role(
                    session, user, role, region_id=region_id, organisation_code=org
                )
        created.append(DemoAccount(email, name, ", ".join(r.label for r, _, _ in grants)))

    person(
        "coordinator@demo.riia.example",
        "Priya Shah (demo coordinator)",
        (Role.REGIONAL_COORDINATOR, REGION, None),
    )
    person(
        "admin@demo.riia.example",
        "Sam Okafor (demo administrator)",
        (Role.SERVICE_ADMIN, None, None),
    )
    person("risl@demo.riia.example", "Morgan Ellis (demo DfE RISL)", (Role.RISL, REGION, None))
    person(
        "lead-dcs@demo.riia.example", "Jordan Hale (demo lead DCS)", (Role.LEAD_DCS, REGION, None)
    )
    names = _demo_names()
    for organisation in region.organisations:
        for role in organisation.signing_roles:
            slug = _ROLE_SLUGS[role]
            person(_email(slug, organisation.name), next(names), (role, None, organisation.code))
    for organisation in region.organisations:
        if organisation.kind == "la":
            person(
                _email("data-lead", organisation.name),
                next(names),
                (Role.DATA_LEAD, None, organisation.code),
            )
    # Someone in each LA whom the DCS may ask to draft a self-evaluation chapter.
    for organisation in region.organisations:
        if organisation.kind == "la":
            person(
                _email("contributor", organisation.name),
                next(names),
                (Role.CONTRIBUTOR, None, organisation.code),
            )
    return created


def has_cycle(session: Session) -> bool:
    """Whether the demo was already loaded (setup-demo runs once per database)."""
    found = session.execute(select(Cycle.id).where(Cycle.region_id == REGION))
    return found.first() is not None


def _principal(session: Session, email: str) -> Principal:
    return load_principal(session, accounts.user_by_email(session, email))


def cycle_of(session: Session, year: str) -> Cycle:
    return session.execute(
        select(Cycle).where(Cycle.region_id == REGION, Cycle.year == year)
    ).scalar_one()


def open_and_publish(session: Session, year: str = YEAR) -> Cycle:
    """The coordinator opens the year's cycle and publishes the MoU drawn from the template."""
    from app.demo_mou import open_and_publish as play

    return play(session, year)


def run_mou_stage(session: Session, out: Path, log: list[str]) -> Path:
    """The browser tests' and benchmarks' seed: YEAR's MoU story played to today, its pack."""
    from app.demo_mou import mou_story

    return mou_story(session, YEAR, out, log)
