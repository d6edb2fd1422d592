"""Every route declares who may use it; every unsafe page route refuses a forged form."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import reset
from app.auth.accounts import assign_role
from app.auth.principal import Principal
from app.auth.roles import Role
from app.auth.web import route_markers
from app.challenge import meetings, reviewers
from app.challenge.meeting_schemas import MeetingInput, Mode, ReviewerInput
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.main import create_app
from app.models import (
    ApiToken,
    AuditEvent,
    ChallengeAccuracyComment,
    ChallengeAgreementEvent,
    ChallengeAttendee,
    ChallengeMeeting,
    ChallengeRecordVersion,
    ChallengeShare,
    ChallengeWithdrawal,
    Cycle,
    Kloe,
    LaPlan,
    LaPlanComment,
    LaPlanResponse,
    LaPlanSignOffEvent,
    LaPlanVersion,
    MouSignatureEvent,
    MouVersion,
    OutboxMessage,
    SefComment,
    SefContributor,
    SefResponse,
    SefSignOffEvent,
    SefVersion,
    StageWindow,
    TriadMember,
    TriadReviewer,
    User,
    WebSession,
)
from app.mou import service as mou
from app.mou.schemas import DraftInput
from app.plans import comments as plan_comments
from app.plans import service as plans
from app.plans.schemas import PlanCommentInput
from app.reference import get_reference
from app.returns import service as returns
from app.self_evaluation import contributors as sef_contributors
from app.self_evaluation.documents import files as sef_files
from app.self_evaluation.documents import service as sef_documents
from app.self_evaluation.schemas import AssignInput, CommentInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.triads import service as triads
from tests import factories as f
from tests import plan_factories as pf
from tests import sef_factories as sf
from tests.conftest import check_page
from tests.integration.challenge.record_setup import route_forms
from tests.sef_document_files import CSV_BYTES, docx_bytes

DERBY = "E06000015"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MISSING = (
    "The form had expired or was missing its security token, so nothing was saved. "
    "Go back, reload the page and try again."
)
CROSS_SITE = "This form was sent from another website, so it was not accepted."


def _routes() -> list[Any]:
    """Every endpoint, however deeply its router is included.

    `app.routes` holds one opaque entry per included router since FastAPI 0.137, so a plain
    `isinstance(route, APIRoute)` filter over it finds nothing and a check built on it passes
    vacuously. iter_route_contexts() yields each endpoint with its full path and dependencies.
    """
    found = []
    for context in iter_route_contexts(create_app().routes):
        if context.path == "/openapi.json" or context.path == "/static":
            continue
        assert isinstance(context.original_route, APIRoute), context.path
        found.append(context)
    return found


ROUTES = _routes()
HTML_UNSAFE = sorted(
    (method, r.path)
    for r in ROUTES
    for method in r.methods & UNSAFE
    if not r.path.startswith("/api/")
)


def test_the_walk_sees_every_route() -> None:
    paths = {(m, r.path) for r in ROUTES for m in r.methods}
    assert len(ROUTES) >= 45
    assert ("POST", "/regions/{region_id}/cycles/{year}/mou/sign") in paths
    assert ("POST", "/api/v1/regions/{region_id}/cycles/{year}/mou/signatures") in paths
    assert ("GET", "/") in paths
    assert len(HTML_UNSAFE) == 53


@pytest.mark.parametrize("route", ROUTES, ids=[f"{sorted(r.methods)[0]} {r.path}" for r in ROUTES])
def test_every_route_declares_exactly_one_permission(route: Any) -> None:
    permissions = {
        value for name, value in route_markers(route.dependant) if name == "riia_permission"
    }
    assert len(permissions) == 1, f"{route.path} declares {permissions or 'no permission'}"
    if route.path.startswith("/api/"):
        assert permissions != {"public"}, f"{route.path}: the API has no public routes"


@pytest.mark.parametrize("route", ROUTES, ids=[f"{sorted(r.methods)[0]} {r.path}" for r in ROUTES])
def test_every_unsafe_html_route_checks_csrf(route: Any) -> None:
    if route.methods & UNSAFE and not route.path.startswith("/api/"):
        assert ("riia_csrf", True) in route_markers(route.dependant), route.path


# --- behaviour: a forged form changes nothing ---------------------------------------------------


def _snapshot(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    counts = tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (
            AuditEvent,
            Cycle,
            MouVersion,
            MouSignatureEvent,
            OutboxMessage,
            ApiToken,
            WebSession,
            SefVersion,
            SefContributor,
            SefSignOffEvent,
            SefComment,
            SefResponse,
            TriadMember,
            Kloe,
            ChallengeRecordVersion,
            ChallengeAccuracyComment,
            ChallengeAgreementEvent,
            ChallengeShare,
            ChallengeMeeting,
            ChallengeAttendee,
            ChallengeWithdrawal,
            TriadReviewer,
            LaPlan,
            LaPlanVersion,
            LaPlanSignOffEvent,
            LaPlanComment,
            LaPlanResponse,
        )
    )
    revoked = (
        session.scalar(
            select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_not(None))
        ),
        session.scalar(
            select(func.count()).select_from(WebSession).where(WebSession.revoked_at.is_not(None))
        ),
    )
    windows = tuple(
        session.execute(
            select(StageWindow.stage, StageWindow.opens_on, StageWindow.closes_on).order_by(
                StageWindow.id
            )
        ).all()
    )
    versions = tuple(
        session.execute(
            select(
                MouVersion.number, MouVersion.state, MouVersion.revision, MouVersion.content_hash
            ).order_by(MouVersion.number)
        ).all()
    )
    return counts, revoked, windows, versions


def _calendar_form() -> dict[str, str]:
    return f.calendar_form(**{"mou-closes-day": "20"})  # 20 May instead of 31 May: a real change


SEF = "/regions/{region_id}/cycles/{year}/self-evaluations/{la_code}"
DERBYSHIRE = "E10000007"
SMALL_DOCX = docx_bytes(("Heading 1", "Workforce"), ("", "Agency use is down."))
# A self-evaluation form's set-up: (LA in the URL, form data, other URL parts), built only for the
# form under test, since a signed self-evaluation fixes the triads that another form would change.
SefSetup = Callable[[Session, User, Principal, Cycle], tuple[str, dict[str, str], dict[str, int]]]


def _triads_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    groups = triads.proposed_groups(get_reference().regions[f.REGION], f.YEAR)
    return DERBY, {f"la-{code}": str(n) for n, group in enumerate(groups, 1) for code in group}, {}


def _submitted(session: Session, boss: Principal, cycle: Cycle) -> str:
    sf.write_all(session, cycle, DERBY, boss)
    return sf.submit_latest(session, cycle, DERBY, boss).content_hash


def _signed_with_comment(session: Session, cycle: Cycle) -> int:
    sf.form_proposed_triads(session, cycle)
    sf.signed_sef(session, cycle, DERBY)
    peer = f.signatory(session, DERBYSHIRE, Role.DCS)
    made = scrutiny.comment(
        session, peer, cycle, DERBY, CommentInput(chapter_id="workforce", body="Why?")
    )
    return made.id


def _comment_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    """Derbyshire signed; the world's user, Derby's DCS, is in its triad."""
    sf.form_proposed_triads(session, cycle)
    sf.signed_sef(session, cycle, DERBYSHIRE)
    return DERBYSHIRE, {"chapter_id": "workforce", "body": "How do you know?"}, {}


def _close_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    _signed_with_comment(session, cycle)
    return DERBY, {}, {}


def _start_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    """Derby's 2025-26 self-evaluation signed, so this year's can start from it."""
    last = cycles.open_cycle(session, boss, f.REGION, OpenCycleInput(year="2025-26"))
    sf.signed_sef(session, last, DERBY)
    return DERBY, {"from_year": "2025-26"}, {}


def _kloes_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    """Triads formed, so Derby's DCS may set Derby's key lines of enquiry."""
    sf.form_proposed_triads(session, cycle)
    questions = {f"question-{n}": f"Question {n}?" for n in (1, 2, 3)}
    return DERBY, {"version": "", **questions}, {}


CONVERSATION = "/regions/{region_id}/cycles/{year}/conversations/{number}"


def _derbys_triad(session: Session, cycle: Cycle, boss: Principal, *, meeting: bool) -> int:
    """Triads formed; the number of Derby's; with its meeting set (20 January 2027) if asked."""
    sf.form_proposed_triads(session, cycle)
    number = next(
        view.triad.number
        for view in meetings.conversations(session, boss, cycle)
        if DERBY in {la.code for la in view.members}
    )
    if meeting:
        day = MeetingInput(meets_on="2027-01-20", mode=Mode.VIRTUAL)
        meetings.set_meeting(session, boss, cycle, number, day)
    return number


def _reviewer(session: Session) -> User:
    return f.make_user(session, Role.TRIAD_REVIEWER, region=f.REGION)


def _remove_reviewer_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    number = _derbys_triad(session, cycle, boss, meeting=False)
    someone = _reviewer(session)
    reviewers.name(session, boss, cycle, number, ReviewerInput(user_id=someone.id))
    return DERBY, {}, {"number": number, "user_id": someone.id}


PLAN = "/regions/{region_id}/cycles/{year}/plans/{la_code}"
# A priority as its form sends it: one action, its measure on a core indicator.
PRIORITY_FORM = {
    "base_version": "",
    "rows": "1",
    "title": "Timely assessments",
    "a1-text": "Weekly performance clinic",
    "a1-owner_name": "Sam Patel",
    "a1-owner_role": "Head of Assessment",
    "a1-starts_on-day": "1", "a1-starts_on-month": "4", "a1-starts_on-year": "2027",
    "a1-due_on-day": "30", "a1-due_on-month": "9", "a1-due_on-year": "2027",
    "a1-m1-kind": "indicator",
    "a1-m1-indicator_id": "assessments_within_45wd_pct",
    "a1-m1-baseline": "78",
    "a1-m1-target": "88",
}  # fmt: skip


def _plan_start_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    """Derby's self-evaluation signed, so its areas for development start the plan."""
    sf.signed_sef(session, cycle, DERBY)
    return DERBY, {"keep": plans.suggestions(session, boss, cycle, DERBY)[0].key}, {}


def _plan_hash(session: Session, boss: Principal, cycle: Cycle, submit: bool) -> str:
    made = pf.submitted_plan if submit else pf.written_plan
    return made(session, cycle, boss).content_hash


def _partner_comment_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    """Derbyshire's plan submitted; the user, Derby's DCS, is its triad partner."""
    sf.form_proposed_triads(session, cycle)
    pf.submitted_plan(session, cycle, f.signatory(session, DERBYSHIRE, Role.DCS), DERBYSHIRE)
    return DERBYSHIRE, {"text": "How will you staff it?", "is_challenge": "yes"}, {"position": 1}


def _challenge_answer_form(
    session: Session, user: User, boss: Principal, cycle: Cycle
) -> tuple[str, dict[str, str], dict[str, int]]:
    """Derby's plan submitted and challenged by Derbyshire's DCS; the user answers."""
    sf.form_proposed_triads(session, cycle)
    pf.submitted_plan(session, cycle, boss)
    partner = f.signatory(session, DERBYSHIRE, Role.DCS)
    asked = plan_comments.comment(
        session, partner, cycle, DERBY, 1, PlanCommentInput(text="How?", is_challenge=True)
    )
    return DERBY, {"text": "Like this."}, {"comment_id": asked.id}


SEF_FORMS: dict[str, SefSetup] = {
    PLAN + "/priorities/{position}/comments": _partner_comment_form,
    PLAN + "/comments/{comment_id}/response": _challenge_answer_form,
    PLAN + "/start": _plan_start_form,
    PLAN + "/priorities/{position}": lambda s, u, b, c: (DERBY, PRIORITY_FORM, {"position": 1}),
    PLAN + "/priorities/{position}/drop": lambda s, u, b, c: (
        DERBY,
        {"base_version": str(pf.written_plan(s, c, b).number)},
        {"position": 1},
    ),
    PLAN + "/adopted": lambda s, u, b, c: (
        DERBY,
        {"base_version": "", "title": "Derby Improvement Plan", "document": "plan.pdf"},
        {},
    ),
    PLAN + "/submit": lambda s, u, b, c: (DERBY, {"content_hash": _plan_hash(s, b, c, False)}, {}),
    PLAN + "/sign": lambda s, u, b, c: (
        DERBY,
        {"role": "dcs", "confirm": "yes", "content_hash": _plan_hash(s, b, c, True)},
        {},
    ),
    PLAN + "/return": lambda s, u, b, c: (
        DERBY,
        {"return_role": "dcs", "reason": "Not yet", "content_hash": _plan_hash(s, b, c, True)},
        {},
    ),
    CONVERSATION + "/meeting": lambda s, u, b, c: (
        DERBY,
        {"meets_on-day": "21", "meets_on-month": "1", "meets_on-year": "2027", "mode": "virtual"},
        {"number": _derbys_triad(s, c, b, meeting=False)},
    ),
    CONVERSATION + "/reviewers": lambda s, u, b, c: (
        DERBY,
        {"user_id": str(_reviewer(s).id)},
        {"number": _derbys_triad(s, c, b, meeting=False)},
    ),
    CONVERSATION + "/reviewers/{user_id}/remove": _remove_reviewer_form,
    CONVERSATION + "/attendees/{la_code}": lambda s, u, b, c: (
        DERBY,
        {"version": "", "name-1": "Dana Derby", "role-1": "dcs"},
        {"number": _derbys_triad(s, c, b, meeting=True)},
    ),
    CONVERSATION + "/withdraw/{la_code}": lambda s, u, b, c: (
        DERBY,
        {"meets_on": "2027-01-20", "reason": "An Ofsted focused visit that week"},
        {"number": _derbys_triad(s, c, b, meeting=True)},
    ),
    "/regions/{region_id}/cycles/{year}/triads": _triads_form,
    "/regions/{region_id}/cycles/{year}/kloes/{la_code}": _kloes_form,
    **route_forms(),  # type: ignore[dict-item]
    SEF + "/chapters/{chapter_id}": lambda s, u, b, c: (
        DERBY,
        {"base_version": "", "grade": "good", "narrative": "Written."},
        {},
    ),
    SEF + "/contributors": lambda s, u, b, c: (
        DERBY,
        {"chapter_id": "workforce", "user_id": str(u.id)},
        {},
    ),
    SEF + "/contributors/{contributor_id}/remove": lambda s, u, b, c: (
        DERBY,
        {},
        {
            "contributor_id": sef_contributors.assign(
                s, b, c, DERBY, AssignInput(chapter_id="workforce", user_id=u.id)
            ).id
        },
    ),
    SEF + "/submit": lambda s, u, b, c: (
        DERBY,
        {"content_hash": sf.write_all(s, c, DERBY, b).content_hash},
        {},
    ),
    SEF + "/sign": lambda s, u, b, c: (
        DERBY,
        {"role": "dcs", "confirm": "yes", "content_hash": _submitted(s, b, c)},
        {},
    ),
    SEF + "/return": lambda s, u, b, c: (
        DERBY,
        {"role": "dcs", "reason": "Not yet", "content_hash": _submitted(s, b, c)},
        {},
    ),
    SEF + "/scrutiny/comments": _comment_form,
    SEF + "/scrutiny/comments/{comment_id}/response": lambda s, u, b, c: (
        DERBY,
        {"body": "Here is how."},
        {"comment_id": _signed_with_comment(s, c)},
    ),
    SEF + "/scrutiny/close": _close_form,
    SEF + "/documents": lambda s, u, b, c: (DERBY, {"chapter_id": "workforce"}, {}),
    SEF + "/documents/{document_id}/remove": lambda s, u, b, c: (
        DERBY,
        {},
        {"document_id": _document(s, b, c)},
    ),
    SEF + "/import": lambda s, u, b, c: (DERBY, {}, {}),
    SEF + "/import/confirm": lambda s, u, b, c: (DERBY, _kept_import(), {}),
    SEF + "/start": _start_form,
    SEF + "/due-date": lambda s, u, b, c: (
        DERBY,
        {"due_on-day": "1", "due_on-month": "12", "due_on-year": "2026", "reason": "Ofsted"},
        {},
    ),
}
# Sent with their form: a supporting document, a DOCX to import.
SEF_FILES = {
    SEF + "/documents": {"file": ("figures.csv", CSV_BYTES)},
    SEF + "/import": {"file": ("sef.docx", SMALL_DOCX)},
}
# Reads the DOCX and proposes a match, writing nothing: accepted with 200, not a redirect.
PROPOSES = {SEF + "/import"}


def _document(session: Session, boss: Principal, cycle: Cycle) -> int:
    checked = sef_files.check("figures.csv", CSV_BYTES)
    sef_files.store(checked)
    return sef_documents.add(session, boss, cycle, DERBY, "workforce", checked).id


def _kept_import() -> dict[str, str]:
    checked = sef_files.check("sef.docx", SMALL_DOCX)
    sef_files.keep_for_import(checked, f.REGION, f.YEAR, DERBY)
    return {
        "file_sha256": checked.sha256,
        "base_version": "",
        "filename": "sef.docx",
        "sections": "1",
        "section-0": "workforce",
    }


def _world(session: Session, client: TestClient, path: str | None = None) -> dict[str, Any]:
    """A coordinator who is also Derby's DCS, so every form is theirs to send; a published
    version 1 and a draft version 2, so every form would write something if accepted."""
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    assign_role(session, user, Role.DCS, organisation_code=DERBY)
    boss = f.principal(session, user)
    cycle = f.open_cycle(session, boss)
    published = f.publish_from_template(session, cycle, boss)
    draft = mou.save_draft(
        session, boss, cycle, DraftInput(title="Version two", body="# Two\nText.")
    )
    if path == "/regions/{region_id}/cycles/{year}/mou/review":
        # The yearly review is of a version from an earlier cycle: last year's, still in force.
        earlier = Cycle(region_id=f.REGION, year="2025-26", opened_by_id=user.id)
        session.add(earlier)
        session.flush()
        published.cycle_id = earlier.id
        session.flush()
    token = f.token_for(session, user)
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    returns.record_override(session, boss, cycle, DERBY, "So Derby's return can be sent")
    la_code, url_parts = DERBY, {}
    if path in SEF_FORMS:
        la_code, sef_form, url_parts = SEF_FORMS[path](session, user, boss, cycle)
    # A live password reset link, so the form that uses one would write if accepted.
    reset.request_link(session, user.email, "198.51.100.1")
    emailed = session.scalars(
        select(OutboxMessage.body).where(OutboxMessage.kind == "password_reset")
    ).one()
    url_parts["token"] = emailed.split("/reset-password/")[1].split()[0]
    session.commit()
    f.sign_in(client, user)
    new_password = {"password": "a brand new password", "confirm": "a brand new password"}
    forms: dict[str, dict[str, str]] = {
        "/sign-in": {"email": user.email, "password": f.PASSWORD, "next": "/"},
        "/forgot-password": {"email": user.email},
        "/reset-password/{token}": new_password,
        "/sign-out": {},
        "/account/tokens": {"name": "laptop"},
        "/account/tokens/{token_id}/revoke": {},
        "/regions/{region_id}/cycles": {"year": "2027-28"},
        "/regions/{region_id}/cycles/{year}/calendar": _calendar_form(),
        "/regions/{region_id}/cycles/{year}/mou/edit": {
            "title": "Version two, revised",
            "body": "# Two\nMore.",
            "revision": str(draft.revision),
        },
        "/regions/{region_id}/cycles/{year}/mou/publish": {"content_hash": draft.content_hash},
        "/regions/{region_id}/cycles/{year}/mou/sign": {
            "signing_as": f"{DERBY}|dcs",
            "confirm": "yes",
            "content_hash": published.content_hash,
        },
        "/regions/{region_id}/cycles/{year}/mou/decline": {
            "signing_as": f"{DERBY}|dcs",
            "reason": "Not yet",
            "content_hash": published.content_hash,
        },
        "/regions/{region_id}/cycles/{year}/mou/reminders": {},
        "/regions/{region_id}/cycles/{year}/mou/review": {
            "confirm": "yes",
            "content_hash": published.content_hash,
        },
        "/regions/{region_id}/cycles/{year}/returns/overrides": {
            "la_code": "E06000016",
            "reason": "Triad",
        },
        "/regions/{region_id}/returns/{quarter_slug}/{la_code}/edit": {
            f"value-{indicator}": "1" for indicator in get_reference().indicators
        },
        "/regions/{region_id}/returns/{quarter_slug}/upload": {},
    }
    lines = [f"{DERBY},{indicator},2" for indicator in get_reference().indicators]
    files = {
        "/regions/{region_id}/returns/{quarter_slug}/upload": {
            "file": ("q1.csv", ("la_code,indicator_id,value\n" + "\n".join(lines)).encode())
        }
    }
    if path in SEF_FORMS:
        forms[path] = sef_form
    files.update(SEF_FILES)
    assert set(forms) | set(SEF_FORMS) == {p for _, p in HTML_UNSAFE}
    return {
        "forms": forms,
        "token_id": token_id,
        "bearer": token,
        "files": files,
        "la_code": la_code,
        "url_parts": url_parts,
    }


def _url(path: str, world: dict[str, Any]) -> str:
    return path.format(
        region_id=f.REGION,
        year=f.YEAR,
        token_id=world["token_id"],
        quarter_slug="2026-27-q1",
        la_code=world["la_code"],
        chapter_id="help-and-protection",
        **{
            "contributor_id": 0,
            "comment_id": 0,
            "document_id": 0,
            "token": "",
            **world["url_parts"],
        },
    )


def _page_token(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200, page.text
    return check_page(page.text).csrf_tokens[0]


ATTACKS: dict[str, tuple[str | None, dict[str, str], str]] = {
    # name: (which token, extra headers, expected message)
    "no token": (None, {}, CSRF_MISSING),
    "wrong token": ("wrong", {}, CSRF_MISSING),
    "evil origin": ("right", {"Origin": "https://evil.example"}, CROSS_SITE),
    "cross-site fetch": ("right", {"Sec-Fetch-Site": "cross-site"}, CROSS_SITE),
    "same-site fetch": ("right", {"Sec-Fetch-Site": "same-site"}, CROSS_SITE),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize(("method", "path"), HTML_UNSAFE, ids=[p for _, p in HTML_UNSAFE])
def test_a_forged_form_is_refused_and_writes_nothing(
    session: Session, client: TestClient, method: str, path: str, attack: str
) -> None:
    world = _world(session, client, path)
    which, headers, message = ATTACKS[attack]
    data = dict(world["forms"][path])
    if which == "right":
        data["csrf_token"] = _page_token(client)
    elif which == "wrong":
        _page_token(client)
        data["csrf_token"] = "not-the-token-of-this-session"
    before = _snapshot(session)
    response = client.request(
        method, _url(path, world), data=data, headers=headers, files=world["files"].get(path)
    )
    assert response.status_code == 403, response.text
    assert check_page(response.text).title.startswith("Error: The form has expired")
    assert message in response.text
    assert _snapshot(session) == before


@pytest.mark.parametrize(("method", "path"), HTML_UNSAFE, ids=[p for _, p in HTML_UNSAFE])
def test_the_same_form_with_its_token_from_this_site_is_accepted(
    session: Session, client: TestClient, method: str, path: str
) -> None:
    """The control for the test above: the refused forms were otherwise good."""
    world = _world(session, client, path)
    data = {**world["forms"][path], "csrf_token": _page_token(client)}
    before = _snapshot(session)
    response = client.request(
        method,
        _url(path, world),
        data=data,
        files=world["files"].get(path),
        headers={"Origin": "https://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    if path in PROPOSES:
        assert response.status_code == 200, response.text
        assert "Match the document" in response.text
        return
    assert response.status_code in (201, 303), response.text
    assert _snapshot(session) != before


def test_the_api_needs_no_csrf_token_but_a_bearer_token(
    session: Session, client: TestClient
) -> None:
    world = _world(session, client)
    url = "/api/v1/regions/east-midlands/cycles"
    # A signed-in browser's cookie is not enough for the API: a cross-site page cannot use it.
    cookie_only = client.post(url, json={"year": "2027-28"})
    assert cookie_only.status_code == 401
    assert client.post(url, json={"year": "2027-28"}, headers=world["bearer"]).status_code == 201
