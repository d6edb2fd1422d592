"""One way to key every pack's cache: the kind and the inputs, whatever spelling they come in."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from app.pack.inputs import input_hash, jsonable


def test_the_same_instant_in_any_zone_gives_the_same_key() -> None:
    utc = datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    london = utc.astimezone(ZoneInfo("Europe/London"))
    naive = datetime(2026, 7, 1, 11, 0)  # UTC that lost its zone, as the database stores it
    keys = {input_hash("k", {"at": moment}) for moment in (utc, london, naive)}
    assert len(keys) == 1
    assert input_hash("k", {"at": utc}) != input_hash("k", {"at": utc.replace(minute=1)})


def test_kind_and_every_input_change_the_key() -> None:
    inputs = {"rows": (1, 2), "due": date(2026, 12, 19), "chart": Markup("<svg/>")}
    key = input_hash("sef_pack", inputs)
    assert key != input_hash("mou_pack", inputs)
    assert key != input_hash("sef_pack", {**inputs, "due": date(2026, 12, 20)})
    assert key == input_hash("sef_pack", {**inputs, "rows": [1, 2]})  # tuple or list alike
    assert jsonable(inputs) == {"rows": [1, 2], "due": "2026-12-19", "chart": "<svg/>"}
    assert type(jsonable(inputs)["chart"]) is str  # type: ignore[index]
