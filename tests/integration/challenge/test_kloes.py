"""Key lines of enquiry: the LA's DCS sets them, its triad reads them, nobody else does; the
draft from the signed self-evaluation; the history; the pages and the API."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import kloes
from app.challenge.schemas import KloesInput
from app.cycles.schemas import HistoryQuery
from app.errors import Conflict, InvalidInput, NotPermitted
from app.history.service import read_history
from app.models import AuditEvent, Cycle, Kloe
from app.reference.sef import OfstedGrade
from app.self_evaluation.schemas import CommentInput, TriadsInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.triads import service as triads
from tests import factories as f
from tests.page_reading import error_summary, main_text
from tests.sef_factories import signed_sef

DERBY = "E06000015"
DERBYSHIRE = "E10000007"
WEST_NORTHANTS = "E06000062"
LEICESTER = "E06000016"
GROUPS = [
    [DERBY, DERBYSHIRE, WEST_NORTHANTS],
    [LEICESTER, "E10000018", "E10000019"],
    ["E06000061", "E06000018", "E10000024", "E06000017"],
]
PAGE = "/regions/east-midlands/cycles/2026-27/kloes"
API = "/api/v1/regions/east-midlands/cycles/2026-27/kloes"
THREE = [
    "What makes our front door work?",
    "Are our plans for care leavers right?",
    "How do we know?",
]
PRIVATE = (
    "Key lines of enquiry stay private to the triad until its challenge record is agreed. You can "
    "see which authorities have set theirs on the key lines of enquiry page."
)
OUTSIDE = "Derby's key lines of enquiry are seen only by the DCSs of the authorities in its triad."
ONLY_DCS = "Only Derby's Director of Children's Services can set its key lines of enquiry."
STALE = (
    "Someone else saved Derby's key lines of enquiry since you opened the page. Reload to see "
    "them before you save."
)


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


def _form_triads(session: Session, cycle: Cycle) -> None:
    groups = {code: n for n, group in enumerate(GROUPS, start=1) for code in group}
    triads.form_triads(session, f.coordinator(session), cycle, TriadsInput(groups=groups))


def _person(session: Session, role: Role, org: str | None = None) -> Principal:
    region = None if org else "east-midlands"
    return f.principal(session, f.make_user(session, role, organisation=org, region=region))


def _input(texts: list[str], version: str = "") -> KloesInput:
    return KloesInput(version=version, questions=[{"text": t} for t in texts])


def _entries(session: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "kloes.set")
    return list(session.scalars(query.order_by(AuditEvent.sequence)))


def _rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Kloe)) or 0


def test_the_dcs_sets_the_questions_and_the_history_keeps_them(
    session: Session, cycle: Cycle
) -> None:
    _form_triads(session, cycle)
    dcs = _person(session, Role.DCS, DERBY)
    saved = kloes.save(session, dcs, cycle, DERBY, _input(THREE))
    assert [q.text for q in saved.questions] == THREE
    assert [q.position for q in saved.questions] == [1, 2, 3]
    assert len(saved.version) == 64 and saved.set_by == dcs.display_name
    (entry,) = _entries(session)
    assert entry.summary == "Key lines of enquiry set for Derby: 3 questions"
    assert (entry.subject_type, entry.subject_id, entry.organisation_code) == (
        "kloes",
        DERBY,
        DERBY,
    )
    assert json.loads(entry.payload) == {"questions": THREE, "version": saved.version}
    assert verify(session).ok

    # A new set replaces the old whole, bound to the version it started from.
    again = kloes.save(session, dcs, cycle, DERBY, _input(THREE[:2] + ["New?"], saved.version))
    assert [q.text for q in again.questions] == THREE[:2] + ["New?"]
    assert _rows(session) == 3 and len(_entries(session)) == 2


def test_the_same_set_twice_changes_nothing_and_a_stale_save_is_refused(
    session: Session, cycle: Cycle
) -> None:
    _form_triads(session, cycle)
    dcs = _person(session, Role.DCS, DERBY)
    first = kloes.save(session, dcs, cycle, DERBY, _input(THREE))
    # A double submit: the same set from the same starting point.
    assert kloes.save(session, dcs, cycle, DERBY, _input(THREE)).version == first.version
    assert len(_entries(session)) == 1
    # Someone opened the page before the first save and saves something else.
    with pytest.raises(Conflict) as refused:
        kloes.save(session, dcs, cycle, DERBY, _input(["A?", "B?", "C?"]))
    assert (refused.value.message, refused.value.field) == (STALE, "questions")
    assert [q.text for q in kloes.read(session, dcs, cycle, DERBY).questions] == THREE
    assert len(_entries(session)) == 1


def test_questions_wait_for_the_triads(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, DERBY)
    with pytest.raises(Conflict) as refused:
        kloes.save(session, dcs, cycle, DERBY, _input(THREE))
    assert refused.value.message == (
        "Derby is not in a triad yet: the coordinator forms this cycle's triads first."
    )
    assert _rows(session) == 0 and _entries(session) == []


# Who reads Derby's questions, and who sets them (issue 12: private to the triad's members).
PEOPLE = {
    "Derby's DCS": (Role.DCS, DERBY, True, True),
    "Derbyshire's DCS (same triad)": (Role.DCS, DERBYSHIRE, True, False),
    # Held in the region, not named to a triad: reads no triad's questions.
    "a triad reviewer": (Role.TRIAD_REVIEWER, None, False, False),
    "Leicester's DCS (another triad)": (Role.DCS, LEICESTER, False, False),
    "Derby's data lead": (Role.DATA_LEAD, DERBY, False, False),
    "Derby's lead member": (Role.LEAD_MEMBER, DERBY, False, False),
    "Derby's chief executive": (Role.CHIEF_EXECUTIVE, DERBY, False, False),
    "Derby's contributor": (Role.CONTRIBUTOR, DERBY, False, False),
    "the coordinator": (Role.REGIONAL_COORDINATOR, None, False, False),
    "the RISL": (Role.RISL, None, False, False),
    "a moderator": (Role.MODERATOR, None, False, False),
    "the lead DCS": (Role.LEAD_DCS, None, False, False),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_exactly_the_triad_reads_and_only_the_dcs_sets(
    session: Session, cycle: Cycle, who: str
) -> None:
    role, org, reads, sets = PEOPLE[who]
    _form_triads(session, cycle)
    kloes.save(session, _person(session, Role.DCS, DERBY), cycle, DERBY, _input(THREE))
    person = _person(session, role, org)
    if reads:
        assert [q.text for q in kloes.read(session, person, cycle, DERBY).questions] == THREE
    else:
        with pytest.raises(NotPermitted) as refused:
            kloes.read(session, person, cycle, DERBY)
        coordinator = role is Role.REGIONAL_COORDINATOR
        assert refused.value.message == (PRIVATE if coordinator else OUTSIDE)
    current = kloes.read(session, _person(session, Role.DCS, DERBY), cycle, DERBY)
    if sets:
        kloes.save(session, person, cycle, DERBY, _input(["X?", "Y?", "Z?"], current.version))
        assert len(_entries(session)) == 2
    else:
        with pytest.raises(NotPermitted) as refused:
            kloes.save(session, person, cycle, DERBY, _input(["X?", "Y?", "Z?"], current.version))
        assert refused.value.message == ONLY_DCS
        assert len(_entries(session)) == 1 and _rows(session) == 3


def test_the_coordinator_sees_who_has_set_them_and_a_member_sees_their_triad(
    session: Session, cycle: Cycle
) -> None:
    _form_triads(session, cycle)
    kloes.save(session, _person(session, Role.DCS, DERBY), cycle, DERBY, _input(THREE))
    rows = kloes.status(session, f.coordinator(session), cycle)
    assert len(rows) == 10 and not any(r.readable for r in rows)
    assert {r.la.code: r.count for r in rows if r.count} == {DERBY: 3}
    mine = kloes.status(session, _person(session, Role.DCS, DERBYSHIRE), cycle)
    assert [(r.la.name, r.count, r.readable) for r in mine] == [
        ("Derby", 3, True),
        ("Derbyshire", 0, True),
        ("West Northamptonshire", 0, True),
    ]


def test_the_draft_comes_from_the_signed_self_evaluation_and_its_scrutiny(
    session: Session, cycle: Cycle
) -> None:
    _form_triads(session, cycle)
    _, people = signed_sef(session, cycle, DERBY)
    peer = _person(session, Role.DCS, DERBYSHIRE)
    view = CommentInput(
        chapter_id="children-in-care",
        body="The evidence reads differently.",
        challenged_grade=OfstedGrade.REQUIRES_IMPROVEMENT,
    )
    scrutiny.comment(session, peer, cycle, DERBY, view)
    dcs = people[Role.DCS]
    drafts = kloes.suggestions(session, dcs, cycle, DERBY)
    assert [(d.source.kind, d.source.chapter_id) for d in drafts] == [
        ("different_view", "children-in-care"),
        ("area_for_development", "help-and-protection"),
        ("signature_of_risk", "care-leavers"),
        ("strength", "leadership-and-management"),
        ("area_for_development", "workforce"),
        ("signature_of_risk", "partnerships-and-early-help"),
    ]
    assert drafts[0].text == (
        "The experiences and progress of children in care: a peer read the evidence as "
        "requires improvement to be good where you graded it good. What evidence would settle "
        "the difference?"
    )
    # Only the DCS gets a draft; a peer reading the page does not.
    assert kloes.suggestions(session, peer, cycle, DERBY) == []

    # A question kept from the draft keeps its link, edited or not.
    body = KloesInput(
        questions=[
            {"text": "Edited: " + drafts[0].text, "source": drafts[0].source.key},
            {"text": drafts[3].text, "source": drafts[3].source.key},
            {"text": "Our own question?"},
        ]
    )
    saved = kloes.save(session, dcs, cycle, DERBY, body)
    assert [q.source_label for q in saved.questions] == [
        "Scrutiny, The experiences and progress of children in care: a different view of the grade",
        "Self-evaluation, The impact of leaders on social work practice with children and "
        "families: strength 1",
        None,
    ]
    # A source the self-evaluation does not make is refused, and nothing is written.
    forged = KloesInput(
        version=saved.version,
        questions=[
            {"text": "A?", "source": "strength:workforce:9"},
            {"text": "B?"},
            {"text": "C?"},
        ],
    )
    with pytest.raises(InvalidInput) as refused:
        kloes.save(session, dcs, cycle, DERBY, forged)
    assert refused.value.message == (
        "Question 1 started from a suggestion your self-evaluation no longer makes: clear its "
        "source or write your own question"
    )
    assert len(_entries(session)) == 1


def test_the_history_shows_the_questions_to_the_triad_only(session: Session, cycle: Cycle) -> None:
    _form_triads(session, cycle)
    kloes.save(session, _person(session, Role.DCS, DERBY), cycle, DERBY, _input(THREE))
    session.commit()

    def seen(who: Principal) -> list[str]:
        page = read_history(session, who, "east-midlands", "2026-27", HistoryQuery())
        return [e.event.action for e in page.entries if e.event.action == "kloes.set"]

    assert seen(_person(session, Role.DCS, DERBYSHIRE)) == ["kloes.set"]
    assert seen(f.coordinator(session)) == []
    assert seen(_person(session, Role.DCS, LEICESTER)) == []


def test_the_api_sets_reads_and_refuses_in_plain_words(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    _form_triads(session, cycle)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY)
    headers = f.token_for(session, dcs)
    body = {"version": "", "questions": [{"text": t} for t in THREE]}
    put = client.put(f"{API}/{DERBY}", json=body, headers=headers)
    assert put.status_code == 200, put.text
    out = put.json()
    assert [q["text"] for q in out["questions"]] == THREE
    assert out["la_name"] == "Derby" and out["suggestions"] == []
    assert client.get(f"{API}/{DERBY}", headers=headers).json() == out

    short = client.put(f"{API}/{DERBY}", json={**body, "questions": body["questions"][:2]},
                       headers=headers)  # fmt: skip
    assert short.status_code == 422
    stale = client.put(f"{API}/{DERBY}", json={**body, "questions": [{"text": "Q?"}] * 3},
                       headers=headers)  # fmt: skip
    assert stale.status_code == 409 and stale.json()["error"]["message"] == STALE

    boss = f.token_for(
        session, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    )
    status = client.get(API, headers=boss).json()["authorities"]
    assert [(r["la_name"], r["questions"], r["readable"]) for r in status][:2] == [
        ("Derby", 3, False),
        ("Derbyshire", 0, False),
    ]
    refused = client.get(f"{API}/{DERBY}", headers=boss)
    assert refused.status_code == 403 and refused.json()["error"]["message"] == PRIVATE
    risl = f.token_for(session, f.make_user(session, Role.RISL, region="east-midlands"))
    assert client.get(API, headers=risl).status_code == 403
    assert client.get(f"{API}/{DERBY}", headers=risl).status_code == 403
    assert _rows(session) == 3


def test_the_dcs_sets_them_on_the_page(session: Session, client: TestClient, cycle: Cycle) -> None:
    _form_triads(session, cycle)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY, name="Dana Derby")
    f.sign_in(client, dcs)
    page = client.get(f"{PAGE}/{DERBY}")
    assert page.status_code == 200
    assert "Once your self-evaluation is signed, the service drafts questions" in main_text(
        page.text
    )
    token = f.csrf(client, f"{PAGE}/{DERBY}")
    form = {
        "csrf_token": token,
        "version": "",
        **{f"question-{n}": t for n, t in enumerate(THREE, 1)},
    }

    missing = client.post(f"{PAGE}/{DERBY}", data={**form, "question-3": ""})
    assert missing.status_code == 422
    assert error_summary(missing.text) == [
        ("#questions", "Write 3 to 6 questions, each under 600 characters")
    ]
    assert _rows(session) == 0

    no_token = client.post(
        f"{PAGE}/{DERBY}", data={k: v for k, v in form.items() if k != "csrf_token"}
    )
    assert no_token.status_code == 403 and _rows(session) == 0

    saved = client.post(f"{PAGE}/{DERBY}", data=form)
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}/{DERBY}"
    shown = main_text(client.get(f"{PAGE}/{DERBY}").text)
    assert "Key lines of enquiry saved." in shown and "Set by Dana Derby on" in shown
    assert [
        q.text for q in kloes.read(session, f.principal(session, dcs), cycle, DERBY).questions
    ] == THREE

    index = main_text(client.get(PAGE).text)
    assert "Your triad" in index and "Derby 3 set" in index


@pytest.mark.parametrize(
    ("role", "org", "linked"),
    [
        (Role.REGIONAL_COORDINATOR, None, True),
        (Role.DCS, LEICESTER, True),
        (Role.RISL, None, False),
        (Role.LEAD_MEMBER, DERBY, False),
    ],
)
def test_the_cycle_page_links_to_them_only_for_those_the_page_lets_in(
    session: Session, client: TestClient, cycle: Cycle, role: Role, org: str | None, linked: bool
) -> None:
    _form_triads(session, cycle)
    region = None if org else "east-midlands"
    f.sign_in(client, f.make_user(session, role, organisation=org, region=region))
    text = main_text(client.get("/regions/east-midlands/cycles/2026-27").text)
    assert ("See key lines of enquiry" in text) is linked
    # The section itself is everyone's: its conversations link is (test_meetings.py).
    assert "Triad challenge" in text
    if linked:
        assert client.get(PAGE).status_code == 200
    else:
        assert client.get(PAGE).status_code == 403


def test_the_draft_draws_on_the_las_signatures_of_risk(session: Session, cycle: Cycle) -> None:
    """Derby's agency social worker rate is past the region's 25 % line in its latest quarter:
    the draft asks about it, with a link back to the quarterly data; a late return, an
    engagement flag, is not made a question."""
    from app.challenge.drafting import SourceKind
    from tests.indicator_factories import add_return
    from tests.sef_factories import form_proposed_triads

    form_proposed_triads(session, cycle)
    _, people = signed_sef(session, cycle, DERBY)
    add_return(
        session,
        DERBY,
        "2026-27 Q2",
        {"sw_agency_rate_fte_pct": 28.0},
        submitted_by=f.make_user(session),
        late=True,
    )
    drafts = kloes.suggestions(session, people[Role.DCS], cycle, DERBY)
    flagged = [d for d in drafts if d.source.kind is SourceKind.FLAG]
    assert [d.source.ref for d in flagged] == ["threshold:sw_agency_rate_fte_pct"]
    assert flagged[0].text.startswith("Your data: ")
    assert flagged[0].source.label.startswith("Quarterly data: ")
