"""Migrations: one head, a real downgrade, and a schema that matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

import app.models  # noqa: F401
from app.db import Base, make_engine
from app.schema import alembic_config, downgrade, upgrade
from tests.conftest import fresh_database_url


def test_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads == ["0016"]


def _round_trip(url: str) -> None:
    upgrade(url)
    downgrade(url, "base")
    engine = make_engine(url)
    with engine.connect() as conn:
        tables = set(conn.dialect.get_table_names(conn)) - {"alembic_version"}
    assert tables == set()
    upgrade(url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
        head = conn.execute(text("SELECT sequence, hash FROM audit_head")).one()
    engine.dispose()
    assert diff == []
    assert tuple(head) == (0, "0" * 64)


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _round_trip(f"sqlite:///{tmp_path / 'migrate.db'}")


def test_upgrade_downgrade_upgrade_on_postgresql(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _round_trip(fresh_database_url("postgresql", tmp_path, "migrate"))
