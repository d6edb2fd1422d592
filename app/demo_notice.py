"""Whether the service is serving the demonstration, and the line that says so on every page.

The demonstration writes invented text about real councils (issue 10), so every page and every
page of every pack it serves says so. The database knows whether it holds the demonstration:
only `riia setup-demo` and `riia demo` create accounts at DEMO_EMAIL_DOMAIN, and both refuse to
run in production. `riia serve` reads that at start and sets RIIA_DEMO for its workers.
"""

import os
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url, select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.models import User
from app.settings import get_settings

DEMO_NOTICE = "Demonstration: invented text about real councils"
# The demonstration people's addresses (app/demo.py): no real person has one.
DEMO_EMAIL_DOMAIN = "demo.riia.example"


def demo_notice() -> str:
    """The line every page and pack prints when serving the demonstration, else ""."""
    return DEMO_NOTICE if get_settings().demo else ""


def holds_demonstration(engine: Engine) -> bool:
    """Whether this database holds the demonstration's people (False before it has a schema)."""
    if not inspect(engine).has_table(User.__tablename__):
        return False
    with Session(engine) as session:
        found = session.execute(
            select(User.id).where(User.email.endswith(f"@{DEMO_EMAIL_DOMAIN}")).limit(1)
        )
        return found.first() is not None


def _no_such_sqlite_file(url: str) -> bool:
    """A SQLite file not made yet holds nothing (and looking must not create it)."""
    url_path = make_url(url)
    return (
        url_path.get_backend_name() == "sqlite"
        and url_path.database not in (None, "", ":memory:")
        and not Path(url_path.database).exists()
    )


class DemonstrationInProductionError(RuntimeError):
    """Production was asked to serve a database that holds the demonstration."""


def serve_as_demonstration() -> None:
    """From here on this process, and the workers it starts, serves the demonstration."""
    os.environ["RIIA_DEMO"] = "true"
    get_settings.cache_clear()


def notice_if_demonstration() -> bool:
    """Turn the notice on (and say True) when the configured database holds the demonstration,
    whatever RIIA_DEMO says: `riia setup-demo` then `riia serve` must not serve it unmarked."""
    settings = get_settings()
    if settings.demo or _no_such_sqlite_file(settings.database_url):
        return False
    engine = make_engine(settings.database_url)
    try:
        held = holds_demonstration(engine)
    finally:
        engine.dispose()
    if not held:
        return False
    if settings.environment == "production":
        raise DemonstrationInProductionError(
            "This database holds the demonstration, which production refuses to serve."
        )
    serve_as_demonstration()
    return True
