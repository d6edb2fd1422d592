"""The signatures-of-risk rules: regions/flags/<name>.yaml, typed, frozen and checked at start.

Each region uses `regions/flags/default.yaml` unless its region file names another rules file
(key `flag_rules`). Problems are reported like every other reference file: the file, a colon,
and the problem in plain words.
"""

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import Field, StrictBool, StrictFloat, StrictInt, model_validator

from app.reference import PROJECT_ROOT, Indicator, ReferenceDataError, get_reference
from app.reference.files import read_mapping, validate
from app.reference.models import Frozen

FLAGS_DIR = "regions/flags"

Number = StrictInt | StrictFloat


class WorseningRun(Frozen):
    enabled: StrictBool = True
    # Two quarters running is the sector's usual "more than a blip"; one would flag every wobble.
    periods: Annotated[StrictInt, Field(ge=1, le=7)] = 2


class WorstQuartile(Frozen):
    enabled: StrictBool = True
    min_region_count: Annotated[StrictInt, Field(ge=2)] = 4
    # A quarter of the region is always in its worst quartile, so it must also be clearly worse
    # than the region median and England: by this many of the indicator's tolerances.
    min_tolerances: Annotated[Number, Field(gt=0)] = 2


class Threshold(Frozen):
    indicator: Annotated[str, Field(min_length=1)]
    above: Number | None = None
    below: Number | None = None
    why: Annotated[str, Field(min_length=1)]
    # Where the line comes from (a seed's file:line, DfE's published figures or a cited public
    # source), printed beside it so a reader can weigh it (issue 10).
    source: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _one_side(self) -> "Threshold":
        if (self.above is None) == (self.below is None):
            raise ValueError(f"threshold for {self.indicator} needs exactly one of above or below")
        return self

    @property
    def side(self) -> str:
        return "above" if self.above is not None else "below"

    @property
    def limit(self) -> float:
        return float(self.above if self.above is not None else self.below)  # type: ignore[arg-type]

    def breached_by(self, value: float) -> bool:
        """Strictly beyond the limit: a value equal to the threshold raises no flag."""
        return value > self.limit if self.side == "above" else value < self.limit


class ReturnRule(Frozen):
    enabled: StrictBool = True


class FlagRules(Frozen):
    worsening_run: WorseningRun = WorseningRun()
    worst_quartile: WorstQuartile = WorstQuartile()
    thresholds: tuple[Threshold, ...] = ()
    late_return: ReturnRule = ReturnRule()
    missing_return: ReturnRule = ReturnRule()
    # Outside a two-sided indicator's sensible range (core_indicators.yaml), either side.
    outside_range: ReturnRule = ReturnRule()
    # The MoU or the self-evaluation not signed off when the region's calendar said.
    missed_signoff: ReturnRule = ReturnRule()

    def thresholds_for(self, indicator_id: str) -> tuple[Threshold, ...]:
        """The thresholds set for one indicator (at most one above and one below)."""
        return tuple(t for t in self.thresholds if t.indicator == indicator_id)


def _check(rules: FlagRules, rel: str, indicators: Mapping[str, Indicator]) -> None:
    seen: set[tuple[str, str]] = set()
    for threshold in rules.thresholds:
        indicator = indicators.get(threshold.indicator)
        if indicator is None:
            raise ReferenceDataError(
                rel,
                f"unknown indicator {threshold.indicator} in thresholds (not in core_indicators.yaml)",
            )
        key = (threshold.indicator, threshold.side)
        if key in seen:
            raise ReferenceDataError(
                rel, f"two thresholds {threshold.side} for {threshold.indicator}"
            )
        seen.add(key)
        if not indicator.valid_min <= threshold.limit <= indicator.valid_max:
            raise ReferenceDataError(
                rel,
                f"threshold {threshold.limit:g} for {threshold.indicator} is outside its valid range "
                f"{indicator.valid_min:g} to {indicator.valid_max:g}",
            )


def load_flag_rules(root: Path, name: str, indicators: Mapping[str, Indicator]) -> FlagRules:
    """Read and check one rules file; ReferenceDataError naming the file on any problem."""
    path = root / FLAGS_DIR / f"{name}.yaml"
    rel = path.relative_to(root).as_posix()
    if not path.is_file():
        raise ReferenceDataError(rel, "file not found")
    rel, data = read_mapping(root, path)
    rules = validate(FlagRules, data, rel)
    _check(rules, rel, indicators)
    return rules


def load_all_flag_rules(root: Path) -> dict[str, FlagRules]:
    """Every region's rules, each file read once; raises on the first broken file."""
    reference = get_reference()
    by_name: dict[str, FlagRules] = {}
    rules: dict[str, FlagRules] = {}
    for region in reference.regions.values():
        name = region.flag_rules
        if name not in by_name:
            by_name[name] = load_flag_rules(root, name, reference.indicators)
        rules[region.id] = by_name[name]
    return rules


@functools.cache
def _all_rules() -> dict[str, FlagRules]:
    return load_all_flag_rules(PROJECT_ROOT)


def check_flag_rules() -> None:
    """Load every region's rules now, so a broken file stops start-up with its name."""
    _all_rules()


def rules_for(region_id: str) -> FlagRules:
    """The signatures-of-risk rules a region uses."""
    return _all_rules()[region_id]
