"""Headers, the session cookie and its life, request size, redirects and escaping."""

import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.auth.sessions import _digest
from app.models import MouVersion, User, WebSession
from app.models.types import utcnow
from app.mou import service as mou
from app.mou.schemas import DraftInput, PublishInput
from app.settings import get_settings
from tests import factories as f
from tests.conftest import check_page

COOKIE = "__Host-riia_session"
MOU = "/regions/east-midlands/cycles/2026-27/mou"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.nonces: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.nonces.append(dict(attrs).get("nonce"))


def _cookie_from(response_headers: list[str]) -> str:
    for header in response_headers:
        name, _, rest = header.partition("=")
        if name == COOKIE:
            return rest.split(";", 1)[0]
    raise AssertionError(f"no {COOKIE} cookie in {response_headers}")


def _set_cookies(response: object) -> list[str]:
    return response.headers.get_list("set-cookie")  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def other_client(app: FastAPI) -> Iterator[TestClient]:
    """A second browser, to replay an old cookie."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as second:
        yield second


def _as(client: TestClient, cookie: str) -> TestClient:
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie, domain="testserver", path="/")
    return client


def _coordinator(session: Session) -> User:
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    session.commit()
    return user


def test_security_headers_and_a_nonce_on_every_script(session: Session, client: TestClient) -> None:
    f.sign_in(client, _coordinator(session))
    page = client.get("/")
    assert page.status_code == 200
    check_page(page.text)
    csp = page.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    match = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{16,})'", directives["script-src"])
    assert match, csp
    nonce = match.group(1)
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
    scripts = Scripts()
    scripts.feed(page.text)
    assert len(scripts.nonces) >= 2  # the layout's inline js-enabled script and init.js
    assert scripts.nonces == [nonce] * len(scripts.nonces)
    assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    # A fresh nonce on every response.
    again = client.get("/")
    assert again.headers["content-security-policy"] != csp


def test_the_session_cookie_attributes(client: TestClient) -> None:
    page = client.get("/sign-in")
    check_page(page.text)
    cookies = [c for c in _set_cookies(page) if c.startswith(COOKIE + "=")]
    assert len(cookies) == 1
    name_value, *attributes = [part.strip() for part in cookies[0].split(";")]
    assert len(name_value.split("=", 1)[1]) >= 40
    assert set(attributes) == {"Path=/", "HttpOnly", "SameSite=Lax", "Secure"}  # and no Domain


def test_sign_in_issues_a_new_session_id(
    session: Session, client: TestClient, other_client: TestClient
) -> None:
    user = _coordinator(session)
    page = client.get("/sign-in")
    before = _cookie_from(_set_cookies(page))
    token = check_page(page.text).csrf_tokens[0]
    signed_in = client.post(
        "/sign-in",
        data={"email": user.email, "password": f.PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    after = _cookie_from(_set_cookies(signed_in))
    assert after != before
    home = client.get("/")
    assert home.status_code == 200 and "Your improvement cycles" in home.text
    # The cookie from before sign-in signs nobody in.
    replay = _as(other_client, before).get("/")
    assert replay.status_code == 303
    assert replay.headers["location"] == "/sign-in?next=/"
    old = session.execute(
        select(WebSession).where(WebSession.token_hash == _digest(before))
    ).scalar_one()
    assert old.revoked_at is not None and old.user_id is None


def test_sign_out_revokes_the_session(
    session: Session, client: TestClient, other_client: TestClient
) -> None:
    f.sign_in(client, _coordinator(session))
    cookie = client.cookies[COOKIE]
    token = f.csrf(client, "/")
    out = client.post("/sign-out", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    assert _cookie_from(_set_cookies(out)) != cookie
    page = client.get("/sign-in")
    assert "You have signed out." in page.text
    check_page(page.text)
    assert client.get("/").status_code == 303
    replay = _as(other_client, cookie).get("/")
    assert replay.status_code == 303 and replay.headers["location"] == "/sign-in?next=/"
    record = session.execute(
        select(WebSession).where(WebSession.token_hash == _digest(cookie))
    ).scalar_one()
    assert record.revoked_at is not None


def _record(session: Session, client: TestClient) -> WebSession:
    session.expire_all()
    return session.execute(
        select(WebSession).where(WebSession.token_hash == _digest(client.cookies[COOKIE]))
    ).scalar_one()


def test_an_idle_session_is_refused(session: Session, client: TestClient) -> None:
    f.sign_in(client, _coordinator(session))
    idle = get_settings().session_idle_minutes
    record = _record(session, client)
    record.last_seen_at = utcnow() - timedelta(minutes=idle - 1)
    session.commit()
    assert client.get("/").status_code == 200  # still inside the limit
    record = _record(session, client)
    record.last_seen_at = utcnow() - timedelta(minutes=idle + 1)
    session.commit()
    cookie = client.cookies[COOKIE]
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/sign-in?next=/"
    # The refusal did not refresh the idle session: replayed, it is refused again.
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie, domain="testserver", path="/")
    again = client.get("/")
    assert again.status_code == 303 and again.headers["location"] == "/sign-in?next=/"
    session.expire_all()
    old = session.execute(
        select(WebSession).where(WebSession.token_hash == _digest(cookie))
    ).scalar_one()
    assert old.last_seen_at < utcnow() - timedelta(minutes=idle)


def test_a_session_past_its_absolute_limit_is_refused(session: Session, client: TestClient) -> None:
    f.sign_in(client, _coordinator(session))
    record = _record(session, client)
    record.created_at = utcnow() - timedelta(hours=get_settings().session_absolute_hours, minutes=1)
    session.commit()
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/sign-in?next=/"


def test_a_request_over_the_size_limit_is_413_and_writes_nothing(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _coordinator(session)
    f.open_cycle(session, f.principal(session, user))
    session.commit()
    f.sign_in(client, user)
    token = f.csrf(client, MOU + "/edit")
    # get_settings() is cached: patch the one instance every request reads, restored after.
    monkeypatch.setattr(get_settings(), "max_request_bytes", 4096)
    form = {"csrf_token": token, "title": "Big", "body": "x" * 5000, "revision": ""}
    declared = client.post(MOU + "/edit", data=form)
    assert declared.status_code == 413
    check_page(declared.text)
    assert "What you sent is larger than 4 KB" in declared.text

    # A body sent in chunks, with no Content-Length, is counted as it arrives.
    def chunks() -> Iterator[bytes]:
        yield f"csrf_token={token}&title=Big&revision=&body=".encode()
        for _ in range(10):
            yield b"x" * 1000

    streamed = client.post(
        MOU + "/edit",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413
    assert session.scalar(select(func.count()).select_from(MouVersion)) == 0

    small = client.post(MOU + "/edit", data={**form, "body": "# Small\nText."})
    assert small.status_code == 303
    assert session.scalar(select(func.count()).select_from(MouVersion)) == 1


def test_the_default_limit_is_two_megabytes(client: TestClient) -> None:
    response = client.post(
        "/sign-in",
        content=b"x" * (2 * 1024 * 1024 + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "What you sent is larger than 2 MB, the most this service accepts" in response.text


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http:/evil.example",
        "evil.example",
        "///evil.example",
    ],
)
def test_sign_in_never_redirects_off_site(
    session: Session, client: TestClient, target: str
) -> None:
    user = _coordinator(session)
    page = client.get("/sign-in", params={"next": target})
    checker = check_page(page.text)
    assert 'name="next" value="/"' in page.text
    response = client.post(
        "/sign-in",
        data={
            "email": user.email,
            "password": f.PASSWORD,
            "csrf_token": checker.csrf_tokens[0],
            "next": target,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_backslash_next_stays_on_this_site(session: Session, client: TestClient) -> None:
    # Browsers read "/\\evil.example" as "//evil.example"; the redirect must not let them.
    user = _coordinator(session)
    token = f.csrf(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": user.email,
            "password": f.PASSWORD,
            "csrf_token": token,
            "next": "/\\evil.example",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_refused_request_sets_no_cookie_for_a_session_it_rolled_back(client: TestClient) -> None:
    response = client.get("/regions/east-midlands/cycles/2026-27")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/regions/east-midlands/cycles/2026-27"
    assert "set-cookie" not in response.headers
    page = client.get("/sign-in")
    assert page.headers["set-cookie"].startswith("__Host-riia_session=")


def test_openapi_describes_only_the_json_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths and all(path.startswith("/api/v1/") for path in paths)


def test_sign_in_keeps_a_same_site_next(session: Session, client: TestClient) -> None:
    user = _coordinator(session)
    token = f.csrf(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": user.email,
            "password": f.PASSWORD,
            "csrf_token": token,
            "next": "/regions/east-midlands",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/regions/east-midlands"


def test_a_wrong_password_signs_nobody_in(session: Session, client: TestClient) -> None:
    user = _coordinator(session)
    page = client.get("/sign-in")
    cookie = client.cookies[COOKIE]
    token = check_page(page.text).csrf_tokens[0]
    response = client.post(
        "/sign-in",
        data={"email": user.email, "password": "wrong horse", "csrf_token": token, "next": "/"},
    )
    assert response.status_code == 422
    check_page(response.text)
    assert "Enter a correct email address and password" in response.text
    assert not [c for c in _set_cookies(response) if c.startswith(COOKIE)]
    assert client.cookies[COOKIE] == cookie
    assert _record(session, client).user_id is None
    assert client.get("/").status_code == 303


def test_user_text_is_escaped_on_every_page(session: Session, client: TestClient) -> None:
    user = _coordinator(session)
    boss = f.principal(session, user)
    cycle = f.open_cycle(session, boss)
    body = f'# Heading {SCRIPT}\nA paragraph {SCRIPT} with "quotes" & more.\n\n- item {SCRIPT}'
    draft = mou.save_draft(session, boss, cycle, DraftInput(title=f"Title {SCRIPT}", body=body))
    session.commit()
    f.sign_in(client, user)
    for path in ("/draft", "/edit"):
        page = client.get(MOU + path)
        assert page.status_code == 200, path
        check_page(page.text)
        assert "<script>alert" not in page.text, path
        assert f"Title {ESCAPED}" in page.text, path
        assert f"Heading {ESCAPED}" in page.text, path
    mou.publish(session, boss, cycle, PublishInput(content_hash=draft.content_hash))
    session.commit()
    for path in ("", "/versions/1", "/tracker", "/edit"):
        page = client.get(MOU + path)
        assert page.status_code == 200, path
        check_page(page.text)
        assert "<script>alert" not in page.text, path
    for path in ("", "/versions/1"):
        shown = client.get(MOU + path).text
        assert f"Title {ESCAPED}" in shown, path
        assert f"Heading {ESCAPED}" in shown, path
        assert f"A paragraph {ESCAPED} with &#34;quotes&#34; &amp; more." in shown, path
        assert f"item {ESCAPED}" in shown, path
