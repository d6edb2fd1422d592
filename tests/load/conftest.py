"""A database of its own for each test that runs the real server against PostgreSQL."""

import os
from collections.abc import Iterator

import pytest

from bench.load.postgres import create_database, drop_database


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty PostgreSQL database on TEST_DATABASE_URL's server, dropped afterwards."""
    admin = os.environ.get("TEST_DATABASE_URL")
    if not admin:
        pytest.skip("TEST_DATABASE_URL is not set")
    url = create_database(admin, f"riia_{request.node.name[:30].lower()}_{os.getpid()}")
    yield url
    drop_database(admin, url)
