"""`riia serve` trusts X-Forwarded-For only from the proxies it is told of (issue 9)."""

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from app.cli import cli
from app.settings import get_settings


def _served_with(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    result = CliRunner().invoke(cli, ["serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    return seen


def test_no_proxy_is_trusted_unless_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "forwarded_allow_ips", None)
    seen = _served_with(monkeypatch)
    assert (seen["proxy_headers"], seen["forwarded_allow_ips"], seen["port"]) == (False, None, 8765)


def test_named_proxies_give_the_client_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "forwarded_allow_ips", "10.0.0.5,10.0.0.6")
    seen = _served_with(monkeypatch)
    assert (seen["proxy_headers"], seen["forwarded_allow_ips"]) == (True, "10.0.0.5,10.0.0.6")
