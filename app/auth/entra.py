"""Sign-in with Microsoft Entra ID (OpenID Connect, multi-tenant, authorisation code + PKCE).

Councils sign in with their own Entra tenants. Only tenants on the allowlist are accepted, each
token's issuer must be that tenant's own issuer, and people are matched by (tenant id, object
id), never by email, because an email address can be reassigned. Nobody is created on the fly:
an administrator links an account first, so roles are never guessed.
"""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, NotSignedIn
from app.models import User, WebSession
from app.settings import Settings

AUTHORITY = "https://login.microsoftonline.com"
AUTHORIZE_URL = f"{AUTHORITY}/organizations/oauth2/v2.0/authorize"
TOKEN_URL = f"{AUTHORITY}/organizations/oauth2/v2.0/token"  # noqa: S105  (a URL, not a secret)
KEYS_URL = f"{AUTHORITY}/common/discovery/v2.0/keys"
CALLBACK_PATH = "/sign-in/entra/callback"
HANDSHAKE_SECONDS = 600


@dataclass(frozen=True)
class Identity:
    tenant_id: str
    object_id: str
    name: str
    email: str | None


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin(record: WebSession, settings: Settings) -> str:
    """Remember state, nonce and PKCE verifier in the server-side session; return Entra's URL."""
    if not settings.oidc_client_id:
        raise NotFound("Sign-in with Microsoft is not set up for this service.")
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    record.oidc_handshake = json.dumps(
        {"state": state, "nonce": nonce, "verifier": verifier, "started": int(time.time())}
    )
    query = urlencode(
        {
            "client_id": settings.oidc_client_id,
            "response_type": "code",
            "redirect_uri": settings.base_url.rstrip("/") + CALLBACK_PATH,
            "response_mode": "query",
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{AUTHORIZE_URL}?{query}"


def _handshake(record: WebSession, state: str) -> dict[str, Any]:
    if not record.oidc_handshake:
        raise NotSignedIn("The sign-in with Microsoft had expired. Start again.")
    # One use only: a completed sign-in revokes this browser session, handshake and all.
    data: dict[str, Any] = json.loads(record.oidc_handshake)
    if not secrets.compare_digest(str(data["state"]), state):
        raise NotSignedIn("The sign-in with Microsoft did not match this browser. Start again.")
    if time.time() - int(data["started"]) > HANDSHAKE_SECONDS:
        raise NotSignedIn("The sign-in with Microsoft had expired. Start again.")
    return data


def validate_id_token(
    id_token: str, keys: dict[str, Any], settings: Settings, nonce: str
) -> Identity:
    """Check signature, audience, expiry, nonce, tenant allowlist and the tenant's own issuer."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=["RS256"])  # type: ignore[arg-type]
    except (JoseError, ValueError) as exc:
        raise NotSignedIn("Microsoft's sign-in token could not be verified.") from exc
    claims = token.claims
    tenant = str(claims.get("tid", ""))
    if tenant not in settings.oidc_allowed_tenants:
        raise NotSignedIn("Your organisation's Microsoft tenant is not set up to use this service.")
    registry = jwt.JWTClaimsRegistry(
        leeway=60,
        iss={"essential": True, "value": f"{AUTHORITY}/{tenant}/v2.0"},
        aud={"essential": True, "value": str(settings.oidc_client_id)},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
        oid={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise NotSignedIn("Microsoft's sign-in token is not valid for this service.") from exc
    return Identity(
        tenant_id=tenant,
        object_id=str(claims["oid"]),
        name=str(claims.get("name", "")),
        email=claims.get("email") or claims.get("preferred_username"),
    )


def complete(
    session: Session,
    record: WebSession,
    settings: Settings,
    code: str,
    state: str,
    http: httpx.Client,
) -> User:
    """Exchange the code, validate the ID token, and find the linked account."""
    handshake = _handshake(record, state)
    response = http.post(
        TOKEN_URL,
        data={
            "client_id": settings.oidc_client_id,
            "client_secret": settings.oidc_client_secret,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.base_url.rstrip("/") + CALLBACK_PATH,
            "code_verifier": handshake["verifier"],
        },
        timeout=10,
    )
    if response.status_code != 200 or "id_token" not in response.json():
        raise NotSignedIn("Microsoft did not complete the sign-in. Try again.")
    keys = http.get(KEYS_URL, timeout=10).json()
    identity = validate_id_token(
        response.json()["id_token"], keys, settings, str(handshake["nonce"])
    )
    user = session.execute(
        select(User).where(
            User.oidc_tenant_id == identity.tenant_id, User.oidc_object_id == identity.object_id
        )
    ).scalar_one_or_none()
    if user is None or not user.is_active:
        raise NotSignedIn(
            "You signed in with Microsoft, but your account has not been set up in RIIA Cycle. "
            "Ask your regional coordinator to add you."
        )
    return user
