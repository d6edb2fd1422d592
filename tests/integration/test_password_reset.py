"""Resetting a forgotten password by an emailed link (issue 9): single use, expiring, stored as
a hash, the same answer for every address, throttled, and only for local accounts."""

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth import accounts, passwords, reset
from app.auth.roles import Role
from app.errors import InvalidInput
from app.models import AuditEvent, OutboxMessage, User
from app.models.identity import PasswordReset
from tests import factories as f
from tests.conftest import check_page

NEW_PASSWORD = "a brand new password 2026"  # noqa: S105


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The moment as app.clock tells it; tests move it by replacing now[0]."""
    moment = [datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    return moment


@pytest.fixture
def other_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as second:
        yield second


def _audited(session: Session, action: str) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def _ask(client: TestClient, email: str) -> Any:
    token = f.csrf(client, "/forgot-password")
    return client.post("/forgot-password", data={"email": email, "csrf_token": token})


def _emailed_link(session: Session, email: str) -> str:
    session.expire_all()
    body = (
        session.execute(
            select(OutboxMessage.body)
            .where(OutboxMessage.to_email == email, OutboxMessage.kind == "password_reset")
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .first()
    )
    assert body is not None
    found = re.search(r"https?://[^/\s]+(/reset-password/[A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


def _choose(client: TestClient, link: str, password: str, confirm: str | None = None) -> Any:
    page = client.get(link)
    token = (
        check_page(page.text).csrf_tokens[0]
        if page.status_code == 200
        else f.csrf(client, "/forgot-password")
    )
    return client.post(
        link,
        data={"password": password, "confirm": password if confirm is None else confirm,
              "csrf_token": token},
    )  # fmt: skip


def _signs_in(client: TestClient, email: str, password: str) -> int:
    token = f.csrf(client, "/sign-in")
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    ).status_code


# --- the service ---


def test_a_link_is_emailed_to_a_local_account_and_only_its_hash_is_kept(
    session: Session, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    reset.request_link(session, user.email.upper(), "192.0.2.1")
    message = session.execute(select(OutboxMessage)).scalar_one()
    assert (message.to_email, message.kind) == (user.email, "password_reset")
    token = message.body.split("/reset-password/")[1].split()[0]
    link = session.execute(select(PasswordReset)).scalar_one()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_at == now[0] + timedelta(minutes=60)
    assert "open this link within 60 minutes" in message.body
    assert _audited(session, "password_reset.requested") == 1


def test_no_link_for_an_unknown_address_or_a_microsoft_account(
    session: Session, now: list[datetime]
) -> None:
    reset.request_link(session, "nobody@test.example", "192.0.2.1")
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    entra = f.make_user(session, Role.DCS, organisation="E06000015")
    accounts.link_entra(session, entra, "tenant-1", "object-1")
    reset.request_link(session, entra.email, "192.0.2.1")
    kinds = session.execute(select(OutboxMessage.kind, OutboxMessage.to_email)).all()
    assert [tuple(k) for k in kinds] == [("password_reset_sso", entra.email)]
    assert session.scalar(select(func.count()).select_from(PasswordReset)) == 0
    assert _audited(session, "password_reset.requested") == 0


def test_the_password_rule(session: Session) -> None:
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        passwords.check_new_password("short", "short", "a@b.example")
    with pytest.raises(InvalidInput, match="not your email address"):
        passwords.check_new_password("longname@test.example", "longname@test.example",
                                     "LongName@test.example")  # fmt: skip
    with pytest.raises(InvalidInput, match="same password twice"):
        passwords.check_new_password(NEW_PASSWORD, NEW_PASSWORD + "x", "a@b.example")
    passwords.check_new_password(NEW_PASSWORD, NEW_PASSWORD, "a@b.example")


# --- the pages ---


def test_the_forgot_page_says_the_same_whatever_the_address(
    session: Session, client: TestClient, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    known, unknown = _ask(client, user.email), _ask(client, "nobody@test.example")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/forgot-password/sent"
    page = client.get("/forgot-password/sent")
    check_page(page.text)
    assert "If that address has a RIIA Cycle account, we have sent it a link" in page.text
    assert "for 60 minutes" in page.text


def test_a_link_sets_a_new_password_once_and_signs_out_everywhere(
    session: Session, client: TestClient, other_client: TestClient, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    f.sign_in(other_client, user)  # signed in elsewhere, say on a laptop left at the office
    assert other_client.get("/").status_code == 200
    assert _ask(client, user.email).status_code == 303
    link = _emailed_link(session, user.email)
    page = client.get(link)
    assert page.status_code == 200 and "Choose a new password" in page.text
    check_page(page.text)

    done = _choose(client, link, NEW_PASSWORD)
    assert (done.status_code, done.headers["location"]) == (303, "/sign-in")
    assert (
        "Your password has been changed. Sign in with your new password."
        in client.get("/sign-in").text
    )
    assert other_client.get("/").status_code == 303  # the other session has ended
    assert _signs_in(client, user.email, f.PASSWORD) == 422
    assert _signs_in(client, user.email, NEW_PASSWORD) == 303
    assert _audited(session, "password_reset.completed") == 1

    again = _choose(client, link, "yet another password 2027")
    assert again.status_code == 404
    assert "has expired or has already been used" in again.text
    session.expire_all()
    assert passwords.verify_password(session.get(User, user.id).password_hash, NEW_PASSWORD)


def test_a_link_expires_after_an_hour(
    session: Session, client: TestClient, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    _ask(client, user.email)
    link = _emailed_link(session, user.email)
    now[0] += timedelta(minutes=59)
    assert client.get(link).status_code == 200
    now[0] += timedelta(minutes=1)
    expired = client.get(link)
    assert expired.status_code == 404 and "has expired or has already been used" in expired.text
    assert _choose(client, link, NEW_PASSWORD).status_code == 404
    assert _signs_in(client, user.email, f.PASSWORD) == 303


def test_a_newer_link_ends_the_older_one(
    session: Session, client: TestClient, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    _ask(client, user.email)
    first = _emailed_link(session, user.email)
    _ask(client, user.email)
    second = _emailed_link(session, user.email)
    assert first != second
    assert client.get(first).status_code == 404
    assert _choose(client, second, NEW_PASSWORD).status_code == 303


def test_a_weak_or_mistyped_password_is_refused_on_the_page(
    session: Session, client: TestClient, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    _ask(client, user.email)
    link = _emailed_link(session, user.email)
    short = _choose(client, link, "too short")
    assert short.status_code == 422
    assert "Enter a password of at least 12 characters" in short.text
    assert 'href="#password"' in short.text
    mistyped = _choose(client, link, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert mistyped.status_code == 422 and 'href="#confirm"' in mistyped.text
    assert _choose(client, link, NEW_PASSWORD).status_code == 303  # still usable


def test_the_reset_form_needs_its_csrf_token(
    session: Session, client: TestClient, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    _ask(client, user.email)
    link = _emailed_link(session, user.email)
    forged = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert forged.status_code == 403
    asked = client.post("/forgot-password", data={"email": user.email})
    assert asked.status_code == 403
    assert _signs_in(client, user.email, f.PASSWORD) == 303
    assert _choose(client, link, NEW_PASSWORD).status_code == 303


def test_reset_requests_are_throttled_for_every_address(
    session: Session, client: TestClient, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    for email in (user.email, "nobody@test.example"):
        for _ in range(3):
            assert _ask(client, email).status_code == 303
            now[0] += timedelta(minutes=1)
        refused = _ask(client, email)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == str(57 * 60)
        assert "You can ask again in 57 minutes." in refused.text
        assert 'class="govuk-error-summary"' in refused.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    now[0] += timedelta(minutes=57)
    assert _ask(client, user.email).status_code == 303


def test_a_reset_lifts_a_sign_in_lock(
    session: Session, client: TestClient, now: list[datetime]
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    for _ in range(10):
        _signs_in(client, user.email, "wrong horse")
        now[0] += timedelta(seconds=61)
    assert _signs_in(client, user.email, f.PASSWORD) == 429
    _ask(client, user.email)
    assert _choose(client, _emailed_link(session, user.email), NEW_PASSWORD).status_code == 303
    assert _signs_in(client, user.email, NEW_PASSWORD) == 303


def test_the_new_password_is_hashed_outside_any_transaction(
    session: Session, client: TestClient, now: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    _ask(client, user.email)
    link = _emailed_link(session, user.email)
    seen: list[bool] = []
    real = passwords.hash_password

    def spy(password: str) -> str:
        seen.append(session.in_transaction())
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", spy)
    assert _choose(client, link, NEW_PASSWORD).status_code == 303
    assert seen == [False]
