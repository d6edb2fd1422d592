"""Sign-in throttling (issue 9): by email and by client address, kept in the database.

The clock is moved through app.clock, never slept on.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.auth import accounts
from app.auth.roles import Role
from app.db import PHASED, READS_ONLY, forget_uncommitted_session_cookie, get_session, make_engine
from app.models import AuditEvent
from app.models.identity import SignInAttempt
from app.schema import upgrade
from app.settings import get_settings
from tests import factories as f
from tests.conftest import check_page, fresh_database_url

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LOCKED = (
    "There have been too many wrong passwords for this email address, so signing in is locked "
    "for now. You can try again in 15 minutes, or reset your password."
)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def moment(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _post(client: TestClient, email: str, password: str) -> tuple[int, str, str | None]:
    token = check_page(client.get("/sign-in").text).csrf_tokens[0]
    response = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )
    return response.status_code, response.text, response.headers.get("retry-after")


def _summary(page: str) -> str:
    """The error summary's list, as a person reads it."""
    return page.split("govuk-error-summary__list")[1].split("</ul>")[0]


def _audited(session: Session, action: str) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def _wrong_ten_times(client: TestClient, email: str, moment: Clock) -> list[tuple[int, str | None]]:
    outcomes = []
    for _ in range(10):
        status, _, retry = _post(client, email, "wrong horse")
        outcomes.append((status, retry))
        moment.advance(seconds=61)  # past each doubling wait (at most 60 s)
    return outcomes


def test_ten_wrong_passwords_lock_the_account_until_the_wait_is_over(
    session: Session, client: TestClient, moment: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    outcomes = _wrong_ten_times(client, user.email, moment)
    # Four plain refusals, then waits that double (1, 2, 4, 8, 16 s), then a 15-minute lock.
    assert outcomes == [(422, None)] * 4 + [
        (429, "1"), (429, "2"), (429, "4"), (429, "8"), (429, "16"), (429, "900")
    ]  # fmt: skip

    checked: list[str] = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: checked.append(p) or real(h, p))
    moment.advance(minutes=5)  # 6 minutes 1 second after the lock began: 8 m 59 s left
    status, page, retry = _post(client, user.email, f.PASSWORD)
    assert (status, retry) == (429, "539")
    assert "You can try again in 9 minutes, or reset your password." in page
    assert 'class="govuk-error-summary"' in page
    assert checked == []  # refused without running Argon2

    moment.advance(seconds=539)
    status, _, _ = _post(client, user.email, f.PASSWORD)
    assert status == 303
    assert checked == [f.PASSWORD]
    # Signing in cleared the account's count: one more wrong password is a plain refusal.
    assert _post(client, user.email, "wrong horse")[:1] == (422,)

    assert _audited(session, "sign_in.failed") == 11
    assert _audited(session, "sign_in.locked") == 1
    locked = session.execute(
        select(AuditEvent).where(AuditEvent.action == "sign_in.locked")
    ).scalar_one()
    assert (locked.subject_type, locked.subject_id) == ("user", str(user.id))
    assert json.loads(locked.payload)["address"] == "testclient"


def test_an_email_with_no_account_is_throttled_the_same_way(
    session: Session, client: TestClient, moment: Clock
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    known = _wrong_ten_times(client, user.email, moment)
    known_page = _post(client, user.email, f.PASSWORD)
    moment.advance(minutes=30)
    unknown = _wrong_ten_times(client, "nobody@test.example", moment)
    unknown_page = _post(client, "nobody@test.example", f.PASSWORD)
    assert unknown == known
    assert unknown_page[0] == known_page[0] == 429
    assert unknown_page[2] == known_page[2] == "839"
    assert LOCKED.replace("15 minutes", "14 minutes") in unknown_page[1]
    assert _summary(unknown_page[1]) == _summary(known_page[1])
    failed = (
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == "sign_in.failed")
            .order_by(AuditEvent.sequence)
        )
        .scalars()
        .all()
    )
    assert failed[-1].subject_type == "sign_in"
    assert "nobody" not in str(failed[-1].payload)  # the typed address is kept only as a hash


def test_the_lock_message_is_shown_on_the_failure_that_locks(
    session: Session, client: TestClient, moment: Clock
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    for _ in range(9):
        _post(client, user.email, "wrong horse")
        moment.advance(seconds=61)
    status, page, retry = _post(client, user.email, "wrong horse")
    assert (status, retry) == (429, "900")
    assert "The email address or password was not right. " + LOCKED in page.replace("\n", " ")


def test_many_wrong_passwords_from_one_address_throttle_every_email(
    session: Session,
    app: FastAPI,
    client: TestClient,
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "sign_in_address_delay_after", 3)
    monkeypatch.setattr(get_settings(), "sign_in_address_lock_after", 5)
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    for n in range(5):
        _post(client, f"guess{n}@test.example", "wrong horse")
        moment.advance(seconds=61)
    status, page, retry = _post(client, user.email, f.PASSWORD)
    assert (status, retry) == (429, str(15 * 60 - 61))
    assert "too many wrong passwords from your network" in page
    # Another address is not held back by this one's guesses.
    with TestClient(
        app, base_url="https://testserver", follow_redirects=False, client=("192.0.2.7", 5000)
    ) as elsewhere:
        assert _post(elsewhere, user.email, f.PASSWORD)[0] == 303


def test_ipv6_clients_are_counted_by_their_64() -> None:
    from app.auth.throttle import client_key

    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
    assert client_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("192.0.2.7") == "192.0.2.7"


def _app_on(engine_url: str) -> tuple[FastAPI, object]:
    """A second copy of the service, with its own engine: another server process's view."""
    from app.main import create_app

    engine = make_engine(engine_url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    application = create_app()

    def request_session(request: Request) -> Iterator[Session]:
        db = maker(execution_options=READS_ONLY)
        db.info[PHASED] = True
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            forget_uncommitted_session_cookie(request)
            raise
        finally:
            db.close()

    application.dependency_overrides[get_session] = request_session
    return application, engine


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_server_processes_share_the_count(backend: str, tmp_path: Path, moment: Clock) -> None:
    url = fresh_database_url(backend, tmp_path, "throttle")
    upgrade(url)
    setup = make_engine(url)
    with sessionmaker(bind=setup, expire_on_commit=False).begin() as db:
        email = f.make_user(db, Role.DCS, organisation="E06000015").email
    setup.dispose()
    first, first_engine = _app_on(url)
    second, second_engine = _app_on(url)
    with (
        TestClient(first, base_url="https://testserver", follow_redirects=False) as one,
        TestClient(second, base_url="https://testserver", follow_redirects=False) as two,
    ):
        for n in range(10):
            _post(one if n % 2 else two, email, "wrong horse")
            moment.advance(seconds=61)
        assert _post(one, email, f.PASSWORD)[0] == 429
        assert _post(two, email, f.PASSWORD)[0] == 429
    for engine in (first_engine, second_engine):
        engine.dispose()  # type: ignore[attr-defined]
    check = make_engine(url)
    with sessionmaker(bind=check)() as db:
        assert (
            db.scalar(
                select(func.count())
                .select_from(SignInAttempt)
                .where(SignInAttempt.outcome == "failed")
            )
            == 10
        )
    check.dispose()
