"""A cycle with every kind of history entry and self-evaluations in every state, built through
the same services people use: for the history's visibility table and the link walks."""

from datetime import date

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import CalendarInput, StageDates
from app.models import Cycle, User
from app.mou import reminders
from app.mou import service as mou
from app.mou.schemas import DeclineInput, DraftInput
from app.reference import get_reference
from app.returns import overrides as return_overrides
from app.returns import service as returns
from app.returns.periods import Quarter
from app.returns.schemas import ValueInput
from app.self_evaluation import contributors
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import AssignInput, CommentInput, ResponseInput, ReturnSefInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.sef_factories import (
    DERBY,
    form_proposed_triads,
    sign_as,
    signatories,
    signed_sef,
    submit_latest,
    write_all,
)

DERBYSHIRE, LEICESTER, NOTTINGHAM, RUTLAND = "E10000007", "E06000016", "E06000018", "E06000017"
IDS = list(get_reference().indicators)
Q1, Q2 = Quarter(2026, 1), Quarter(2026, 2)


def _values() -> list[ValueInput]:
    return [ValueInput(indicator_id=i, value=1) for i in IDS]


def _csv(las: list[str]) -> bytes:
    lines = ["la_code,indicator_id,value"] + [f"{la},{i},2" for la in las for i in IDS]
    return ("\n".join(lines) + "\n").encode()


def person(session: Session, spec: tuple[Role, str | None, str | None], name: str) -> User:
    role, organisation, region = spec
    return f.make_user(session, role, organisation=organisation, region=region, name=name)


def build_cycle(session: Session) -> Cycle:
    """Every kind of entry, with the MoU and the self-evaluations in every state."""
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    mou_window = StageDates(opens=date(2026, 4, 7), closes=date(2026, 6, 12))
    cycles.update_calendar(session, boss, cycle, CalendarInput(windows={"mou": mou_window}))
    first_mou = f.publish_from_template(session, cycle, boss)
    f.sign(session, cycle, f.signatory(session, DERBY, Role.DCS), DERBY, Role.DCS)
    mou.decline(
        session,
        f.signatory(session, RUTLAND, Role.LEAD_MEMBER),
        cycle,
        DeclineInput(
            organisation_code=RUTLAND,
            role=Role.LEAD_MEMBER,
            content_hash=first_mou.content_hash,
            reason="Our cabinet meets in May",
        ),
    )
    reminders.send_reminders(session, boss, cycle)
    for la in (DERBY, LEICESTER):
        return_overrides.record_override(session, boss, cycle, la, "MoU signed on paper")
    lead = f.principal(session, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    returns.submit_return(
        session, lead, f.REGION, Q1, DERBY, _values(), source="form", today=date(2026, 7, 10)
    )
    returns.import_file(
        session, boss, f.REGION, Q2, "q2.csv", _csv([DERBY, LEICESTER]), today=date(2026, 10, 10)
    )
    # Version 2 supersedes version 1 and comes into force; version 3 is a draft.
    f.publish_from_template(session, cycle, boss, extra="\n\nVersion two.")
    f.sign_everyone(session, cycle)
    title, body, revision = mou.editor_source(session, cycle)
    mou.save_draft(
        session, boss, cycle, DraftInput(title=title, body=body + "\n\nMore.", revision=revision)
    )
    assert [DERBY, DERBYSHIRE, "E06000062"] in form_proposed_triads(session, cycle)
    _derby(session, cycle, boss)
    # Derbyshire (in Derby's triad) is signed; Leicester withdrew its submission to edit;
    # Nottingham has submitted and nobody has signed.
    signed_sef(session, cycle, DERBYSHIRE)
    leicester = signatories(session, LEICESTER)[Role.DCS]
    write_all(session, cycle, LEICESTER, leicester)
    submit_latest(session, cycle, LEICESTER, leicester)
    write_all(session, cycle, LEICESTER, leicester, label=" (edited)")
    notts = f.principal(session, person(session, (Role.DCS, NOTTINGHAM, None), "Nina Notts"))
    write_all(session, cycle, NOTTINGHAM, notts)
    submit_latest(session, cycle, NOTTINGHAM, notts)
    session.commit()
    return cycle


def _derby(session: Session, cycle: Cycle, boss: Principal) -> None:
    """A contributor assigned and unassigned; returned by the Chief Executive with a reason;
    revised, signed by all three, scrutinised by a triad peer, and scrutiny closed."""
    people = signatories(session, DERBY)
    dcs = people[Role.DCS]
    sef = service.get_sef(session, dcs, cycle, DERBY)
    chapter = service.template_of(sef).chapters[0].id
    helper = f.make_user(session, Role.CONTRIBUTOR, organisation=DERBY, name="Colin Contributor")
    assigned = contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id=chapter, user_id=helper.id)
    )
    contributors.unassign(session, dcs, cycle, DERBY, assigned.id)
    write_all(session, cycle, DERBY, dcs)
    first = submit_latest(session, cycle, DERBY, dcs)
    sign_as(session, cycle, DERBY, dcs, Role.DCS, first.content_hash)
    signoff.return_for_changes(
        session,
        people[Role.CHIEF_EXECUTIVE],
        cycle,
        DERBY,
        ReturnSefInput(
            role=Role.CHIEF_EXECUTIVE,
            content_hash=first.content_hash,
            reason="The budget figures in chapter 2 are wrong",
        ),
    )
    write_all(session, cycle, DERBY, dcs, label=" (revised)")
    second = submit_latest(session, cycle, DERBY, dcs)
    for role, who in people.items():
        sign_as(session, cycle, DERBY, who, role, second.content_hash)
    peer = f.principal(session, person(session, (Role.DCS, DERBYSHIRE, None), "Pat Peer"))
    made = scrutiny.comment(
        session, peer, cycle, DERBY, CommentInput(chapter_id=chapter, body="Evidence is thin")
    )
    scrutiny.respond(session, dcs, cycle, DERBY, made.id, ResponseInput(body="See the audit"))
    scrutiny.close(session, boss, cycle, DERBY)
