"""Who sees a self-evaluation, at every boundary: drafts, signed texts, scrutiny, the RISL."""

from types import MappingProxyType

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import NotFound, NotPermitted
from app.models import Cycle, RoleAssignment, SelfEvaluation, User
from app.models.types import utcnow
from app.reference import get_reference
from app.reference.models import Scrutiny
from app.self_evaluation import access
from app.self_evaluation.drafting import service
from app.self_evaluation.drafting import versions as sef_versions
from app.self_evaluation.schemas import CommentInput, ReturnSefInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.sef_factories import (
    DERBY,
    chapter_input,
    form_proposed_triads,
    sign_as,
    signatories,
    signed_sef,
    submit_latest,
    write_all,
)

DERBYSHIRE = "E10000007"
WEST_NORTHANTS = "E06000062"
LEICESTER = "E06000016"
EM_CODES_BY_NAME = [
    DERBY,
    DERBYSHIRE,
    LEICESTER,
    "E10000018",  # Leicestershire
    "E10000019",  # Lincolnshire
    "E06000061",  # North Northamptonshire
    "E06000018",  # Nottingham
    "E10000024",  # Nottinghamshire
    "E06000017",  # Rutland
    WEST_NORTHANTS,
]
STILL_DRAFT = (
    "Derby's self-evaluation is still being written. Until it is signed it is seen only by "
    "Derby's own people and the regional coordinator."
)
SIGNED_ONLY = (
    "Derby's signed self-evaluation is shared only with Derby, its scrutineers and the regional "
    "coordinator."
)
NO_ROLE_HERE = (
    "You cannot see this self-evaluation: none of your roles allows it. Ask your regional "
    "coordinator if you think you should."
)

# Who, by name: (role, organisation, region).
PEOPLE: dict[str, tuple[Role, str | None, str | None]] = {
    "Derby DCS": (Role.DCS, DERBY, None),
    "Derby lead member": (Role.LEAD_MEMBER, DERBY, None),
    "Derby chief executive": (Role.CHIEF_EXECUTIVE, DERBY, None),
    "Derby data lead": (Role.DATA_LEAD, DERBY, None),
    "Derby contributor": (Role.CONTRIBUTOR, DERBY, None),
    "coordinator": (Role.REGIONAL_COORDINATOR, None, f.REGION),
    "Derbyshire DCS": (Role.DCS, DERBYSHIRE, None),  # in Derby's triad
    "Derbyshire data lead": (Role.DATA_LEAD, DERBYSHIRE, None),  # in the triad, not a DCS
    "Leicester DCS": (Role.DCS, LEICESTER, None),  # outside it
    "lead DCS": (Role.LEAD_DCS, None, f.REGION),
    "RISL": (Role.RISL, None, f.REGION),
    "moderator": (Role.MODERATOR, None, f.REGION),
    "service admin": (Role.SERVICE_ADMIN, None, None),
    "West Midlands coordinator": (Role.REGIONAL_COORDINATOR, None, "west-midlands"),
    "West Midlands RISL": (Role.RISL, None, "west-midlands"),
}
DERBY_PEOPLE = [
    "Derby DCS",
    "Derby lead member",
    "Derby chief executive",
    "Derby data lead",
    "Derby contributor",
]
# Who may read Derby's draft, and what everyone else is told.
DRAFT: dict[str, str | None] = {
    **dict.fromkeys(DERBY_PEOPLE),
    "coordinator": None,
    "Derbyshire DCS": STILL_DRAFT,
    "Derbyshire data lead": STILL_DRAFT,
    "Leicester DCS": STILL_DRAFT,
    "lead DCS": STILL_DRAFT,
    "RISL": STILL_DRAFT,
    "moderator": STILL_DRAFT,
    "service admin": STILL_DRAFT,
    "West Midlands coordinator": NO_ROLE_HERE,
    "West Midlands RISL": NO_ROLE_HERE,
}
# Once signed: also its triad's DCSs, and the RISL (the East Midlands' data terms allow it).
SIGNED: dict[str, str | None] = {
    **{name: (None if message is None else SIGNED_ONLY) for name, message in DRAFT.items()},
    "Derbyshire DCS": None,
    "RISL": None,
    "West Midlands coordinator": NO_ROLE_HERE,
    "West Midlands RISL": NO_ROLE_HERE,
}


@pytest.fixture
def cycle(session: Session) -> Cycle:
    cycle = f.open_cycle(session)
    assert [DERBY, DERBYSHIRE, WEST_NORTHANTS] in form_proposed_triads(session, cycle)
    return cycle


@pytest.fixture
def people(session: Session) -> dict[str, Principal]:
    return {
        name: f.principal(
            session, f.make_user(session, role, organisation=org, region=region, name=name)
        )
        for name, (role, org, region) in PEOPLE.items()
    }


@pytest.fixture
def risl_kept_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The East Midlands' data terms, changed to keep signed self-evaluations from the RISL."""
    reference = get_reference()
    region = reference.regions[f.REGION]
    terms = region.data_terms.model_copy(update={"risl_sees_signed_self_evaluations": False})
    changed = region.model_copy(update={"data_terms": terms})
    monkeypatch.setattr(
        reference, "regions", MappingProxyType({**reference.regions, f.REGION: changed})
    )
    assert not get_reference().regions[f.REGION].data_terms.risl_sees_signed_self_evaluations


def _refusals(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> dict[str, str | None]:
    """For each person: None if they may read Derby's self-evaluation, else the refusal."""
    found: dict[str, str | None] = {}
    for name, who in people.items():
        try:
            sef = service.get_sef(session, who, cycle, DERBY)
        except NotPermitted as refused:
            found[name] = refused.message
        else:
            assert sef.la_code == DERBY
            found[name] = None
    return found


def _draft(session: Session, cycle: Cycle, people: dict[str, Principal]) -> SelfEvaluation:
    write_all(session, cycle, DERBY, people["Derby DCS"])
    return service.get_sef(session, people["Derby DCS"], cycle, DERBY)


def test_a_draft_stays_inside_the_la_and_with_its_coordinator(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    sef = _draft(session, cycle, people)
    assert sef.state == "draft"
    assert _refusals(session, cycle, people) == DRAFT
    # Still a draft to everyone outside while it awaits sign-off.
    submit_latest(session, cycle, DERBY, people["Derby DCS"])
    assert sef.state == "awaiting_sign_off"
    assert _refusals(session, cycle, people) == DRAFT


def test_the_la_and_its_coordinator_see_the_scrutiny_side_of_a_draft(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    sef = _draft(session, cycle, people)
    for name in [*DERBY_PEOPLE, "coordinator"]:
        assert scrutiny.visible_threads(session, people[name], cycle, sef) == [], name
    for name in ["RISL", "lead DCS", "moderator", "service admin", "Leicester DCS"]:
        assert scrutiny.visible_threads(session, people[name], cycle, sef) is None, name


def test_once_signed_its_triad_and_the_risl_read_it(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    sef, _ = signed_sef(session, cycle)
    assert sef.state == "signed"
    assert _refusals(session, cycle, people) == SIGNED
    # Still so once scrutiny is closed.
    scrutiny.close(session, people["coordinator"], cycle, DERBY)
    assert sef.state == "scrutiny_closed"
    assert _refusals(session, cycle, people) == SIGNED


def test_the_risl_reads_the_signed_text_but_not_its_scrutiny(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    sef, _ = signed_sef(session, cycle)
    made = scrutiny.comment(
        session,
        people["Derbyshire DCS"],
        cycle,
        DERBY,
        CommentInput(chapter_id="workforce", body="Agency use looks high."),
    )
    threads = scrutiny.threads(session, sef)
    assert [t.comment.id for t in threads] == [made.id]
    for name in [*DERBY_PEOPLE, "coordinator", "Derbyshire DCS"]:
        assert scrutiny.visible_threads(session, people[name], cycle, sef) == threads, name
    assert access.can_read(session, people["RISL"], cycle, sef)
    assert scrutiny.visible_threads(session, people["RISL"], cycle, sef) is None
    assert not access.can_see_scrutiny(session, people["RISL"], cycle, sef)


def test_where_the_data_terms_say_no_the_risl_does_not_read_it(
    session: Session, cycle: Cycle, people: dict[str, Principal], risl_kept_out: None
) -> None:
    sef, _ = signed_sef(session, cycle)
    assert not access.risl_may_read(people["RISL"], cycle)
    assert _refusals(session, cycle, people) == {**SIGNED, "RISL": SIGNED_ONLY}
    assert service.readable_sefs(session, people["RISL"], cycle) == []
    # Everyone else is as before.
    assert access.can_read(session, people["Derbyshire DCS"], cycle, sef)


def test_readable_self_evaluations_per_role(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    signed_sef(session, cycle)

    def readable(name: str) -> list[str]:
        return [s.la_code for s in service.readable_sefs(session, people[name], cycle)]

    assert readable("coordinator") == EM_CODES_BY_NAME
    for name in DERBY_PEOPLE:
        assert readable(name) == [DERBY], name
    # A triad peer: its own draft and Derby's signed text, by name.
    assert readable("Derbyshire DCS") == [DERBY, DERBYSHIRE]
    assert readable("Derbyshire data lead") == [DERBYSHIRE]
    assert readable("Leicester DCS") == [LEICESTER]
    assert readable("RISL") == [DERBY]
    for name in ["lead DCS", "moderator", "service admin"]:
        assert readable(name) == [], name
    for name in ["West Midlands coordinator", "West Midlands RISL"]:
        with pytest.raises(NotPermitted) as refused:
            readable(name)
        assert refused.value.message == NO_ROLE_HERE


def test_before_any_signature_each_la_reads_only_its_own(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    _draft(session, cycle, people)

    def readable(name: str) -> list[str]:
        return [s.la_code for s in service.readable_sefs(session, people[name], cycle)]

    assert readable("coordinator") == EM_CODES_BY_NAME
    assert readable("Derby contributor") == [DERBY]
    assert readable("Derbyshire DCS") == [DERBYSHIRE]
    assert readable("RISL") == []


def test_an_ended_role_gives_no_access(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    _draft(session, cycle, people)
    leaver = people["Derby contributor"]
    for row in session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == leaver.user_id)
    ):
        row.ended_at = utcnow()
    session.flush()
    user = session.get(User, leaver.user_id)
    assert user is not None
    now = f.principal(session, user)
    with pytest.raises(NotPermitted) as refused:
        service.get_sef(session, now, cycle, DERBY)
    assert refused.value.message == NO_ROLE_HERE


def test_an_authority_outside_the_region_is_not_found(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    with pytest.raises(NotFound) as missing:
        service.get_sef(session, people["coordinator"], cycle, "E06000055")  # Bedford, East
    assert missing.value.message == "That local authority is not part of this region's alliance."


# The history behind a signed text (earlier versions, comparisons, returns) stays with the LA.
HISTORY_REFUSED = (
    "Earlier versions of Derby's self-evaluation are seen only by Derby's own people and the "
    "regional coordinator; you can read the signed version."
)
HISTORY_READERS = [*DERBY_PEOPLE, "coordinator"]
RETURN_REASON = "The workforce chapter understates agency use."


def _signed_after_a_return(session: Session, cycle: Cycle) -> SelfEvaluation:
    """Derby written (versions 1-6), returned by its Chief Executive, edited (7), then signed."""
    signers = signatories(session, DERBY)
    dcs = signers[Role.DCS]
    write_all(session, cycle, DERBY, dcs)
    first = submit_latest(session, cycle, DERBY, dcs)
    signoff.return_for_changes(
        session,
        signers[Role.CHIEF_EXECUTIVE],
        cycle,
        DERBY,
        ReturnSefInput(
            role=Role.CHIEF_EXECUTIVE, content_hash=first.content_hash, reason=RETURN_REASON
        ),
    )
    service.save_chapter(session, dcs, cycle, DERBY, "workforce", chapter_input(6, " revised"))
    final = submit_latest(session, cycle, DERBY, dcs)
    for role, who in signers.items():
        sign_as(session, cycle, DERBY, who, role, final.content_hash)
    sef = service.get_sef(session, dcs, cycle, DERBY)
    assert (sef.state, sef.submitted_number) == ("signed", 7)
    return sef


def _history_as_seen_by(
    session: Session, cycle: Cycle, who: Principal, sef: SelfEvaluation
) -> tuple[list[int], dict[int, int | str], str]:
    """Which versions are listed; versions 1, 6, 7 and 99 read (number or refusal); a compare."""
    listed = [v.number for v in sef_versions.readable_versions(session, who, cycle, sef)]
    read: dict[int, int | str] = {}
    for number in (1, 6, 7, 99):
        try:
            read[number] = sef_versions.readable_version(session, who, cycle, sef, number).number
        except (NotPermitted, NotFound) as refused:
            read[number] = refused.message
    try:
        found = sef_versions.compare_for(session, who, cycle, sef, 7, 6)
    except NotPermitted as refused:
        compared = refused.message
    else:
        changed = [c.chapter_id for c in found.chapters if c.changed]
        compared = f"{found.older.number} to {found.newer.number}: {', '.join(changed)}"
    return listed, read, compared


FULL_HISTORY = (
    [7, 6, 5, 4, 3, 2, 1],
    {1: 1, 6: 6, 7: 7, 99: "There is no version 99 of this self-evaluation."},
    "6 to 7: workforce",
)
SIGNED_VERSION_ONLY = (
    [7],
    {1: HISTORY_REFUSED, 6: HISTORY_REFUSED, 7: 7, 99: HISTORY_REFUSED},
    HISTORY_REFUSED,
)


def test_scrutineers_and_the_risl_read_the_signed_version_and_no_draft_before_it(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    sef = _signed_after_a_return(session, cycle)
    readers = {name for name, refusal in SIGNED.items() if refusal is None}
    assert {name: access.can_read_history(people[name], cycle, sef) for name in readers} == {
        name: name in HISTORY_READERS for name in readers
    }
    # The region's id does as well as the cycle.
    assert access.can_read_history(people["coordinator"], f.REGION, sef)
    assert not access.can_read_history(people["Derbyshire DCS"], f.REGION, sef)
    for name in HISTORY_READERS:
        assert _history_as_seen_by(session, cycle, people[name], sef) == FULL_HISTORY, name
    for name in ["Derbyshire DCS", "RISL"]:
        assert _history_as_seen_by(session, cycle, people[name], sef) == SIGNED_VERSION_ONLY, name
    # Still so once scrutiny is closed.
    scrutiny.close(session, people["coordinator"], cycle, DERBY)
    assert sef.state == "scrutiny_closed"
    assert _history_as_seen_by(session, cycle, people["RISL"], sef) == SIGNED_VERSION_ONLY
    assert _history_as_seen_by(session, cycle, people["Derby data lead"], sef) == FULL_HISTORY


def test_while_drafting_the_la_and_its_coordinator_read_every_version(
    session: Session, cycle: Cycle, people: dict[str, Principal]
) -> None:
    sef = _draft(session, cycle, people)
    for name in HISTORY_READERS:
        who = people[name]
        assert [v.number for v in sef_versions.readable_versions(session, who, cycle, sef)] == [
            6, 5, 4, 3, 2, 1
        ], name  # fmt: skip
        assert sef_versions.readable_version(session, who, cycle, sef, 2).number == 2
        assert sef_versions.compare_for(session, who, cycle, sef, 1, 2).newer.number == 2


@pytest.fixture
def moderated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The East Midlands, changed to have its moderators scrutinise instead of its triads."""
    reference = get_reference()
    changed = reference.regions[f.REGION].model_copy(update={"scrutiny": Scrutiny.MODERATION})
    monkeypatch.setattr(
        reference, "regions", MappingProxyType({**reference.regions, f.REGION: changed})
    )


def test_a_moderator_reads_the_signed_version_and_no_draft_before_it(
    session: Session, cycle: Cycle, people: dict[str, Principal], moderated: None
) -> None:
    sef = _signed_after_a_return(session, cycle)
    moderator = people["moderator"]
    assert access.is_scrutineer(session, moderator, cycle, DERBY)
    assert not access.can_read_history(moderator, cycle, sef)
    assert _history_as_seen_by(session, cycle, moderator, sef) == SIGNED_VERSION_ONLY
    assert _history_as_seen_by(session, cycle, people["coordinator"], sef) == FULL_HISTORY
