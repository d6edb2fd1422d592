"""Queued email is sent once; a failed send is kept with its error and retried later."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import outbox
from app.models import OutboxMessage
from app.settings import get_settings


def _queue(session: Session, to: str) -> OutboxMessage:
    message = OutboxMessage(
        to_email=to, subject="Please sign", body="Body text", kind="mou_reminder"
    )
    session.add(message)
    session.flush()
    return message


def test_console_backend_sends_each_message_once(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = _queue(session, "a@test.example"), _queue(session, "b@test.example")
    assert outbox.send_pending(session) == (2, 0)
    printed = capsys.readouterr().out
    assert "--- email to a@test.example: Please sign" in printed and "b@test.example" in printed
    assert first.sent_at is not None and second.sent_at is not None and first.attempts == 1
    assert outbox.send_pending(session) == (0, 0)


def test_a_failed_send_is_kept_for_retry(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _queue(session, "c@test.example")

    def refuse(settings: object, message: OutboxMessage) -> None:
        raise ConnectionError("relay unreachable")

    monkeypatch.setattr(outbox, "_deliver", refuse)
    assert outbox.send_pending(session) == (0, 1)
    stored = session.execute(
        select(OutboxMessage).where(OutboxMessage.id == message.id)
    ).scalar_one()
    assert (stored.sent_at, stored.attempts, stored.last_error) == (None, 1, "relay unreachable")
    monkeypatch.undo()
    monkeypatch.setattr(get_settings(), "email_backend", "console")
    assert outbox.send_pending(session) == (1, 0)
    assert stored.attempts == 2 and stored.sent_at is not None
