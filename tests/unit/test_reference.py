"""The shipped reference data matches the DfE source files, and broken files are refused."""

import csv
import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.auth.roles import Role
from app.reference import (
    PROJECT_ROOT,
    REGION_ORDER,
    STAGES,
    Organisation,
    Polarity,
    Reference,
    Region,
    get_reference,
    load_reference,
)
from app.structured_text import parse
from tests.unit.reference_files import INDICATORS_FILE, Edit, edit, put, refused

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"the DfE source files are not present at {DATA}"
)

# NE, NW, Y&H, EM, WM, East, London, SE, SW.
REGION_SIZES = dict(zip(REGION_ORDER, (12, 24, 15, 10, 14, 11, 33, 19, 15), strict=True))
# The DfE file pads "Close " with a space; the other bands are written as they read.
BANDS = {b: b.lower().replace(" ", "_") for b in ("Extremely close", "Very close", "Close")}
BANDS |= {b: b.lower().replace(" ", "_") for b in ("Somewhat close", "Not close")}
CSV_LA_FIELDS = ("old_la_code", "la_name", "la_type", "ofsted_urn")
CSV_REGION_FIELDS = ("region_code", "region_name", "riia")


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference(PROJECT_ROOT)


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the shipped files -------------------------------------------------------------------


def test_every_shipped_file_loads(reference: Reference) -> None:
    assert reference.region_ids == REGION_ORDER
    assert tuple(reference.templates) == ("mou-standard",)
    assert len(reference.indicators) == 20
    assert get_reference() is get_reference()
    assert get_reference().region_ids == REGION_ORDER


def test_region_sizes(reference: Reference) -> None:
    sizes = {rid: len(r.local_authorities) for rid, r in reference.regions.items()}
    assert sizes == REGION_SIZES
    assert len(reference.local_authorities) == 153


def test_local_authorities_sorted_by_name(reference: Reference) -> None:
    for region in reference.regions.values():
        names = [la.name for la in region.local_authorities]
        assert names == sorted(names), region.id


def _region_fields(region: Region) -> tuple[str, str, str]:
    return (region.ons_code, region.name, region.riia)


@needs_data
def test_every_local_authority_matches_the_dfe_list(reference: Reference) -> None:
    rows = read_csv("england_upper_tier_las_by_region.csv")
    current = {r["ons_code"]: r for r in rows if r["status"] == "current"}
    assert len(current) == 153
    shipped = {
        la.code: (la.dfe_code, la.name, la.type, la.ofsted_urn, *_region_fields(region))
        for region in reference.regions.values()
        for la in region.local_authorities
    }
    fields = CSV_LA_FIELDS + CSV_REGION_FIELDS
    assert shipped == {code: tuple(r[f] for f in fields) for code, r in current.items()}
    legacy = {r["la_name"] for r in rows if r["status"] == "legacy"}
    assert legacy == {"Cumbria", "Northamptonshire", "Poole"}
    assert legacy.isdisjoint(la.name for la in reference.local_authorities)


@needs_data
def test_statistical_neighbours_match_the_dfe_model(reference: Reference) -> None:
    ons_of = {
        r["old_la_code"]: r["ons_code"]
        for r in read_csv("england_upper_tier_las_by_region.csv")
        if r["status"] == "current"
    }
    expected = {
        ons_of[r["old_la_code"]]: [
            (ons_of[r[f"SN_{i}"]], BANDS[r[f"SN_{i}P"].strip()]) for i in range(1, 11)
        ]
        for r in read_csv("dfe_statistical_neighbours_2025_wide.csv")
    }
    shipped = {
        la.code: [(n.code, n.band.value) for n in la.statistical_neighbours]
        for la in reference.local_authorities
    }
    assert shipped == expected


def test_every_local_authority_has_ten_resolvable_neighbours(reference: Reference) -> None:
    for la in reference.local_authorities:
        assert len(la.statistical_neighbours) == 10, la.name
        for neighbour in la.statistical_neighbours:
            assert reference.local_authority(neighbour.code).code == neighbour.code
            assert neighbour.code != la.code


def test_east_midlands_carries_the_northamptonshire_trust(reference: Reference) -> None:
    region = reference.regions["east-midlands"]
    (trust,) = region.trusts
    assert trust.code == "northamptonshire-childrens-trust"
    assert trust.name == "Northamptonshire Children's Trust"
    served = {reference.local_authority(code).name for code in trust.serves}
    assert served == {"North Northamptonshire", "West Northamptonshire"}
    assert reference.organisation(trust.code) == Organisation(
        code="northamptonshire-childrens-trust",
        name="Northamptonshire Children's Trust",
        kind="trust",
        signing_roles=(Role.CHIEF_EXECUTIVE,),
    )
    assert reference.region_of(trust.code) is region


def test_organisations_are_las_then_trusts(reference: Reference) -> None:
    region = reference.regions["east-midlands"]
    kinds = [o.kind for o in region.organisations]
    assert kinds == ["la"] * 10 + ["trust"]
    assert region.organisations[0].name == "Derby"
    derby = region.organisation("E06000015")
    assert derby.signing_roles == (Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE)
    with pytest.raises(KeyError):
        region.organisation("E08000025")  # Birmingham is in the West Midlands
    with pytest.raises(KeyError):
        reference.organisation("E99999999")
    assert reference.region_of("E08000025").id == "west-midlands"


def test_leads_are_organisations_of_their_region(reference: Reference) -> None:
    for region in reference.regions.values():
        for codes in region.leads.by_role().values():
            for code in codes:
                assert region.organisation(code).kind == "la"
    em = reference.regions["east-midlands"].leads
    assert (em.lead_dcs, em.lead_lead_member, em.lead_chief_executive) == (
        ("E10000019",),
        ("E06000015", "E06000018"),
        ("E10000024",),
    )


def test_calendar_dates_for_2026_27(reference: Reference) -> None:
    d = datetime.date
    assert reference.regions["east-midlands"].default_calendar("2026-27") == {
        "mou": (d(2026, 4, 1), d(2026, 5, 31)),
        "quarterly_returns": (d(2026, 4, 1), d(2027, 3, 31)),
        "self_evaluation": (d(2026, 11, 1), d(2026, 12, 19)),
        "triad_challenge": (d(2027, 1, 5), d(2027, 2, 27)),
        "la_development_plan": (d(2027, 1, 5), d(2027, 3, 13)),
        "capacity_index": (d(2027, 2, 1), d(2027, 3, 13)),
        "annual_assurance_conversation": (d(2027, 3, 2), d(2027, 3, 20)),
        "regional_plan": (d(2027, 3, 1), d(2027, 3, 31)),
    }
    for region in reference.regions.values():
        assert tuple(region.default_calendar("2026-27")) == STAGES
    window = reference.regions["london"].calendar["regional_plan"]
    assert window.dates("2099-00") == (d(2100, 3, 1), d(2100, 3, 31))


@pytest.mark.parametrize("year", ["2026-28", "26-27", "2026/27", "2026-2027", ""])
def test_a_malformed_cycle_year_is_refused(reference: Reference, year: str) -> None:
    window = reference.regions["london"].calendar["mou"]
    with pytest.raises(ValueError, match="is not in the form YYYY-YY"):
        window.dates(year)


@needs_data
def test_indicators_follow_the_catalogue(reference: Reference) -> None:
    catalogue = [r["indicator_id"] for r in read_csv("csc_indicator_catalogue.csv")]
    assert list(reference.indicators) == catalogue
    published = {r["indicator_id"] for r in read_csv("dfe_csc_indicator_values_2023_2025.csv")}
    for indicator in reference.indicators.values():
        assert set(indicator.published_ids) <= published, indicator.id
    rereferrals = reference.indicators["rereferrals_within_12m_pct"]
    assert rereferrals.england == {2023: 22.4, 2024: 22.4, 2025: 22.6}
    assert reference.indicator_for_published_id("cpp_2yrs_plus_at31mar_pct").id == (
        "cpp_2yrs_plus_pct"
    )


def test_indicator_polarities_and_units(reference: Reference) -> None:
    polarities = {i.id: i.polarity for i in reference.indicators.values()}
    assert all(isinstance(p, Polarity) for p in polarities.values())
    assert polarities["rereferrals_within_12m_pct"] is Polarity.TWO_SIDED
    assert polarities["referrals_rate_per_10k"] is Polarity.CONTEXTUAL
    assert polarities["assessments_within_45wd_pct"] is Polarity.HIGHER_BETTER
    assert polarities["sw_agency_rate_fte_pct"] is Polarity.LOWER_BETTER
    assert {i.unit.value for i in reference.indicators.values()} == {
        "percent",
        "rate_per_10k",
        "ratio",
    }
    assert reference.indicators["referrals_rate_per_10k"].published_ids == (
        "referrals_rate_per_10k_derived",
    )
    assert reference.indicators["s47_rate_per_10k"].published_ids == ()


def test_mou_template_renders_for_a_region(reference: Reference) -> None:
    region = reference.regions["east-midlands"]
    title, body = reference.mou_template("east-midlands").render(region)
    assert title == "East Midlands RIIA: Memorandum of Understanding"
    assert "{" not in body and "<" not in body
    assert "the East Midlands region work together as the East Midlands RIIA" in body
    headings = [b.text for b in parse(body) if b.kind == "heading"]
    assert headings == [
        "Purpose",
        "What the alliance does each year",
        "Roles and accountability",
        "How shared data will be used",
        "Confidentiality of triad challenge",
        "Review and withdrawal",
    ]
    # Longer since the triad clause says who sees a challenge record (issue 12).
    assert 600 <= len(body.split()) <= 1050


# --- broken files ------------------------------------------------------------------------

EM = "regions/east-midlands.yaml"
WM = "regions/west-midlands.yaml"
MOU = "regions/templates/mou-standard.yaml"
IND = INDICATORS_FILE


def add_derby(data: dict[str, Any]) -> None:
    data["local_authorities"].append(
        yaml.safe_load((PROJECT_ROOT / EM).read_text())["local_authorities"][0]
    )


NORTHANTS = "northamptonshire-childrens-trust"
NOT_MM_DD = "is not a real month and day in the form MM-DD"
ROLES = "(allowed: dcs, lead_member, chief_executive)"
POLARITIES = "'higher_better', 'lower_better', 'two_sided' or 'contextual'"
REREFERRALS = "indicators[1] (rereferrals_within_12m_pct)"
REFERRALS = "indicators[0] (referrals_rate_per_10k)"
# fmt: off
BROKEN: list[tuple[str, Edit, str]] = [
    (EM, put("colour", "red"), "unknown key colour in the top level"),
    (EM, put("local_authorities.0.nick", "Rams"),
     "unknown key nick in local_authorities[0] (E06000015)"),
    (EM, lambda d: d["local_authorities"].append(d["local_authorities"][0]),
     "duplicate local authority code E06000015"),
    (WM, add_derby, f"duplicate local authority code E06000015 (also in {EM})"),
    (WM, put("trusts", [{"code": NORTHANTS, "name": "X", "serves": ["E08000025"]}]),
     f"duplicate organisation code {NORTHANTS} (also in {EM})"),
    (EM, put("local_authorities.0.statistical_neighbours.0.code", "E06099999"),
     "statistical neighbour E06099999 of Derby is not a known local authority"),
    (EM, put("trusts.0.serves", ["E06000061", "E08000025"]),
     f"trust {NORTHANTS} serves E08000025, which is not an LA of this region"),
    (EM, put("leads.lead_dcs", "E0600009"), "unknown organisation code E0600009 in leads.lead_dcs"),
    (EM, put("leads.lead_lead_member", ["E06000015", "E08000025"]),
     "unknown organisation code E08000025 in leads.lead_lead_member"),
    (EM, put("leads.lead_lead_member", ["E06000015", "E06000015"]),
     "bad value at leads.lead_lead_member: a co-lead is listed twice"),
    (EM, put("leads.lead_dcs", []),
     "bad value at leads.lead_dcs: Tuple should have at least 1 item after validation, not 0"),
    (EM, put("leads.board_chair", {"organisation": "E08000025", "role": "chief_executive"}),
     "unknown organisation code E08000025 in leads.board_chair.organisation"),
    (EM, put("leads.board_chair", {"organisation": "E10000019", "role": "risl"}),
     f"bad value at leads.board_chair.role: risl cannot sign for an organisation {ROLES}"),
    (EM, put("leads.lead_chief_executive", "E08000025"),
     "unknown organisation code E08000025 in leads.lead_chief_executive"),
    (EM, put("mou_template", "mou-gold"),
     "unknown mou_template mou-gold (no file regions/templates/mou-gold.yaml)"),
    (IND, put("indicators.1.polarity", "better"),
     f"bad value at {REREFERRALS}.polarity: Input should be {POLARITIES}"),
    (IND, put("indicators.0.decimals", -1),
     f"bad value at {REFERRALS}.decimals: Input should be greater than or equal to 0"),
    (IND, put("indicators.1.valid_min", 100),
     f"bad value at {REREFERRALS}: valid_min (100) must be less than valid_max (100)"),
    (IND, put("indicators.1.sensible_range", delete=True),
     f"bad value at {REREFERRALS}: a two-sided indicator, and only one, needs a sensible_range"),
    (IND, put("indicators.0.sensible_range", {"low": 1, "high": 2, "source": "x"}),
     f"bad value at {REFERRALS}: a two-sided indicator, and only one, needs a sensible_range"),
    (IND, put("indicators.1.sensible_range.low", 30),
     f"bad value at {REREFERRALS}.sensible_range: sensible_range low (30) must be below high (26)"),
    (IND, put("indicators.0.tolerance", 0),
     f"bad value at {REFERRALS}.tolerance: Input should be greater than 0"),
    (IND, put("indicators.0.tolerance_why", delete=True),
     "missing key tolerance_why in indicators[0] (referrals_rate_per_10k)"),
    (IND, put("indicators.1.id", "referrals_rate_per_10k"),
     "duplicate indicator id referrals_rate_per_10k"),
    (EM, put("calendar.capacity_index", delete=True), "missing key capacity_index in calendar"),
    (EM, put("calendar.workshop", {"opens": "03-16", "closes": "03-16"}),
     "unknown key workshop in calendar"),
    (EM, put("calendar.mou.opens", "13-01"),
     f"bad value at calendar.mou.opens: '13-01' {NOT_MM_DD}"),
    (EM, put("calendar.mou.closes", "02-30"),
     f"bad value at calendar.mou.closes: '02-30' {NOT_MM_DD}"),
    (EM, put("calendar.mou.opens", "4-1"), f"bad value at calendar.mou.opens: '4-1' {NOT_MM_DD}"),
    (EM, put("calendar.self_evaluation.opens", "01-05"),
     "bad value at calendar.self_evaluation: closes 12-19 before it opens 01-05"),
    (MOU, put("body", "Just a paragraph about {region_name}.\n"),
     "body has no heading (a line starting '# ')"),
    (MOU, put("title", "{region}: MoU"),
     "unknown placeholder {region} in title (allowed: {region_name}, {riia}, {data_terms}, {triad_records})"),
    (EM, put("id", "east-mids"), "region id east-mids does not match the file name"),
    (EM, put("local_authorities.0.dfe_code", 831),
     "bad value at local_authorities[0] (E06000015).dfe_code: Input should be a valid string"),
    (EM, put("signing_roles.trust", ["risl"]),
     f"bad value at signing_roles.trust: risl cannot sign for an organisation {ROLES}"),
]
# fmt: on


@pytest.mark.parametrize(("rel", "change", "problem"), BROKEN, ids=[p for _, _, p in BROKEN])
def test_a_broken_file_is_refused(root: Path, rel: str, change: Edit, problem: str) -> None:
    edit(root, rel, change)
    assert refused(root) == f"{rel}: {problem}"


def test_a_key_written_twice_is_refused(root: Path) -> None:
    path = root / EM
    path.write_text(path.read_text() + "riia: Another name\n")
    message = refused(root)
    assert message.startswith(f"{EM}: not valid YAML (")
    assert "key 'riia' is written twice" in message


def test_a_file_that_is_not_a_mapping_is_refused(root: Path) -> None:
    (root / IND).write_text("- just\n- a list\n")
    assert refused(root) == f"{IND}: expected a mapping of keys at the top level"


def test_a_subset_of_regions_loads(root: Path) -> None:
    # Missing regions are fine, provided every neighbour still resolves.
    for path in (root / "regions").glob("*.yaml"):
        if path.stem != "east-midlands":
            path.unlink()

    def keep_local_neighbours(data: dict[str, Any]) -> None:
        codes = {la["code"] for la in data["local_authorities"]}
        for la in data["local_authorities"]:
            neighbours = la["statistical_neighbours"]
            la["statistical_neighbours"] = [n for n in neighbours if n["code"] in codes]

    edit(root, EM, keep_local_neighbours)
    loaded = load_reference(root)
    assert loaded.region_ids == ("east-midlands",)
    assert len(loaded.regions["east-midlands"].organisations) == 11


def test_neighbours_in_a_missing_region_are_refused(root: Path) -> None:
    (root / "regions" / "west-midlands.yaml").unlink()
    # Regions are checked in order: Darlington's fourth neighbour is Dudley, West Midlands.
    assert refused(root) == (
        "regions/north-east.yaml: statistical neighbour E08000027 of Darlington"
        " is not a known local authority"
    )


def test_names_say_what_the_share_counts(reference: Reference) -> None:
    # Both are shares of children with 3 or more moves or workers: lower is better, so a name
    # with "stability" in it read backwards.
    names = {i.id: i.name for i in reference.indicators.values()}
    assert names["cla_3plus_social_workers_pct"] == "Children in care with 3 or more social workers"
    assert names["cla_3plus_placements_pct"] == (
        "Children in care with 3 or more placements in the year"
    )
    assert not [n for n in names.values() if "stability for CLA" in n or n.startswith("Short-term")]
