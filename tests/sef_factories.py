"""Builders for self-evaluation test data, through the same services users go through."""

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.models import Cycle, SefVersion, SelfEvaluation
from app.reference import get_reference
from app.reference.sef import OfstedGrade
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import ChapterInput, SignSefInput, SubmitInput, TriadsInput
from app.self_evaluation.signoff import service as signoff
from tests.factories import coordinator, signatory

DERBY = "E06000015"


def chapter_input(
    base: int | None, label: str = "", grade: OfstedGrade | None = OfstedGrade.GOOD
) -> ChapterInput:
    """A chapter complete enough for sign-off; `label` makes its text distinct. Pass grade=None
    for a chapter whose template gives it no grade."""
    return ChapterInput(
        base_version=base,
        grade=grade,
        narrative=f"We know our practice well{label}.\n\nAudits show it.",
        strengths=f"Stable workforce{label}.",
        areas_for_development=f"Timeliness of assessments{label}.",
        signatures_of_strength="Low agency rate.",
        signatures_of_risk="Rising re-referrals.",
        evidence="Quarterly audit programme 2026.",
    )


def write_all(
    session: Session, cycle: Cycle, la_code: str, dcs: Principal, label: str = ""
) -> SefVersion:
    """The DCS writes every chapter; returns the latest version."""
    sef = service.get_sef(session, dcs, cycle, la_code)
    latest = service.latest_version(session, sef)
    template = service.template_of(sef)
    for chapter in template.chapters:
        grade = OfstedGrade.GOOD if template.graded(chapter.id) else None
        latest = service.save_chapter(
            session, dcs, cycle, la_code, chapter.id,
            chapter_input(latest.number if latest else None, label, grade),
        )  # fmt: skip
    assert latest is not None
    return latest


def submit_latest(session: Session, cycle: Cycle, la_code: str, dcs: Principal) -> SefVersion:
    sef = service.get_sef(session, dcs, cycle, la_code)
    latest = service.latest_version(session, sef)
    assert latest is not None
    return service.submit(
        session, dcs, cycle, la_code, SubmitInput(content_hash=latest.content_hash)
    )


def signatories(session: Session, la_code: str) -> dict[Role, Principal]:
    return {role: signatory(session, la_code, role) for role in SIGNATORY_ROLES}


def sign_as(
    session: Session, cycle: Cycle, la_code: str, who: Principal, role: Role, content_hash: str
) -> None:
    signoff.sign(
        session,
        who,
        cycle,
        la_code,
        SignSefInput(role=role, content_hash=content_hash, confirm=True),
    )


def signed_sef(
    session: Session, cycle: Cycle, la_code: str = DERBY
) -> tuple[SelfEvaluation, dict[Role, Principal]]:
    """An LA's self-evaluation written, submitted and signed by all three."""
    people = signatories(session, la_code)
    write_all(session, cycle, la_code, people[Role.DCS])
    submitted = submit_latest(session, cycle, la_code, people[Role.DCS])
    for role, who in people.items():
        sign_as(session, cycle, la_code, who, role, submitted.content_hash)
    return service.get_sef(session, people[Role.DCS], cycle, la_code), people


# The triads the self-evaluation tests are written around: the proposal for an East Midlands
# 2026-27 cycle before issue 12 (names rotated by year), formed by the coordinator as they may
# form any grouping. Since issue 12 the proposal keeps Derby and Derbyshire apart (the region
# file's triad_conflicts); these tests need a fixed triad, not the proposal.
SEF_TRIADS = [
    ["E06000018", "E10000024", "E06000017"],  # Nottingham, Nottinghamshire, Rutland
    ["E06000015", "E10000007", "E06000062"],  # Derby, Derbyshire, West Northamptonshire
    ["E06000016", "E10000018", "E10000019", "E06000061"],  # Leicester, Leicestershire, Lincs, NN
]


def form_proposed_triads(session: Session, cycle: Cycle) -> list[list[str]]:
    """Forms SEF_TRIADS in an East Midlands cycle (the proposal in any other region)."""
    from app.triads import service as triads

    region = get_reference().regions[cycle.region_id]
    if region.id == "east-midlands":
        groups = SEF_TRIADS
    else:
        groups = triads.proposed_groups(region, cycle.year)
    data = TriadsInput(
        groups={code: n for n, group in enumerate(groups, start=1) for code in group}
    )
    return triads.form_triads(session, coordinator(session, cycle.region_id), cycle, data)
