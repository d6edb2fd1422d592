"""Peer scrutiny of a signed self-evaluation: comments, grade challenges, responses, closing."""

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth import accounts
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import AlreadyDone, Conflict, NotFound, NotPermitted
from app.models import AuditEvent, Cycle, SefComment, SefResponse, SelfEvaluation
from app.reference.sef import OfstedGrade
from app.self_evaluation import access
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import CommentInput, ResponseInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.sef_factories import (
    DERBY,
    form_proposed_triads,
    signed_sef,
    submit_latest,
    write_all,
)

DERBYSHIRE = "E10000007"
WEST_NORTHANTS = "E06000062"
LEICESTER = "E06000016"
EAST = "east-of-england"
BEDFORD = "E06000055"
CAMBRIDGESHIRE = "E10000003"
WORKFORCE = "workforce"
CARE = "children-in-care"
CARE_TITLE = "The experiences and progress of children in care"
ONLY_SCRUTINEERS = (
    "Only this self-evaluation's scrutineers may comment on it: the DCSs of the other "
    "authorities in its triad, or the region's moderators where the region uses moderation."
)
SIGNED_ONLY = (
    "Derby's signed self-evaluation is shared only with Derby, its scrutineers and the regional "
    "coordinator."
)
STILL_DRAFT = (
    "Derby's self-evaluation is still being written. Until it is signed it is seen only by "
    "Derby's own people and the regional coordinator."
)
CLOSED = "Scrutiny of this self-evaluation has been closed."


@pytest.fixture
def cycle(session: Session) -> Cycle:
    cycle = f.open_cycle(session)
    assert [DERBY, DERBYSHIRE, WEST_NORTHANTS] in form_proposed_triads(session, cycle)
    return cycle


def _person(
    session: Session, role: Role, name: str, org: str | None = None, region: str | None = None
) -> Principal:
    user = f.make_user(session, role, organisation=org, region=region, name=name)
    return f.principal(session, user)


def _head(session: Session) -> int:
    return session.scalar(select(func.max(AuditEvent.sequence))) or 0


def _since(session: Session, head: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.sequence > head).order_by(AuditEvent.sequence)
        )
    )


def _rows(session: Session, model: type[SefComment] | type[SefResponse]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _comment(
    session: Session,
    who: Principal,
    cycle: Cycle,
    body: str = "Agency use looks higher than stated.",
    grade: OfstedGrade | None = OfstedGrade.REQUIRES_IMPROVEMENT,
    chapter_id: str = WORKFORCE,
    la_code: str = DERBY,
) -> SefComment:
    data = CommentInput(chapter_id=chapter_id, body=body, challenged_grade=grade)
    return scrutiny.comment(session, who, cycle, la_code, data)


def _respond(
    session: Session, who: Principal, cycle: Cycle, comment_id: int, body: str = "Agreed."
) -> SefResponse:
    return scrutiny.respond(session, who, cycle, DERBY, comment_id, ResponseInput(body=body))


def test_a_triad_peer_comments_and_challenges_a_grade(session: Session, cycle: Cycle) -> None:
    sef, _ = signed_sef(session, cycle)
    pat = _person(session, Role.DCS, "Pat Peer", org=DERBYSHIRE)
    signed = service.submitted_version(session, sef)
    assert signed is not None
    head = _head(session)
    made = _comment(session, pat, cycle)
    assert (made.self_evaluation_id, made.sef_version_id, made.chapter_id) == (
        sef.id,
        signed.id,
        WORKFORCE,
    )
    assert (made.author_id, made.author_name, made.author_affiliation) == (
        pat.user_id,
        "Pat Peer",
        "DCS, Derbyshire",
    )
    assert (made.body, made.challenged_grade) == (
        "Agency use looks higher than stated.",
        "requires_improvement",
    )
    [event] = _since(session, head)
    assert (event.action, event.summary) == (
        "sef.commented",
        "Pat Peer commented on 'Workforce', offering a different view of the grade "
        "(Requires improvement to be good)",
    )
    assert json.loads(event.payload) == {
        "comment_id": made.id,
        "chapter_id": WORKFORCE,
        "challenged_grade": "requires_improvement",
    }
    assert (event.subject_id, event.organisation_code) == (str(sef.id), DERBY)

    # The triad's other member comments without a challenge.
    wes = _person(session, Role.DCS, "Wes West", org=WEST_NORTHANTS)
    plain = _comment(session, wes, cycle, "Strong evidence.", None, CARE)
    assert (plain.author_affiliation, plain.challenged_grade) == (
        "DCS, West Northamptonshire",
        None,
    )
    assert _since(session, head)[-1].summary == f"Wes West commented on '{CARE_TITLE}'"
    assert [(t.comment.id, t.response) for t in scrutiny.threads(session, sef)] == [
        (made.id, None),
        (plain.id, None),
    ]
    assert sef.state == "signed" and verify(session).ok


def test_an_unknown_chapter_is_not_found(session: Session, cycle: Cycle) -> None:
    signed_sef(session, cycle)
    pat = _person(session, Role.DCS, "Pat Peer", org=DERBYSHIRE)
    head = _head(session)
    with pytest.raises(NotFound) as missing:
        _comment(session, pat, cycle, chapter_id="no-such-chapter")
    assert missing.value.message == "This self-evaluation has no such chapter."
    assert (_rows(session, SefComment), _since(session, head)) == (0, [])


def test_only_the_triads_scrutineers_comment(session: Session, cycle: Cycle) -> None:
    _, people = signed_sef(session, cycle)
    outsider = _person(session, Role.DCS, "Olly Outsider", org=LEICESTER)
    moderator = _person(session, Role.MODERATOR, "Mo Moderator", region=f.REGION)
    boss = f.coordinator(session)
    head = _head(session)
    with pytest.raises(NotPermitted) as outside:
        _comment(session, outsider, cycle)
    assert outside.value.message == SIGNED_ONLY
    # A moderator scrutinises only where the region uses moderation; the East Midlands uses triads.
    with pytest.raises(NotPermitted) as moderating:
        _comment(session, moderator, cycle)
    assert moderating.value.message == SIGNED_ONLY
    with pytest.raises(NotPermitted) as own:
        _comment(session, people[Role.DCS], cycle)
    assert own.value.message == ONLY_SCRUTINEERS
    with pytest.raises(NotPermitted) as coordinating:
        _comment(session, boss, cycle)
    assert coordinating.value.message == (
        "You cannot comment on this self-evaluation as a scrutineer: none of your roles allows "
        "it. Ask your regional coordinator if you think you should."
    )
    assert (_rows(session, SefComment), _since(session, head)) == (0, [])


def test_without_triads_nobody_scrutinises(session: Session) -> None:
    cycle = f.open_cycle(session)
    signed_sef(session, cycle)
    pat = _person(session, Role.DCS, "Pat Peer", org=DERBYSHIRE)
    assert access.scrutineer_organisations(session, cycle, DERBY) == set()
    with pytest.raises(NotPermitted) as refused:
        _comment(session, pat, cycle)
    assert refused.value.message == SIGNED_ONLY


def test_scrutiny_waits_for_sign_off(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby", org=DERBY)
    write_all(session, cycle, DERBY, dcs)
    pat = _person(session, Role.DCS, "Pat Peer", org=DERBYSHIRE)
    # A peer cannot yet read the draft, so is told so.
    with pytest.raises(NotPermitted) as peer:
        _comment(session, pat, cycle)
    assert peer.value.message == STILL_DRAFT
    # Someone who can read it (a peer DCS who also drafts for Derby) hears why scrutiny waits.
    both = f.make_user(session, Role.DCS, organisation=DERBYSHIRE, name="Bo Both")
    accounts.assign_role(session, both, Role.CONTRIBUTOR, organisation_code=DERBY)
    bo = f.principal(session, both)
    boss = f.coordinator(session)
    head = _head(session)
    with pytest.raises(Conflict) as drafting:
        _comment(session, bo, cycle)
    assert drafting.value.message == (
        "Scrutiny starts once the self-evaluation is signed by all three signatories."
    )
    submit_latest(session, cycle, DERBY, dcs)
    with pytest.raises(Conflict) as awaiting:
        _comment(session, bo, cycle)
    assert awaiting.value.message == drafting.value.message
    with pytest.raises(Conflict) as closing:
        scrutiny.close(session, boss, cycle, DERBY)
    assert closing.value.message == "This self-evaluation has not been signed yet."
    assert _rows(session, SefComment) == 0
    assert [e.action for e in _since(session, head)] == ["sef.submitted"]


def test_the_las_dcs_responds_once(session: Session, cycle: Cycle) -> None:
    sef, people = signed_sef(session, cycle)
    dcs = people[Role.DCS]
    pat = _person(session, Role.DCS, "Pat Peer", org=DERBYSHIRE)
    made = _comment(session, pat, cycle)
    head = _head(session)
    answer = _respond(session, dcs, cycle, made.id, "Agreed; our plan addresses it.")
    assert (answer.comment_id, answer.author_id, answer.author_name, answer.body) == (
        made.id,
        dcs.user_id,
        dcs.display_name,
        "Agreed; our plan addresses it.",
    )
    [event] = _since(session, head)
    assert (event.action, event.summary, json.loads(event.payload)) == (
        "sef.responded",
        f"{dcs.display_name} responded to Pat Peer's comment on 'Workforce'",
        {"comment_id": made.id, "response_id": answer.id},
    )
    head = _head(session)
    with pytest.raises(AlreadyDone) as twice:
        _respond(session, dcs, cycle, made.id, "Again.")
    assert twice.value.message == "This comment has already been responded to."
    assert (_rows(session, SefResponse), _since(session, head)) == (1, [])
    # The session is still usable after the refusal.
    [thread] = scrutiny.threads(session, sef)
    assert (thread.comment.id, thread.response.id if thread.response else None) == (
        made.id,
        answer.id,
    )


@pytest.mark.parametrize(
    ("role", "org"),
    [(Role.DCS, DERBYSHIRE), (Role.LEAD_MEMBER, DERBY), (Role.CONTRIBUTOR, DERBY)],
)
def test_only_the_las_dcs_responds(session: Session, cycle: Cycle, role: Role, org: str) -> None:
    signed_sef(session, cycle)
    made = _comment(session, _person(session, Role.DCS, "Pat Peer", org=DERBYSHIRE), cycle)
    who = _person(session, role, "Someone Else", org=org)
    with pytest.raises(NotPermitted) as refused:
        _respond(session, who, cycle, made.id)
    assert refused.value.message == (
        "You cannot respond to scrutiny of this authority's self-evaluation: you are not "
        "recorded as its Director of Children's Services. Ask your regional coordinator to check "
        "your role."
    )
    assert _rows(session, SefResponse) == 0


def test_a_comment_on_another_self_evaluation_is_not_found(session: Session, cycle: Cycle) -> None:
    _, people = signed_sef(session, cycle)
    signed_sef(session, cycle, DERBYSHIRE)
    derby_dcs = _person(session, Role.DCS, "Dee Derby", org=DERBY)
    on_derbyshire = _comment(session, derby_dcs, cycle, la_code=DERBYSHIRE)
    with pytest.raises(NotFound) as missing:
        _respond(session, people[Role.DCS], cycle, on_derbyshire.id)
    assert missing.value.message == "There is no such comment on this self-evaluation."
    with pytest.raises(NotFound):
        _respond(session, people[Role.DCS], cycle, 999_999)
    assert _rows(session, SefResponse) == 0


def test_the_coordinator_closes_scrutiny(session: Session, cycle: Cycle) -> None:
    sef, people = signed_sef(session, cycle)
    dcs = people[Role.DCS]
    pat = _person(session, Role.DCS, "Pat Peer", org=DERBYSHIRE)
    answered = _comment(session, pat, cycle)
    open_one = _comment(session, pat, cycle, "And care?", None, CARE)
    _respond(session, dcs, cycle, answered.id)
    boss = f.coordinator(session)

    _, rows = signoff.tracker(session, boss, cycle)
    derby = next(r for r in rows if r.la_code == DERBY)
    assert (derby.comments, derby.unanswered) == (2, 1)
    assert all((r.comments, r.unanswered) == (0, 0) for r in rows if r.la_code != DERBY)

    for who in (dcs, pat, f.coordinator(session, "west-midlands")):
        with pytest.raises(NotPermitted) as refused:
            scrutiny.close(session, who, cycle, DERBY)
        assert refused.value.message == (
            "You cannot close scrutiny of this self-evaluation: none of your roles allows it. Ask "
            "your regional coordinator if you think you should."
        )
    head = _head(session)
    closed = scrutiny.close(session, boss, cycle, DERBY)
    assert closed is sef
    assert (sef.state, sef.scrutiny_closed_at is not None) == ("scrutiny_closed", True)
    [event] = _since(session, head)
    assert (event.action, event.summary, json.loads(event.payload)) == (
        "sef.scrutiny_closed",
        "Scrutiny closed with 2 comments, 1 without a response",
        {"comments": 2, "unanswered": 1},
    )

    head = _head(session)
    with pytest.raises(Conflict) as commenting:
        _comment(session, pat, cycle)
    assert commenting.value.message == CLOSED
    with pytest.raises(Conflict) as responding:
        _respond(session, dcs, cycle, open_one.id)
    assert responding.value.message == CLOSED
    with pytest.raises(Conflict) as again:
        scrutiny.close(session, boss, cycle, DERBY)
    assert again.value.message == "Scrutiny of this self-evaluation is already closed."
    assert (_rows(session, SefComment), _rows(session, SefResponse)) == (2, 1)
    assert _since(session, head) == []
    # The closed threads are still read as they stood.
    assert [t.response is None for t in scrutiny.threads(session, sef)] == [False, True]


@pytest.fixture
def east(session: Session) -> Cycle:
    return f.open_cycle(session, region=EAST)


def test_moderators_scrutinise_where_the_region_uses_moderation(
    session: Session, east: Cycle
) -> None:
    form_proposed_triads(session, east)  # triads formed all the same: they do not scrutinise
    sef, people = signed_sef(session, east, BEDFORD)
    assert service.template_of(sef).id == "sef-three-questions"
    chapter = service.template_of(sef).chapters[0]
    mo = _person(session, Role.MODERATOR, "Mo Moderator", region=EAST)
    # The short-form template carries no grades, so a moderator comments without one.
    made = _comment(session, mo, east, "Evidence is thin.", None, chapter.id, BEDFORD)
    assert (made.author_affiliation, made.challenged_grade) == ("Moderator", None)
    assert access.scrutineer_organisations(session, east, BEDFORD) == set()

    refused_message = (
        "Bedford's signed self-evaluation is shared only with Bedford, its scrutineers and the "
        "regional coordinator."
    )
    cambs = _person(session, Role.DCS, "Cam Cambs", org=CAMBRIDGESHIRE)
    with pytest.raises(NotPermitted) as peer:
        _comment(session, cambs, east, chapter_id=chapter.id, la_code=BEDFORD)
    assert peer.value.message == refused_message
    em_moderator = _person(session, Role.MODERATOR, "Em Moderator", region=f.REGION)
    with pytest.raises(NotPermitted) as elsewhere:
        _comment(session, em_moderator, east, chapter_id=chapter.id, la_code=BEDFORD)
    assert elsewhere.value.message == (
        "You cannot comment on this self-evaluation as a scrutineer: none of your roles allows "
        "it. Ask your regional coordinator if you think you should."
    )
    assert _rows(session, SefComment) == 1

    answer = scrutiny.respond(
        session, people[Role.DCS], east, BEDFORD, made.id, ResponseInput(body="We will add more.")
    )
    assert answer.comment_id == made.id
    assert scrutiny.visible_threads(session, mo, east, sef) == scrutiny.threads(session, sef)
    assert scrutiny.visible_threads(session, cambs, east, sef) is None


def test_a_moderator_cannot_read_a_draft(session: Session, east: Cycle) -> None:
    mo = _person(session, Role.MODERATOR, "Mo Moderator", region=EAST)
    with pytest.raises(NotPermitted) as refused:
        service.get_sef(session, mo, east, BEDFORD)
    assert refused.value.message == (
        "Bedford's self-evaluation is still being written. Until it is signed it is seen only by "
        "Bedford's own people and the regional coordinator."
    )
    sef = session.execute(
        select(SelfEvaluation).where(
            SelfEvaluation.cycle_id == east.id, SelfEvaluation.la_code == BEDFORD
        )
    ).scalar_one()
    assert access.is_scrutineer(session, mo, east, BEDFORD)
    assert not access.can_read(session, mo, east, sef)
