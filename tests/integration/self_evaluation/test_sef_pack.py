"""The self-evaluation pack: its context, its PDF, who may have it, and the cache."""

import html
import io
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.models import Cycle, RenderedPack, SefVersion, User
from app.pack.cache import cache_key
from app.pack.environment import pack_env
from app.reference import get_reference
from app.reference.sef import OfstedGrade
from app.self_evaluation import pack
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import CommentInput, ResponseInput, ReturnSefInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.indicator_factories import add_return
from tests.page_reading import pdf_text
from tests.sef_factories import (
    DERBY,
    chapter_input,
    form_proposed_triads,
    sign_as,
    signatories,
    submit_latest,
    write_all,
)

REGION = "east-midlands"
YEAR = "2026-27"
URL = f"/regions/{REGION}/cycles/{YEAR}/self-evaluations/{DERBY}/pack.pdf"
API = "/api/v1" + URL
CHALLENGE = "The re-referral figures do not yet support a judgement of good."
ANSWER = "Agreed in part: our audit of repeat referrals reports in January."
UNANSWERED = "How do care leavers shape the new local offer?"
AGENCY = "sw_agency_rate_fte_pct"


def _squashed(text: str) -> str:
    """Without any whitespace: a line may break after a hyphen, which extraction cannot undo."""
    return "".join(text.split())


def _tagged(pdf: bytes) -> bool:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return "/StructTreeRoot" in root and bool(root.get("/MarkInfo", {}).get("/Marked"))


def _figures(pdf: bytes) -> list[str]:
    """The /Alt text of every Figure in the PDF's structure tree."""
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


def _user(session: Session, who: Principal) -> User:
    user = session.get(User, who.user_id)
    assert user is not None
    return user


@dataclass
class Scene:
    cycle: Cycle
    people: dict[Role, Principal]
    signed: SefVersion
    peer: Principal  # the DCS of another LA in Derby's triad
    outsider: Principal  # the DCS of an LA outside it


def _scene(session: Session, comments: bool = True) -> Scene:
    """Derby's self-evaluation signed by all three, and (if asked) two comments, one answered."""
    cycle = f.open_cycle(session)
    groups = form_proposed_triads(session, cycle)
    mine = next(g for g in groups if DERBY in g)
    peer_code = next(code for code in mine if code != DERBY)
    other_code = next(code for g in groups if DERBY not in g for code in g)
    people = signatories(session, DERBY)
    dcs = people[Role.DCS]
    latest = write_all(session, cycle, DERBY, dcs)
    # One chapter graded differently, so the grades are not all the same.
    service.save_chapter(
        session, dcs, cycle, DERBY, "workforce",
        chapter_input(latest.number, " in workforce", OfstedGrade.REQUIRES_IMPROVEMENT),
    )  # fmt: skip
    signed = submit_latest(session, cycle, DERBY, dcs)
    for role, who in people.items():
        sign_as(session, cycle, DERBY, who, role, signed.content_hash)
    peer = f.signatory(session, peer_code, Role.DCS)
    outsider = f.signatory(session, other_code, Role.DCS)
    if comments:
        challenged = scrutiny.comment(
            session, peer, cycle, DERBY,
            CommentInput(
                chapter_id="help-and-protection", body=CHALLENGE,
                challenged_grade=OfstedGrade.REQUIRES_IMPROVEMENT,
            ),
        )  # fmt: skip
        scrutiny.respond(session, dcs, cycle, DERBY, challenged.id, ResponseInput(body=ANSWER))
        scrutiny.comment(
            session, peer, cycle, DERBY, CommentInput(chapter_id="care-leavers", body=UNANSWERED)
        )
    return Scene(cycle, people, signed, peer, outsider)


def test_the_pack_holds_the_signed_text_signatures_and_scrutiny(session: Session) -> None:
    scene = _scene(session)
    dcs = scene.people[Role.DCS]
    built = pack.build_pack(session, dcs, scene.cycle, DERBY)
    assert (built.la_code, built.la_name, built.cycle_year) == (DERBY, "Derby", YEAR)
    assert (built.region_name, built.riia) == ("East Midlands", "East Midlands RIIA")
    assert built.state == "signed"
    assert built.state_label == "Signed off and shared for scrutiny"
    assert built.template_title == "Annual self-evaluation of children's services"
    assert built.version_number == scene.signed.number == 7
    assert built.content_hash == scene.signed.content_hash and len(built.content_hash) == 64
    template = get_reference().sef_templates["sef-east-midlands"]
    assert [c.title for c in built.chapters] == [c.title for c in template.chapters]
    assert [(c.chapter_id, c.grade_label) for c in built.chapters] == [
        ("help-and-protection", "Good"),
        ("children-in-care", "Good"),
        ("care-leavers", "Good"),
        ("leadership-and-management", "Good"),
        ("workforce", "Requires improvement to be good"),
        ("partnerships-and-early-help", "Good"),
    ]
    workforce = built.chapters[4]
    assert [(s.name, s.paragraphs) for s in workforce.sections] == [
        ("narrative", ("We know our practice well in workforce.", "Audits show it.")),
        ("strengths", ("Stable workforce in workforce.",)),
        ("areas_for_development", ("Timeliness of assessments in workforce.",)),
        ("signatures_of_strength", ("Low agency rate.",)),
        ("signatures_of_risk", ("Rising re-referrals.",)),
        ("evidence", ("Quarterly audit programme 2026.",)),
    ]
    assert [(s.role_label, s.name, s.statement, s.content_hash) for s in built.signatures] == [
        (
            role.label,
            scene.people[role].display_name,
            signoff.statement_for("Derby", role, 7),
            scene.signed.content_hash,
        )
        for role in SIGNATORY_ROLES
    ]
    assert built.void_signatures == () and built.returns == ()
    assert built.profile.la_code == DERBY
    assert built.threads is not None and built.scrutiny_note is None
    peer_la = scene.peer.assignments[0].organisation_code
    peer_name = get_reference().regions[REGION].local_authority(peer_la or "").name
    first, second = built.threads
    assert (first.chapter_title, first.author_name, first.author_affiliation) == (
        template.chapter("help-and-protection").title,
        scene.peer.display_name,
        f"DCS, {peer_name}",
    )
    assert (first.body, first.challenged_grade_label, first.grade_label) == (
        CHALLENGE,
        "Requires improvement to be good",
        "Good",
    )
    assert (first.response_name, first.response_body) == (dcs.display_name, ANSWER)
    assert (second.body, second.challenged_grade_label, second.response_body) == (
        UNANSWERED,
        None,
        None,
    )
    # The RISL may read the signed text here, but never the challenge.
    risl = f.principal(session, f.make_user(session, Role.RISL, region=REGION))
    for_risl = pack.build_pack(session, risl, scene.cycle, DERBY)
    assert for_risl.threads is None
    assert for_risl.scrutiny_note == (
        "Scrutiny comments are shared only with the authority, its scrutineers and the "
        "regional coordinator."
    )
    assert for_risl.content_hash == built.content_hash and for_risl.chapters == built.chapters


def test_the_pdf_prints_text_hash_signatures_and_threads(
    session: Session, client: TestClient
) -> None:
    scene = _scene(session)
    # Derby's returns, so the workforce chapter has figures, a chart and a signature of risk.
    by = f.make_user(session)
    add_return(session, DERBY, "2025-26 Q4", {AGENCY: 24.0}, submitted_by=by)
    add_return(session, DERBY, "2026-27 Q1", {AGENCY: 31.2}, submitted_by=by)
    f.sign_in(client, _user(session, scene.people[Role.DCS]))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="self-evaluation-{DERBY}-{YEAR}.pdf"'
    )
    assert _tagged(response.content)
    assert PdfReader(io.BytesIO(response.content)).metadata.title == (
        f"Derby: self-evaluation {YEAR}"
    )
    text = pdf_text(response.content)
    assert "Derby" in text and "East Midlands RIIA" in text
    for chapter in get_reference().sef_templates["sef-east-midlands"].chapters:
        assert chapter.title in text
    assert scene.signed.content_hash in text
    squashed = _squashed(text)
    for role, who in scene.people.items():
        assert who.display_name in text
        assert _squashed(signoff.statement_for("Derby", role, scene.signed.number)) in squashed
    assert "Self-assessed grade: Requires improvement to be good" in text
    assert "Stable workforce in workforce." in text
    for said in (CHALLENGE, ANSWER, UNANSWERED):
        assert _squashed(said) in squashed
    assert (
        _squashed(
            "A different view of the grade: the scrutineer reads Requires improvement to be "
            "good; the authority's own grade is Good."
        )
        in squashed
    )
    assert "No response" in text
    assert "2 comments, 1 without a response." in text
    assert "Quarterly figures are provisional management information" in text
    assert "No signature has been voided" in text
    # The data beside the workforce chapter: the figure, its signature of risk, and a chart
    # with its text alternative and data table.
    assert (
        _squashed(
            "Agency social worker rate (FTE) was 31.2% in 2026-27 Q1, above the region's threshold "
            "of 16.4%."
        )
        in squashed
    )
    assert (
        _squashed(
            "Agency social worker rate (FTE): 31.2% in 2026-27 Q1, compared with 24.0% in 2025-26 Q4"
        )
        in squashed
    )
    assert "Agency social worker rate (FTE): values by quarter" in text
    figures = _figures(response.content)
    assert figures and all(alt for alt in figures)


def test_the_risl_pack_has_no_scrutiny_and_says_why(session: Session, client: TestClient) -> None:
    _scene(session)
    risl = f.make_user(session, Role.RISL, region=REGION)
    response = client.get(API, headers=f.token_for(session, risl))
    assert response.status_code == 200
    assert _tagged(response.content)
    text = pdf_text(response.content)
    assert _squashed(pack.SCRUTINY_WITHHELD) in _squashed(text)
    assert _squashed(CHALLENGE) not in _squashed(text) and _squashed(ANSWER) not in _squashed(text)


def test_void_signatures_and_returns_are_listed_apart(session: Session) -> None:
    cycle = f.open_cycle(session)
    people = signatories(session, DERBY)
    dcs = people[Role.DCS]
    write_all(session, cycle, DERBY, dcs)
    first = submit_latest(session, cycle, DERBY, dcs)
    sign_as(session, cycle, DERBY, dcs, Role.DCS, first.content_hash)
    signoff.return_for_changes(
        session, people[Role.CHIEF_EXECUTIVE], cycle, DERBY,
        ReturnSefInput(
            role=Role.CHIEF_EXECUTIVE, content_hash=first.content_hash,
            reason="The workforce chapter understates agency reliance.",
        ),
    )  # fmt: skip
    service.save_chapter(
        session, dcs, cycle, DERBY, "workforce", chapter_input(first.number, " revised")
    )
    second = submit_latest(session, cycle, DERBY, dcs)
    for role, who in people.items():
        sign_as(session, cycle, DERBY, who, role, second.content_hash)
    built = pack.build_pack(session, dcs, cycle, DERBY)
    assert built.version_number == second.number == first.number + 1
    assert [(v.role_label, v.name, v.version_number, v.content_hash, v.reason)
            for v in built.void_signatures] == [
        (Role.DCS.label, dcs.display_name, first.number, first.content_hash, None)
    ]  # fmt: skip
    assert [(r.role_label, r.version_number, r.reason) for r in built.returns] == [
        (Role.CHIEF_EXECUTIVE.label, first.number, "The workforce chapter understates agency reliance.")
    ]  # fmt: skip
    assert [s.content_hash for s in built.signatures] == [second.content_hash] * 3
    assert built.threads == ()
    # Every table the pack prints has a caption naming what it lists.
    env = pack_env()
    printed = env.get_template("pdf/sef.html").render(**pack.template_context(built))
    assert printed.count("<table") == len(re.findall(r"<table[^>]*>\s*<caption", printed))
    captions = re.findall(r"<table[^>]*>\s*<caption>(.*?)</caption>", printed)
    assert captions[:4] == [
        "The authority's own grade for each chapter",
        f"Signatures on version {second.number}",
        "Void signatures on earlier versions",
        "Versions returned for changes, with the reason given",
    ]
    # Then the appendix: each indicator's figures, once.
    assert all(re.search(r": values by quarter( \(.*\))?$", c) for c in captions[4:])


def test_the_cache_serves_equal_inputs_and_a_comment_makes_a_new_key(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = _scene(session, comments=False)
    dcs = scene.people[Role.DCS]
    first = pack.sef_pack_pdf(session, dcs, scene.cycle, DERBY)
    key = pack.input_hash(pack.build_pack(session, dcs, scene.cycle, DERBY))
    assert key == pack.input_hash(pack.build_pack(session, dcs, scene.cycle, DERBY))
    monkeypatch.setattr(pack, "render_template_pdf", lambda *a, **k: pytest.fail("re-rendered"))
    assert pack.sef_pack_pdf(session, dcs, scene.cycle, DERBY) == first
    count = select(func.count()).select_from(RenderedPack).where(RenderedPack.kind == pack.KIND)
    assert session.scalar(count) == 1
    # Kept under the inputs' hash bound to the audience it was printed for.
    stored = session.scalar(select(RenderedPack.input_hash).where(RenderedPack.kind == pack.KIND))
    assert stored == cache_key(key, pack.AUTHORITY) != key
    risl = f.principal(session, f.make_user(session, Role.RISL, region=REGION))
    risl_key = pack.input_hash(pack.build_pack(session, risl, scene.cycle, DERBY))
    assert risl_key != key  # the RISL's pack says why it has no scrutiny section
    made = scrutiny.comment(
        session, scene.peer, scene.cycle, DERBY,
        CommentInput(chapter_id="workforce", body="Is the caseload target realistic?"),
    )  # fmt: skip
    commented = pack.input_hash(pack.build_pack(session, dcs, scene.cycle, DERBY))
    assert commented != key
    scrutiny.respond(session, dcs, scene.cycle, DERBY, made.id, ResponseInput(body="Yes."))
    responded = pack.input_hash(pack.build_pack(session, dcs, scene.cycle, DERBY))
    assert responded not in (key, commented)
    # The RISL's pack prints no scrutiny, so comments and responses leave its key as it was.
    assert pack.input_hash(pack.build_pack(session, risl, scene.cycle, DERBY)) == risl_key


def test_a_draft_has_no_pack(session: Session, client: TestClient) -> None:
    cycle = f.open_cycle(session)
    people = signatories(session, DERBY)
    write_all(session, cycle, DERBY, people[Role.DCS])
    headers = f.token_for(session, _user(session, people[Role.DCS]))
    session.commit()  # a refused request rolls back its own work, not the test's
    response = client.get(API, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "The pack is produced once all three signatories have signed."
    )
    submit_latest(session, cycle, DERBY, people[Role.DCS])
    session.commit()
    awaiting = client.get(API, headers=headers)
    assert awaiting.status_code == 409


def test_a_dcs_outside_the_triad_cannot_have_the_pack(session: Session, client: TestClient) -> None:
    scene = _scene(session, comments=False)
    f.sign_in(client, _user(session, scene.outsider))
    outsider_headers = f.token_for(session, _user(session, scene.outsider))
    peer_headers = f.token_for(session, _user(session, scene.peer))
    session.commit()  # a refused request rolls back its own work, not the test's
    response = client.get(URL)
    assert response.status_code == 403
    assert "Derby's signed self-evaluation is shared only with Derby, its scrutineers" in (
        html.unescape(response.text)
    )
    api = client.get(API, headers=outsider_headers)
    assert api.status_code == 403
    # The peer DCS in Derby's triad may have it.
    peer = client.get(API, headers=peer_headers)
    assert peer.status_code == 200 and _tagged(peer.content)


def test_the_api_route_is_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    route = paths["/api/v1/regions/{region_id}/cycles/{year}/self-evaluations/{la_code}/pack.pdf"]
    assert "application/pdf" in route["get"]["responses"]["200"]["content"]
    assert "self-evaluations" in route["get"]["tags"]
