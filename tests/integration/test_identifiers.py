"""An integer in a path or query string past what the database holds is a 404 or a 422, never 5xx.

Before issue 9, 2**63 reached the driver and overflowed (a 500 on both databases; on PostgreSQL
anything past 2**31 - 1 did). The walk finds
every integer parameter of every route, so a new route that forgets app.identifiers fails here.
"""

import re
from html import unescape
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from fastapi.dependencies.utils import get_flat_params
from fastapi.params import Path
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.main import create_app
from tests import factories as f
from tests.conftest import check_page

DERBY = "E06000015"
# 2**31 is past PostgreSQL's INTEGER; 2**63 past SQLite's; 2**64 past any 64-bit integer.
BAD = [2**31, 2**63, 2**64, -1, 0]
# What a path parameter other than the integer under test is filled with.
SAMPLE = {
    "region_id": f.REGION,
    "year": f.YEAR,
    "la_code": DERBY,
    "chapter_id": "leadership",
    "quarter_slug": "2026-27-q1",
}


WORDS = {
    "a": "Choose the first version to compare",
    "b": "Choose the second version to compare",
}


def _is_integer(annotation: Any) -> bool:
    """int, int | None, Identifier, Identifier | None: whatever wraps it, an integer is sent."""
    if get_origin(annotation) is Annotated:
        return _is_integer(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return any(_is_integer(a) for a in get_args(annotation) if a is not type(None))
    return annotation is int


def _integer_parameters() -> list[tuple[str, str, str, str, list[str]]]:
    """(method, path, name, where, every integer query parameter) for each integer parameter."""
    found = []
    for context in iter_route_contexts(create_app().routes):
        dependant = getattr(context, "dependant", None)
        if dependant is None:
            continue
        params = get_flat_params(dependant)
        integers = [p for p in params if _is_integer(p.field_info.annotation)]
        # A query model's fields (CompareInput) come flattened, as plain pydantic fields.
        queries = [p.name for p in integers if not isinstance(p.field_info, Path)]
        for param in integers:
            where = "path" if isinstance(param.field_info, Path) else "query"
            for method in sorted(context.methods):
                found.append((method, context.path, param.name, where, queries))
    return found


CASES = _integer_parameters()


def test_the_walk_finds_every_integer_parameter() -> None:
    names = {(method, path.rsplit("/", 1)[-1], name) for method, path, name, _, _ in CASES}
    # 18, and the plans' priority positions and comment ids (issue 12).
    assert len(CASES) == 27
    # A supporting document: downloaded and removed, on the pages and in the API (issue 10).
    assert ("GET", "{document_id}", "document_id") in names
    assert ("DELETE", "{document_id}", "document_id") in names
    assert ("POST", "remove", "document_id") in names
    assert ("GET", "{number}", "number") in names
    assert ("GET", "compare", "a") in names and ("GET", "compare", "b") in names
    assert ("POST", "revoke", "token_id") in names
    assert ("GET", "history", "person") in names and ("GET", "history", "page") in names


def _url(path: str, name: str, value: int) -> str:
    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(value) if key == name else SAMPLE.get(key, "1")

    return re.sub(r"\{(\w+)\}", fill, path)


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize(
    ("method", "path", "name", "where", "queries"),
    CASES,
    ids=[f"{m} {p} {n}" for m, p, n, _, _ in CASES],
)
def test_an_identifier_out_of_range_is_404_or_422(
    session: Session,
    client: TestClient,
    method: str,
    path: str,
    name: str,
    where: str,
    queries: list[str],
    value: int,
) -> None:
    # Derby's DCS may use every one of these routes, so the refusal is about the number alone.
    user = f.make_user(session, Role.DCS, organisation=DERBY)
    kwargs: dict[str, Any] = {}
    if path.startswith("/api/"):
        kwargs["headers"] = f.token_for(session, user)
    else:
        f.sign_in(client, user)
        if method == "POST":
            kwargs["data"] = {"csrf_token": f.csrf(client, "/account/tokens")}
    query = {q: (str(value) if q == name else "1") for q in queries}
    url = _url(path, name if where == "path" else "", value)
    response = client.request(method, url, params=query, **kwargs)

    if where == "path":
        assert response.status_code == 404, response.text
    else:
        assert response.status_code == 422, response.text
    if path.startswith("/api/"):
        error = response.json()["error"]
        if where == "path":
            assert error["type"] == "NotFound" and error["field"] is None
        else:
            assert (error["type"], error["field"]) == ("InvalidInput", name)
            if name in WORDS:
                assert error["message"] == WORDS[name]
    else:
        check_page(response.text)
        if where == "path":
            assert "Page not found" in response.text


@pytest.mark.parametrize("value", BAD)
def test_the_compare_page_names_the_field_for_a_huge_number(
    session: Session, client: TestClient, value: int
) -> None:
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION))
    f.open_cycle(session, f.coordinator(session))
    base = f"/regions/{f.REGION}/cycles/{f.YEAR}/self-evaluations/{DERBY}"
    response = client.get(base + "/compare", params={"a": "1", "b": str(value)})
    assert response.status_code == 422, response.text
    check_page(response.text)
    html = unescape(response.text)
    assert 'href="#b">Choose the second version to compare</a>' in html


@pytest.mark.parametrize("value", BAD)
def test_a_huge_number_in_a_body_is_422_naming_the_field(
    session: Session, client: TestClient, value: int
) -> None:
    f.open_cycle(session, f.coordinator(session))
    dcs = f.token_for(session, f.make_user(session, Role.DCS, organisation=DERBY))
    boss = f.token_for(session, f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION))
    session.commit()
    cycle = f"/api/v1/regions/{f.REGION}/cycles/{f.YEAR}"
    chapter = client.put(
        f"{cycle}/self-evaluations/{DERBY}/chapters/leadership",
        json={"base_version": value, "narrative": "We know our practice."},
        headers=dcs,
    )
    draft = client.put(
        f"{cycle}/mou/draft",
        json={"title": "MoU", "body": "# Purpose", "revision": value},
        headers=boss,
    )
    assign = client.post(
        f"{cycle}/self-evaluations/{DERBY}/contributors",
        json={"chapter_id": "leadership", "user_id": value},
        headers=dcs,
    )
    for response, field in ((chapter, "base_version"), (draft, "revision"), (assign, "user_id")):
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert (error["type"], error["field"]) == ("InvalidInput", field)
