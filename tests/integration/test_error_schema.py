"""Every JSON API error body matches the ErrorOut schema the OpenAPI document publishes.

Collected from bad requests across the API, one or more for each status it answers with (the
service has no 415 or 429: a body of the wrong type is a 422 naming it, and there is no rate
limit). Before issue 9 a validation 422 had no `field`, an unknown path's 404 no `title`, and
the 413 was plain text.
"""

from typing import Any

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from app.auth.roles import Role
from tests import factories as f

DERBY = "E06000015"
API = "/api/v1/regions/east-midlands/cycles"
CYCLE = API + "/2026-27"
SEF = CYCLE + "/self-evaluations/" + DERBY
UPLOAD = "/api/v1/regions/east-midlands/returns/2026-27-q1/upload"


def _validator(client: TestClient) -> Draft202012Validator:
    document = client.get("/openapi.json").json()
    schema = {"$ref": "#/components/schemas/ErrorOut", "components": document["components"]}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _bad_requests(session: Session, client: TestClient) -> list[tuple[str, Any, int, str | None]]:
    """(what, response, expected status, expected field) for each kind of refusal."""
    boss = f.token_for(session, f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION))
    dcs = f.token_for(session, f.make_user(session, Role.DCS, organisation=DERBY))
    lead = f.token_for(session, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    session.commit()
    assert client.post(API, json={"year": "2026-27"}, headers=boss).status_code == 201
    return [
        (
            "unreadable body",
            client.post(API, content=b"\xff", headers={**boss, "content-type": "application/json"}),
            400,
            None,
        ),
        ("no token", client.get(API), 401, None),
        ("unknown token", client.get(API, headers={"Authorization": "Bearer riia_x"}), 401, None),
        ("wrong role", client.post(API, json={"year": "2027-28"}, headers=dcs), 403, None),
        ("no such cycle", client.get(API + "/2030-31", headers=boss), 404, None),
        ("no such address", client.get("/api/v1/nothing-here", headers=boss), 404, None),
        ("huge version", client.get(SEF + f"/versions/{2**63}", headers=boss), 404, None),
        ("wrong method", client.patch(API, headers=boss), 405, None),
        ("open twice", client.post(API, json={"year": "2026-27"}, headers=boss), 409, "year"),
        (
            "too large",
            client.post(API, content=b"{" + b" " * (2 * 1024 * 1024), headers=boss),
            413,
            None,
        ),
        ("upload without a file", client.post(UPLOAD, headers=lead), 422, "file"),
        (
            "file with problems",
            client.post(UPLOAD, files={"file": ("q1.csv", b"la_code\r\nXX\r\n")}, headers=lead),
            422,
            "file",
        ),
        ("bad body field", client.post(API, json={"year": "2026"}, headers=boss), 422, "year"),
        (
            "not JSON",
            client.post(
                API, content=b"year=2026-27", headers={**boss, "content-type": "text/plain"}
            ),
            422,
            "body",
        ),
        ("huge query number", client.get(SEF + f"/compare?a=1&b={2**64}", headers=boss), 422, "b"),
    ]


def test_every_error_body_matches_the_published_schema(
    session: Session, client: TestClient
) -> None:
    validator = _validator(client)
    for what, response, status, field in _bad_requests(session, client):
        assert response.status_code == status, (what, response.text)
        assert response.headers["content-type"] == "application/json", what
        body = response.json()
        problems = [e.message for e in validator.iter_errors(body)]
        assert problems == [], (what, body, problems)
        assert body["error"]["field"] == field, (what, body)


def test_every_operation_documents_its_errors_with_that_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 40
    for path, method, operation in operations:
        for status in ("400", "401", "403", "404", "409", "413", "422"):
            content = operation["responses"][status]["content"]["application/json"]
            reference = content["schema"]["$ref"].rsplit("/", 1)[-1]
            # A fuller body of its own (a stale save's newer text)
            # still carries every field of ErrorOut.
            assert reference in {"ErrorOut", "ConflictOut"}, (path, method, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_fuller_error_body_is_an_error_body(client: TestClient) -> None:
    name = "ConflictOut"
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    fuller = schemas[schemas[name]["properties"]["error"]["$ref"].rsplit("/", 1)[-1]]
    plain = schemas["ErrorBody"]
    assert set(plain["required"]) <= set(fuller["required"])
    for key in plain["required"]:
        assert key in fuller["properties"], (name, key)
