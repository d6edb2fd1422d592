"""Schema-based fuzzing of every JSON API operation: no 5xx, and every answer as documented.

Schemathesis reads /openapi.json and generates requests from it, valid and invalid, sent to the
in-process app with a regional coordinator's bearer token. Each operation is fuzzed twice: once
with the path pinned to a real region, cycle and authority (so bodies and query strings reach
the service), once with every path parameter generated. Hypothesis is derandomized and keeps
no database, so a run is the same every time; FUZZ_EXAMPLES raises the examples per operation.
"""

import os
import re
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from app.auth.roles import Role
from tests import factories as f

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
REAL = {"region_id": f.REGION, "year": f.YEAR, "la_code": "E06000015", "quarter_slug": "2026-27-q1"}
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def _schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation: Any, headers: dict[str, str], mode: GenerationMode, pin: bool) -> None:
    names = set(re.findall(r"\{(\w+)\}", operation.path))
    pinned = {k: v for k, v in REAL.items() if k in names} if pin else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned or None)

    @given(case=strategy)
    @settings(
        # A generated region or cycle is refused at once: a few such examples cover that path.
        max_examples=EXAMPLES if pin else max(2, EXAMPLES // 4),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except Unsatisfiable:
        # Nothing of this operation can be made invalid (its only parameters are pinned).
        if mode is not GenerationMode.NEGATIVE:
            raise


def _coordinator_with_a_cycle(session: Session) -> dict[str, str]:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    f.sign_everyone(session, cycle)
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION)
    headers = f.token_for(session, user)
    session.commit()
    return headers


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_read_answers_5xx_or_off_schema(
    session: Session, app: FastAPI, mode: GenerationMode
) -> None:
    headers = _coordinator_with_a_cycle(session)
    reads = [op for op in _operations(_schema(app)) if op.method.upper() == "GET"]
    assert len(reads) >= 20
    for operation in reads:
        for pin in (True, False):
            _fuzz(operation, headers, mode, pin)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_write_answers_5xx_or_off_schema(
    session: Session, app: FastAPI, mode: GenerationMode
) -> None:
    headers = _coordinator_with_a_cycle(session)
    writes = [op for op in _operations(_schema(app)) if op.method.upper() != "GET"]
    assert len(writes) >= 15
    for operation in writes:
        for pin in (True, False):
            _fuzz(operation, headers, mode, pin)


def test_the_strategies_see_the_identifier_bounds(app: FastAPI) -> None:
    """The published bounds are what the fuzzer generates from (and a client reads)."""
    schema = _schema(app)
    compare = schema["/api/v1/regions/{region_id}/cycles/{year}/self-evaluations/{la_code}/compare"]
    parameters = {p.name: p.definition for p in compare["GET"].query}
    assert parameters["a"]["schema"]["maximum"] == 2**31 - 1
    assert parameters["a"]["schema"]["minimum"] == 1
