"""The improvement areas (regions/improvement_areas.yaml): what ships, a region's own list, and
what a broken file says."""

from pathlib import Path

import pytest

from app.reference import ReferenceDataError
from app.reference.improvement_areas import (
    AREAS_FILE,
    get_improvement_areas,
    load_improvement_areas,
)
from tests.unit.reference_files import edit, put

PROJECT = Path(__file__).resolve().parents[2]
REGIONS = frozenset({"east-midlands", "north-east"})


def test_the_shipped_list_is_issue_13s_and_every_region_uses_it() -> None:
    found = get_improvement_areas()
    assert [a.name for a in found.for_region("east-midlands")] == [
        "Front door and early help",
        "Child protection",
        "Children in care and sufficiency",
        "Care leavers",
        "Workforce",
        "Quality assurance",
        "Leadership and governance",
        "Partnerships",
        "Data and performance",
    ]
    assert found.by_id("london")["workforce"].name == "Workforce"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / AREAS_FILE
    target.parent.mkdir(parents=True)
    target.write_text((PROJECT / AREAS_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_a_region_replaces_the_list_with_its_own(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    edit(root, AREAS_FILE, put("regions", {"north-east": [{"id": "send", "name": "SEND"}]}))
    found = load_improvement_areas(root, REGIONS)
    assert [a.id for a in found.for_region("north-east")] == ["send"]
    assert "send" not in found.by_id("east-midlands")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            put("regions", {"wessex": [{"id": "a", "name": "A"}]}),
            "regions/improvement_areas.yaml: unknown region wessex under regions",
        ),
        (
            put("areas.1.id", "front-door-early-help"),
            "regions/improvement_areas.yaml: area id listed twice in areas: front-door-early-help",
        ),
    ],
)
def test_a_broken_list_is_refused(tmp_path: Path, change: object, problem: str) -> None:
    root = _copy(tmp_path)
    edit(root, AREAS_FILE, change)  # type: ignore[arg-type]
    with pytest.raises(ReferenceDataError) as info:
        load_improvement_areas(root, REGIONS)
    assert str(info.value) == problem
