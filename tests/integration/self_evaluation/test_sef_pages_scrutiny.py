"""Peer scrutiny of a signed self-evaluation through the pages, and the overview's tasks."""

import re
from dataclasses import dataclass
from html import unescape

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.roles import SIGNATORY_ROLES, Role
from app.models import Cycle, SefComment, SefResponse, SelfEvaluation, User
from app.reference.sef import OfstedGrade
from app.self_evaluation.drafting import service
from app.self_evaluation.overview import sef_tasks
from app.self_evaluation.schemas import CommentInput, ResponseInput, ReturnSefInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.conftest import check_page
from tests.page_reading import error_summary, main_text, page_token
from tests.sef_factories import DERBY, form_proposed_triads, sign_as, submit_latest, write_all

DERBYSHIRE = "E10000007"  # in Derby's triad (2026-27 proposal)
NOTTINGHAM = "E06000018"  # in another triad
SEFS = "/regions/east-midlands/cycles/2026-27/self-evaluations"
HOME = f"{SEFS}/{DERBY}"
PAGE = HOME + "/scrutiny"
HIDDEN = (
    "Scrutiny comments are shared only with the authority, its scrutineers and the regional "
    "coordinator."
)
CLOSED = "Scrutiny of this self-evaluation has been closed."


@dataclass
class World:
    cycle: Cycle
    boss: User
    dcs: User  # Derby's
    lead_member: User
    peer: User  # Derbyshire's DCS, a scrutineer
    outsider: User  # Nottingham's DCS, not in the triad
    risl: User


def _world(session: Session, *, sign: bool = True) -> World:
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    cycle = f.open_cycle(session, f.principal(session, boss))
    form_proposed_triads(session, cycle)
    names = {
        Role.DCS: "Dana Director",
        Role.LEAD_MEMBER: "Lee Member",
        Role.CHIEF_EXECUTIVE: "Chris Executive",
    }
    people = {
        role: f.make_user(session, role, organisation=DERBY, name=names[role])
        for role in SIGNATORY_ROLES
    }
    world = World(
        cycle,
        boss,
        people[Role.DCS],
        people[Role.LEAD_MEMBER],
        f.make_user(session, Role.DCS, organisation=DERBYSHIRE, name="Pat Peer"),
        f.make_user(session, Role.DCS, organisation=NOTTINGHAM, name="Olly Outside"),
        f.make_user(session, Role.RISL, region=f.REGION, name="Rita Risl"),
    )
    dcs = f.principal(session, world.dcs)
    write_all(session, cycle, DERBY, dcs)
    if sign:
        submitted = submit_latest(session, cycle, DERBY, dcs)
        for role, user in people.items():
            sign_as(session, cycle, DERBY, f.principal(session, user), role, submitted.content_hash)
    session.commit()
    return world


def _checked(response: Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text[:800])
    check_page(response.text)
    return response.text


def _labels(html: str) -> dict[str, str]:
    """Each form control's label text, by the control's id."""
    return {
        target: unescape(re.sub(r"\s+", " ", text)).strip()
        for target, text in re.findall(r'<label[^>]*for="([^"]+)"[^>]*>(.*?)</label>', html, re.S)
    }


def _button_names(html: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'<button[^>]*aria-label="([^"]*)"', html)]


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _comment(
    session: Session, world: World, body: str = "The audit sample is small."
) -> SefComment:
    row = scrutiny.comment(
        session,
        f.principal(session, world.peer),
        world.cycle,
        DERBY,
        CommentInput(
            chapter_id="workforce", body=body, challenged_grade=OfstedGrade.REQUIRES_IMPROVEMENT
        ),
    )
    session.commit()
    return row


def test_a_triad_peer_comments_with_a_grade_challenge(session: Session, client: TestClient) -> None:
    world = _world(session)
    f.sign_in(client, world.peer)
    page = _checked(client.get(PAGE), 200)
    words = main_text(page)
    assert (
        "Who scrutinises it The Directors of Children's Services (DCSs) of the other authorities "
        "in its triad: Derbyshire West Northamptonshire" in words
    )
    # Each chapter's signed text sits in the column beside its comments and comment box.
    workforce = page.split('id="chapter-workforce"', 1)[1].split("</section>", 1)[0]
    text, comments = workforce.split('<div class="govuk-grid-column-one-half">')[1:]
    assert main_text(f"<main>{text}</main>").startswith(
        "What version 6 says Self-assessed grade Good What you know, how you know it, and your "
        "plans We know our practice well. Audits show it. Strengths Stable workforce."
    )
    assert main_text(f"<main>{comments}</main>").startswith(
        "Comments No comments on this chapter yet."
    )
    assert 'id="comment-workforce"' in comments and "Stable workforce." not in comments
    for chapter in ("help-and-protection", "workforce", "partnerships-and-early-help"):
        assert f'id="comment-{chapter}"' in page and f'id="challenge-{chapter}"' in page
    assert '<option value="">No different view of the grade</option>' in page
    # Every chapter's form names its chapter, so no two labels or buttons on the page are alike.
    labels = _labels(page)
    assert labels["comment-workforce"] == "Your comment on 'Workforce'"
    assert labels["challenge-workforce"] == (
        "Offer a different view of the self-assessed grade of 'Workforce' (optional)"
    )
    assert labels["comment-help-and-protection"] == (
        "Your comment on 'The experiences and progress of children who need help and protection'"
    )
    assert len(set(labels.values())) == len(labels) == 12  # two fields in each of six chapters
    names = _button_names(page)
    assert "Add comment on Workforce" in names and len(set(names)) == len(names) == 6
    assert "Close scrutiny" not in words

    token = page_token(client, PAGE)
    empty = client.post(
        PAGE + "/comments",
        data={
            "csrf_token": token,
            "chapter_id": "workforce",
            "body": " ",
            "challenged_grade": "good",
        },
    )
    _checked(empty, 422)
    assert error_summary(empty.text) == [
        ("#comment-workforce", "Enter your comment, in under 5,000 characters")
    ]
    assert re.search(
        r'id="challenge-workforce".*?<option value="good" selected>Good</option>', empty.text, re.S
    )
    assert not re.search(
        r'id="challenge-workforce".*?</select>.*?<option value="good" selected>', empty.text, re.S
    )
    bad_grade = client.post(
        PAGE + "/comments",
        data={
            "csrf_token": token,
            "chapter_id": "workforce",
            "body": "Keep this text.",
            "challenged_grade": "superb",
        },
    )
    kept = _checked(bad_grade, 422)
    assert error_summary(kept) == [
        ("#challenge-workforce", "Choose a grade from the Ofsted scale, or leave it blank")
    ]
    assert re.search(r'id="comment-workforce"[^>]*>Keep this text\.</textarea>', kept)
    assert re.search(r'id="comment-children-in-care"[^>]*></textarea>', kept)
    assert _count(session, SefComment) == 0

    added = client.post(
        PAGE + "/comments",
        data={
            "csrf_token": token,
            "chapter_id": "workforce",
            "body": "The audit sample is small.\n\nTwelve cases cannot show a trend.",
            "challenged_grade": "requires_improvement",
        },
    )
    assert added.status_code == 303 and added.headers["location"] == PAGE
    after = main_text(_checked(client.get(PAGE), 200))
    assert "Your comment on 'Workforce' is added. The authority can now respond." in after
    assert "Stable workforce. Areas for development" in after
    assert "Comments Comment 1: Pat Peer, DCS, Derbyshire" in after
    assert (
        "The audit sample is small. Twelve cases cannot show a trend. "
        "Offers a different view of the grade: Requires improvement to be good No response yet"
        in after
    )
    session.expire_all()
    comment = session.scalars(select(SefComment)).one()
    assert (comment.chapter_id, comment.author_name, comment.challenged_grade) == (
        "workforce",
        "Pat Peer",
        "requires_improvement",
    )


def test_a_dcs_outside_the_triad_can_neither_read_nor_comment(
    session: Session, client: TestClient
) -> None:
    world = _world(session)
    f.sign_in(client, world.outsider)
    page = main_text(_checked(client.get(PAGE), 403))
    assert (
        "Derby's signed self-evaluation is shared only with Derby, its scrutineers and the "
        "regional coordinator." in page
    )
    refused = client.post(
        PAGE + "/comments",
        data={"csrf_token": page_token(client), "chapter_id": "workforce", "body": "Let me in."},
    )
    assert refused.status_code == 403
    assert "shared only with Derby, its scrutineers" in unescape(refused.text)
    assert _count(session, SefComment) == 0


def test_the_risl_reads_the_signed_self_evaluation_but_not_its_scrutiny(
    session: Session, client: TestClient
) -> None:
    world = _world(session)
    _comment(session, world)
    f.sign_in(client, world.risl)
    assert client.get(HOME).status_code == 200  # East Midlands lets the RISL read signed SEFs
    page = main_text(_checked(client.get(PAGE), 403))
    assert HIDDEN in page
    assert "The audit sample is small." not in page
    refused = client.post(
        PAGE + "/comments",
        data={"csrf_token": page_token(client), "chapter_id": "workforce", "body": "A view."},
    )
    assert refused.status_code == 403
    assert _count(session, SefComment) == 1


def test_the_dcs_responds_once_to_each_comment(session: Session, client: TestClient) -> None:
    world = _world(session)
    comment = _comment(session, world)
    f.sign_in(client, world.dcs)
    page = _checked(client.get(PAGE), 200)
    assert _labels(page)[f"response-{comment.id}"] == (
        "Your response to comment 1 on 'Workforce', from Pat Peer"
    )
    assert _button_names(page) == ["Send response to comment 1 on Workforce"]
    assert f'id="response-{comment.id}"' in page
    assert 'id="comment-workforce"' not in page  # the LA does not comment on itself
    url = f"{PAGE}/comments/{comment.id}/response"
    token = page_token(client, PAGE)

    empty = client.post(url, data={"csrf_token": token, "body": ""})
    _checked(empty, 422)
    assert error_summary(empty.text) == [
        (f"#response-{comment.id}", "Enter your response, in under 5,000 characters")
    ]

    answered = client.post(
        url, data={"csrf_token": token, "body": "We will widen the sample to 40 cases."}
    )
    assert answered.status_code == 303 and answered.headers["location"] == PAGE
    after = main_text(_checked(client.get(PAGE), 200))
    assert "Your response is recorded beside the comment." in after
    assert "Response from Dana Director, " in after
    assert "We will widen the sample to 40 cases." in after
    assert "No response yet" not in after

    again = client.post(url, data={"csrf_token": token, "body": "A second answer."})
    assert again.status_code == 303 and again.headers["location"] == PAGE
    assert "This comment has already been responded to." in main_text(
        _checked(client.get(PAGE), 200)
    )
    session.expire_all()
    assert [r.body for r in session.scalars(select(SefResponse))] == [
        "We will widen the sample to 40 cases."
    ]


def test_two_comments_from_one_scrutineer_get_distinct_response_forms(
    session: Session, client: TestClient
) -> None:
    world = _world(session)
    first = _comment(session, world)
    second = _comment(session, world, "A second point.")
    f.sign_in(client, world.dcs)
    page = _checked(client.get(PAGE), 200)
    assert "Comment 1: Pat Peer, DCS, Derbyshire" in main_text(page)
    assert "Comment 2: Pat Peer, DCS, Derbyshire" in main_text(page)
    labels = _labels(page)
    assert labels[f"response-{first.id}"] == (
        "Your response to comment 1 on 'Workforce', from Pat Peer"
    )
    assert labels[f"response-{second.id}"] == (
        "Your response to comment 2 on 'Workforce', from Pat Peer"
    )
    assert _button_names(page) == [
        "Send response to comment 1 on Workforce",
        "Send response to comment 2 on Workforce",
    ]


def test_an_unknown_chapter_puts_the_error_on_the_page_state(
    session: Session, client: TestClient
) -> None:
    world = _world(session)
    f.sign_in(client, world.peer)
    token = page_token(client, PAGE)
    for chapter, message in (
        ("no-such-chapter", "Enter your comment, in under 5,000 characters"),
        ("", "Choose a chapter"),
    ):
        refused = client.post(
            PAGE + "/comments",
            data={"csrf_token": token, "chapter_id": chapter, "body": "", "challenged_grade": ""},
        )
        html = _checked(refused, 422)
        # The summary links to an element that is on the page, not to a form that is not.
        assert error_summary(html) == [("#scrutiny-state", message)]
        assert 'id="scrutiny-state"' in html
        assert f'id="comment-{chapter}"' not in html
    assert _count(session, SefComment) == 0


def test_the_coordinator_closes_scrutiny_and_comments_stop(
    session: Session, client: TestClient
) -> None:
    world = _world(session)
    comment = _comment(session, world)
    f.sign_in(client, world.boss)
    page = _checked(client.get(PAGE), 200)
    assert f'action="{PAGE}/close"' in page
    assert 'id="comment-workforce"' not in page and f'id="response-{comment.id}"' not in page
    token = page_token(client, PAGE)
    closed = client.post(PAGE + "/close", data={"csrf_token": token, "next": "tracker"})
    assert closed.status_code == 303 and closed.headers["location"] == SEFS + "/tracker"
    tracker = main_text(_checked(client.get(SEFS + "/tracker"), 200))
    assert (
        "Scrutiny of Derby's self-evaluation is closed. Its comments and responses are kept with it."
        in tracker
    )
    assert "Derby Scrutiny closed" in tracker
    assert "1 comment, 1 without a response" in tracker
    session.expire_all()
    derby = session.scalars(select(SelfEvaluation).where(SelfEvaluation.la_code == DERBY)).one()
    assert derby.state == "scrutiny_closed"

    twice = client.post(PAGE + "/close", data={"csrf_token": token})
    assert twice.status_code == 303 and twice.headers["location"] == PAGE
    assert "Scrutiny of Derby's self-evaluation was already closed." in main_text(
        client.get(PAGE).text
    )

    f.sign_in(client, world.peer)
    page = _checked(client.get(PAGE), 200)
    assert 'id="comment-workforce"' not in page
    late = client.post(
        PAGE + "/comments",
        data={
            "csrf_token": page_token(client, PAGE),
            "chapter_id": "workforce",
            "body": "One more thing.",
        },
    )
    _checked(late, 409)
    assert error_summary(late.text) == [("#scrutiny-state", CLOSED)]
    assert 'id="scrutiny-state"' in late.text
    assert _count(session, SefComment) == 1

    f.sign_in(client, world.dcs)
    response = client.post(
        f"{PAGE}/comments/{comment.id}/response",
        data={"csrf_token": page_token(client, PAGE), "body": "Too late."},
    )
    _checked(response, 409)
    assert error_summary(response.text) == [("#scrutiny-state", CLOSED)]
    assert _count(session, SefResponse) == 0


def test_scrutiny_has_not_started_before_sign_off(session: Session, client: TestClient) -> None:
    world = _world(session, sign=False)
    f.sign_in(client, world.dcs)
    page = main_text(_checked(client.get(PAGE), 200))
    assert "Scrutiny starts once the self-evaluation is signed by all three signatories." in page
    f.sign_in(client, world.peer)
    assert client.get(PAGE).status_code == 403  # a draft stays inside the LA


WRITE = "Write and submit your self-evaluation"
SIGN = "Sign your self-evaluation"
DUE = "Due by 19 December 2026"
AWAITING = f"Version 6 is awaiting your signature. {DUE}"


def _tasks(session: Session, world: World, who: User) -> list[tuple[str, str | None, str, str]]:
    found = sef_tasks(session, f.principal(session, who), world.cycle)
    return [(t.title, t.href, t.status, t.hint) for t in found]


def _sign(session: Session, world: World, who: User, role: Role, content_hash: str) -> None:
    sign_as(session, world.cycle, DERBY, f.principal(session, who), role, content_hash)


def test_the_overview_gives_each_person_their_self_evaluation_tasks(session: Session) -> None:
    world = _world(session, sign=False)
    dcs = f.principal(session, world.dcs)
    saved = "Version 6 saved; submit it for sign-off. " + DUE
    assert _tasks(session, world, world.dcs) == [(WRITE, HOME, "in_progress", saved)]
    # The Lead Member sees their signature coming before there is anything to sign.
    assert _tasks(session, world, world.lead_member) == [
        (
            SIGN,
            None,
            "cannot_start",
            "Signing opens when the Director of Children's Services submits it for sign-off. "
            + DUE,
        )
    ]
    peer_write = (WRITE, f"{SEFS}/{DERBYSHIRE}", "not_started", DUE)
    assert _tasks(session, world, world.peer) == [peer_write]
    track = ("Track self-evaluations", SEFS + "/tracker", "in_progress")
    assert _tasks(session, world, world.boss) == [(*track, "0 of 10 signed")]

    submitted = submit_latest(session, world.cycle, DERBY, dcs)
    assert _tasks(session, world, world.lead_member) == [
        (SIGN, HOME + "/sign", "not_started", AWAITING)
    ]
    _sign(session, world, world.lead_member, Role.LEAD_MEMBER, submitted.content_hash)
    assert _tasks(session, world, world.lead_member) == [
        (SIGN, HOME, "completed", "You have signed version 6; 1 of 3 signatures")
    ]
    assert _tasks(session, world, world.dcs) == [
        (WRITE, HOME, "completed", "Version 6 submitted; 1 of 3 signatures"),
        (SIGN, HOME + "/sign", "not_started", AWAITING),
    ]

    _sign(session, world, world.dcs, Role.DCS, submitted.content_hash)
    chief = f.make_user(session, Role.CHIEF_EXECUTIVE, organisation=DERBY)
    _sign(session, world, chief, Role.CHIEF_EXECUTIVE, submitted.content_hash)
    assert service.get_sef(session, dcs, world.cycle, DERBY).state == "signed"
    challenge = (
        "Comment chapter by chapter, and offer a different view of a grade if you read the "
        "evidence differently"
    )
    assert _tasks(session, world, world.peer) == [
        peer_write,
        ("Scrutinise Derby's self-evaluation", PAGE, "open", challenge),
    ]
    assert _tasks(session, world, world.outsider) == [
        (WRITE, f"{SEFS}/{NOTTINGHAM}", "not_started", DUE)
    ]

    comment = _comment(session, world)
    _comment(session, world, "A second point.")
    signed = (WRITE, HOME, "completed", "Version 6 signed by all three")
    assert _tasks(session, world, world.dcs) == [
        signed,
        ("Respond to scrutiny", PAGE, "not_started", "2 comments without a response"),
    ]
    scrutiny.respond(session, dcs, world.cycle, DERBY, comment.id, ResponseInput(body="Noted."))
    assert _tasks(session, world, world.dcs) == [
        signed,
        ("Respond to scrutiny", PAGE, "in_progress", "1 comment without a response"),
    ]
    assert _tasks(session, world, world.boss) == [(*track, "1 of 10 signed")]
    scrutiny.close(session, f.principal(session, world.boss), world.cycle, DERBY)
    assert _tasks(session, world, world.dcs) == [signed]
    assert _tasks(session, world, world.peer) == [
        peer_write,
        ("Scrutinise Derby's self-evaluation", PAGE, "closed", "Scrutiny is closed"),
    ]


def test_the_dcs_is_told_who_returned_it(session: Session) -> None:
    world = _world(session, sign=False)
    submitted = submit_latest(session, world.cycle, DERBY, f.principal(session, world.dcs))
    back = ReturnSefInput(role=Role.LEAD_MEMBER, content_hash=submitted.content_hash, reason="No.")
    lead_member = f.principal(session, world.lead_member)
    signoff.return_for_changes(session, lead_member, world.cycle, DERBY, back)
    hint = f"Version 6 was returned by Lee Member; make the changes and submit it again. {DUE}"
    assert _tasks(session, world, world.dcs) == [(WRITE, HOME, "in_progress", hint)]
