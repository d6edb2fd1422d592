"""Sign-in with Microsoft Entra ID against a local identity provider with a real RSA key."""

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy.orm import Session

from app.auth import accounts
from app.auth.pages import entra_http
from app.settings import get_settings
from tests import factories as f

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-2222-3333-4444-555555555555"
CLIENT_ID = "riia-client-id"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})


@pytest.fixture
def entra_on(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "oidc_client_id", CLIENT_ID)
    monkeypatch.setattr(settings, "oidc_client_secret", "local-test-secret")
    monkeypatch.setattr(settings, "oidc_allowed_tenants", [TENANT])


def _id_token(
    nonce: str,
    *,
    tenant: str = TENANT,
    oid: str = "oid-1",
    aud: str = CLIENT_ID,
    issuer: str | None = None,
    key: RSAKey = KEY,
) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer or f"https://login.microsoftonline.com/{tenant}/v2.0",
        "aud": aud,
        "tid": tenant,
        "oid": oid,
        "nonce": nonce,
        "iat": now,
        "exp": now + 300,
        "name": "Alex Entra",
        "preferred_username": "alex@council.example",
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _provider(app: FastAPI, make_token) -> dict[str, object]:  # type: ignore[no-untyped-def]
    seen: dict[str, object] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            form = parse_qs(request.content.decode())
            seen["verifier"] = form["code_verifier"][0]
            return httpx.Response(200, json={"id_token": make_token(seen["nonce"])})
        if request.url.path.endswith("/keys"):
            return httpx.Response(200, json={"keys": [KEY.as_dict(private=False)]})
        return httpx.Response(404)

    def client() -> Iterator[httpx.Client]:
        with httpx.Client(transport=httpx.MockTransport(handler)) as http:
            yield http

    app.dependency_overrides[entra_http] = client
    return seen


def _begin(client: TestClient, seen: dict[str, object]) -> str:
    started = client.get("/sign-in/entra")
    assert started.status_code == 303
    location = urlsplit(started.headers["location"])
    assert location.netloc == "login.microsoftonline.com"
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    seen["nonce"] = query["nonce"][0]
    return query["state"][0]


def test_a_linked_person_signs_in_with_microsoft(
    entra_on: None, app: FastAPI, client: TestClient, session: Session
) -> None:
    user = f.make_user(session, name="Alex Entra")
    accounts.link_entra(session, user, TENANT, "oid-1")
    seen = _provider(app, lambda nonce: _id_token(nonce))
    state = _begin(client, seen)
    done = client.get(f"/sign-in/entra/callback?code=abc&state={state}")
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert len(str(seen["verifier"])) >= 43
    home = client.get("/")
    assert home.status_code == 200 and "Your improvement cycles" in home.text


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda n: _id_token(n, tenant=OTHER_TENANT), "tenant is not set up"),
        (lambda n: _id_token(n, aud="someone-else"), "not valid for this service"),
        (
            lambda n: _id_token(n, issuer="https://login.microsoftonline.com/common/v2.0"),
            "not valid",
        ),
        (lambda n: _id_token("a-different-nonce"), "not valid"),
        (
            lambda n: _id_token(n, key=RSAKey.generate_key(2048, parameters={"kid": "test-key"})),
            "could not be verified",
        ),
        (lambda n: _id_token(n, oid="oid-unlinked"), "has not been set up in RIIA Cycle"),
    ],
)
def test_untrusted_tokens_and_unlinked_people_are_refused(
    entra_on: None,
    app: FastAPI,
    client: TestClient,
    session: Session,
    make,
    words: str,  # type: ignore[no-untyped-def]
) -> None:
    user = f.make_user(session)
    accounts.link_entra(session, user, TENANT, "oid-1")
    seen = _provider(app, make)
    state = _begin(client, seen)
    refused = client.get(f"/sign-in/entra/callback?code=abc&state={state}")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/sign-in")
    assert client.get("/").status_code == 303  # still not signed in


def test_a_forged_state_is_refused(
    entra_on: None, app: FastAPI, client: TestClient, session: Session
) -> None:
    seen = _provider(app, lambda nonce: _id_token(nonce))
    _begin(client, seen)
    refused = client.get("/sign-in/entra/callback?code=abc&state=forged")
    assert refused.status_code == 303 and "verifier" not in seen


def test_microsoft_sign_in_is_off_unless_configured(client: TestClient) -> None:
    response = client.get("/sign-in/entra")
    assert response.status_code == 404
    assert "not set up" in response.text
