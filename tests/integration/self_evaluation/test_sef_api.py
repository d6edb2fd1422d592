"""Self-evaluations through /api/v1 with personal bearer tokens: drafting, conflicts, sign-off,
voiding, returns, scrutiny, and exactly who may write, sign and read."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.models import AuditEvent, Cycle, SefSignOffEvent, SefVersion, SelfEvaluation, User
from app.reference.sef import OfstedGrade
from app.self_evaluation import contributors
from app.self_evaluation.drafting import content, service
from app.self_evaluation.schemas import AssignInput, ReturnSefInput
from app.self_evaluation.signoff import service as signoff
from app.self_evaluation.signoff.service import statement_for
from tests import factories as f
from tests.sef_factories import (
    DERBY,
    chapter_input,
    form_proposed_triads,
    sign_as,
    signed_sef,
    submit_latest,
    write_all,
)

DERBYSHIRE = "E10000007"  # in Derby's triad for 2026-27
LEICESTER = "E06000016"  # in another triad
TRUST = "northamptonshire-childrens-trust"
API = "/api/v1/regions/east-midlands/cycles/2026-27/self-evaluations"
SEF = f"{API}/{DERBY}"
CHAPTERS = [
    "help-and-protection",
    "children-in-care",
    "care-leavers",
    "leadership-and-management",
    "workforce",
    "partnerships-and-early-help",
]
HELP = "The experiences and progress of children who need help and protection"
TEXT_SECTIONS = [
    "narrative",
    "strengths",
    "areas_for_development",
    "signatures_of_strength",
    "signatures_of_risk",
    "evidence",
]


def _person(
    session: Session, role: Role, *, org: str | None = None, region: str | None = None, name: str
) -> tuple[User, dict[str, str]]:
    user = f.make_user(session, role, organisation=org, region=region, name=name)
    return user, f.token_for(session, user)


def _body(base: int | None, label: str = "", grade: OfstedGrade = OfstedGrade.GOOD) -> Any:
    return chapter_input(base, label, grade).model_dump(mode="json")


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _latest(session: Session) -> SefVersion:
    session.expire_all()
    found = session.scalars(
        select(SefVersion)
        .join(SelfEvaluation, SelfEvaluation.id == SefVersion.self_evaluation_id)
        .where(SelfEvaluation.la_code == DERBY)
        .order_by(SefVersion.number.desc())
    ).first()
    assert found is not None
    return found


def _cycle_with_derby_dcs(session: Session) -> tuple[Cycle, Principal, dict[str, str]]:
    cycle = f.open_cycle(session)
    user, headers = _person(session, Role.DCS, org=DERBY, name="Dana Director")
    session.commit()
    return cycle, f.principal(session, user), headers


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["error"]["message"]
    return message


def test_chapters_saved_through_the_api_read_back_exactly(
    session: Session, client: TestClient
) -> None:
    _, _, dcs = _cycle_with_derby_dcs(session)
    first = client.get(SEF, headers=dcs)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["la_code"], body["la_name"], body["state"]) == (DERBY, "Derby", "draft")
    assert (body["template_id"], body["latest_version"], body["contributors"]) == (
        "sef-east-midlands",
        None,
        [],
    )
    assert body["sign_off"] == {
        "due_on": "2026-12-19",
        "due_reason": None,
        "late": False,
        "submitted_version": None,
        "signed": 0,
        "signatories": [
            {"role": r.value, "state": "outstanding", "signatory_name": None, "at": None,
             "statement": None, "content_hash": None}
            for r in SIGNATORY_ROLES
        ],
        "void": [],
        "returns": [],
    }  # fmt: skip

    base = None
    for number, chapter_id in enumerate(CHAPTERS, start=1):
        grade = OfstedGrade.OUTSTANDING if chapter_id == "workforce" else OfstedGrade.GOOD
        saved = client.put(
            f"{SEF}/chapters/{chapter_id}", json=_body(base, f" ({chapter_id})", grade), headers=dcs
        )
        assert saved.status_code == 200, saved.text
        summary = saved.json()
        assert {k: summary[k] for k in ("number", "chapter_id", "created_by", "based_on")} == {
            "number": number,
            "chapter_id": chapter_id,
            "created_by": "Dana Director",
            "based_on": base,
        }
        base = number

    latest = client.get(SEF, headers=dcs).json()["latest_version"]
    assert latest["number"] == 6
    workforce = next(c for c in latest["chapters"] if c["chapter_id"] == "workforce")
    assert workforce == {
        "chapter_id": "workforce",
        "title": "Workforce",
        "graded": True,
        "grade": "outstanding",
        "grade_label": "Outstanding",
        "sections": {
            "narrative": "We know our practice well (workforce).\n\nAudits show it.",
            "strengths": "Stable workforce (workforce).",
            "areas_for_development": "Timeliness of assessments (workforce).",
            "signatures_of_strength": "Low agency rate.",
            "signatures_of_risk": "Rising re-referrals.",
            "evidence": "Quarterly audit programme 2026.",
        },
    }
    assert [c["chapter_id"] for c in latest["chapters"]] == CHAPTERS
    rebuilt = {c["chapter_id"]: {"grade": c["grade"], **c["sections"]} for c in latest["chapters"]}
    assert latest["content_hash"] == content.content_hash("sef-east-midlands", rebuilt)
    assert latest["content_hash"] == _latest(session).content_hash

    # Saving the same text again makes no version.
    again = client.put(f"{SEF}/chapters/workforce", json=_body(6, " (workforce)",
                       OfstedGrade.OUTSTANDING), headers=dcs)  # fmt: skip
    assert again.status_code == 200 and again.json()["number"] == 6
    assert _count(session, SefVersion) == 6

    versions = client.get(f"{SEF}/versions", headers=dcs).json()
    assert [(v["number"], v["chapter_id"], v["based_on"]) for v in versions] == [
        (6, "partnerships-and-early-help", 5),
        (5, "workforce", 4),
        (4, "leadership-and-management", 3),
        (3, "care-leavers", 2),
        (2, "children-in-care", 1),
        (1, "help-and-protection", None),
    ]
    one = client.get(f"{SEF}/versions/1", headers=dcs).json()
    assert [c["grade"] for c in one["chapters"]] == ["good", "", "", "", "", ""]
    assert one["chapters"][1]["sections"] == dict.fromkeys(TEXT_SECTIONS, "")
    assert one["chapters"][1]["grade_label"] == "Not yet graded"
    missing = client.get(f"{SEF}/versions/9", headers=dcs)
    assert _error(missing, 404) == "There is no version 9 of this self-evaluation."

    compared = client.get(f"{SEF}/compare", params={"a": 6, "b": 1}, headers=dcs).json()
    assert (compared["older"]["number"], compared["newer"]["number"]) == (1, 6)
    assert [c["changed"] for c in compared["chapters"]] == [False] + [True] * 5
    care = compared["chapters"][1]
    assert care["title"] == "The experiences and progress of children in care"
    narrative = next(s for s in care["sections"] if s["name"] == "narrative")
    assert narrative["changed"] is True
    assert narrative["rows"] == [
        {"kind": "added", "old": None, "new": "We know our practice well (children-in-care)."},
        {"kind": "added", "old": None, "new": "Audits show it."},
    ]
    grade = care["sections"][0]
    assert (grade["name"], grade["label"]) == ("grade", "Self-assessed grade")
    assert grade["rows"] == [{"kind": "added", "old": None, "new": "Good"}]

    listed = client.get(API, headers=dcs).json()
    assert listed == [
        {"la_code": DERBY, "la_name": "Derby", "state": "draft", "latest_version": 6,
         "submitted_version": None, "due_on": "2026-12-19", "late": False}
    ]  # fmt: skip
    boss = f.token_for(session, f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION))
    session.commit()
    everyone = client.get(API, headers=boss).json()
    assert len(everyone) == 10 and everyone[0]["la_name"] == "Derby"
    assert [s["latest_version"] for s in everyone].count(None) == 9


def test_a_save_over_a_newer_save_is_409_with_the_newer_text_and_saves_nothing(
    session: Session, client: TestClient
) -> None:
    _, _, dcs = _cycle_with_derby_dcs(session)
    writer, writer_headers = _person(session, Role.CONTRIBUTOR, org=DERBY, name="Cass Contributor")
    session.commit()
    assert client.put(f"{SEF}/chapters/help-and-protection", json=_body(None, " v1"),
                      headers=dcs).status_code == 200  # fmt: skip

    assigned = client.post(f"{SEF}/contributors", headers=dcs,
                           json={"chapter_id": "help-and-protection", "user_id": writer.id})  # fmt: skip
    assert assigned.status_code == 201, assigned.text
    contributor = assigned.json()
    assert (contributor["chapter_id"], contributor["user_id"], contributor["name"]) == (
        "help-and-protection",
        writer.id,
        "Cass Contributor",
    )
    assert client.get(f"{SEF}/contributors", headers=writer_headers).json() == [contributor]

    theirs = client.put(f"{SEF}/chapters/help-and-protection", json=_body(1, " by Cass"),
                        headers=writer_headers)  # fmt: skip
    assert theirs.status_code == 200 and theirs.json()["number"] == 2
    versions, events = _count(session, SefVersion), _count(session, AuditEvent)

    mine = client.put(f"{SEF}/chapters/help-and-protection", json=_body(1, " by Dana"), headers=dcs)
    assert mine.status_code == 409, mine.text
    error = mine.json()["error"]
    assert error["type"] == "StaleVersion" and error["field"] == "narrative"
    assert error["message"] == (
        f"Cass Contributor saved a newer version of '{HELP}' (version 2) after you opened version "
        "1. Nothing was saved: your text is kept beside theirs so you can combine them, then save "
        "again."
    )
    assert error["latest_version"]["number"] == 2
    assert error["latest_version"]["created_by"] == "Cass Contributor"
    assert error["latest_version"]["content_hash"] == _latest(session).content_hash
    assert error["chapter"]["chapter_id"] == "help-and-protection"
    assert (
        error["chapter"]["sections"]["narrative"]
        == "We know our practice well by Cass.\n\nAudits show it."
    )
    assert error["chapter"]["sections"]["strengths"] == "Stable workforce by Cass."
    assert (_count(session, SefVersion), _count(session, AuditEvent)) == (versions, events)

    # A chapter nobody else touched lands on top of the newer text.
    other = client.put(f"{SEF}/chapters/workforce", json=_body(1, " by Dana"), headers=dcs)
    assert other.status_code == 200 and other.json()["number"] == 3
    help_text = client.get(SEF, headers=dcs).json()["latest_version"]["chapters"][0]["sections"]
    assert help_text["strengths"] == "Stable workforce by Cass."

    # The contributor writes only the chapter assigned to them, and nothing once unassigned.
    refused = client.put(f"{SEF}/chapters/workforce", json=_body(3, " by Cass"),
                         headers=writer_headers)  # fmt: skip
    assert _error(refused, 403) == (
        "You cannot write 'Workforce': the DCS writes every chapter, and other people only the "
        "chapters the DCS has assigned to them."
    )
    removed = client.delete(f"{SEF}/contributors/{contributor['id']}", headers=dcs)
    assert removed.status_code == 204 and removed.content == b""
    assert client.get(f"{SEF}/contributors", headers=dcs).json() == []
    after = client.put(f"{SEF}/chapters/help-and-protection", json=_body(3, " again"),
                       headers=writer_headers)  # fmt: skip
    assert _error(after, 403).startswith(f"You cannot write '{HELP}'")
    assert _count(session, SefVersion) == 3


def test_submitting_a_stale_or_unfinished_version_is_refused(
    session: Session, client: TestClient
) -> None:
    cycle, dana, dcs = _cycle_with_derby_dcs(session)
    one = client.put(f"{SEF}/chapters/workforce", json=_body(None), headers=dcs).json()
    unfinished = client.post(
        f"{SEF}/submit", json={"content_hash": one["content_hash"]}, headers=dcs
    )
    assert _error(unfinished, 422).startswith(
        "Before sign-off every chapter needs a grade, strengths and areas for development: "
        f"{HELP} needs a self-assessed grade, strengths and areas for development;"
    )
    latest = write_all(session, cycle, DERBY, dana)
    session.commit()
    stale = client.post(f"{SEF}/submit", json={"content_hash": one["content_hash"]}, headers=dcs)
    assert _error(stale, 409) == (
        "The self-evaluation changed after you reviewed it (it is now version 6). Review the "
        "latest version, then submit."
    )
    assert client.get(SEF, headers=dcs).json()["state"] == "draft"
    submitted = client.post(
        f"{SEF}/submit", json={"content_hash": latest.content_hash}, headers=dcs
    )
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["number"], submitted.json()["content_hash"]) == (
        6,
        latest.content_hash,
    )
    status = client.get(SEF, headers=dcs).json()
    assert (status["state"], status["sign_off"]["submitted_version"]) == ("awaiting_sign_off", 6)


def _submitted(session: Session) -> tuple[dict[Role, dict[str, str]], str]:
    """Derby's self-evaluation written and submitted (version 6); its three signatories' tokens."""
    cycle = f.open_cycle(session)
    names = {Role.DCS: "Dana Director", Role.LEAD_MEMBER: "Lee Member",
             Role.CHIEF_EXECUTIVE: "Cleo Chief"}  # fmt: skip
    people = {role: _person(session, role, org=DERBY, name=names[role]) for role in SIGNATORY_ROLES}
    dana = f.principal(session, people[Role.DCS][0])
    write_all(session, cycle, DERBY, dana)
    version = submit_latest(session, cycle, DERBY, dana)
    session.commit()
    return {role: headers for role, (_, headers) in people.items()}, version.content_hash


def _sign(client: TestClient, headers: dict[str, str], role: Role, content_hash: str) -> Any:
    return client.post(f"{SEF}/signatures", headers=headers,
                       json={"role": role.value, "content_hash": content_hash, "confirm": True})  # fmt: skip


def test_three_signatures_bound_to_the_version_sign_it_off(
    session: Session, client: TestClient
) -> None:
    signers, content_hash = _submitted(session)
    unconfirmed = client.post(f"{SEF}/signatures", headers=signers[Role.DCS],
                              json={"role": "dcs", "content_hash": content_hash, "confirm": False})  # fmt: skip
    assert _error(unconfirmed, 422) == "Confirm the statement to sign the self-evaluation"
    wrong = _sign(client, signers[Role.DCS], Role.DCS, "b" * 64)
    assert _error(wrong, 409) == (
        "The self-evaluation was changed after you opened it, so nothing was recorded. Read the "
        "version now submitted, then decide."
    )
    for role in SIGNATORY_ROLES:
        signed = _sign(client, signers[role], role, content_hash)
        assert signed.status_code == 201, signed.text
        body = signed.json()
        assert {k: body[k] for k in ("decision", "role", "version", "content_hash", "statement", "reason")} == {
            "decision": "signed", "role": role.value, "version": 6, "content_hash": content_hash,
            "statement": statement_for("Derby", role, 6), "reason": None,
        }  # fmt: skip
        if role is Role.DCS:
            again = _sign(client, signers[role], role, content_hash)
            assert _error(again, 409) == (
                "You have already signed version 6 as Director of Children's Services."
            )
            assert _count(session, SefSignOffEvent) == 1
    sef = client.get(SEF, headers=signers[Role.LEAD_MEMBER]).json()
    assert sef["state"] == "signed" and sef["signed_at"] is not None
    assert sef["latest_version"]["content_hash"] == content_hash == _latest(session).content_hash
    assert sef["sign_off"]["signed"] == 3 and sef["sign_off"]["void"] == []
    assert [(s["role"], s["state"], s["signatory_name"], s["content_hash"])
            for s in sef["sign_off"]["signatories"]] == [
        ("dcs", "signed", "Dana Director", content_hash),
        ("lead_member", "signed", "Lee Member", content_hash),
        ("chief_executive", "signed", "Cleo Chief", content_hash),
    ]  # fmt: skip
    late = _sign(client, signers[Role.DCS], Role.DCS, content_hash)
    assert _error(late, 409) == "All three signatories have already signed this self-evaluation."
    edit = client.put(
        f"{SEF}/chapters/workforce", json=_body(6, " later"), headers=signers[Role.DCS]
    )
    assert _error(edit, 409).startswith("This self-evaluation has been signed by all three")
    assert "latest_version" not in edit.json()["error"]


def test_an_edit_after_a_signature_voids_it_visibly(session: Session, client: TestClient) -> None:
    signers, content_hash = _submitted(session)
    assert _sign(client, signers[Role.DCS], Role.DCS, content_hash).status_code == 201
    edited = client.put(
        f"{SEF}/chapters/workforce", json=_body(6, " revised"), headers=signers[Role.DCS]
    )
    assert edited.status_code == 200 and edited.json()["number"] == 7
    sef = client.get(SEF, headers=signers[Role.CHIEF_EXECUTIVE]).json()
    assert sef["state"] == "draft"
    sign_off = sef["sign_off"]
    assert (sign_off["submitted_version"], sign_off["signed"]) == (None, 0)
    assert [s["state"] for s in sign_off["signatories"]] == ["outstanding"] * 3
    assert [(v["role"], v["signatory_name"], v["version"]) for v in sign_off["void"]] == [
        ("dcs", "Dana Director", 6)
    ]
    # The old signature cannot be used on the old hash, nor counts for the new version.
    stale = _sign(client, signers[Role.LEAD_MEMBER], Role.LEAD_MEMBER, content_hash)
    assert _error(stale, 409) == (
        "This self-evaluation has not been submitted for sign-off yet, so it cannot be signed."
    )
    new_hash = edited.json()["content_hash"]
    resubmitted = client.post(
        f"{SEF}/submit", json={"content_hash": new_hash}, headers=signers[Role.DCS]
    )
    assert resubmitted.status_code == 200 and resubmitted.json()["number"] == 7
    assert _sign(client, signers[Role.LEAD_MEMBER], Role.LEAD_MEMBER, new_hash).status_code == 201
    sign_off = client.get(SEF, headers=signers[Role.DCS]).json()["sign_off"]
    assert (sign_off["submitted_version"], sign_off["signed"]) == (7, 1)
    assert [s["state"] for s in sign_off["signatories"]] == ["outstanding", "signed", "outstanding"]
    assert len(sign_off["void"]) == 1


def test_a_signatory_returns_it_with_a_reason(session: Session, client: TestClient) -> None:
    signers, content_hash = _submitted(session)
    assert _sign(client, signers[Role.DCS], Role.DCS, content_hash).status_code == 201
    blank = client.post(f"{SEF}/returns", headers=signers[Role.CHIEF_EXECUTIVE],
                        json={"role": "chief_executive", "content_hash": content_hash, "reason": " "})  # fmt: skip
    assert blank.status_code == 422
    assert [p["field"] for p in blank.json()["error"]["problems"]] == ["reason"]
    assert _count(session, SefSignOffEvent) == 1
    reason = "The workforce chapter understates agency use."
    returned = client.post(f"{SEF}/returns", headers=signers[Role.CHIEF_EXECUTIVE],
                           json={"role": "chief_executive", "content_hash": content_hash, "reason": reason})  # fmt: skip
    assert returned.status_code == 201, returned.text
    body = returned.json()
    assert (body["decision"], body["role"], body["reason"], body["version"], body["statement"]) == (
        "returned", "chief_executive", reason, 6, "")  # fmt: skip
    sef = client.get(SEF, headers=signers[Role.DCS]).json()
    assert sef["state"] == "draft"
    assert [
        (r["role"], r["signatory_name"], r["reason"], r["version"])
        for r in sef["sign_off"]["returns"]
    ] == [("chief_executive", "Cleo Chief", reason, 6)]
    assert [(v["role"], v["version"]) for v in sef["sign_off"]["void"]] == [("dcs", 6)]


def test_a_blank_reason_is_422_in_the_self_evaluations_own_words(
    session: Session, client: TestClient
) -> None:
    signers, content_hash = _submitted(session)
    blank = client.post(f"{SEF}/returns", headers=signers[Role.CHIEF_EXECUTIVE],
                        json={"role": "chief_executive", "content_hash": content_hash, "reason": ""})  # fmt: skip
    assert blank.json()["error"]["problems"] == [
        {"field": "reason", "message": "Say why you are returning the self-evaluation, in under 2,000 characters"}
    ]  # fmt: skip
    missing = client.post(
        f"{SEF}/scrutiny/comments", headers=signers[Role.DCS], json={"chapter_id": "workforce"}
    )
    assert missing.json()["error"]["problems"] == [
        {"field": "body", "message": "Enter your comment, in under 5,000 characters"}
    ]


def test_scrutiny_through_the_api(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle = f.open_cycle(session)
    form_proposed_triads(session, cycle)
    _, people = signed_sef(session, cycle)
    _, peer_headers = _person(session, Role.DCS, org=DERBYSHIRE, name="Pat Peer")
    _, outsider = _person(session, Role.DCS, org=LEICESTER, name="Olly Outsider")
    _, risl = _person(session, Role.RISL, region=f.REGION, name="Rae Risl")
    _, boss = _person(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora")
    derby = f.token_for(session, session.get(User, people[Role.DCS].user_id))
    session.commit()
    comment = {"chapter_id": "workforce", "body": "Agency use looks higher than stated.",
               "challenged_grade": "requires_improvement"}  # fmt: skip
    posted = client.post(f"{SEF}/scrutiny/comments", json=comment, headers=peer_headers)
    assert posted.status_code == 201, posted.text
    made = posted.json()
    assert {k: made[k] for k in comment} == comment
    assert (made["author_name"], made["author_affiliation"]) == ("Pat Peer", "DCS, Derbyshire")
    assert made["challenged_grade_label"] == "Requires improvement to be good"
    refused = client.post(f"{SEF}/scrutiny/comments", json=comment, headers=outsider)
    assert _error(refused, 403) == (
        "Derby's signed self-evaluation is shared only with Derby, its scrutineers and the "
        "regional coordinator."
    )
    answer = {"body": "Agreed; our plan addresses it."}
    responded = client.post(
        f"{SEF}/scrutiny/comments/{made['id']}/response", json=answer, headers=derby
    )
    assert responded.status_code == 201, responded.text
    assert (responded.json()["comment_id"], responded.json()["body"]) == (
        made["id"],
        answer["body"],
    )
    twice = client.post(
        f"{SEF}/scrutiny/comments/{made['id']}/response", json=answer, headers=derby
    )
    assert _error(twice, 409) == "This comment has already been responded to."

    # The RISL reads the signed text but not the challenge.
    assert client.get(SEF, headers=risl).status_code == 200
    assert _error(client.get(f"{SEF}/scrutiny", headers=risl), 403) == (
        "Scrutiny of Derby's self-evaluation is seen only by Derby, its scrutineers and the "
        "regional coordinator."
    )
    threads = client.get(f"{SEF}/scrutiny", headers=peer_headers).json()
    assert threads["state"] == "signed"
    assert [(t["comment"]["body"], t["response"]["body"]) for t in threads["threads"]] == [
        (comment["body"], answer["body"])
    ]

    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 20))  # a day past the due day
    tracker = client.get(f"{API}/tracker", headers=boss).json()
    assert tracker["due_on"] == "2026-12-19" and len(tracker["rows"]) == 10
    row = tracker["rows"][0]
    assert (row["la_code"], row["state"], row["versions"], row["submitted_version"]) == (
        DERBY,
        "signed",
        6,
        6,
    )
    assert (row["comments"], row["unanswered"], row["late"]) == (1, 0, False)
    assert [s["state"] for s in row["signatories"]] == ["signed"] * 3
    assert all(r["late"] and r["state"] == "draft" for r in tracker["rows"][1:])
    assert _error(client.get(f"{API}/tracker", headers=derby), 403) == (
        "You cannot track this region's self-evaluations: none of your roles allows it. Ask your "
        "regional coordinator if you think you should."
    )

    closed = client.post(f"{SEF}/scrutiny/close", headers=boss)
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "scrutiny_closed" and closed.json()["scrutiny_closed_at"]
    assert len(closed.json()["threads"]) == 1
    assert client.get(SEF, headers=derby).json()["state"] == "scrutiny_closed"


# --- who may write, sign and read Derby's self-evaluation ---------------------------------------

# name: (role, organisation, region)
PEOPLE: dict[str, tuple[Role, str | None, str | None]] = {
    "service admin": (Role.SERVICE_ADMIN, None, None),
    "coordinator": (Role.REGIONAL_COORDINATOR, None, "east-midlands"),
    "London coordinator": (Role.REGIONAL_COORDINATOR, None, "london"),
    "Derby DCS": (Role.DCS, DERBY, None),
    "Derby lead member": (Role.LEAD_MEMBER, DERBY, None),
    "Derby chief executive": (Role.CHIEF_EXECUTIVE, DERBY, None),
    "Derby data lead": (Role.DATA_LEAD, DERBY, None),
    "Derby contributor": (Role.CONTRIBUTOR, DERBY, None),  # assigned the help chapter
    "Derby contributor, unassigned": (Role.CONTRIBUTOR, DERBY, None),
    "Derbyshire DCS": (Role.DCS, DERBYSHIRE, None),  # a triad peer
    "Derbyshire lead member": (Role.LEAD_MEMBER, DERBYSHIRE, None),
    "Leicester DCS": (Role.DCS, LEICESTER, None),
    "Leicester chief executive": (Role.CHIEF_EXECUTIVE, LEICESTER, None),
    "Leicester data lead": (Role.DATA_LEAD, LEICESTER, None),
    "Leicester contributor": (Role.CONTRIBUTOR, LEICESTER, None),
    "Trust chief executive": (Role.CHIEF_EXECUTIVE, TRUST, None),
    "triad reviewer": (Role.TRIAD_REVIEWER, None, "east-midlands"),
    "lead DCS": (Role.LEAD_DCS, None, "east-midlands"),
    "lead lead member": (Role.LEAD_LEAD_MEMBER, None, "east-midlands"),
    "lead chief executive": (Role.LEAD_CHIEF_EXECUTIVE, None, "east-midlands"),
    "RISL": (Role.RISL, None, "east-midlands"),
    "moderator": (Role.MODERATOR, None, "east-midlands"),
}
DERBY_PEOPLE = {name for name in PEOPLE if name.startswith("Derby ")}
CAN_WRITE = {"Derby DCS", "Derby contributor"}
CAN_SIGN = {("Derby DCS", Role.DCS), ("Derby lead member", Role.LEAD_MEMBER),
            ("Derby chief executive", Role.CHIEF_EXECUTIVE)}  # fmt: skip
READS_DRAFT = DERBY_PEOPLE | {"coordinator"}
READS_SIGNED = READS_DRAFT | {"Derbyshire DCS", "RISL"}
# Those without the action in East Midlands at all are refused before the self-evaluation is read.
HAVE_EDIT = {n for n, (role, _, region) in PEOPLE.items()
             if role in (Role.DCS, Role.CONTRIBUTOR, Role.DATA_LEAD)}  # fmt: skip
HAVE_SIGN = {n for n, (role, _, _) in PEOPLE.items() if role in SIGNATORY_ROLES}


def _none_allows(what: str) -> str:
    return f"You cannot {what}: none of your roles allows it. Ask your regional coordinator if you think you should."


DRAFT_UNSEEN = ("Derby's self-evaluation is still being written. Until it is signed it is seen only by "
                "Derby's own people and the regional coordinator.")  # fmt: skip
SIGNED_UNSEEN = ("Derby's signed self-evaluation is shared only with Derby, its scrutineers and the "
                 "regional coordinator.")  # fmt: skip
NOT_YOURS = (f"You cannot write '{HELP}': the DCS writes every chapter, and other people only the "
             "chapters the DCS has assigned to them.")  # fmt: skip


def _write_refusal(name: str) -> str:
    if name not in HAVE_EDIT:
        return _none_allows("write this authority's self-evaluation")
    return NOT_YOURS if name in DERBY_PEOPLE else DRAFT_UNSEEN


def _sign_refusal(name: str, role: Role) -> str:
    if name not in HAVE_SIGN:
        return _none_allows("sign this authority's self-evaluation")
    return (f"You cannot sign this authority's self-evaluation: you are not recorded as its "
            f"{role.label}. Ask your regional coordinator to check your role.")  # fmt: skip


def _read_refusal(name: str, unseen: str) -> str:
    return _none_allows("see this self-evaluation") if name == "London coordinator" else unseen


def test_exactly_who_may_write_sign_and_read_derbys_self_evaluation(
    session: Session, client: TestClient
) -> None:
    assert {role for role, _, _ in PEOPLE.values()} == set(Role)
    cycle = f.open_cycle(session)
    form_proposed_triads(session, cycle)
    users = {name: f.make_user(session, role, organisation=org, region=region, name=name)
             for name, (role, org, region) in PEOPLE.items()}  # fmt: skip
    tokens = {name: f.token_for(session, user) for name, user in users.items()}
    dcs = f.principal(session, users["Derby DCS"])
    write_all(session, cycle, DERBY, dcs)
    contributors.assign(session, dcs, cycle, DERBY,
                   AssignInput(chapter_id="help-and-protection", user_id=users["Derby contributor"].id))  # fmt: skip
    session.commit()

    written: list[str] = []
    for name in PEOPLE:
        base = _latest(session).number
        response = client.put(f"{SEF}/chapters/help-and-protection", headers=tokens[name],
                              json=_body(base, f" by {name}"))  # fmt: skip
        if name in CAN_WRITE:
            assert response.status_code == 200, (name, response.text)
            written.append(name)
        else:
            assert _error(response, 403) == _write_refusal(name), name
            assert response.json()["error"]["type"] == "NotPermitted"
    assert written == ["Derby DCS", "Derby contributor"]
    assert _latest(session).number == 8 and _latest(session).created_by_name == "Derby contributor"

    for name in PEOPLE:
        response = client.get(SEF, headers=tokens[name])
        if name in READS_DRAFT:
            assert response.status_code == 200 and response.json()["state"] == "draft", name
        else:
            assert _error(response, 403) == _read_refusal(name, DRAFT_UNSEEN), name
        listed = client.get(API, headers=tokens[name])
        if name == "London coordinator":
            assert _error(listed, 403) == _none_allows("see this self-evaluation")
        else:
            seen = DERBY in [s["la_code"] for s in listed.json()]
            assert seen is (name in READS_DRAFT), name

    submitted = submit_latest(session, cycle, DERBY, dcs)
    session.commit()
    signed: list[tuple[str, Role]] = []
    for name in PEOPLE:
        for role in SIGNATORY_ROLES:
            response = _sign(client, tokens[name], role, submitted.content_hash)
            if (name, role) in CAN_SIGN:
                assert response.status_code == 201, (name, response.text)
                signed.append((name, role))
            else:
                assert _error(response, 403) == _sign_refusal(name, role), (name, role)
    assert set(signed) == CAN_SIGN
    stored = session.execute(select(SefSignOffEvent.signatory_name, SefSignOffEvent.role)).all()
    assert sorted(stored) == sorted((name, role.value) for name, role in CAN_SIGN)

    for name in PEOPLE:
        response = client.get(SEF, headers=tokens[name])
        if name in READS_SIGNED:
            assert response.status_code == 200, name
            assert response.json()["state"] == "signed"
            assert response.json()["latest_version"]["content_hash"] == submitted.content_hash
        else:
            assert _error(response, 403) == _read_refusal(name, SIGNED_UNSEEN), name


HISTORY_UNSEEN = ("Earlier versions of Derby's self-evaluation are seen only by Derby's own people "
                  "and the regional coordinator; you can read the signed version.")  # fmt: skip
RETURN_REASON = "The workforce chapter understates agency use."
REVISED = "We know our practice well revised.\n\nAudits show it."


def _signed_after_a_return(session: Session) -> tuple[dict[str, dict[str, str]], str, str]:
    """Derby: workforce assigned to a contributor; written (1-6); signed by its DCS, returned by
    its Chief Executive (the DCS's signature void); edited (7), signed. Readers' tokens, the
    signed hash and the contributor's email."""
    cycle = f.open_cycle(session)
    form_proposed_triads(session, cycle)
    names = {Role.DCS: "Dana Director", Role.LEAD_MEMBER: "Lee Member",
             Role.CHIEF_EXECUTIVE: "Cleo Chief"}  # fmt: skip
    signers = {role: f.principal(session, f.make_user(session, role, organisation=DERBY,
                                                       name=names[role]))
               for role in SIGNATORY_ROLES}  # fmt: skip
    dana = signers[Role.DCS]
    cal = f.make_user(session, Role.CONTRIBUTOR, organisation=DERBY, name="Cal Contributor")
    contributors.assign(session, dana, cycle, DERBY,
                        AssignInput(chapter_id="workforce", user_id=cal.id))  # fmt: skip
    write_all(session, cycle, DERBY, dana)
    first = submit_latest(session, cycle, DERBY, dana)
    sign_as(session, cycle, DERBY, dana, Role.DCS, first.content_hash)
    signoff.return_for_changes(session, signers[Role.CHIEF_EXECUTIVE], cycle, DERBY,
                               ReturnSefInput(role=Role.CHIEF_EXECUTIVE,
                                              content_hash=first.content_hash,
                                              reason=RETURN_REASON))  # fmt: skip
    service.save_chapter(session, dana, cycle, DERBY, "workforce", chapter_input(6, " revised"))
    final = submit_latest(session, cycle, DERBY, dana)
    for role, who in signers.items():
        sign_as(session, cycle, DERBY, who, role, final.content_hash)
    readers = {"Derby data lead": (Role.DATA_LEAD, DERBY, None),
               "coordinator": (Role.REGIONAL_COORDINATOR, None, "east-midlands"),
               "Derbyshire DCS": (Role.DCS, DERBYSHIRE, None),  # a triad peer: a scrutineer
               "RISL": (Role.RISL, None, "east-midlands")}  # fmt: skip
    tokens = {name: _person(session, role, org=org, region=region, name=name)[1]
              for name, (role, org, region) in readers.items()}  # fmt: skip
    session.commit()
    return tokens, final.content_hash, cal.email


def test_scrutineers_and_the_risl_get_the_signed_version_and_none_of_its_history(
    session: Session, client: TestClient
) -> None:
    tokens, signed_hash, _ = _signed_after_a_return(session)
    for name in ["Derbyshire DCS", "RISL"]:
        headers = tokens[name]
        listed = client.get(f"{SEF}/versions", headers=headers)
        assert listed.status_code == 200, (name, listed.text)
        assert [(v["number"], v["content_hash"]) for v in listed.json()] == [(7, signed_hash)]
        for path in (f"{SEF}/versions/1", f"{SEF}/versions/6", f"{SEF}/versions/99",
                     f"{SEF}/compare?a=6&b=7", f"{SEF}/compare?a=1&b=2"):  # fmt: skip
            refused = client.get(path, headers=headers)
            assert _error(refused, 403) == HISTORY_UNSEEN, (name, path)
            assert refused.json()["error"]["type"] == "NotPermitted"
        signed = client.get(f"{SEF}/versions/7", headers=headers)
        assert signed.status_code == 200, (name, signed.text)
        assert (signed.json()["number"], signed.json()["content_hash"]) == (7, signed_hash)
        workforce = next(c for c in signed.json()["chapters"] if c["chapter_id"] == "workforce")
        assert workforce["sections"]["narrative"] == REVISED
        sef = client.get(SEF, headers=headers).json()
        assert (sef["state"], sef["latest_version"]["number"]) == ("signed", 7)
        sign_off = sef["sign_off"]
        # No return, no reason and no void signature outside the authority: the drafts' history.
        assert sign_off["returns"] == [] and sign_off["void"] == []
        schedule = [(s["signatory_name"], s["state"], s["content_hash"])
                    for s in sign_off["signatories"]]  # fmt: skip
        assert schedule == [("Dana Director", "signed", signed_hash),
                            ("Lee Member", "signed", signed_hash),
                            ("Cleo Chief", "signed", signed_hash)]  # fmt: skip
        hidden = [("workforce", "Cal Contributor", None)]
        assert [(c["chapter_id"], c["name"], c["email"]) for c in sef["contributors"]] == hidden
        people = client.get(f"{SEF}/contributors", headers=headers).json()
        assert [(c["chapter_id"], c["name"], c["email"]) for c in people] == hidden


def test_the_authority_and_its_coordinator_still_read_the_whole_history(
    session: Session, client: TestClient
) -> None:
    tokens, signed_hash, cal_email = _signed_after_a_return(session)
    for name in ["Derby data lead", "coordinator"]:
        headers = tokens[name]
        listed = client.get(f"{SEF}/versions", headers=headers).json()
        assert [v["number"] for v in listed] == [7, 6, 5, 4, 3, 2, 1], name
        one = client.get(f"{SEF}/versions/1", headers=headers)
        assert one.status_code == 200 and one.json()["number"] == 1, (name, one.text)
        missing = client.get(f"{SEF}/versions/99", headers=headers)
        assert _error(missing, 404) == "There is no version 99 of this self-evaluation."
        compared = client.get(f"{SEF}/compare?a=7&b=6", headers=headers)
        assert compared.status_code == 200, (name, compared.text)
        body = compared.json()
        assert (body["older"]["number"], body["newer"]["number"]) == (6, 7)
        assert [c["chapter_id"] for c in body["chapters"] if c["changed"]] == ["workforce"]
        sef = client.get(SEF, headers=headers).json()
        assert [(r["role"], r["signatory_name"], r["reason"], r["version"])
                for r in sef["sign_off"]["returns"]] == [
            ("chief_executive", "Cleo Chief", RETURN_REASON, 6)]  # fmt: skip
        shown = [("workforce", "Cal Contributor", cal_email)]
        assert [(c["chapter_id"], c["name"], c["email"]) for c in sef["contributors"]] == shown
        people = client.get(f"{SEF}/contributors", headers=headers).json()
        assert [(c["chapter_id"], c["name"], c["email"]) for c in people] == shown


def test_the_openapi_schema_lists_the_self_evaluation_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    base = "/api/v1/regions/{region_id}/cycles/{year}/self-evaluations"
    expected = {
        base: {"get"},
        base + "/tracker": {"get"},
        base + "/{la_code}": {"get"},
        base + "/{la_code}/versions": {"get"},
        base + "/{la_code}/versions/{number}": {"get"},
        base + "/{la_code}/compare": {"get"},
        base + "/{la_code}/chapters/{chapter_id}": {"put"},
        base + "/{la_code}/contributors": {"get", "post"},
        base + "/{la_code}/contributors/{contributor_id}": {"delete"},
        base + "/{la_code}/submit": {"post"},
        base + "/{la_code}/signatures": {"post"},
        base + "/{la_code}/returns": {"post"},
        base + "/{la_code}/scrutiny": {"get"},
        base + "/{la_code}/scrutiny/comments": {"post"},
        base + "/{la_code}/scrutiny/comments/{comment_id}/response": {"post"},
        base + "/{la_code}/scrutiny/close": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) == methods, (path, set(paths[path]))
        for method in methods:
            assert paths[path][method]["tags"] == ["self-evaluations"]

    def request_schema(path: str, method: str) -> str:
        ref: str = paths[path][method]["requestBody"]["content"]["application/json"]["schema"][
            "$ref"
        ]
        return ref.rsplit("/", 1)[1]

    assert request_schema(base + "/{la_code}/chapters/{chapter_id}", "put") == "ChapterInput"
    assert request_schema(base + "/{la_code}/contributors", "post") == "AssignInput"
    assert request_schema(base + "/{la_code}/submit", "post") == "SubmitInput"
    assert request_schema(base + "/{la_code}/signatures", "post") == "SignSefInput"
    assert request_schema(base + "/{la_code}/returns", "post") == "ReturnSefInput"
    assert request_schema(base + "/{la_code}/scrutiny/comments", "post") == "CommentInput"
    assert (
        request_schema(base + "/{la_code}/scrutiny/comments/{comment_id}/response", "post")
        == "ResponseInput"
    )
    put = paths[base + "/{la_code}/chapters/{chapter_id}"]["put"]["responses"]
    assert put["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ConflictOut")
    components = schema["components"]["schemas"]
    assert set(components["ConflictBody"]["properties"]) == {
        "type", "title", "message", "field", "latest_version", "chapter"}  # fmt: skip
    assert set(components["SefOut"]["properties"]) >= {"state", "template_id", "latest_version",
                                                       "sign_off", "contributors"}  # fmt: skip
    sign_off = components["SefOut"]["properties"]["sign_off"]["description"]
    assert (
        "`returns` (with their reasons) is empty unless you are one of the authority's" in sign_off
    )
    assert components["ContributorOut"]["properties"]["email"]["description"] == (
        "Null unless you are one of the authority's own people or the regional coordinator"
    )
