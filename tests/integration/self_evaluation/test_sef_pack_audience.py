"""Who reads what in the self-evaluation pack: the pages' history rule, and a copy per audience.

Returns (with their reasons) and void signatures are the authority's history: its own people
and the coordinator read them; scrutineers and the RISL read the signed text, its signatures and
one line saying the rest is withheld (access.can_read_history, the rule the pages use).
"""

import dataclasses
import html
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.audit import chain
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import NotPermitted
from app.models import Cycle, SefVersion, User
from app.self_evaluation import pack
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import ReturnSefInput
from app.self_evaluation.signoff import service as signoff
from app.uk_dates import datetime_uk
from tests import factories as f
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
REASON = "The workforce chapter understates how far we still rely on agency social workers."
WITHHELD = (
    "Returns for changes and signatures that no longer count are seen only by Derby's own "
    "people and the regional coordinator."
)


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "".join("".join(page.extract_text() for page in pages).split())


def _squashed(text: str) -> str:
    return "".join(text.split())


@dataclass
class Scene:
    cycle: Cycle
    returned: SefVersion  # signed by the DCS, then returned by the Chief Executive
    readers: dict[str, Principal]
    stranger: Principal


def _scene(session: Session) -> Scene:
    cycle = f.open_cycle(session)
    groups = form_proposed_triads(session, cycle)
    mine = next(g for g in groups if DERBY in g)
    peer_code = next(code for code in mine if code != DERBY)
    other_code = next(code for g in groups if DERBY not in g for code in g)
    people = signatories(session, DERBY)
    dcs = people[Role.DCS]
    write_all(session, cycle, DERBY, dcs)
    first = submit_latest(session, cycle, DERBY, dcs)
    sign_as(session, cycle, DERBY, dcs, Role.DCS, first.content_hash)
    signoff.return_for_changes(
        session, people[Role.CHIEF_EXECUTIVE], cycle, DERBY,
        ReturnSefInput(
            role=Role.CHIEF_EXECUTIVE, content_hash=first.content_hash, reason=REASON
        ),
    )  # fmt: skip
    service.save_chapter(
        session, dcs, cycle, DERBY, "workforce", chapter_input(first.number, " revised")
    )
    second = submit_latest(session, cycle, DERBY, dcs)
    for role, who in people.items():
        sign_as(session, cycle, DERBY, who, role, second.content_hash)
    readers = {
        "DCS of the LA": dcs,
        "coordinator": f.coordinator(session),
        "Lead Member": people[Role.LEAD_MEMBER],
        "Chief Executive": people[Role.CHIEF_EXECUTIVE],
        "triad peer scrutineer": f.signatory(session, peer_code, Role.DCS),
        "RISL": f.principal(session, f.make_user(session, Role.RISL, region=REGION)),
    }
    return Scene(cycle, first, readers, f.signatory(session, other_code, Role.DCS))


SEES_HISTORY = {
    "DCS of the LA": True,
    "coordinator": True,
    "Lead Member": True,
    "Chief Executive": True,
    "triad peer scrutineer": False,
    "RISL": False,
}


def test_each_reader_s_pack_holds_the_history_exactly_per_the_pages_rule(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = _scene(session)
    # Every reader in one order, through the cache: an earlier reader's copy must never be
    # served to a later one, even if their inputs hashed alike.
    monkeypatch.setattr(pack, "input_hash", lambda _: "0" * 64)
    renders: list[str] = []
    real_render = pack.render_pack
    monkeypatch.setattr(
        pack, "render_pack", lambda p: renders.append(getattr(p, "audience", "?")) or real_render(p)
    )
    for who in ("triad peer scrutineer", "DCS of the LA", "RISL", "coordinator", "Lead Member",
                "Chief Executive"):  # fmt: skip
        text = _text(pack.sef_pack_pdf(session, scene.readers[who], scene.cycle, DERBY))
        sees = SEES_HISTORY[who]
        assert (_squashed(REASON) in text) is sees, who
        # The void signature is known by the hash of the version it signed; only it prints it.
        assert (scene.returned.content_hash in text) is sees, who
        assert ("Signaturesthatnolongercount" in text) is sees, who
        assert (_squashed(WITHHELD) in text) is not sees, who
        assert text.count(_squashed(WITHHELD)) == (0 if sees else 1), who
    # One render per audience: the authority's four readers share one copy.
    assert renders == ["scrutineer", "authority", "reader"]


def test_the_pack_data_follows_the_same_rule(session: Session) -> None:
    scene = _scene(session)
    for who, sees in SEES_HISTORY.items():
        built = pack.build_pack(session, scene.readers[who], scene.cycle, DERBY)
        assert [r.reason for r in built.returns] == ([REASON] if sees else []), who
        assert [v.content_hash for v in built.void_signatures] == (
            [scene.returned.content_hash] if sees else []
        ), who
        assert getattr(built, "history_note", None) == (None if sees else WITHHELD), who


def test_a_stranger_gets_no_pack(session: Session, client: TestClient) -> None:
    scene = _scene(session)
    with pytest.raises(NotPermitted):
        pack.build_pack(session, scene.stranger, scene.cycle, DERBY)
    user = session.get(User, scene.stranger.user_id)
    assert user is not None
    headers = f.token_for(session, user)
    session.commit()  # a refused request rolls back its own work, not the test's
    url = f"/api/v1/regions/{REGION}/cycles/2026-27/self-evaluations/{DERBY}/pack.pdf"
    response = client.get(url, headers=headers)
    assert response.status_code == 403
    assert REASON not in response.text and scene.returned.content_hash not in response.text


def test_each_copy_says_whom_it_was_printed_for_when_and_against_which_audit_head(
    session: Session,
) -> None:
    scene = _scene(session)
    sequence, head = chain.head(session)
    for who, label in {
        "Lead Member": "Derby's own people and the regional coordinator",
        "triad peer scrutineer": "Derby's scrutineers",
        "RISL": "the DfE's Regional Improvement and Support Lead, under the region's data terms",
    }.items():
        built = pack.build_pack(session, scene.readers[who], scene.cycle, DERBY)
        first_page = PdfReader(io.BytesIO(pack.render_pack(built))).pages[0].extract_text()
        printed = f"Printed: {datetime_uk(built.printed_at)}, for {label}."
        assert _squashed(printed) in _squashed(first_page), who
        assert _squashed(f"Audit chain head when printed: entry {sequence}, hash {head}") in (
            _squashed(first_page)
        ), who
    # The copy's provenance is not an input: printed later, after other events, the same
    # inputs keep their key (and a cached copy keeps saying when it was really printed).
    later = dataclasses.replace(
        built,
        printed_at=built.printed_at + timedelta(days=3),
        audit_head_sequence=sequence + 5,
        audit_head_hash="f" * 64,
    )
    assert pack.input_hash(later) == pack.input_hash(built)


def test_the_page_and_the_api_follow_the_same_rule(session: Session, client: TestClient) -> None:
    scene = _scene(session)
    url = f"/regions/{REGION}/cycles/2026-27/self-evaluations/{DERBY}"
    users = {}
    for who in SEES_HISTORY:
        user = session.get(User, scene.readers[who].user_id)
        assert user is not None
        users[who] = (user, f.token_for(session, user))
    session.commit()
    for who, sees in SEES_HISTORY.items():
        user, headers = users[who]
        sign_off = client.get("/api/v1" + url, headers=headers).json()["sign_off"]
        assert [r["reason"] for r in sign_off["returns"]] == ([REASON] if sees else []), who
        assert [v["version"] for v in sign_off["void"]] == (
            [scene.returned.number] if sees else []
        ), who
        f.sign_in(client, user)
        page = client.get(url)
        assert page.status_code == 200, who
        assert ("Signatures that no longer count" in page.text) is sees, who
        assert (REASON in html.unescape(page.text)) is sees, who
        client.cookies.clear()
