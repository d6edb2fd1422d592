"""Peer challenge of LA development plans (issue 12): triad partners comment on and challenge
each priority of a submitted plan, the LA's DCS answers each challenge once, the coordinator
sees only the counts, and nobody else sees anything; the history, the API, the page and CSRF."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import reviewers
from app.challenge.meeting_schemas import ReviewerInput
from app.cycles.schemas import HistoryQuery
from app.errors import AlreadyDone, NotFound, NotPermitted
from app.history.service import read_history
from app.models import AuditEvent, Cycle, LaPlan, LaPlanComment, LaPlanResponse, User
from app.plans import comments, service, writing
from app.plans.schemas import PlanCommentInput, PlanResponseInput, SubmitPlanInput
from app.self_evaluation.schemas import TriadsInput
from app.triads import service as triads
from tests import factories as f
from tests.page_reading import error_summary, main_text
from tests.plan_factories import DERBY, submitted_plan, written_plan

DERBYSHIRE = "E10000007"
LEICESTER = "E06000016"
GROUPS = [
    [DERBY, DERBYSHIRE, "E06000062"],
    [LEICESTER, "E10000018", "E10000019"],
    ["E06000061", "E06000018", "E10000024", "E06000017"],
]
PAGE = "/regions/east-midlands/cycles/2026-27/plans"
API = "/api/v1/regions/east-midlands/cycles/2026-27/plans"
OVERVIEW = "/regions/east-midlands/cycles/2026-27"
ASK = "How will you staff the front door while recruiting?"
ANSWER = "Two agency social workers until March, then the new starters."
NOT_A_PARTNER = (
    "Derby's development plan is seen only by Derby's own people and the regional coordinator, "
    "and by its triad partners once it is submitted for sign-off."
)
ONLY_PARTNERS = (
    "Only Derby's triad partners comment on its development plan, once it is submitted for "
    "sign-off."
)


@pytest.fixture
def cycle(session: Session) -> Cycle:
    found = f.open_cycle(session)
    groups = {code: n for n, group in enumerate(GROUPS, start=1) for code in group}
    triads.form_triads(session, f.coordinator(session), found, TriadsInput(groups=groups))
    return found


def _user(session: Session, role: Role, org: str | None = None) -> User:
    region = None if org else "east-midlands"
    return f.make_user(session, role, organisation=org, region=region)


def _person(session: Session, role: Role, org: str | None = None) -> Principal:
    return f.principal(session, _user(session, role, org))


def _reviewer(session: Session, cycle: Cycle, number: int) -> Principal:
    reviewer = _person(session, Role.TRIAD_REVIEWER)
    reviewers.name(
        session, f.coordinator(session), cycle, number, ReviewerInput(user_id=reviewer.user_id)
    )
    return reviewer


def _challenge(text: str = ASK) -> PlanCommentInput:
    return PlanCommentInput(text=text, is_challenge=True)


def _audit(session: Session) -> list[tuple[str, str, str | None]]:
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "la_plan_comment")
        .order_by(AuditEvent.sequence)
    )
    return [(e.action, e.summary, e.organisation_code) for e in rows]


def test_a_partner_comments_and_challenges_and_the_dcs_answers_once(
    session: Session, cycle: Cycle
) -> None:
    dcs = f.signatory(session, DERBY, Role.DCS)
    submitted_plan(session, cycle, dcs)
    partner = f.principal(
        session, f.make_user(session, Role.DCS, organisation=DERBYSHIRE, name="Pat Partner")
    )
    plain = comments.comment(
        session, partner, cycle, DERBY, 1, PlanCommentInput(text="Good focus.")
    )
    asked = comments.comment(session, partner, cycle, DERBY, 1, _challenge())
    assert (plain.is_challenge, asked.is_challenge) == (False, True)
    assert (asked.author_la_code, asked.position, asked.text) == (DERBYSHIRE, 1, ASK)
    answer = comments.respond(session, dcs, cycle, DERBY, asked.id, PlanResponseInput(text=ANSWER))
    assert answer.comment_id == asked.id
    with pytest.raises(AlreadyDone) as twice:
        comments.respond(session, dcs, cycle, DERBY, asked.id, PlanResponseInput(text="Again"))
    assert twice.value.message == (
        "This challenge has already been answered. An answer cannot be changed or given twice."
    )
    with pytest.raises(NotPermitted) as plain_answer:
        comments.respond(session, dcs, cycle, DERBY, plain.id, PlanResponseInput(text="Thanks"))
    assert plain_answer.value.message == "This is a comment, not a challenge: it needs no answer."
    with pytest.raises(NotFound):
        comments.comment(session, partner, cycle, DERBY, 2, _challenge())
    assert session.scalars(select(LaPlanResponse.text)).all() == [ANSWER]
    assert _audit(session) == [
        (
            "plans.commented",
            "Pat Partner commented on priority 1 of Derby's development plan",
            DERBY,
        ),
        (
            "plans.challenged",
            "Pat Partner challenged priority 1 of Derby's development plan",
            DERBY,
        ),
        (
            "plans.challenge_answered",
            f"{dcs.display_name} answered Pat Partner's challenge to priority 1 of Derby's "
            "development plan",
            DERBY,
        ),
    ]
    assert comments.counts(session, asked_plan(session)) == comments.Counts(2, 1, 1)


def asked_plan(session: Session) -> LaPlan:
    return session.scalars(select(LaPlan)).one()


def test_a_named_reviewer_challenges_and_a_draft_is_not_open(
    session: Session, cycle: Cycle
) -> None:
    dcs = f.signatory(session, DERBY, Role.DCS)
    written_plan(session, cycle, dcs)
    named = _reviewer(session, cycle, 1)
    with pytest.raises(NotPermitted) as draft:
        comments.comment(session, named, cycle, DERBY, 1, _challenge())
    assert draft.value.message == NOT_A_PARTNER
    submitted_plan_again(session, cycle, dcs)
    made = comments.comment(session, named, cycle, DERBY, 1, _challenge())
    assert made.author_la_code is None


def submitted_plan_again(session: Session, cycle: Cycle, dcs: Principal) -> None:
    found = service.read(session, dcs, cycle, DERBY)
    assert found.latest is not None
    writing.submit(
        session, dcs, cycle, DERBY, SubmitPlanInput(content_hash=found.latest.content_hash)
    )


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("own_dcs", ONLY_PARTNERS),
        ("other_triad_dcs", NOT_A_PARTNER),
        ("unnamed_reviewer", NOT_A_PARTNER),
        ("other_triad_reviewer", NOT_A_PARTNER),
        ("coordinator", ONLY_PARTNERS),
        ("risl", NOT_A_PARTNER),
        ("lead_member", ONLY_PARTNERS),
        ("partner_lead_member", NOT_A_PARTNER),
    ],
)
def test_everyone_else_is_refused_a_comment_and_nothing_is_written(
    session: Session, cycle: Cycle, who: str, message: str
) -> None:
    submitted_plan(session, cycle, f.signatory(session, DERBY, Role.DCS))
    people = {
        "own_dcs": lambda: f.signatory(session, DERBY, Role.DCS),
        "other_triad_dcs": lambda: f.signatory(session, LEICESTER, Role.DCS),
        "unnamed_reviewer": lambda: _person(session, Role.TRIAD_REVIEWER),
        "other_triad_reviewer": lambda: _reviewer(session, cycle, 2),
        "coordinator": lambda: f.coordinator(session),
        "risl": lambda: _person(session, Role.RISL),
        "lead_member": lambda: f.signatory(session, DERBY, Role.LEAD_MEMBER),
        "partner_lead_member": lambda: f.signatory(session, DERBYSHIRE, Role.LEAD_MEMBER),
    }
    before = len(_audit(session))
    with pytest.raises(NotPermitted) as refused:
        comments.comment(session, people[who](), cycle, DERBY, 1, _challenge())
    assert refused.value.message == message
    assert session.scalars(select(LaPlanComment)).all() == []
    assert len(_audit(session)) == before


def test_only_the_las_dcs_answers(session: Session, cycle: Cycle) -> None:
    submitted_plan(session, cycle, f.signatory(session, DERBY, Role.DCS))
    partner = f.signatory(session, DERBYSHIRE, Role.DCS)
    asked = comments.comment(session, partner, cycle, DERBY, 1, _challenge())
    for who in (
        partner,
        f.signatory(session, DERBY, Role.LEAD_MEMBER),
        f.coordinator(session),
        _reviewer(session, cycle, 1),
    ):
        with pytest.raises(NotPermitted):
            comments.respond(session, who, cycle, DERBY, asked.id, PlanResponseInput(text=ANSWER))
    assert session.scalars(select(LaPlanResponse)).all() == []


def test_the_history_shows_the_challenge_to_the_triad_and_the_la_not_the_coordinator(
    session: Session, cycle: Cycle
) -> None:
    submitted_plan(session, cycle, f.signatory(session, DERBY, Role.DCS))
    comments.comment(
        session, f.signatory(session, DERBYSHIRE, Role.DCS), cycle, DERBY, 1, _challenge()
    )
    session.commit()

    def seen(who: Principal) -> list[str]:
        page = read_history(session, who, "east-midlands", "2026-27", HistoryQuery())
        return [e.event.action for e in page.entries if e.event.subject_type.startswith("la_plan")]

    assert seen(f.signatory(session, DERBYSHIRE, Role.DCS)) == ["plans.challenged"]
    assert "plans.challenged" in seen(f.signatory(session, DERBY, Role.LEAD_MEMBER))
    assert "plans.challenged" not in seen(f.coordinator(session))
    assert seen(f.signatory(session, LEICESTER, Role.DCS)) == []
    assert seen(_person(session, Role.RISL)) == []


def test_the_api_comments_answers_and_shows_the_coordinator_only_counts(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs_user = _user(session, Role.DCS, DERBY)
    submitted_plan(session, cycle, f.principal(session, dcs_user))
    partner = f.token_for(session, _user(session, Role.DCS, DERBYSHIRE))
    made = client.post(
        f"{API}/{DERBY}/priorities/1/comments",
        json={"text": ASK, "is_challenge": True},
        headers=partner,
    )
    assert made.status_code == 200, made.text
    (one,) = made.json()["comments"]
    assert (one["text"], one["is_challenge"], one["version"], one["response"]) == (
        ASK,
        True,
        1,
        None,
    )
    dcs = f.token_for(session, dcs_user)
    url = f"{API}/{DERBY}/comments/{one['id']}/response"
    answered = client.post(url, json={"text": ANSWER}, headers=dcs)
    assert answered.json()["comments"][0]["response"]["text"] == ANSWER
    again = client.post(url, json={"text": "Again"}, headers=dcs)
    assert again.status_code == 409
    assert again.json()["error"]["message"] == (
        "This challenge has already been answered. An answer cannot be changed or given twice."
    )
    boss = f.token_for(
        session, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    )
    tracked = client.get(f"{API}/{DERBY}/comments", headers=boss).json()
    assert (tracked["counts"], tracked["comments"]) == (
        {"comments": 1, "challenges": 1, "answered": 1},
        None,
    )
    outsider = f.token_for(session, _user(session, Role.DCS, LEICESTER))
    assert client.get(f"{API}/{DERBY}/comments", headers=outsider).status_code == 403
    risl = f.token_for(session, _user(session, Role.RISL))
    assert client.get(f"{API}/{DERBY}/comments", headers=risl).status_code == 403
    empty = client.post(f"{API}/{DERBY}/priorities/1/comments", json={"text": ""}, headers=partner)
    assert empty.status_code == 422
    paths = client.get("/openapi.json").json()["paths"]
    base = "/api/v1/regions/{region_id}/cycles/{year}/plans/{la_code}"
    assert set(paths[base + "/comments"]) == {"get"}
    assert set(paths[base + "/priorities/{position}/comments"]) == {"post"}
    assert set(paths[base + "/comments/{comment_id}/response"]) == {"post"}


def test_the_page_shows_the_forms_the_thread_and_the_coordinators_counts(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs_user = _user(session, Role.DCS, DERBY)
    submitted_plan(session, cycle, f.principal(session, dcs_user))
    session.commit()
    f.sign_in(client, _user(session, Role.DCS, DERBYSHIRE))
    page = client.get(f"{PAGE}/{DERBY}")
    assert "This is a challenge the authority must answer" in page.text
    token = f.csrf(client, f"{PAGE}/{DERBY}")
    empty = client.post(f"{PAGE}/{DERBY}/priorities/1/comments", data={"csrf_token": token})
    assert empty.status_code == 422
    assert error_summary(empty.text) == [
        ("#text", "Write your comment or answer, in under 2,000 characters")
    ]
    no_token = client.post(
        f"{PAGE}/{DERBY}/priorities/1/comments", data={"text": ASK, "is_challenge": "yes"}
    )
    assert no_token.status_code == 403
    sent = client.post(
        f"{PAGE}/{DERBY}/priorities/1/comments",
        data={"csrf_token": token, "text": ASK, "is_challenge": "yes"},
    )
    assert sent.status_code == 303
    assert ASK in main_text(client.get(f"{PAGE}/{DERBY}").text)
    asked = session.scalars(select(LaPlanComment)).one()

    f.sign_in(client, dcs_user)
    overview = main_text(client.get(OVERVIEW).text)
    assert "Answer 1 challenge to Derby's plan" in overview
    token = f.csrf(client, f"{PAGE}/{DERBY}")
    url = f"{PAGE}/{DERBY}/comments/{asked.id}/response"
    assert client.post(url, data={"text": ANSWER}).status_code == 403
    answered = client.post(url, data={"csrf_token": token, "text": ANSWER})
    assert answered.status_code == 303
    shown = main_text(client.get(f"{PAGE}/{DERBY}").text)
    assert ASK in shown and ANSWER in shown
    assert "Answer 1 challenge" not in main_text(client.get(OVERVIEW).text)

    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands"))
    tracked = main_text(client.get(f"{PAGE}/{DERBY}").text)
    assert "Triad partners have made 1 comment, 1 of them a challenge; 1 answered." in tracked
    assert ASK not in tracked and ANSWER not in tracked

    f.sign_in(client, _user(session, Role.DCS, LEICESTER))
    assert client.get(f"{PAGE}/{DERBY}").status_code == 403


def test_a_partner_is_asked_to_challenge_a_submitted_plan(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    submitted_plan(session, cycle, f.signatory(session, DERBY, Role.DCS))
    session.commit()
    f.sign_in(client, _user(session, Role.DCS, DERBYSHIRE))
    assert "Challenge Derby's plan" in main_text(client.get(OVERVIEW).text)
    f.sign_in(client, _user(session, Role.DCS, LEICESTER))
    assert "Challenge Derby's plan" not in main_text(client.get(OVERVIEW).text)
