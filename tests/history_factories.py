"""A cycle with every kind of history entry and self-evaluations in every state, built through
the same services people use: for the history's visibility table and the link walks."""

from datetime import date

from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.indicators import return_overrides, returns
from app.indicators.periods import Quarter
from app.indicators.schemas import ValueInput
from app.models import Cycle, User
from app.mou import service as mou
from app.mou.schemas import DraftInput
from app.reference import get_reference
from app.sef import scrutiny, service, signoff
from app.sef.schemas import CommentInput, ResponseInput, ReturnSefInput
from tests import factories as f
from tests.sef_factories import (
    DERBY,
    form_proposed_triads,
    sign_as,
    signatories,
    submit_latest,
    write_all,
)

DERBYSHIRE, LEICESTER, NOTTINGHAM = "E10000007", "E06000016", "E06000018"
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
    """Every kind of entry, with the self-evaluations in every state."""
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    title, body, revision = mou.editor_source(session, cycle)
    mou.save_draft(
        session, boss, cycle, DraftInput(title=title, body=body + "\n\nMore.", revision=revision)
    )
    for la in (DERBY, LEICESTER):
        return_overrides.record_override(session, boss, cycle, la, "MoU signed on paper")
    lead = f.principal(session, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    returns.submit_return(
        session, lead, f.REGION, Q1, DERBY, _values(), source="form", today=date(2026, 7, 10)
    )
    returns.import_file(
        session, boss, f.REGION, Q2, "q2.csv", _csv([DERBY, LEICESTER]), today=date(2026, 10, 10)
    )
    assert [DERBY, DERBYSHIRE, "E06000062"] in form_proposed_triads(session, cycle)
    # Derby: returned by its Chief Executive with a reason, revised, signed, scrutinised.
    people = signatories(session, DERBY)
    dcs = people[Role.DCS]
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
    sef = service.get_sef(session, dcs, cycle, DERBY)
    chapter = service.template_of(sef).chapters[0].id
    made = scrutiny.comment(
        session, peer, cycle, DERBY, CommentInput(chapter_id=chapter, body="Evidence is thin")
    )
    scrutiny.respond(session, dcs, cycle, DERBY, made.id, ResponseInput(body="See the audit"))
    # Leicester is still drafting; Nottingham has submitted, nobody has signed.
    write_all(session, cycle, LEICESTER, signatories(session, LEICESTER)[Role.DCS])
    notts = f.principal(session, person(session, (Role.DCS, NOTTINGHAM, None), "Nina Notts"))
    write_all(session, cycle, NOTTINGHAM, notts)
    submit_latest(session, cycle, NOTTINGHAM, notts)
    session.commit()
    return cycle
