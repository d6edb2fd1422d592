"""Slow work holds no transaction (issue 8): a password check, reading a workbook, drawing a PDF.

Each is spied on as a request makes it, recording whether the request's session had a
transaction open at that moment. On SQLite an open writing transaction is the database's one
write lock, and a reading one pins a snapshot and a pooled connection.
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth import accounts
from app.auth.roles import Role
from app.mou import pack as mou_pack
from app.returns import service as returns
from tests import factories as f
from tests.integration.returns.test_returns_pages import UPLOAD, _csv, _ready

CYCLE = "/regions/east-midlands/cycles/2026-27"


def _spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, session: Session) -> list[bool]:
    seen: list[bool] = []
    real: Callable[..., Any] = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(session.in_transaction())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return seen


def test_the_password_is_checked_outside_any_transaction(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = f.make_user(session, Role.DCS, organisation="E06000015")
    seen = _spy(monkeypatch, accounts, "verify_password", session)
    f.sign_in(client, user)
    assert seen == [False]


def test_an_uploaded_file_is_read_before_the_write_transaction(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ready(session, client)
    token = f.csrf(client, UPLOAD)
    seen = _spy(monkeypatch, returns.parsing, "read_table", session)
    done = client.post(
        UPLOAD, data={"csrf_token": token}, files={"file": ("q1.csv", _csv(), "text/csv")}
    )
    assert done.status_code == 303, done.text
    assert seen == [False]


def test_a_pack_drawn_on_download_is_drawn_outside_any_transaction(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    f.sign_in(client, boss)
    seen = _spy(monkeypatch, mou_pack, "render_mou_pack", session)
    response = client.get(CYCLE + "/mou/pack.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert seen == [False]
