"""Helpers for tests that load broken copies of the reference files."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.reference import ReferenceDataError, load_reference

Edit = Callable[[dict[str, Any]], None]
INDICATORS_FILE = "core_indicators.yaml"


def edit(root: Path, rel: str, change: Edit) -> None:
    path = root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def refused(root: Path) -> str:
    with pytest.raises(ReferenceDataError) as info:
        load_reference(root)
    return str(info.value)


def put(dotted: str, value: Any = None, *, delete: bool = False) -> Edit:
    """An edit setting (or deleting) the value at a dotted path such as "leads.lead_dcs"."""
    *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]

    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for part in parents:
            node = node[part]
        if delete:
            del node[last]
        else:
            node[last] = value

    return change
