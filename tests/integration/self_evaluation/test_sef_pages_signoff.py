"""Submitting, signing and returning a self-evaluation through the pages, and the tracker."""

import re
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.accounts import assign_role
from app.auth.roles import Role
from app.models import Cycle, SefSignOffEvent, SefVersion, SelfEvaluation, User
from app.reference.sef import OfstedGrade
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import ChapterInput
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.conftest import check_page
from tests.page_reading import error_summary, hidden, main_text, page_token
from tests.sef_factories import DERBY, chapter_input, submit_latest, write_all

NOTTINGHAM = "E06000018"
SEFS = "/regions/east-midlands/cycles/2026-27/self-evaluations"
HOME = f"{SEFS}/{DERBY}"
NAMES = {
    Role.DCS: "Dana Director",
    Role.LEAD_MEMBER: "Lee Member",
    Role.CHIEF_EXECUTIVE: "Chris Executive",
}


def _page(client: TestClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    return _checked(response, status)


def _checked(response: Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text[:800])
    check_page(response.text)
    return unescape(re.sub(r"\s+", " ", response.text))


def _world(session: Session) -> tuple[Cycle, dict[Role, User], User]:
    """An open cycle, Derby's three signatories and the coordinator."""
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    cycle = f.open_cycle(session, f.principal(session, boss))
    people = {
        role: f.make_user(session, role, organisation=DERBY, name=name)
        for role, name in NAMES.items()
    }
    return cycle, people, boss


def _submitted(session: Session) -> tuple[Cycle, dict[Role, User], User, SefVersion]:
    cycle, people, boss = _world(session)
    dcs = f.principal(session, people[Role.DCS])
    write_all(session, cycle, DERBY, dcs)
    version = submit_latest(session, cycle, DERBY, dcs)
    session.commit()
    return cycle, people, boss, version


def _signing(token: str, role: str, content_hash: str) -> dict[str, str]:
    """A ticked sign form."""
    return {"csrf_token": token, "role": role, "content_hash": content_hash, "confirm": "yes"}


def _sef(session: Session) -> SelfEvaluation:
    session.expire_all()
    return session.execute(
        select(SelfEvaluation).where(SelfEvaluation.la_code == DERBY)
    ).scalar_one()


def _signatures(session: Session) -> list[tuple[str, str, str]]:
    session.expire_all()
    rows = session.scalars(select(SefSignOffEvent).order_by(SefSignOffEvent.id))
    return [(e.role, e.decision, e.content_hash) for e in rows]


def test_the_dcs_reviews_and_submits_the_latest_version(
    session: Session, client: TestClient
) -> None:
    cycle, people, _ = _world(session)
    dcs = f.principal(session, people[Role.DCS])
    latest = write_all(session, cycle, DERBY, dcs)
    session.commit()
    f.sign_in(client, people[Role.DCS])

    page = _page(client, HOME + "/submit")
    assert "Submit Derby's self-evaluation for sign-off" in page
    words = main_text(page)
    assert "Version 6, saved by Dana Director on " in words
    assert f"Version reference (SHA-256) {latest.content_hash}" in words
    assert hidden(page, "content_hash") == latest.content_hash
    assert "The experiences and progress of children in care Good Nothing" in words
    assert "Still missing" not in page

    token = check_page(client.get(HOME + "/submit").text).csrf_tokens[0]
    done = client.post(
        HOME + "/submit", data={"csrf_token": token, "content_hash": latest.content_hash}
    )
    assert done.status_code == 303 and done.headers["location"] == HOME
    sef = _sef(session)
    assert (sef.state, sef.submitted_number) == ("awaiting_sign_off", 6)
    after = _page(client, HOME + "/submit")
    assert (
        "Version 6 is submitted for sign-off. The Director of Children's Services, Lead Member "
        "and Chief Executive can now sign it." in after
    )
    assert "Version 6 was submitted for sign-off on " in after
    assert 'id="submit-for-sign-off"' not in after


def test_an_incomplete_or_changed_version_is_not_submitted(
    session: Session, client: TestClient
) -> None:
    cycle, people, _ = _world(session)
    dcs = f.principal(session, people[Role.DCS])
    sef = service.get_sef(session, dcs, cycle, DERBY)
    first = service.template_of(sef).chapters[0]
    incomplete = service.save_chapter(
        session,
        dcs,
        cycle,
        DERBY,
        first.id,
        ChapterInput(grade=OfstedGrade.GOOD, narrative="Begun."),
    )
    session.commit()
    f.sign_in(client, people[Role.DCS])

    # Not ready: no button, and each chapter's gaps once, as its own error linking to it.
    page = _page(client, HOME + "/submit")
    chapters = service.template_of(sef).chapters
    expected = [
        (f"{HOME}/chapters/{first.id}", f"{first.title} needs strengths and areas for development")
    ] + [
        (
            f"{HOME}/chapters/{c.id}",
            f"{c.title} needs a self-assessed grade, strengths and areas for development",
        )
        for c in chapters[1:]
    ]
    assert error_summary(page) == expected
    for _, message in expected:
        assert page.count(message) == 1, message
    assert 'id="submit-for-sign-off"' not in page
    assert 'name="content_hash"' not in page
    assert "<title>Error: Submit Derby's self-evaluation" in page
    # A post of the incomplete version anyway (an old tab) is refused with the same list, once.
    token = page_token(client, HOME + "/submit")
    refused = client.post(
        HOME + "/submit", data={"csrf_token": token, "content_hash": incomplete.content_hash}
    )
    html = _checked(refused, 422)
    assert error_summary(refused.text) == expected
    assert 'id="submit-for-sign-off"' not in refused.text
    assert "Before sign-off every chapter needs" not in html
    assert _sef(session).state == "draft"

    # Complete it, then someone saves again after the DCS opened the review page.
    reviewed = write_all(session, cycle, DERBY, dcs)
    session.commit()
    token = page_token(client, HOME + "/submit")
    service.save_chapter(
        session, dcs, cycle, DERBY, first.id, chapter_input(reviewed.number, " (late edit)")
    )
    session.commit()
    stale = client.post(
        HOME + "/submit", data={"csrf_token": token, "content_hash": reviewed.content_hash}
    )
    html = _checked(stale, 409)
    assert error_summary(stale.text) == [
        (
            "#submit-for-sign-off",
            f"The self-evaluation changed after you reviewed it (it is now version {reviewed.number + 1}). "
            "Review the latest version, then submit.",
        )
    ]
    newest = service.latest_version(session, _sef(session))
    assert newest is not None and hidden(html, "content_hash") == newest.content_hash
    assert _sef(session).state == "draft"


def test_each_signatory_sees_the_exact_statement_and_the_full_hash(
    session: Session, client: TestClient
) -> None:
    _, people, _, version = _submitted(session)
    for role, user in people.items():
        f.sign_in(client, user)
        page = _page(client, HOME + "/sign")
        assert signoff.statement_for("Derby", role, 6) in page
        assert version.content_hash in page
        assert hidden(page, "content_hash") == version.content_hash
        assert hidden(page, "role") == role.value
        assert f'href="{HOME}/versions/6"' in page
        assert "I confirm the statement above" in page
        assert (
            f'href="{HOME}/return">return it to the Director of Children\'s Services (DCS) '
            "with a reason" in page
        )


def test_signing_as_lead_member_is_recorded_once(session: Session, client: TestClient) -> None:
    _, people, boss, version = _submitted(session)
    f.sign_in(client, people[Role.LEAD_MEMBER])
    token = page_token(client, HOME + "/sign")
    form = {"csrf_token": token, "role": "lead_member", "content_hash": version.content_hash}

    unticked = client.post(HOME + "/sign", data=form)
    _checked(unticked, 422)
    assert error_summary(unticked.text) == [
        ("#confirm", "Confirm the statement to sign the self-evaluation")
    ]
    assert 'id="confirm"' in unticked.text
    assert _signatures(session) == []

    signed = client.post(HOME + "/sign", data={**form, "confirm": "yes"})
    assert signed.status_code == 303 and signed.headers["location"] == HOME + "/sign"
    after = _page(client, HOME + "/sign")
    assert "You have signed version 6 of Derby's self-evaluation as Lead Member." in after
    assert "You have signed version 6 in every role you hold. Thank you." in after
    assert _signatures(session) == [("lead_member", "signed", version.content_hash)]
    event = session.scalars(select(SefSignOffEvent)).one()
    assert event.statement == signoff.statement_for("Derby", Role.LEAD_MEMBER, 6)

    # A double click: the second post signs nothing more and says so.
    twice = client.post(HOME + "/sign", data={**form, "confirm": "yes"})
    assert twice.status_code == 303 and twice.headers["location"] == HOME + "/sign"
    assert "You have already signed version 6 as Lead Member." in _page(client, HOME + "/sign")
    assert len(_signatures(session)) == 1

    f.sign_in(client, boss)
    tracker = _page(client, SEFS + "/tracker")
    row = re.search(r'id="la-E06000015".*?</tr>', tracker, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    text = [re.sub(r"<[^>]+>", " ", c).split() for c in cells]
    assert " ".join(text[0]).startswith("Awaiting sign-off Version 6 submitted")
    assert " ".join(text[2]) == "Not yet signed"
    assert " ".join(text[3]).startswith("Signed Lee Member, ")
    assert " ".join(text[4]) == "Not yet signed"


def test_a_stale_hash_is_refused_and_records_nothing(session: Session, client: TestClient) -> None:
    cycle, people, _, version = _submitted(session)
    f.sign_in(client, people[Role.CHIEF_EXECUTIVE])
    token = page_token(client, HOME + "/sign")
    # The DCS edits a chapter after the Chief Executive opened the page: a new version, back to draft.
    dcs = f.principal(session, people[Role.DCS])
    chapter = service.template_of(_sef(session)).chapters[1].id
    service.save_chapter(session, dcs, cycle, DERBY, chapter, chapter_input(6, " (edited)"))
    session.commit()
    stale = client.post(
        HOME + "/sign", data=_signing(token, "chief_executive", version.content_hash)
    )
    html = _checked(stale, 409)
    assert error_summary(stale.text) == [
        (
            "#version",
            "This self-evaluation has not been submitted for sign-off yet, so it cannot be signed.",
        )
    ]
    assert 'id="version"' in stale.text
    assert "there is nothing to sign yet" in html
    assert _signatures(session) == []


def test_a_hash_that_does_not_match_the_submitted_version_is_a_409(
    session: Session, client: TestClient
) -> None:
    _, people, _, version = _submitted(session)
    f.sign_in(client, people[Role.DCS])
    token = page_token(client, HOME + "/sign")
    wrong = "0" * 64
    stale = client.post(
        HOME + "/sign",
        data={"csrf_token": token, "role": "dcs", "content_hash": wrong, "confirm": "yes"},
    )
    html = _checked(stale, 409)
    assert error_summary(stale.text) == [
        (
            "#version",
            "The self-evaluation was changed after you opened it, so nothing was recorded. "
            "Read the version now submitted, then decide.",
        )
    ]
    assert hidden(html, "content_hash") == version.content_hash
    assert _signatures(session) == []


def test_a_lead_member_of_another_authority_cannot_sign(
    session: Session, client: TestClient
) -> None:
    _, _, _, version = _submitted(session)
    other = f.make_user(session, Role.LEAD_MEMBER, organisation=NOTTINGHAM, name="Nora Other")
    session.commit()
    f.sign_in(client, other)
    page = _page(client, HOME + "/sign", 403)
    assert (
        "You cannot sign Derby's self-evaluation: you are not recorded as its Director of "
        "Children's Services, Lead Member or Chief Executive." in page
    )
    token = page_token(client, "/")
    refused = client.post(HOME + "/sign", data=_signing(token, "lead_member", version.content_hash))
    assert refused.status_code == 403
    assert "you are not recorded as its Lead Member" in unescape(refused.text)
    assert _signatures(session) == []


def test_a_signatory_returns_it_with_a_reason(session: Session, client: TestClient) -> None:
    _, people, boss, version = _submitted(session)
    f.sign_in(client, people[Role.CHIEF_EXECUTIVE])
    page = _page(client, HOME + "/return")
    assert "Return Derby's self-evaluation to the DCS" in page
    assert hidden(page, "role") == "chief_executive"
    token = check_page(client.get(HOME + "/return").text).csrf_tokens[0]
    form = {"csrf_token": token, "role": "chief_executive", "content_hash": version.content_hash}

    empty = client.post(HOME + "/return", data={**form, "reason": "  "})
    _checked(empty, 422)
    assert error_summary(empty.text) == [
        ("#reason", "Say why you are returning the self-evaluation, in under 2,000 characters")
    ]
    assert _sef(session).state == "awaiting_sign_off"

    reason = "Chapter two needs this year's audit figures."
    returned = client.post(HOME + "/return", data={**form, "reason": reason})
    assert returned.status_code == 303 and returned.headers["location"] == HOME
    sef = _sef(session)
    assert (sef.state, sef.submitted_number) == ("draft", None)
    assert _signatures(session) == [("chief_executive", "returned", version.content_hash)]

    f.sign_in(client, boss)
    tracker = _page(client, SEFS + "/tracker")
    assert "Version 6 returned by Chris Executive (Chief Executive) on " in tracker
    assert f"Reason: {reason}" in tracker
    assert ">Returned<" in tracker.replace(" <", "<").replace("> ", ">")


def _late_cells(html: str) -> int:
    return len(re.findall(r">\s*Late\s*<", html))


def test_the_tracker_marks_late_sign_offs_after_the_window_closes(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, boss, _ = _submitted(session)
    f.sign_in(client, boss)
    on_time = _page(client, SEFS + "/tracker")
    assert "Sign-off is due by 19 December 2026" in on_time
    assert "0 of 10 signed." in on_time
    assert _late_cells(on_time) == 0

    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 20))
    late = _page(client, SEFS + "/tracker")
    assert "0 of 10 signed; 10 late." in late
    assert _late_cells(late) == 10
    derby = re.search(r'id="la-E06000015".*?</td>', late, re.S)
    assert derby is not None and "Late" in derby.group(0)


def test_only_the_coordinator_sees_the_tracker(session: Session, client: TestClient) -> None:
    _, people, _, _ = _submitted(session)
    f.sign_in(client, people[Role.DCS])
    page = _page(client, SEFS + "/tracker", 403)
    assert "You cannot track this region's self-evaluations: none of your roles allows it." in page


def test_a_signed_self_evaluation_has_nothing_left_to_sign(
    session: Session, client: TestClient
) -> None:
    cycle, people, boss, version = _submitted(session)
    for role, user in people.items():
        f.sign_in(client, user)
        token = page_token(client, HOME + "/sign")
        response = client.post(
            HOME + "/sign", data=_signing(token, role.value, version.content_hash)
        )
        assert response.status_code == 303
    assert _sef(session).state == "signed"
    page = _page(client, HOME + "/sign")
    assert "All three signatories have signed version 6 of this self-evaluation." in page
    assert session.scalar(select(func.count()).select_from(SefSignOffEvent)) == 3
    f.sign_in(client, boss)
    tracker = _page(client, SEFS + "/tracker")
    assert "1 of 10 signed." in tracker
    assert f'action="{HOME}/scrutiny/close"' in tracker


def test_someone_holding_two_roles_chooses_which_to_sign_in(
    session: Session, client: TestClient
) -> None:
    _, people, _, version = _submitted(session)
    both = f.make_user(session, Role.LEAD_MEMBER, organisation=DERBY, name="Sam Both")
    assign_role(session, both, Role.CHIEF_EXECUTIVE, organisation_code=DERBY)
    session.commit()
    f.sign_in(client, both)
    page = _page(client, HOME + "/sign")
    words = main_text(page)
    assert f"As Lead Member {signoff.statement_for('Derby', Role.LEAD_MEMBER, 6)}" in words
    assert f"As Chief Executive {signoff.statement_for('Derby', Role.CHIEF_EXECUTIVE, 6)}" in words
    token = page_token(client, HOME + "/sign")
    form = {"csrf_token": token, "content_hash": version.content_hash, "confirm": "yes"}
    unchosen = client.post(HOME + "/sign", data=form)
    _checked(unchosen, 422)
    assert error_summary(unchosen.text) == [("#role", "Choose the role you are signing as")]
    assert 'id="role"' in unchosen.text
    chosen = client.post(HOME + "/sign", data={**form, "role": "chief_executive"})
    assert chosen.status_code == 303
    assert _signatures(session) == [("chief_executive", "signed", version.content_hash)]
    # Only the role still outstanding is offered now.
    after = _page(client, HOME + "/sign")
    assert hidden(after, "role") == "lead_member"
