"""Migration 0011 moves existing sign-off rows: each self-evaluation event gains its LA's code,
and a downgrade keeps the rows (without the column)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import make_engine
from app.schema import downgrade, upgrade
from tests.conftest import drop_postgres_database, fresh_database_url

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
ROWS = [
    ("user_account", {"id": 1, "email": "a@example.org", "display_name": "Dee", "is_active": True, "created_at": NOW}),
    ("cycle", {"id": 1, "region_id": "east-midlands", "year": "2026-27", "opened_by_id": 1, "opened_at": NOW}),
    ("self_evaluation", {"id": 1, "cycle_id": 1, "la_code": "E06000015", "template_id": "t", "state": "awaiting_sign_off", "created_at": NOW}),
    ("self_evaluation", {"id": 2, "cycle_id": 1, "la_code": "E06000016", "template_id": "t", "state": "draft", "created_at": NOW}),
    ("sef_version", {"id": 1, "self_evaluation_id": 1, "number": 1, "content": "{}", "content_hash": "a" * 64, "created_by_id": 1, "created_by_name": "Dee", "created_at": NOW}),
    ("sef_version", {"id": 2, "self_evaluation_id": 2, "number": 1, "content": "{}", "content_hash": "b" * 64, "created_by_id": 1, "created_by_name": "Dee", "created_at": NOW}),
]  # fmt: skip
EVENTS = [
    # (id, self-evaluation, version, role, decision)
    (1, 1, 1, "dcs", "signed"),
    (2, 1, 1, "lead_member", "signed"),
    (3, 2, 2, "dcs", "returned"),
]


def _insert(conn, table: str, values: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    names = ", ".join(values)
    conn.execute(
        text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_existing_events_gain_their_las_code_and_keep_signing_once(
    backend: str, tmp_path: Path
) -> None:
    url = fresh_database_url(backend, tmp_path, "signoff")
    upgrade(url, "0010")
    engine = make_engine(url)
    with engine.begin() as conn:
        for table, values in ROWS:
            _insert(conn, table, values)
        for event_id, sef, version, role, decision in EVENTS:
            _insert(conn, "sef_sign_off_event", {
                "id": event_id, "self_evaluation_id": sef, "sef_version_id": version, "role": role,
                "decision": decision, "user_id": 1, "signatory_name": "Dee", "statement": "",
                "content_hash": "a" * 64, "occurred_at": NOW,
            })  # fmt: skip
    upgrade(url, "0011")
    with engine.connect() as conn:
        moved = conn.execute(
            text("SELECT id, organisation_code FROM sef_sign_off_event ORDER BY id")
        ).all()
    assert [tuple(r) for r in moved] == [(1, "E06000015"), (2, "E06000015"), (3, "E06000016")]
    # The signed-once index survived the table's rebuild: a second DCS signature is refused.
    with pytest.raises(Exception, match="(?i)unique"), engine.begin() as conn:
        _insert(conn, "sef_sign_off_event", {
            "id": 9, "self_evaluation_id": 1, "sef_version_id": 1, "organisation_code": "E06000015",
            "role": "dcs", "decision": "signed", "user_id": 1, "signatory_name": "Dee",
            "statement": "", "content_hash": "a" * 64, "occurred_at": NOW,
        })  # fmt: skip
    downgrade(url, "0010")
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT id, role FROM sef_sign_off_event ORDER BY id")).all()
    engine.dispose()
    if backend == "postgresql":
        drop_postgres_database(url)
    assert [tuple(r) for r in kept] == [(1, "dcs"), (2, "lead_member"), (3, "dcs")]
