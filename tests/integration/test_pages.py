"""The MoU stage through the HTML pages, as a coordinator and a DCS use it."""

import io
import re
from datetime import date
from html import unescape

from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import (
    AuditEvent,
    Cycle,
    MouSignatureEvent,
    MouVersion,
    ReturnWindow,
    StageWindow,
    User,
)
from tests import factories as f
from tests.conftest import PageChecker, check_page
from tests.page_reading import error_summary, hidden

DERBY = "E06000015"
REGION_PATH = "/regions/east-midlands"
CYCLE = REGION_PATH + "/cycles/2026-27"
MOU = CYCLE + "/mou"
DCS_FLASH = "You have signed the Memorandum for Derby as Director of Children's Services."


def _page(client: TestClient, path: str, status: int = 200) -> tuple[str, PageChecker]:
    """GET a page, parse it, and return its text with entities decoded."""
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    return unescape(response.text), check_page(response.text)


def _checked(response: Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text[:500])
    check_page(response.text)
    return unescape(response.text)


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return unescape(match.group(1)).strip()


def _ids(html: str) -> set[str]:
    return set(check_page(html).ids)


def _coordinator(session: Session) -> User:
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    session.commit()
    return user


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_opening_a_cycle_through_the_form(session: Session, client: TestClient) -> None:
    f.sign_in(client, _coordinator(session))
    home, _ = _page(client, "/")
    assert "East Midlands" in home
    text, checker = _page(client, REGION_PATH + "/cycles/new")
    token = checker.csrf_tokens[0]

    wrong = client.post(REGION_PATH + "/cycles", data={"csrf_token": token, "year": "2026"})
    html = _checked(wrong, 422)
    assert error_summary(wrong.text) == [("#year", "Enter the cycle year like 2026-27")]
    assert "year" in _ids(wrong.text)
    assert 'value="2026"' in html
    assert _count(session, Cycle) == 0

    opened = client.post(REGION_PATH + "/cycles", data={"csrf_token": token, "year": "2026-27"})
    assert opened.status_code == 303
    assert opened.headers["location"] == CYCLE
    overview, _ = _page(client, CYCLE)
    assert (
        "The 2026-27 cycle is open. Its calendar uses the region's dates; change them below if you need to."
        in overview
    )
    assert "Memorandum of Understanding" in overview
    # The flash is shown once.
    assert "The 2026-27 cycle is open." not in _page(client, CYCLE)[0]

    again = client.post(REGION_PATH + "/cycles", data={"csrf_token": token, "year": "2026-27"})
    _checked(again, 422)
    assert error_summary(again.text) == [
        ("#year", "The 2026-27 cycle for East Midlands is already open.")
    ]
    assert _count(session, Cycle) == 1


def _open(session: Session) -> User:
    user = _coordinator(session)
    f.open_cycle(session, f.principal(session, user))
    session.commit()
    return user


def test_editing_publishing_and_a_stale_second_tab(session: Session, client: TestClient) -> None:
    f.sign_in(client, _open(session))
    editor, checker = _page(client, MOU + "/edit")
    assert (
        'name="title" type="text" value="East Midlands RIIA: Memorandum of Understanding"' in editor
    )
    template_body = _textarea(editor, "body")
    assert "the East Midlands region" in template_body
    assert "{region_name}" not in template_body
    assert hidden(editor, "revision") == ""
    token = checker.csrf_tokens[0]

    saved = client.post(
        MOU + "/edit",
        data={
            "csrf_token": token,
            "title": "Our Memorandum",
            "body": template_body + "\n\n# Local terms\nDerby hosts the data hub.",
            "revision": "",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == MOU + "/draft"
    draft, draft_checker = _page(client, MOU + "/draft")
    assert "Draft saved. Check it below, then publish it for signature." in draft
    assert "Derby hosts the data hub." in draft and "Local terms" in draft

    # Two tabs open the editor at revision 1; the first saves, the second is refused.
    tab_a, _ = _page(client, MOU + "/edit")
    tab_b, _ = _page(client, MOU + "/edit")
    assert hidden(tab_a, "revision") == hidden(tab_b, "revision") == "1"
    first = client.post(
        MOU + "/edit",
        data={
            "csrf_token": token,
            "title": "Our Memorandum",
            "body": "# Tab A\nSaved first.",
            "revision": "1",
        },
    )
    assert first.status_code == 303
    mine = "# Tab B\nMy careful wording, which must not be lost."
    second = client.post(
        MOU + "/edit",
        data={"csrf_token": token, "title": "Tab B title", "body": mine, "revision": "1"},
    )
    html = _checked(second, 409)
    summary = error_summary(second.text)
    assert len(summary) == 1 and summary[0][0] == "#body"
    assert summary[0][1].startswith(
        "Someone else saved this draft (now revision 2) after you opened it at revision 1."
    )
    assert _textarea(second.text, "body") == mine
    assert 'value="Tab B title"' in html
    assert hidden(html, "revision") == "2"  # saving again now overwrites knowingly
    version = session.execute(select(MouVersion)).scalar_one()
    assert (version.revision, version.title) == (2, "Our Memorandum")

    # Publish what the draft page shows.
    draft, draft_checker = _page(client, MOU + "/draft")
    assert "Tab A" in draft and "Saved first." in draft
    content_hash = hidden(draft, "content_hash")
    assert content_hash == version.content_hash
    published = client.post(
        MOU + "/publish",
        data={"csrf_token": draft_checker.csrf_tokens[0], "content_hash": content_hash},
    )
    assert published.status_code == 303 and published.headers["location"] == MOU
    shown, _ = _page(client, MOU)
    assert "Version 1 is published. Signatories can now sign it." in shown
    assert "Saved first." in shown
    session.expire_all()
    assert session.execute(select(MouVersion.state)).scalar_one() == "published"


def test_publishing_a_draft_changed_since_it_was_reviewed_is_refused(
    session: Session, client: TestClient
) -> None:
    f.sign_in(client, _open(session))
    token = f.csrf(client, MOU + "/edit")
    client.post(
        MOU + "/edit", data={"csrf_token": token, "title": "T", "body": "First.", "revision": ""}
    )
    reviewed, _ = _page(client, MOU + "/draft")
    old_hash = hidden(reviewed, "content_hash")
    client.post(
        MOU + "/edit", data={"csrf_token": token, "title": "T", "body": "Second.", "revision": "1"}
    )
    refused = client.post(MOU + "/publish", data={"csrf_token": token, "content_hash": old_hash})
    html = _checked(refused, 409)
    assert "The draft changed after you reviewed it. Review the latest draft, then publish." in html
    session.expire_all()
    assert session.execute(select(MouVersion.state)).scalar_one() == "draft"


def _published(session: Session) -> tuple[User, User, str]:
    boss_user = _coordinator(session)
    boss = f.principal(session, boss_user)
    cycle = f.open_cycle(session, boss)
    version = f.publish_from_template(session, cycle, boss)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY, name="Dana Director")
    session.commit()
    return boss_user, dcs, version.content_hash


def test_a_dcs_signs_and_the_coordinator_sees_it(session: Session, client: TestClient) -> None:
    boss, dcs, content_hash = _published(session)
    f.sign_in(client, dcs)
    page, checker = _page(client, MOU + "/sign")
    assert (
        "I sign this Memorandum of Understanding on behalf of Derby as its Director of Children's Services."
        in page
    )
    assert hidden(page, "content_hash") == content_hash
    assert hidden(page, "signing_as") == f"{DERBY}|dcs"
    form = {
        "csrf_token": checker.csrf_tokens[0],
        "content_hash": content_hash,
        "signing_as": f"{DERBY}|dcs",
    }

    unticked = client.post(MOU + "/sign", data=form)
    _checked(unticked, 422)
    assert error_summary(unticked.text) == [
        ("#confirm", "Confirm the statement to sign the Memorandum")
    ]
    assert "confirm" in _ids(unticked.text)
    assert _count(session, MouSignatureEvent) == 0

    signed = client.post(MOU + "/sign", data={**form, "confirm": "yes"})
    assert signed.status_code == 303 and signed.headers["location"] == MOU + "/sign"
    after, _ = _page(client, MOU + "/sign")
    assert DCS_FLASH in after
    assert "You have signed version 1 in every role you hold. Thank you." in after
    event = session.execute(select(MouSignatureEvent)).scalar_one()
    assert (event.organisation_code, event.role, event.content_hash) == (DERBY, "dcs", content_hash)

    # A double click: the second submit lands on the same outcome and signs nothing more.
    twice = client.post(MOU + "/sign", data={**form, "confirm": "yes"})
    assert twice.status_code == 303 and twice.headers["location"] == MOU + "/sign"
    again, _ = _page(client, MOU + "/sign")
    assert "You had already signed this version of the Memorandum." in again
    assert _count(session, MouSignatureEvent) == 1

    tracker, _ = _page(client, MOU + "/tracker")
    assert "Dana Director" in tracker

    f.sign_in(client, boss)
    tracker, _ = _page(client, MOU + "/tracker")
    assert "Dana Director" in tracker
    history, _ = _page(client, CYCLE + "/history")
    assert "Version 1 published for signature" in history
    assert "Dana Director signed version 1 for Derby as Director of Children's Services" in history
    assert history.index("Dana Director signed version 1") < history.index(
        "Version 1 published for signature"
    )


def test_a_dcs_declines_with_a_reason(session: Session, client: TestClient) -> None:
    boss, dcs, content_hash = _published(session)
    f.sign_in(client, dcs)
    page, checker = _page(client, MOU + f"/decline?organisation={DERBY}&role=dcs")
    form = {
        "csrf_token": checker.csrf_tokens[0],
        "content_hash": content_hash,
        "signing_as": f"{DERBY}|dcs",
    }
    empty = client.post(MOU + "/decline", data={**form, "reason": ""})
    _checked(empty, 422)
    assert error_summary(empty.text) == [
        ("#reason", "Enter why you are declining, up to 2,000 characters")
    ]
    declined = client.post(MOU + "/decline", data={**form, "reason": "Cabinet meets in June."})
    assert declined.status_code == 303
    after, _ = _page(client, MOU + "/sign")
    assert (
        "You have declined to sign. Your reason has been recorded and the coordinator can see it."
        in after
    )
    f.sign_in(client, boss)
    tracker, _ = _page(client, MOU + "/tracker")
    assert "Reason: Cabinet meets in June." in tracker


def _calendar_form(token: str, **changes: str) -> dict[str, str]:
    return {"csrf_token": token, **f.calendar_form(**changes)}


def test_the_calendar_form(session: Session, client: TestClient) -> None:
    f.sign_in(client, _open(session))
    page, checker = _page(client, CYCLE + "/calendar")
    assert 'name="mou-closes-day" type="text" value="31"' in page
    token = checker.csrf_tokens[0]

    saved = client.post(CYCLE + "/calendar", data=_calendar_form(token, **{"mou-closes-day": "20"}))
    assert saved.status_code == 303 and saved.headers["location"] == CYCLE
    overview, _ = _page(client, CYCLE)
    assert "Calendar saved." in overview
    assert "20 May 2026" in overview
    window = session.execute(select(StageWindow).where(StageWindow.stage == "mou")).scalar_one()
    assert (window.opens_on, window.closes_on) == (date(2026, 4, 1), date(2026, 5, 20))
    events = _count(session, AuditEvent)

    backwards = client.post(
        CYCLE + "/calendar",
        data=_calendar_form(
            token,
            **{
                "mou-opens-day": "10",
                "mou-opens-month": "5",
                "mou-closes-day": "1",
                "mou-closes-month": "5",
            },
        ),
    )
    html = _checked(backwards, 422)
    summary = error_summary(backwards.text)
    assert [text for _, text in summary] == [
        "The closing date for Memorandum of Understanding must be the same as or after the opening date"
    ]
    # The summary links to the date it is about, which shows the same message.
    href = summary[0][0]
    assert href == "#mou-closes" and "mou-closes" in _ids(backwards.text)
    assert html.count("must be the same as or after the opening date") == 2
    assert 'name="mou-opens-day" type="text" value="10"' in html  # what was typed is kept
    session.expire_all()
    window = session.execute(select(StageWindow).where(StageWindow.stage == "mou")).scalar_one()
    assert window.closes_on == date(2026, 5, 20)
    assert _count(session, AuditEvent) == events

    outside = client.post(
        CYCLE + "/calendar",
        data=_calendar_form(
            token, **{"regional_plan-closes-day": "30", "regional_plan-closes-month": "4"}
        ),
    )
    _checked(outside, 422)
    assert error_summary(outside.text) == [
        (
            "#regional_plan-opens",
            "Regional development plan must open and close within the cycle year (1 April 2026 to 31 March 2027)",
        )
    ]
    assert "regional_plan-opens" in _ids(outside.text)

    # Quarterly return windows are on the same calendar; one cannot open before its quarter ends.
    assert 'name="return-2026-27-q1-closes-day" type="text" value="30"' in page
    too_early = client.post(
        CYCLE + "/calendar",
        data=_calendar_form(
            token, **{"return-2026-27-q2-opens-day": "15", "return-2026-27-q2-opens-month": "9"}
        ),
    )
    _checked(too_early, 422)
    assert error_summary(too_early.text) == [
        (
            "#return-2026-27-q2-opens",
            "The 2026-27 Q2 return can open only after the quarter ends on 30 September 2026",
        )
    ]
    moved = client.post(
        CYCLE + "/calendar",
        data=_calendar_form(
            token,
            **{
                "mou-closes-day": "20",
                "return-2026-27-q2-closes-day": "14",
                "return-2026-27-q2-closes-month": "11",
            },
        ),
    )
    assert moved.status_code == 303
    session.expire_all()
    q2 = session.execute(
        select(ReturnWindow).where(ReturnWindow.period == "2026-27 Q2")
    ).scalar_one()
    assert (q2.opens_on, q2.closes_on) == (date(2026, 10, 1), date(2026, 11, 14))
    latest = session.execute(
        select(AuditEvent).order_by(AuditEvent.sequence.desc()).limit(1)
    ).scalar_one()
    assert latest.summary == "Calendar changed: 2026-27 Q2 return"


def test_the_mou_pack_is_a_pdf_naming_the_version(session: Session, client: TestClient) -> None:
    boss, dcs, content_hash = _published(session)
    f.sign_in(client, dcs)
    page, checker = _page(client, MOU + "/sign")
    client.post(
        MOU + "/sign",
        data={
            "csrf_token": checker.csrf_tokens[0],
            "content_hash": content_hash,
            "signing_as": f"{DERBY}|dcs",
            "confirm": "yes",
        },
    )
    f.sign_in(client, boss)
    shown, _ = _page(client, MOU)
    assert "pack.pdf" in shown
    response = client.get(MOU + "/pack.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="mou-east-midlands-2026-27.pdf"'
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Memorandum of Understanding" in text
    assert "Derby" in text
    assert content_hash in re.sub(r"\s+", "", text)
    assert "Dana Director" in text


def test_signing_without_choosing_who_for_names_that_question(
    session: Session, client: TestClient
) -> None:
    _, dcs, content_hash = _published(session)
    f.sign_in(client, dcs)
    token = f.csrf(client, MOU + "/sign")
    response = client.post(
        MOU + "/sign", data={"csrf_token": token, "content_hash": content_hash, "confirm": "yes"}
    )
    _checked(response, 422)
    assert error_summary(response.text) == [("#signing_as", "Choose who you are signing for")]
    assert _count(session, MouSignatureEvent) == 0
