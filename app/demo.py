"""Demonstration data and the East Midlands walk through every stage built so far.

Everything goes through the service layer, exactly as the pages and API do, so the demo's
history is as real as any user's. People and emails are invented and marked as demonstration.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import accounts
from app.auth.principal import Principal, load_principal
from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.demo_indicators import as_long_csv, demo_values
from app.errors import FileRejected
from app.indicators import pack as indicator_pack
from app.indicators.periods import Quarter, quarters_of
from app.indicators.published import import_published
from app.indicators.returns import import_file, submit_return
from app.indicators.schemas import ValueInput
from app.indicators.windows import window_state
from app.models import Cycle, User
from app.mou import pack
from app.mou import service as mou
from app.mou.schemas import DeclineInput, DraftInput, PublishInput, SignInput
from app.reference import get_reference
from app.settings import PROJECT_ROOT

REGION = "east-midlands"
YEAR = "2026-27"
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
    """Whether the demo cycle was already loaded (setup-demo runs once per database)."""
    found = session.execute(select(Cycle.id).where(Cycle.region_id == REGION, Cycle.year == YEAR))
    return found.first() is not None


def _principal(session: Session, email: str) -> Principal:
    return load_principal(session, accounts.user_by_email(session, email))


def open_and_publish(session: Session) -> Cycle:
    """The coordinator opens 2026-27 and publishes the MoU drawn from the region's template."""
    coordinator = _principal(session, "coordinator@demo.riia.example")
    existing = session.execute(
        select(Cycle).where(Cycle.region_id == REGION, Cycle.year == YEAR)
    ).scalar_one_or_none()
    cycle = existing or cycles.open_cycle(session, coordinator, REGION, OpenCycleInput(year=YEAR))
    if mou.published_of(session, cycle) is None:
        title, body, revision = mou.editor_source(session, cycle)
        draft = mou.save_draft(
            session, coordinator, cycle, DraftInput(title=title, body=body, revision=revision)
        )
        mou.publish(session, coordinator, cycle, PublishInput(content_hash=draft.content_hash))
    return cycle


def _sign(session: Session, cycle: Cycle, org_code: str, org_name: str, role: Role) -> None:
    signer = _principal(session, _email(_ROLE_SLUGS[role], org_name))
    current = mou.published_of(session, cycle)
    assert current is not None
    mou.sign(
        session,
        signer,
        cycle,
        SignInput(
            organisation_code=org_code, role=role, content_hash=current.content_hash, confirm=True
        ),
    )


def run_mou_stage(session: Session, out: Path, log: list[str]) -> Path:
    """Draft to in force: one superseded version, one decline, reminders, then every signature."""
    region = get_reference().regions[REGION]
    coordinator = _principal(session, "coordinator@demo.riia.example")
    cycle = open_and_publish(session)
    log.append(f"Opened the {region.name} {YEAR} cycle and published version 1 of the MoU")

    derby = region.organisation("E06000015")
    for role in derby.signing_roles:
        _sign(session, cycle, derby.code, derby.name, role)
    log.append("Derby's three signatories signed version 1")

    title, body, revision = mou.editor_source(session, cycle)
    body += (
        "\n# Data shared with the Department for Education\n\n"
        "The Regional Improvement and Support Lead sees quarterly figures only after the release "
        "period in the region's data terms, and never sees triad challenge records.\n"
    )
    draft = mou.save_draft(
        session, coordinator, cycle, DraftInput(title=title, body=body, revision=revision)
    )
    mou.publish(session, coordinator, cycle, PublishInput(content_hash=draft.content_hash))
    log.append(
        "Version 2 published with a clearer data clause: version 1 and its signatures are superseded"
    )

    rutland = region.organisation("E06000017")
    rutland_lm = _principal(session, _email("lead-member", rutland.name))
    current = mou.published_of(session, cycle)
    assert current is not None
    mou.decline(
        session,
        rutland_lm,
        cycle,
        DeclineInput(
            organisation_code=rutland.code,
            role=Role.LEAD_MEMBER,
            content_hash=current.content_hash,
            reason="Cabinet has not yet discussed the data-sharing clause; I will sign after the March meeting.",
        ),
    )
    log.append("Rutland's Lead Member declined, giving a reason")

    queued = mou.send_reminders(session, coordinator, cycle)
    log.append(f"The coordinator queued {queued} reminders")

    for organisation in region.organisations:
        for role in organisation.signing_roles:
            state = mou.status(session, coordinator, cycle).signatory(organisation.code, role).state
            if state != "signed":
                _sign(session, cycle, organisation.code, organisation.name, role)
    status = mou.status(session, coordinator, cycle)
    log.append(
        f"Every signatory signed version 2: in force = {status.in_force} "
        f"({status.signed_count} of {status.required_count} signatures)"
    )

    out.mkdir(parents=True, exist_ok=True)
    path = out / f"mou-{REGION}-{YEAR}.pdf"
    path.write_bytes(pack.pdf_for(session, coordinator, cycle))
    log.append(f"Wrote the MoU pack to {path}")
    return path


PUBLISHED_FILE = PROJECT_ROOT.parent / "shared" / "data" / "dfe_csc_indicator_values_2023_2025.csv"
PROFILED_LA = (
    "E06000018"  # Nottingham: its climbing agency rate gives the signals something to find
)


def _values_for(by_indicator: dict[str, float | str]) -> list[ValueInput]:
    return [
        ValueInput.model_validate(
            {"indicator_id": i, "missing_code": v}
            if isinstance(v, str)
            else {"indicator_id": i, "value": v}
        )
        for i, v in by_indicator.items()
    ]


def run_indicators_stage(session: Session, out: Path, log: list[str]) -> list[Path]:
    """Published comparators, then four quarters of demonstration returns with the usual mishaps."""
    region = get_reference().regions[REGION]
    coordinator = _principal(session, "coordinator@demo.riia.example")
    if PUBLISHED_FILE.exists():
        summary = import_published(session, PUBLISHED_FILE)
        log.append(
            f"Loaded {summary.total:,} DfE published values ({', '.join(summary.periods)}) as annual comparators"
        )
    else:
        log.append(
            f"DfE published values not found at {PUBLISHED_FILE}: comparisons with England are left out"
        )
    quarters = quarters_of(YEAR)
    values = demo_values(session, REGION, quarters)
    windows = {q: window_state(session, REGION, q) for q in quarters}

    def on_time(q: Quarter) -> date:
        state = windows[q]
        assert state is not None
        return state.opens_on + timedelta(days=5)

    q1, q2, q3, q4 = quarters
    # Q1: the coordinator uploads one file for the whole region.
    result = import_file(
        session,
        coordinator,
        REGION,
        q1,
        "east-midlands-q1.csv",
        as_long_csv(values[str(q1)]),
        today=on_time(q1),
        demonstration=True,
    )
    log.append(f"{q1}: {result.message}")
    # A resubmission: Derby corrects its referrals after a data cleanse.
    derby = region.local_authority("E06000015")
    corrected = dict(values[str(q1)][derby.code])
    corrected["referrals_rate_per_10k"] = round(
        float(corrected["referrals_rate_per_10k"]) * 0.96, 1
    )
    derby_lead = _principal(session, _email("data-lead", derby.name))
    submit_return(
        session,
        derby_lead,
        REGION,
        q1,
        derby.code,
        _values_for(corrected),
        source="form",
        reason="Referrals corrected after a data cleanse removed duplicate contacts.",
        today=on_time(q1) + timedelta(days=2),
        demonstration=True,
    )
    log.append(f"{q1}: Derby resubmitted its return with a reason (version 2)")
    # Q2: each data lead submits their own; Leicester's arrives after the window closed.
    leicester = region.local_authority("E06000016")
    for la in region.local_authorities:
        state = windows[q2]
        assert state is not None
        day = state.closes_on + timedelta(days=4) if la.code == leicester.code else on_time(q2)
        lead = _principal(session, _email("data-lead", la.name))
        submit_return(
            session,
            lead,
            REGION,
            q2,
            la.code,
            _values_for(values[str(q2)][la.code]),
            source="form",
            today=day,
            demonstration=True,
        )
    log.append(f"{q2}: every data lead submitted; Leicester's return was late")
    # Q3: Lincolnshire's first file has mistakes and is refused whole; the fixed file goes in.
    lincolnshire = region.local_authority("E10000019")
    lincs_lead = _principal(session, _email("data-lead", lincolnshire.name))
    good = {lincolnshire.code: values[str(q3)][lincolnshire.code]}
    bad = dict(good[lincolnshire.code])
    bad["sw_agency_rate_fte_pct"] = 140.0
    bad["cla_rate_per_10k"] = "n/a"
    try:
        import_file(
            session,
            lincs_lead,
            REGION,
            q3,
            "lincolnshire-q3.csv",
            as_long_csv({lincolnshire.code: bad}),
            la_code=lincolnshire.code,
            today=on_time(q3),
            demonstration=True,
        )
    except FileRejected as refused:
        log.append(
            f"{q3}: Lincolnshire's first file was refused whole, {len(refused.problems)} problems, e.g. "
            f"“{refused.problems[0].message}”"
        )
    others = {code: v for code, v in values[str(q3)].items() if code != lincolnshire.code}
    import_file(
        session,
        coordinator,
        REGION,
        q3,
        "east-midlands-q3.csv",
        as_long_csv(others),
        today=on_time(q3),
        demonstration=True,
    )
    import_file(
        session,
        lincs_lead,
        REGION,
        q3,
        "lincolnshire-q3-fixed.csv",
        as_long_csv(good),
        la_code=lincolnshire.code,
        today=on_time(q3) + timedelta(days=1),
        demonstration=True,
    )
    log.append(f"{q3}: the corrected Lincolnshire file and the rest of the region were imported")
    result = import_file(
        session,
        coordinator,
        REGION,
        q4,
        "east-midlands-q4.csv",
        as_long_csv(values[str(q4)]),
        today=on_time(q4),
        demonstration=True,
    )
    log.append(f"{q4}: {result.message}")

    out.mkdir(parents=True, exist_ok=True)
    pack_path = out / f"data-pack-{REGION}-{q4.slug}.pdf"
    pack_path.write_bytes(indicator_pack.data_pack_pdf(session, coordinator, REGION, q4))
    profile_path = (
        out / f"la-profile-{_slug(region.local_authority(PROFILED_LA).name)}-{q4.slug}.pdf"
    )
    profile_path.write_bytes(
        indicator_pack.profile_pdf(session, coordinator, REGION, PROFILED_LA, q4)
    )
    log.append(
        f"Wrote the {q4} data pack to {pack_path} and Nottingham's data profile to {profile_path}"
    )
    return [pack_path, profile_path]
