"""Load regions/*.yaml, regions/templates/*.yaml and core_indicators.yaml, cross-checked.

The files are kept by hand, so every problem is reported as the file (relative to the project
root), a colon, and the problem in plain words (app/reference/files.py), and nothing half-loaded
is ever returned.
"""

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from app.reference.files import ReferenceDataError, read_mapping, validate
from app.reference.models import (
    REGION_ORDER,
    TEMPLATE_PLACEHOLDERS,
    Frozen,
    Indicator,
    LocalAuthority,
    MouTemplate,
    Organisation,
    Region,
    Trust,
)
from app.reference.sef import SefTemplate

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INDICATORS_FILE = "core_indicators.yaml"
REGIONS_DIR = "regions"
TEMPLATES_DIR = "regions/templates"
# Files in regions/ that are not a region: the KLOE prompt bank (app/reference/kloe_bank.py).
NOT_REGIONS = frozenset({"kloe_bank.yaml", "improvement_areas.yaml"})


class Reference:
    """All reference data, loaded once; lookups raise KeyError for an unknown code."""

    def __init__(
        self,
        regions: Mapping[str, Region],
        indicators: Mapping[str, Indicator],
        templates: Mapping[str, MouTemplate],
        sef_templates: Mapping[str, SefTemplate] | None = None,
    ) -> None:
        ordered = sorted(regions.items(), key=lambda item: _region_sort_key(item[0]))
        self.regions: Mapping[str, Region] = MappingProxyType(dict(ordered))
        self.indicators: Mapping[str, Indicator] = MappingProxyType(dict(indicators))
        self.templates: Mapping[str, MouTemplate] = MappingProxyType(dict(templates))
        self.sef_templates: Mapping[str, SefTemplate] = MappingProxyType(dict(sef_templates or {}))
        self._region_of: dict[str, Region] = {}
        self._local_authorities: dict[str, LocalAuthority] = {}
        self._by_published_id: dict[str, Indicator] = {}
        for region in self.regions.values():
            for organisation in region.organisations:
                self._region_of[organisation.code] = region
            for la in region.local_authorities:
                self._local_authorities[la.code] = la
        for indicator in self.indicators.values():
            for published_id in (indicator.id, *indicator.published_ids):
                self._by_published_id[published_id] = indicator

    @property
    def region_ids(self) -> tuple[str, ...]:
        """Region ids in the canonical order, north-east to south-west."""
        return tuple(self.regions)

    @property
    def local_authorities(self) -> tuple[LocalAuthority, ...]:
        """Every LA of every region, region by region, each region's sorted by name."""
        return tuple(la for region in self.regions.values() for la in region.local_authorities)

    def region_of(self, org_code: str) -> Region:
        """The region an LA or Trust belongs to."""
        return self._region_of[org_code]

    def organisation(self, code: str) -> Organisation:
        """The LA or Trust with this code, in any region."""
        return self._region_of[code].organisation(code)

    def local_authority(self, code: str) -> LocalAuthority:
        """The LA with this ONS code, in any region."""
        return self._local_authorities[code]

    def trusts_of_company(self, company: str) -> tuple[tuple[Region, Trust], ...]:
        """Each region's entry for one company, in region order (two for a cross-region one)."""
        return tuple(
            (region, trust)
            for region in self.regions.values()
            for trust in region.trusts
            if trust.company_id == company
        )

    def indicator_for_published_id(self, published_id: str) -> Indicator:
        """The core indicator a DfE published-values id belongs to."""
        return self._by_published_id[published_id]

    def mou_template(self, region_id: str) -> MouTemplate:
        """The MoU template a region uses."""
        return self.templates[self.regions[region_id].mou_template]

    def sef_template(self, region_id: str) -> SefTemplate:
        """The self-evaluation template a region uses."""
        return self.sef_templates[self.regions[region_id].sef_template]


def _region_sort_key(region_id: str) -> tuple[int, str]:
    # Regions outside the nine (e.g. a test region) follow them alphabetically.
    if region_id in REGION_ORDER:
        return (REGION_ORDER.index(region_id), "")
    return (len(REGION_ORDER), region_id)


class _IndicatorFile(Frozen):
    indicators: tuple[Indicator, ...]


class _Templates:
    """The templates under regions/templates/, by kind."""

    def __init__(self) -> None:
        self.mou: dict[str, MouTemplate] = {}
        self.sef: dict[str, SefTemplate] = {}


def _load_templates(root: Path, indicators: Iterable[str]) -> _Templates:
    templates = _Templates()
    known_indicators = set(indicators)
    for path in sorted((root / TEMPLATES_DIR).glob("*.yaml")):
        rel, data = read_mapping(root, path)
        kind = data.get("kind")
        if kind == "sef":
            sef = validate(SefTemplate, data, rel)
            _check_sef_template(sef, rel, path.stem, known_indicators)
            templates.sef[sef.id] = sef
            continue
        if kind is not None and kind != "mou":
            raise ReferenceDataError(rel, f"unknown template kind {kind} (expected mou or sef)")
        template = validate(MouTemplate, data, rel)
        if template.id != path.stem:
            raise ReferenceDataError(rel, f"id {template.id} does not match the file name")
        if not any(block.kind == "heading" for block in template.blocks()):
            raise ReferenceDataError(rel, "body has no heading (a line starting '# ')")
        # Fill every allowed placeholder now so a typo fails at start, not when a region renders.
        dummy = {name: name for name in TEMPLATE_PLACEHOLDERS}
        for field in ("title", "body"):
            try:
                getattr(template, field).format_map(dummy)
            except KeyError as exc:
                allowed = ", ".join(f"{{{name}}}" for name in TEMPLATE_PLACEHOLDERS)
                raise ReferenceDataError(
                    rel, f"unknown placeholder {{{exc.args[0]}}} in {field} (allowed: {allowed})"
                ) from exc
            except (ValueError, IndexError) as exc:
                raise ReferenceDataError(
                    rel, f"unmatched brace in {field}; placeholders look like {{region_name}}"
                ) from exc
        templates.mou[template.id] = template
    return templates


def _check_sef_template(template: SefTemplate, rel: str, stem: str, indicators: set[str]) -> None:
    if template.id != stem:
        raise ReferenceDataError(rel, f"id {template.id} does not match the file name")
    for chapter in template.chapters:
        for indicator in chapter.indicators:
            if indicator not in indicators:
                raise ReferenceDataError(
                    rel,
                    f"chapter {chapter.id} lists unknown indicator {indicator} "
                    f"(not in {INDICATORS_FILE})",
                )


def _load_indicators(root: Path) -> dict[str, Indicator]:
    path = root / INDICATORS_FILE
    if not path.is_file():
        raise ReferenceDataError(INDICATORS_FILE, "file not found")
    rel, data = read_mapping(root, path)
    parsed = validate(_IndicatorFile, data, rel)
    indicators: dict[str, Indicator] = {}
    published: dict[str, str] = {}
    for indicator in parsed.indicators:
        if indicator.id in indicators:
            raise ReferenceDataError(rel, f"duplicate indicator id {indicator.id}")
        indicators[indicator.id] = indicator
        for published_id in indicator.published_ids:
            if published.setdefault(published_id, indicator.id) != indicator.id:
                raise ReferenceDataError(
                    rel,
                    f"published id {published_id} is listed for both "
                    f"{published[published_id]} and {indicator.id}",
                )
    return indicators


def _check_template_choice(
    rel: str, key: str, chosen: str, ours: set[str], other: set[str]
) -> None:
    if chosen in ours:
        return
    if chosen in other:
        wanted = "an MoU" if key == "mou_template" else "a self-evaluation"
        raise ReferenceDataError(rel, f"{key} {chosen} is not {wanted} template")
    raise ReferenceDataError(rel, f"unknown {key} {chosen} (no file {TEMPLATES_DIR}/{chosen}.yaml)")


def _check_region(region: Region, rel: str, stem: str, templates: _Templates) -> None:
    if region.id != stem:
        raise ReferenceDataError(rel, f"region id {region.id} does not match the file name")
    mou, sef = set(templates.mou), set(templates.sef)
    _check_template_choice(rel, "mou_template", region.mou_template, mou, sef)
    _check_template_choice(rel, "sef_template", region.sef_template, sef, mou)
    la_codes = {la.code for la in region.local_authorities}
    for trust in region.trusts:
        for code in trust.serves:
            if code not in la_codes:
                raise ReferenceDataError(
                    rel, f"trust {trust.code} serves {code}, which is not an LA of this region"
                )
    org_codes = la_codes | {trust.code for trust in region.trusts}
    for field, codes in region.leads.codes().items():
        for code in codes:
            if code not in org_codes:
                raise ReferenceDataError(rel, f"unknown organisation code {code} in leads.{field}")


def _check_companies(regions: Mapping[str, Region], files: Mapping[str, str]) -> None:
    # A company listed in several region files is one body: one name, one entry per region.
    first: dict[str, tuple[Region, Trust]] = {}
    for region in regions.values():
        here: set[str] = set()
        for trust in region.trusts:
            rel, company = files[region.id], trust.company_id
            if company in here:
                raise ReferenceDataError(rel, f"company {company} is listed twice in this file")
            here.add(company)
            where, named = first.setdefault(company, (region, trust))
            if named.name != trust.name:
                raise ReferenceDataError(
                    rel,
                    f"trust {trust.code} is company {company}, named "
                    f"{named.name!r} in {files[where.id]}, not {trust.name!r}",
                )


def _load_regions(root: Path, templates: _Templates) -> dict[str, Region]:
    directory = root / REGIONS_DIR
    if not directory.is_dir():
        raise ReferenceDataError(REGIONS_DIR, "folder not found")
    regions: dict[str, Region] = {}
    files: dict[str, str] = {}
    owner: dict[str, str] = {}  # organisation or DfE code -> file that declared it
    paths = [p for p in directory.glob("*.yaml") if p.name not in NOT_REGIONS]
    for path in sorted(paths, key=lambda p: _region_sort_key(p.stem)):
        rel, data = read_mapping(root, path)
        region = validate(Region, data, rel)
        _check_region(region, rel, path.stem, templates)
        codes = [("local authority code", la.code) for la in region.local_authorities]
        codes += [("DfE code", f"dfe:{la.dfe_code}") for la in region.local_authorities]
        codes += [("organisation code", trust.code) for trust in region.trusts]
        for what, code in codes:
            if code in owner:
                elsewhere = "" if owner[code] == rel else f" (also in {owner[code]})"
                shown = code.removeprefix("dfe:")
                raise ReferenceDataError(rel, f"duplicate {what} {shown}{elsewhere}")
            owner[code] = rel
        regions[region.id] = region
        files[region.id] = rel
    _check_companies(regions, files)
    # Neighbours may sit in any region, so they are checked once every region is read.
    all_la_codes = {la.code for region in regions.values() for la in region.local_authorities}
    for region in regions.values():
        for la in region.local_authorities:
            for neighbour in la.statistical_neighbours:
                if neighbour.code not in all_la_codes:
                    raise ReferenceDataError(
                        files[region.id],
                        f"statistical neighbour {neighbour.code} of {la.name} "
                        "is not a known local authority",
                    )
    return regions


def load_reference(root: Path) -> Reference:
    """Read and cross-check every reference file under root; ReferenceDataError on any problem."""
    indicators = _load_indicators(root)
    templates = _load_templates(root, indicators)
    regions = _load_regions(root, templates)
    return Reference(
        regions=regions,
        indicators=indicators,
        templates=templates.mou,
        sef_templates=templates.sef,
    )


@functools.cache
def get_reference() -> Reference:
    """The project's reference data, loaded once per process."""
    return load_reference(PROJECT_ROOT)
