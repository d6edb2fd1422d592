"""Triad reviewers: the coordinator names people holding the role in the region to a triad and
takes them off it; a named reviewer sees that triad only; naming and removing are in the history;
triads cannot be re-formed once a triad has a reviewer, a meeting or a record."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth.roles import Role
from app.challenge import access, meetings, reviewers
from app.challenge.meeting_schemas import ReviewerInput
from app.errors import Conflict, InvalidInput, NotPermitted
from app.models import ChallengeMeeting, ChallengeRecord, Cycle, TriadReviewer
from app.self_evaluation.schemas import TriadsInput
from app.triads import service as triads
from tests import factories as f
from tests.integration.challenge.arranging import (
    API,
    DERBY,
    GROUPS,
    LEICESTER,
    PAGE,
    ROLES,
    arrange,
    entries,
    form_triads,
    person,
    who,
)
from tests.page_reading import error_summary, main_text

ONLY_COORDINATOR = "Only the regional coordinator can name triad reviewers to a triad."
NOT_A_REVIEWER = "Choose someone who holds the triad reviewer role in the East Midlands RIIA"
FIXED = (
    "Triads cannot change once a triad's challenge conversation has a meeting, a named triad "
    "reviewer or a record: those belong to the triads as they are formed"
)


@pytest.fixture
def cycle(session: Session) -> Cycle:
    made = f.open_cycle(session)
    form_triads(session, made)
    return made


def _rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(TriadReviewer)) or 0


def test_the_coordinator_names_and_removes_a_reviewer_and_the_history_keeps_both(
    session: Session, cycle: Cycle
) -> None:
    boss = f.coordinator(session)
    reviewer = f.principal(
        session,
        f.make_user(session, Role.TRIAD_REVIEWER, region="east-midlands", name="Rae Reviewer"),
    )
    named = reviewers.name(session, boss, cycle, 1, ReviewerInput(user_id=reviewer.user_id))
    assert named == (meetings.Reviewer(reviewer.user_id, "Rae Reviewer"),)
    (entry,) = entries(session)
    assert (entry.action, entry.summary) == (
        "conversation.reviewer_named",
        "Rae Reviewer named as a triad reviewer to triad 1",
    )
    triad = meetings.triad_by_number(session, cycle, 1)
    assert (entry.subject_type, entry.subject_id, entry.organisation_code) == (
        "triad",
        str(triad.id),
        None,
    )
    assert json.loads(entry.payload) == {
        "triad": 1,
        "user_id": reviewer.user_id,
        "name": "Rae Reviewer",
    }

    # Naming them again (a double submit) changes nothing.
    assert reviewers.name(session, boss, cycle, 1, ReviewerInput(user_id=reviewer.user_id)) == named
    assert _rows(session) == 1 and len(entries(session)) == 1

    # They read triad 1's key lines of enquiry and see its arrangements, and no other triad's.
    assert access.can_read(session, reviewer, cycle, DERBY)
    assert not access.can_read(session, reviewer, cycle, LEICESTER)
    seen = meetings.conversations(session, reviewer, cycle)
    assert [v.arrangements is not None for v in seen] == [True, False, False]

    assert reviewers.remove(session, boss, cycle, 1, reviewer.user_id) == ()
    assert [e.summary for e in entries(session)][1] == (
        "Rae Reviewer is no longer a triad reviewer of triad 1"
    )
    assert entries(session)[1].action == "conversation.reviewer_removed"
    # Removing them again changes nothing.
    assert reviewers.remove(session, boss, cycle, 1, reviewer.user_id) == ()
    assert _rows(session) == 0 and len(entries(session)) == 2
    assert not access.can_read(session, reviewer, cycle, DERBY)
    assert verify(session).ok


def test_only_people_holding_the_role_in_the_region_can_be_named(
    session: Session, cycle: Cycle
) -> None:
    boss = f.coordinator(session)
    dcs = person(session, Role.DCS, DERBY)
    elsewhere = f.principal(
        session, f.make_user(session, Role.TRIAD_REVIEWER, region="east-of-england")
    )
    for user_id in (dcs.user_id, elsewhere.user_id, 999_999):
        with pytest.raises(InvalidInput) as refused:
            reviewers.name(session, boss, cycle, 1, ReviewerInput(user_id=user_id))
        assert (refused.value.message, refused.value.field) == (NOT_A_REVIEWER, "user_id")
    assert _rows(session) == 0 and entries(session) == []


@pytest.mark.parametrize("name", [n for n in ROLES if n != "the coordinator"])
def test_nobody_but_the_coordinator_names_or_removes_reviewers(
    session: Session, cycle: Cycle, name: str
) -> None:
    candidate = person(session, Role.TRIAD_REVIEWER)
    someone = who(session, cycle, name)
    before = (_rows(session), len(entries(session)))
    with pytest.raises(NotPermitted) as refused:
        reviewers.name(session, someone, cycle, 1, ReviewerInput(user_id=candidate.user_id))
    assert refused.value.message == ONLY_COORDINATOR
    reviewers.name(
        session, f.coordinator(session), cycle, 1, ReviewerInput(user_id=candidate.user_id)
    )
    with pytest.raises(NotPermitted) as refused:
        reviewers.remove(session, someone, cycle, 1, candidate.user_id)
    assert refused.value.message == ONLY_COORDINATOR
    assert (_rows(session), len(entries(session))) == (before[0] + 1, before[1] + 1)


def test_triads_cannot_be_re_formed_once_a_triad_has_a_reviewer_a_meeting_or_a_record(
    session: Session, cycle: Cycle
) -> None:
    boss = f.coordinator(session)
    swapped = {code: n for n, group in enumerate(reversed(GROUPS), start=1) for code in group}
    candidate = person(session, Role.TRIAD_REVIEWER)
    reviewers.name(session, boss, cycle, 2, ReviewerInput(user_id=candidate.user_id))
    with pytest.raises(Conflict) as refused:
        triads.form_triads(session, boss, cycle, TriadsInput(groups=swapped))
    assert (refused.value.message, refused.value.field) == (FIXED, "groups")

    reviewers.remove(session, boss, cycle, 2, candidate.user_id)
    arrange(session, cycle)
    with pytest.raises(Conflict) as refused:
        triads.form_triads(session, boss, cycle, TriadsInput(groups=swapped))
    assert refused.value.message == FIXED

    # Only a record (the record slice writes these): still refused. The meeting row is taken
    # away here by hand, as no service removes one.
    session.execute(delete(ChallengeMeeting))
    triad = meetings.triad_by_number(session, cycle, 1)
    session.add(
        ChallengeRecord(
            cycle_id=cycle.id, triad_id=triad.id, state="draft", started_by_id=boss.user_id
        )
    )
    session.flush()
    with pytest.raises(Conflict) as refused:
        triads.form_triads(session, boss, cycle, TriadsInput(groups=swapped))
    assert refused.value.message == FIXED
    # The same grouping again is not a change, and is accepted.
    same = {code: n for n, group in enumerate(GROUPS, start=1) for code in group}
    assert len(triads.form_triads(session, boss, cycle, TriadsInput(groups=same))) == 3


def test_the_api_names_lists_and_removes_reviewers(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    candidate = f.make_user(
        session, Role.TRIAD_REVIEWER, region="east-midlands", name="Rae Reviewer"
    )
    boss = f.token_for(
        session, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    )
    listed = client.get(API, headers=boss).json()
    assert listed["reviewer_candidates"] == [{"user_id": candidate.id, "name": "Rae Reviewer"}]
    added = client.post(f"{API}/1/reviewers", json={"user_id": candidate.id}, headers=boss)
    assert added.status_code == 200, added.text
    assert added.json()["arrangements"]["reviewers"] == [
        {"user_id": candidate.id, "name": "Rae Reviewer"}
    ]
    wrong = client.post(f"{API}/1/reviewers", json={"user_id": 999_999}, headers=boss)
    assert wrong.status_code == 422
    assert wrong.json()["error"]["message"] == NOT_A_REVIEWER

    dcs = f.token_for(session, f.make_user(session, Role.DCS, organisation=DERBY))
    refused = client.post(f"{API}/1/reviewers", json={"user_id": candidate.id}, headers=dcs)
    assert refused.status_code == 403
    assert client.get(API, headers=dcs).json()["reviewer_candidates"] == []
    assert client.delete(f"{API}/1/reviewers/{candidate.id}", headers=dcs).status_code == 403

    gone = client.delete(f"{API}/1/reviewers/{candidate.id}", headers=boss)
    assert gone.status_code == 200 and gone.json()["arrangements"]["reviewers"] == []
    assert [e.action for e in entries(session)] == [
        "conversation.reviewer_named",
        "conversation.reviewer_removed",
    ]


def test_the_coordinator_names_a_reviewer_on_the_page(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    candidate = f.make_user(
        session, Role.TRIAD_REVIEWER, region="east-midlands", name="Rae Reviewer"
    )
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands"))
    page = main_text(client.get(f"{PAGE}/1").text)
    assert "No triad reviewer is named yet." in page and "Name a triad reviewer" in page
    token = f.csrf(client, f"{PAGE}/1")

    blank = client.post(f"{PAGE}/1/reviewers", data={"csrf_token": token, "user_id": ""})
    assert blank.status_code == 422
    assert error_summary(blank.text) == [("#user_id", "Choose a triad reviewer")]
    no_token = client.post(f"{PAGE}/1/reviewers", data={"user_id": str(candidate.id)})
    assert no_token.status_code == 403 and _rows(session) == 0

    named = client.post(
        f"{PAGE}/1/reviewers", data={"csrf_token": token, "user_id": str(candidate.id)}
    )
    assert named.status_code == 303 and named.headers["location"] == f"{PAGE}/1"
    shown = main_text(client.get(f"{PAGE}/1").text)
    assert "Triad reviewer named." in shown and "Rae Reviewer" in shown
    assert "Triad reviewers Rae Reviewer" in main_text(client.get(PAGE).text)

    removed = client.post(f"{PAGE}/1/reviewers/{candidate.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 303 and _rows(session) == 0
    assert "Triad reviewer removed." in main_text(client.get(f"{PAGE}/1").text)
