"""The whole MoU stage through /api/v1 with personal bearer tokens, and how the API refuses."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import accounts
from app.auth.principal import load_principal
from app.auth.roles import Role
from app.models import AuditEvent, Cycle, MouSignatureEvent, MouVersion, OutboxMessage, User
from app.reference import get_reference
from tests import factories as f

DERBY = "E06000015"
TRUST = "northamptonshire-childrens-trust"
API = "/api/v1/regions/east-midlands/cycles"
CYCLE = API + "/2026-27"
MOU = CYCLE + "/mou"
TITLE = "East Midlands RIIA: Memorandum of Understanding 2026-27"
BODY = "# Purpose\nWe agree to share data.\n\n- Derby\n- Rutland"
STAGES = [
    "mou",
    "quarterly_returns",
    "self_evaluation",
    "triad_challenge",
    "la_development_plan",
    "capacity_index",
    "annual_assurance_conversation",
    "regional_plan",
]


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _coordinator(session: Session) -> tuple[User, dict[str, str]]:
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    return user, f.token_for(session, user)


def _open_and_publish(client: TestClient, headers: dict[str, str]) -> str:
    assert client.post(API, json={"year": "2026-27"}, headers=headers).status_code == 201
    draft = client.put(MOU + "/draft", json={"title": TITLE, "body": BODY}, headers=headers)
    assert draft.status_code == 200, draft.text
    content_hash: str = draft.json()["content_hash"]
    published = client.post(MOU + "/publish", json={"content_hash": content_hash}, headers=headers)
    assert published.status_code == 200, published.text
    return content_hash


def test_the_whole_mou_stage_through_the_api(session: Session, client: TestClient) -> None:
    _, boss = _coordinator(session)
    # Every signatory of every organisation, each with a personal token.
    signatories: list[tuple[str, Role, dict[str, str]]] = []
    for organisation in get_reference().regions[f.REGION].organisations:
        for role in organisation.signing_roles:
            user = f.make_user(session, role, organisation=organisation.code)
            signatories.append((organisation.code, role, f.token_for(session, user)))
    assert len(signatories) == 31
    session.commit()

    opened = client.post(API, json={"year": "2026-27"}, headers=boss)
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert body["region_id"] == "east-midlands" and body["year"] == "2026-27"
    assert [s["stage"] for s in body["calendar"]] == STAGES
    mou_window = body["calendar"][0]
    assert mou_window == {
        "stage": "mou",
        "label": "Memorandum of Understanding",
        "opens_on": "2026-04-01",
        "closes_on": "2026-05-31",
    }

    missing = client.get(MOU + "/draft", headers=boss)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == (
        "There is no draft. Save one with PUT to start from the region's template."
    )

    saved = client.put(MOU + "/draft", json={"title": TITLE, "body": BODY}, headers=boss)
    assert saved.status_code == 200, saved.text
    draft = saved.json()
    assert (draft["number"], draft["state"], draft["revision"], draft["title"]) == (
        1,
        "draft",
        1,
        TITLE,
    )
    assert draft["blocks"] == [
        {"kind": "heading", "text": "Purpose", "items": None},
        {"kind": "paragraph", "text": "We agree to share data.", "items": None},
        {"kind": "list", "text": None, "items": ["Derby", "Rutland"]},
    ]
    assert client.get(MOU + "/draft", headers=boss).json()["content_hash"] == draft["content_hash"]

    published = client.post(
        MOU + "/publish", json={"content_hash": draft["content_hash"]}, headers=boss
    )
    assert published.status_code == 200, published.text
    assert (published.json()["state"], published.json()["number"]) == ("published", 1)
    assert published.json()["published_at"] is not None
    content_hash = draft["content_hash"]

    # Derby's DCS first declines, saying why.
    derby_dcs = next(h for code, role, h in signatories if (code, role) == (DERBY, Role.DCS))
    declined = client.post(
        MOU + "/declines",
        headers=derby_dcs,
        json={
            "organisation_code": DERBY,
            "role": "dcs",
            "content_hash": content_hash,
            "reason": "Our lawyers have not read it yet.",
        },
    )
    assert declined.status_code == 201, declined.text
    assert declined.json()["decision"] == "declined"

    status = client.get(MOU, headers=boss).json()
    assert (status["in_force"], status["signed"], status["required"]) == (False, 0, 31)
    assert status["in_force_since"] is None
    derby = {s["role"]: s for s in status["signatories"] if s["organisation_code"] == DERBY}
    assert derby["dcs"]["state"] == "declined"
    assert derby["dcs"]["reason"] == "Our lawyers have not read it yet."
    assert derby["lead_member"]["state"] == "outstanding"

    reminded = client.post(MOU + "/reminders", headers=boss)
    assert reminded.status_code == 200, reminded.text
    assert reminded.json() == {"queued": 31}
    assert _count(session, OutboxMessage) == 31

    # Everyone signs, the Derby DCS included (a decline can be followed by a signature).
    for number, (code, role, headers) in enumerate(signatories, start=1):
        signed = client.post(
            MOU + "/signatures",
            headers=headers,
            json={
                "organisation_code": code,
                "role": role.value,
                "content_hash": content_hash,
                "confirm": True,
            },
        )
        assert signed.status_code == 201, signed.text
        assert signed.json()["decision"] == "signed"
        assert signed.json()["content_hash"] == content_hash
        if number == 30:
            status = client.get(MOU, headers=boss).json()
            assert (status["in_force"], status["signed"], status["required"]) == (False, 30, 31)
    status = client.get(MOU, headers=boss).json()
    assert (status["in_force"], status["signed"], status["required"]) == (True, 31, 31)
    assert status["in_force_since"] is not None
    derby = {s["role"]: s for s in status["signatories"] if s["organisation_code"] == DERBY}
    assert derby["dcs"]["statement"] == (
        "I sign this Memorandum of Understanding on behalf of Derby as its Director of Children's Services."
    )

    nobody = client.post(MOU + "/reminders", headers=boss)
    assert nobody.status_code == 409
    assert nobody.json()["error"]["message"] == "Everyone has signed: there is nobody to remind."

    calendar = client.put(
        CYCLE + "/calendar",
        headers=boss,
        json={"windows": {"mou": {"opens": "2026-04-07", "closes": "2026-06-12"}}},
    )
    assert calendar.status_code == 200, calendar.text
    assert calendar.json()["calendar"][0] == {
        "stage": "mou",
        "label": "Memorandum of Understanding",
        "opens_on": "2026-04-07",
        "closes_on": "2026-06-12",
    }
    assert client.get(CYCLE, headers=boss).json()["calendar"][0]["closes_on"] == "2026-06-12"

    history = client.get(CYCLE + "/history", headers=boss)
    assert history.status_code == 200
    assert (history.json()["total"], history.json()["pages"]) == (38, 1)
    assert history.json()["links"]["next"] is None
    events = history.json()["entries"]
    assert [e["action"] for e in events] == (
        ["cycle.calendar_changed", "mou.came_into_force"]
        + ["mou.signed"] * 31
        + ["mou.reminders_sent", "mou.declined", "mou.published", "mou.draft_saved", "cycle.opened"]
    )
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(sequences, reverse=True)
    assert events[-1]["actor"] == "Cora Coordinator"
    assert events[-1]["summary"] == "East Midlands 2026-27 cycle opened"
    assert events[0]["summary"] == "Calendar changed: Memorandum of Understanding"

    pdf = client.get(MOU + "/pack.pdf", headers=boss)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_no_token_is_refused_with_401_json(session: Session, client: TestClient) -> None:
    response = client.get(API)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["message"] == "Sign in to continue."
    wrong_scheme = client.post(
        API, json={"year": "2026-27"}, headers={"Authorization": "Basic abc"}
    )
    assert wrong_scheme.status_code == 401
    assert wrong_scheme.json()["error"]["type"] == "NotSignedIn"
    assert _count(session, Cycle) == 0


def test_a_revoked_token_is_refused(session: Session, client: TestClient) -> None:
    user, headers = _coordinator(session)
    assert client.get(API, headers=headers).status_code == 200
    token = accounts.tokens_of(session, user.id)[0]
    accounts.revoke_api_token(session, load_principal(session, user), token.id)
    session.commit()
    response = client.post(API, json={"year": "2026-27"}, headers=headers)
    assert response.status_code == 401
    assert (
        response.json()["error"]["message"]
        == "The API token is not recognised or has been revoked."
    )
    assert _count(session, Cycle) == 0


def test_an_unknown_token_is_refused(client: TestClient) -> None:
    response = client.get(API, headers={"Authorization": "Bearer riia_not-a-real-token"})
    assert response.status_code == 401
    assert (
        response.json()["error"]["message"]
        == "The API token is not recognised or has been revoked."
    )


def test_a_malformed_body_is_422_naming_the_field(session: Session, client: TestClient) -> None:
    _, boss = _coordinator(session)
    session.commit()
    bad_year = client.post(API, json={"year": "2026"}, headers=boss)
    assert bad_year.status_code == 422
    error = bad_year.json()["error"]
    assert error["problems"] == [{"field": "year", "message": "Enter the cycle year like 2026-27"}]
    assert error["message"] == "Enter the cycle year like 2026-27"
    assert _count(session, Cycle) == 0

    assert client.post(API, json={"year": "2026-27"}, headers=boss).status_code == 201
    no_body = client.put(MOU + "/draft", json={"title": TITLE}, headers=boss)
    assert no_body.status_code == 422
    assert no_body.json()["error"]["problems"] == [
        {"field": "body", "message": "Enter the text of the Memorandum, up to 50,000 characters"}
    ]
    extra = client.put(
        MOU + "/draft", json={"title": TITLE, "body": BODY, "colour": "red"}, headers=boss
    )
    assert extra.status_code == 422
    assert [p["field"] for p in extra.json()["error"]["problems"]] == ["colour"]
    not_json = client.put(
        MOU + "/draft", content=b"{not json", headers={**boss, "content-type": "application/json"}
    )
    assert not_json.status_code == 422
    assert not_json.json()["error"]["problems"]
    assert _count(session, MouVersion) == 0


def test_a_stale_content_hash_is_409_in_plain_words(session: Session, client: TestClient) -> None:
    _, boss = _coordinator(session)
    session.commit()
    assert client.post(API, json={"year": "2026-27"}, headers=boss).status_code == 201
    draft = client.put(MOU + "/draft", json={"title": TITLE, "body": BODY}, headers=boss).json()
    stale = client.post(MOU + "/publish", json={"content_hash": "a" * 64}, headers=boss)
    assert stale.status_code == 409
    assert stale.json()["error"]["message"] == (
        "The draft changed after you reviewed it. Review the latest draft, then publish."
    )
    assert session.execute(select(MouVersion.state)).scalars().all() == ["draft"]
    assert (
        client.post(
            MOU + "/publish", json={"content_hash": draft["content_hash"]}, headers=boss
        ).status_code
        == 200
    )

    dcs = f.make_user(session, Role.DCS, organisation=DERBY)
    dcs_headers = f.token_for(session, dcs)
    session.commit()
    wrong = client.post(
        MOU + "/signatures",
        headers=dcs_headers,
        json={"organisation_code": DERBY, "role": "dcs", "content_hash": "b" * 64, "confirm": True},
    )
    assert wrong.status_code == 409
    assert wrong.json()["error"]["message"] == (
        "The Memorandum was changed after you opened it, so your signature was not recorded. "
        "Read the current version, then sign."
    )
    assert _count(session, MouSignatureEvent) == 0


def test_signing_twice_is_409_and_one_signature_is_stored(
    session: Session, client: TestClient
) -> None:
    _, boss = _coordinator(session)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY)
    dcs_headers = f.token_for(session, dcs)
    session.commit()
    content_hash = _open_and_publish(client, boss)
    body = {
        "organisation_code": DERBY,
        "role": "dcs",
        "content_hash": content_hash,
        "confirm": True,
    }
    assert client.post(MOU + "/signatures", json=body, headers=dcs_headers).status_code == 201
    before = _count(session, AuditEvent)
    again = client.post(MOU + "/signatures", json=body, headers=dcs_headers)
    assert again.status_code == 409
    assert "already been signed" in again.json()["error"]["message"]
    stored = session.execute(select(MouSignatureEvent)).scalars().all()
    assert [(s.organisation_code, s.role, s.decision) for s in stored] == [(DERBY, "dcs", "signed")]
    assert _count(session, AuditEvent) == before

    unconfirmed = client.post(
        MOU + "/signatures", json={**body, "confirm": False}, headers=dcs_headers
    )
    assert unconfirmed.status_code == 422
    assert unconfirmed.json()["error"]["message"] == "Confirm the statement to sign the Memorandum"


def test_publish_with_no_draft_is_409(session: Session, client: TestClient) -> None:
    _, boss = _coordinator(session)
    session.commit()
    assert client.post(API, json={"year": "2026-27"}, headers=boss).status_code == 201
    before = _count(session, AuditEvent)
    response = client.post(MOU + "/publish", json={"content_hash": "c" * 64}, headers=boss)
    assert response.status_code == 409
    assert (
        response.json()["error"]["message"]
        == "There is no draft to publish. Edit the Memorandum first."
    )
    assert _count(session, AuditEvent) == before and _count(session, MouVersion) == 0


def test_a_decline_needs_a_reason(session: Session, client: TestClient) -> None:
    _, boss = _coordinator(session)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY)
    dcs_headers = f.token_for(session, dcs)
    session.commit()
    content_hash = _open_and_publish(client, boss)
    response = client.post(
        MOU + "/declines",
        headers=dcs_headers,
        json={
            "organisation_code": DERBY,
            "role": "dcs",
            "content_hash": content_hash,
            "reason": "  ",
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["problems"] == [
        {"field": "reason", "message": "Enter why you are declining, up to 2,000 characters"}
    ]
    assert _count(session, MouSignatureEvent) == 0


def test_the_openapi_schema_lists_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    base = "/api/v1/regions/{region_id}/cycles"
    expected = {
        base: {"post", "get"},
        base + "/{year}": {"get"},
        base + "/{year}/calendar": {"put"},
        base + "/{year}/history": {"get"},
        base + "/{year}/mou": {"get"},
        base + "/{year}/mou/draft": {"get", "put"},
        base + "/{year}/mou/publish": {"post"},
        base + "/{year}/mou/signatures": {"post"},
        base + "/{year}/mou/declines": {"post"},
        base + "/{year}/mou/reminders": {"post"},
        base + "/{year}/mou/pack.pdf": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))

    def request_schema(path: str, method: str) -> str:
        ref: str = paths[path][method]["requestBody"]["content"]["application/json"]["schema"][
            "$ref"
        ]
        return ref.rsplit("/", 1)[1]

    assert request_schema(base, "post") == "OpenCycleInput"
    assert request_schema(base + "/{year}/calendar", "put") == "CalendarInput"
    assert request_schema(base + "/{year}/mou/draft", "put") == "DraftInput"
    assert request_schema(base + "/{year}/mou/publish", "post") == "PublishInput"
    assert request_schema(base + "/{year}/mou/signatures", "post") == "SignInput"
    assert request_schema(base + "/{year}/mou/declines", "post") == "DeclineInput"
    components = schema["components"]["schemas"]
    assert set(components["SignInput"]["required"]) == {
        "organisation_code",
        "role",
        "content_hash",
        "confirm",
    }
    assert set(components["DraftInput"]["properties"]) == {"title", "body", "revision"}
    assert (
        "application/pdf"
        in paths[base + "/{year}/mou/pack.pdf"]["get"]["responses"]["200"]["content"]
    )
