"""The taxonomy of improvement areas (regions/improvement_areas.yaml), typed and checked.

Support asked for and offered in a triad's record, plan priorities and, later, the capacity
index are all tagged with one list (issue 13, "Improvement areas"): the shipped default, or a
region's own where its id is listed under `regions:`.
"""

import functools
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import Field, model_validator

from app.reference.files import ReferenceDataError, read_mapping, validate
from app.reference.loader import PROJECT_ROOT, get_reference
from app.reference.models import Frozen, NonEmpty

AREAS_FILE = "regions/improvement_areas.yaml"

AreaId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class ImprovementArea(Frozen):
    id: AreaId
    name: NonEmpty


def _unique(areas: tuple[ImprovementArea, ...], where: str) -> None:
    ids = [a.id for a in areas]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"area id listed twice in {where}: {', '.join(repeated)}")


class ImprovementAreas(Frozen):
    areas: Annotated[tuple[ImprovementArea, ...], Field(min_length=1)]
    regions: dict[str, Annotated[tuple[ImprovementArea, ...], Field(min_length=1)]] = {}

    @model_validator(mode="after")
    def _checked(self) -> "ImprovementAreas":
        _unique(self.areas, "areas")
        for region_id, own in self.regions.items():
            _unique(own, region_id)
        return self

    def for_region(self, region_id: str) -> tuple[ImprovementArea, ...]:
        """The region's own list where it has one, else the shipped default."""
        return self.regions.get(region_id, self.areas)

    def by_id(self, region_id: str) -> MappingProxyType[str, ImprovementArea]:
        return MappingProxyType({a.id: a for a in self.for_region(region_id)})


def load_improvement_areas(root: Path, region_ids: frozenset[str]) -> ImprovementAreas:
    """Read and check the taxonomy; ReferenceDataError names the file and the problem."""
    path = root / AREAS_FILE
    if not path.is_file():
        raise ReferenceDataError(AREAS_FILE, "file not found")
    rel, data = read_mapping(root, path)
    found = validate(ImprovementAreas, data, rel)
    unknown = sorted(set(found.regions) - region_ids)
    if unknown:
        raise ReferenceDataError(rel, f"unknown region {', '.join(unknown)} under regions")
    return found


@functools.cache
def get_improvement_areas() -> ImprovementAreas:
    """The project's improvement areas, loaded once per process."""
    return load_improvement_areas(PROJECT_ROOT, frozenset(get_reference().regions))
