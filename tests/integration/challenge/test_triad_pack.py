"""The triad pack: what it prints for each LA, who may have it, the questions kept to the triad,
its tags and its cache."""

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import kloes, pack
from app.challenge.schemas import KloesInput
from app.errors import NotPermitted
from app.models import Cycle, PackJob, TriadReviewer, User
from app.models.pack_job import QUEUED
from app.pack.cache import cache_key, cached_pdf
from app.reference.sef import OfstedGrade
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import TriadsInput
from app.settings import get_settings
from app.triads import service as triads
from tests import factories as f
from tests.page_reading import main_text, pdf_text
from tests.sef_factories import chapter_input, sign_as, signatories, submit_latest, write_all

DERBY = "E06000015"
DERBYSHIRE = "E10000007"
WEST_NORTHANTS = "E06000062"
LEICESTER = "E06000016"
GROUPS = [
    [DERBY, DERBYSHIRE, WEST_NORTHANTS],
    [LEICESTER, "E10000018", "E10000019"],
    ["E06000061", "E06000018", "E10000024", "E06000017"],
]
URL = "/regions/east-midlands/cycles/2026-27/triads/1/pack.pdf"
API = "/api/v1" + URL
DERBY_QUESTIONS = [
    "How well does our front door screen repeat referrals?",
    "Are our care leavers' pathway plans shaped by the young people themselves?",
    "How do we know our stable workforce is what keeps caseloads manageable?",
]
SHIRE_QUESTIONS = [
    "Does our early help offer reach families before they need a referral?",
    "How do we test the quality of supervision?",
    "What does our data say about children placed at a distance?",
]
PRIVATE = (
    "Key lines of enquiry stay private to the triad's members until its challenge record is agreed."
)
REFUSED = (
    "Only the triad's members (the DCSs of its authorities and the triad reviewers named to it) "
    "and the regional coordinator can download its triad pack."
)


@pytest.fixture
def cycle(session: Session) -> Cycle:
    cycle = f.open_cycle(session)
    groups = {code: n for n, group in enumerate(GROUPS, start=1) for code in group}
    triads.form_triads(session, f.coordinator(session), cycle, TriadsInput(groups=groups))
    return cycle


def _sign(session: Session, cycle: Cycle, la_code: str) -> None:
    """The LA's self-evaluation written (workforce requires improvement), submitted, signed."""
    people = signatories(session, la_code)
    dcs = people[Role.DCS]
    latest = write_all(session, cycle, la_code, dcs)
    service.save_chapter(
        session, dcs, cycle, la_code, "workforce",
        chapter_input(latest.number, " in workforce", OfstedGrade.REQUIRES_IMPROVEMENT),
    )  # fmt: skip
    signed = submit_latest(session, cycle, la_code, dcs)
    for role, who in people.items():
        sign_as(session, cycle, la_code, who, role, signed.content_hash)


def _dcs(session: Session, la_code: str) -> Principal:
    return f.signatory(session, la_code, Role.DCS)


def _set(session: Session, cycle: Cycle, la_code: str, texts: list[str], version: str = "") -> None:
    data = KloesInput(version=version, questions=[{"text": t} for t in texts])
    kloes.save(session, _dcs(session, la_code), cycle, la_code, data)


@pytest.fixture
def ready(session: Session, cycle: Cycle) -> Cycle:
    """Derby and Derbyshire signed and their questions set; West Northamptonshire neither."""
    _sign(session, cycle, DERBY)
    _sign(session, cycle, DERBYSHIRE)
    _set(session, cycle, DERBY, DERBY_QUESTIONS)
    _set(session, cycle, DERBYSHIRE, SHIRE_QUESTIONS)
    return cycle


def _squashed(text: str) -> str:
    return "".join(text.split())


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _tagged(pdf: bytes) -> bool:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return "/StructTreeRoot" in root and bool(root.get("/MarkInfo", {}).get("/Marked"))


def _figures(pdf: bytes) -> list[str]:
    found: list[str] = []
    stack = [PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, dict):
            continue
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        stack.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])
    return found


def _headings(pdf: bytes) -> list[int]:
    """The level of every heading in the PDF's structure tree, in reading order."""
    found: list[int] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not isinstance(node, dict):
            return
        tag = str(node.get("/S", ""))
        if len(tag) == 3 and tag.startswith("/H") and tag[2].isdigit():
            found.append(int(tag[2]))
        if "/K" in node:
            walk(node["/K"])

    walk(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_a_member_reads_every_authority_and_its_questions(session: Session, ready: Cycle) -> None:
    built = pack.build_pack(session, _dcs(session, DERBYSHIRE), ready, 1)
    assert [s.la_name for s in built.sections] == ["Derby", "Derbyshire", "West Northamptonshire"]
    assert built.audience == pack.MEMBERS and built.title == (
        "East Midlands RIIA: triad 1 pack 2026-27"
    )
    derby, shire, west = built.sections
    assert derby.sef.signed and not west.sef.signed
    grades = dict(derby.sef.grades)
    assert grades["Workforce"] == "Requires improvement to be good"
    assert set(grades.values()) == {"Good", "Requires improvement to be good"}
    assert len(grades) == len(derby.sef.strengths) == len(derby.sef.areas)
    assert derby.sef.strengths[0].text == "Stable workforce."
    assert ("Workforce", "Timeliness of assessments in workforce.") in [
        (p.chapter_title, p.text) for p in derby.sef.areas
    ]
    assert [k.text for k in derby.kloes or ()] == DERBY_QUESTIONS
    assert [k.text for k in shire.kloes or ()] == SHIRE_QUESTIONS
    assert west.kloes == () and west.kloes_note is None

    pdf = pack.render_pack(built)
    text = _squashed(pdf_text(pdf))
    for words in [
        "Triad 1: challenge conversation pack",
        "Derby, Derbyshire and West Northamptonshire, 2026-27",
        "1. Derby",
        "2. Derbyshire",
        "3. West Northamptonshire",
        "Requires improvement to be good",
        "Stable workforce in workforce.",
        "Timeliness of assessments.",
        "Not yet signed",
        "West Northamptonshire has not set its key lines of enquiry yet.",
        *DERBY_QUESTIONS,
        *SHIRE_QUESTIONS,
    ]:
        assert _squashed(words) in text, words
    assert _squashed(PRIVATE) not in text
    assert _tagged(pdf)


def test_the_coordinators_copy_is_the_same_pack_without_the_questions(
    session: Session, ready: Cycle
) -> None:
    member = pack.build_pack(session, _dcs(session, DERBY), ready, 1)
    built = pack.build_pack(session, f.coordinator(session), ready, 1)
    assert built.audience == pack.COORDINATOR
    assert all(s.kloes is None and s.kloes_note == PRIVATE for s in built.sections)
    assert [(s.la_name, s.sef) for s in built.sections] == [
        (s.la_name, s.sef) for s in member.sections
    ]
    text = _squashed(pdf_text(pack.render_pack(built)))
    assert _squashed(PRIVATE) in text
    assert _squashed("Workforce") in text and _squashed("Requires improvement to be good") in text
    for question in DERBY_QUESTIONS + SHIRE_QUESTIONS:
        assert _squashed(question) not in text, question


def _reviewer(session: Session, cycle: Cycle, number: int) -> Principal:
    user = f.make_user(session, Role.TRIAD_REVIEWER, region="east-midlands")
    triad = pack.triad_of_number(session, cycle, number)
    named_by = f.coordinator(session).user_id
    session.add(
        TriadReviewer(cycle_id=cycle.id, triad_id=triad.id, user_id=user.id, named_by_id=named_by)
    )
    session.flush()
    return f.principal(session, user)


# Who may download triad 1's pack (Derby, Derbyshire, West Northamptonshire), and who is refused.
# The API's words: the triad rule's for those who may see key lines of enquiry at all, else the
# permission table's.
NO_ROLE = (
    "You cannot see key lines of enquiry: none of your roles allows it. Ask your regional "
    "coordinator if you think you should."
)
OUTSIDERS = {
    "Leicester's DCS (another triad)": (Role.DCS, LEICESTER, REFUSED),
    "a triad reviewer not named to it": (Role.TRIAD_REVIEWER, None, REFUSED),
    "Derby's data lead": (Role.DATA_LEAD, DERBY, NO_ROLE),
    "Derby's lead member": (Role.LEAD_MEMBER, DERBY, NO_ROLE),
    "Derby's chief executive": (Role.CHIEF_EXECUTIVE, DERBY, NO_ROLE),
    "Derby's contributor": (Role.CONTRIBUTOR, DERBY, NO_ROLE),
    "the RISL": (Role.RISL, None, NO_ROLE),
    "a moderator": (Role.MODERATOR, None, NO_ROLE),
    "the lead DCS": (Role.LEAD_DCS, None, NO_ROLE),
}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_outside_the_triad_and_its_coordinator_is_refused(
    session: Session, client: TestClient, cycle: Cycle, who: str
) -> None:
    role, org, words = OUTSIDERS[who]
    user = f.make_user(session, role, organisation=org, region=None if org else "east-midlands")
    with pytest.raises(NotPermitted) as refused:
        pack.build_pack(session, f.principal(session, user), cycle, 1)
    assert refused.value.message == REFUSED
    headers = f.token_for(session, user)
    session.commit()
    f.sign_in(client, user)
    page = client.get(URL)
    assert page.status_code == 403 and "application/pdf" not in page.headers["content-type"]
    api = client.get(API, headers=headers)
    assert api.status_code == 403
    assert api.json()["error"]["message"] == words


def test_members_reviewers_named_to_it_and_the_coordinator_download_it(
    session: Session, client: TestClient, ready: Cycle
) -> None:
    reviewer = _reviewer(session, ready, 1)
    assert pack.build_pack(session, reviewer, ready, 1).audience == pack.MEMBERS
    other = _reviewer(session, ready, 2)
    with pytest.raises(NotPermitted):
        pack.build_pack(session, other, ready, 1)
    shire = session.get(User, _dcs(session, WEST_NORTHANTS).user_id)
    assert shire is not None
    session.commit()
    f.sign_in(client, shire)
    headers = f.token_for(session, shire)
    session.commit()
    page = client.get(URL)
    assert page.status_code == 200 and page.headers["content-type"] == "application/pdf"
    assert page.headers["content-disposition"] == 'attachment; filename="triad-1-2026-27.pdf"'
    api = client.get(API, headers=headers)
    assert api.status_code == 200 and api.content == page.content
    assert _squashed(DERBY_QUESTIONS[0]) in _squashed(pdf_text(api.content))
    missing = client.get(API.replace("/triads/1/", "/triads/9/"), headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "There is no triad 9 in this cycle."


def test_the_cache_serves_identical_bytes_until_a_question_changes(
    session: Session, ready: Cycle
) -> None:
    dcs = _dcs(session, DERBY)
    first = pack.triad_pack_pdf(session, dcs, ready, 1)
    built = pack.build_pack(session, dcs, ready, 1)
    key = cache_key(pack.input_hash(built), built.audience)
    assert cached_pdf(session, key) == first
    assert pack.triad_pack_pdf(session, dcs, ready, 1) == first
    coordinator = pack.build_pack(session, f.coordinator(session), ready, 1)
    assert cache_key(pack.input_hash(coordinator), coordinator.audience) != key

    current = kloes.read(session, dcs, ready, DERBY)
    _set(session, ready, DERBY, [*DERBY_QUESTIONS[:2], "What would a child say?"], current.version)
    changed = pack.build_pack(session, dcs, ready, 1)
    assert pack.input_hash(changed) != pack.input_hash(built)
    assert cached_pdf(session, cache_key(pack.input_hash(changed), changed.audience)) is None
    again = pack.triad_pack_pdf(session, dcs, ready, 1)
    assert again != first and _squashed("What would a child say?") in _squashed(pdf_text(again))


def test_every_chart_has_a_text_alternative_and_headings_run_in_order(
    session: Session, ready: Cycle
) -> None:
    pdf = pack.triad_pack_pdf(session, _dcs(session, DERBY), ready, 1)
    assert all(alt for alt in _figures(pdf))
    levels = _headings(pdf)
    # A title, then each authority's h1 with its parts (h2) and their lists (h3): never a jump.
    assert levels[0] == 1 and levels.count(1) == 1 + 3 + 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    # Three authorities, no figures returned: the cover and one page or two an authority.
    assert _pages(pdf) <= 1 + 12 * 3


def test_the_key_lines_of_enquiry_page_links_to_the_pack_for_those_who_may(
    session: Session, client: TestClient, ready: Cycle
) -> None:
    user = session.get(User, _dcs(session, DERBY).user_id)
    assert user is not None
    session.commit()
    f.sign_in(client, user)
    page = client.get("/regions/east-midlands/cycles/2026-27/kloes")
    assert page.status_code == 200
    assert f'href="{URL}"' in page.text
    assert "/triads/2/pack.pdf" not in page.text
    assert "Triad 1 pack: Derby, Derbyshire and West Northamptonshire (PDF)" in main_text(page.text)


def test_the_coordinator_finds_every_triads_pack_without_the_questions(
    session: Session, client: TestClient, ready: Cycle
) -> None:
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    session.commit()
    f.sign_in(client, user)
    text = main_text(client.get("/regions/east-midlands/cycles/2026-27/kloes").text)
    assert "Your copy leaves out the key lines of enquiry: they stay private to each triad " in text
    for n in (1, 2, 3):
        assert f"Triad {n} pack: " in text


def test_setting_questions_queues_the_triads_pack_when_it_commits(
    session: Session, cycle: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "warm_packs", True)
    session.commit()
    _set(session, cycle, DERBY, DERBY_QUESTIONS)
    assert session.execute(select(PackJob.kind)).all() == []  # nothing before the commit
    session.commit()
    jobs = session.execute(select(PackJob.kind, PackJob.subject, PackJob.state)).all()
    assert [tuple(j) for j in jobs] == [("triad_pack", f"{cycle.id}:1", QUEUED)]
