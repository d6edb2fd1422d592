"""Sending queued email: GOV.UK Notify when configured, SMTP, or the console in development."""

import smtplib
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OutboxMessage
from app.models.types import utcnow
from app.settings import Settings, get_settings

MAX_ATTEMPTS = 5


def _deliver(settings: Settings, message: OutboxMessage) -> None:
    if settings.email_backend == "notify":
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(settings.notify_api_key)
        client.send_email_notification(
            email_address=message.to_email,
            template_id=settings.notify_reminder_template_id,
            personalisation={"subject": message.subject, "body": message.body},
            reference=f"outbox-{message.id}",
        )
    elif settings.email_backend == "smtp":
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = (
            settings.smtp_from,
            message.to_email,
            message.subject,
        )
        email.set_content(message.body)
        with smtplib.SMTP(
            settings.smtp_host or "localhost", settings.smtp_port, timeout=10
        ) as smtp:
            smtp.starttls()
            smtp.send_message(email)
    else:
        print(f"--- email to {message.to_email}: {message.subject}\n{message.body}\n")  # noqa: T201


def send_pending(session: Session) -> tuple[int, int]:
    """Send what is queued, once each; failures are kept with their error for a later retry."""
    settings = get_settings()
    pending = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .with_for_update(skip_locked=True)
    ).scalars()
    sent = failed = 0
    for message in pending:
        message.attempts += 1
        try:
            _deliver(settings, message)
        except Exception as exc:  # noqa: BLE001  any failure is recorded and retried later
            message.last_error = str(exc)[:2000]
            failed += 1
        else:
            message.sent_at = utcnow()
            sent += 1
    return sent, failed
