"""The import contracts in pyproject.toml hold, and name every stage module (issue 11).

A contract that lists modules by name goes quiet about a module it does not list, so this test
also fails when a stage gains a pages or API module, or a service module, that no contract names.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("mou", "returns", "benchmarks", "self_evaluation", "triads", "challenge", "plans")


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def _modules(stage: str) -> set[str]:
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "app" / stage).rglob("*.py")
        if path.name != "__init__.py"
    }


def _is_route(module: str) -> bool:
    name = module.rsplit(".", 1)[1]
    return name.startswith(("pages", "api")) or name.endswith(("_pages", "_api"))


def test_the_import_contracts_are_kept() -> None:
    run = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "0 broken" in run.stdout


def test_every_stage_route_module_is_protected() -> None:
    protected = {
        module
        for contract in _contracts()
        if contract["type"] == "protected"
        for module in contract["protected_modules"]  # type: ignore[attr-defined]
    }
    routes = {m for stage in STAGES for m in _modules(stage) if _is_route(m)}
    assert routes - protected == set()


def test_every_stage_service_module_may_not_import_pages_or_api() -> None:
    (services,) = (
        contract
        for contract in _contracts()
        if contract["name"] == "Services never import pages or API"
    )
    listed = set(services["source_modules"])  # type: ignore[call-overload]
    forbidden = set(services["forbidden_modules"])  # type: ignore[call-overload]
    for stage in STAGES:
        modules = _modules(stage)
        others = {m for m in modules if not _is_route(m) and not m.endswith(".stage")}
        assert others - listed == set(), stage
        assert {m for m in modules if _is_route(m)} - forbidden == set(), stage
