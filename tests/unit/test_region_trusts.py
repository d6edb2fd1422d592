"""Children's Trusts, co-leads and each region's calendar, as the region files hold them."""

import shutil
from pathlib import Path

import pytest

from app.auth.roles import Role
from app.reference import PROJECT_ROOT, Reference, TrustActivity, get_reference
from tests.unit.reference_files import INDICATORS_FILE, edit, put, refused

# Every Trust or ADM running an English LA's children's social care, as checked on 2026-12-07
# (see the comments in each region file): region -> trust code -> (name, LAs served).
EXPECTED_TRUSTS: dict[str, dict[str, tuple[str, set[str]]]] = {
    "north-east": {
        "together-for-children-sunderland": ("Together for Children", {"Sunderland"}),
    },
    "north-west": {},
    "yorkshire-and-the-humber": {
        "bradford-children-and-families-trust": (
            "Bradford Children and Families Trust",
            {"Bradford"},
        ),
    },
    "east-midlands": {
        "northamptonshire-childrens-trust": (
            "Northamptonshire Children's Trust",
            {"North Northamptonshire", "West Northamptonshire"},
        ),
    },
    "west-midlands": {
        "birmingham-childrens-trust": ("Birmingham Children's Trust", {"Birmingham"}),
        "sandwell-childrens-trust": ("Sandwell Children's Trust", {"Sandwell"}),
    },
    "east-of-england": {},
    "london": {
        "achieving-for-children-london": (
            "Achieving for Children",
            {"Kingston upon Thames", "Richmond upon Thames"},
        ),
    },
    "south-east": {
        "achieving-for-children-south-east": ("Achieving for Children", {"Windsor and Maidenhead"}),
        "slough-children-first": ("Slough Children First", {"Slough"}),
    },
    "south-west": {},
}

EM = "regions/east-midlands.yaml"
SE = "regions/south-east.yaml"


@pytest.fixture(scope="module")
def reference() -> Reference:
    return get_reference()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copy(PROJECT_ROOT / INDICATORS_FILE, tmp_path / INDICATORS_FILE)
    shutil.copytree(PROJECT_ROOT / "regions", tmp_path / "regions")
    return tmp_path


def test_every_trust_is_loaded_with_the_las_it_serves(reference: Reference) -> None:
    loaded = {
        region.id: {
            trust.code: (trust.name, {region.local_authority(c).name for c in trust.serves})
            for trust in region.trusts
        }
        for region in reference.regions.values()
    }
    assert loaded == EXPECTED_TRUSTS
    for region in reference.regions.values():
        for trust in region.trusts:
            organisation = reference.organisation(trust.code)
            assert (organisation.kind, organisation.name) == ("trust", trust.name)
            # A Trust's Chief Executive signs the MoU (seed 002:2205).
            assert organisation.signing_roles == (Role.CHIEF_EXECUTIVE,)
            assert reference.region_of(trust.code) is region
            assert trust.sources and all(s.startswith("https://") for s in trust.sources)
            assert trust.takes_part_in == (TrustActivity.SELF_EVALUATION, TrustActivity.TRIAD)
            for code in trust.serves:
                assert region.trusts_serving(code) == (trust,)


def test_a_trust_serving_two_regions_is_listed_in_each(reference: Reference) -> None:
    entries = reference.trusts_of_company("achieving-for-children")
    assert [(region.id, trust.code) for region, trust in entries] == [
        ("london", "achieving-for-children-london"),
        ("south-east", "achieving-for-children-south-east"),
    ]
    served = {
        region.id: sorted(region.local_authority(c).name for c in trust.serves)
        for region, trust in entries
    }
    assert served == {
        "london": ["Kingston upon Thames", "Richmond upon Thames"],
        "south-east": ["Windsor and Maidenhead"],
    }
    # It signs each region's MoU, as a party to that region's RIIA.
    for region, trust in entries:
        assert region.organisation(trust.code).name == "Achieving for Children"
    # A company in one region only is its own company.
    (only,) = reference.trusts_of_company("slough-children-first")
    assert only[0].id == "south-east"


def test_a_cross_region_company_keeps_one_name(root: Path) -> None:
    edit(root, SE, put("trusts.0.name", "AfC Berkshire"))
    assert refused(root) == (
        f"{SE}: trust achieving-for-children-south-east is company achieving-for-children, "
        "named 'Achieving for Children' in regions/london.yaml, not 'AfC Berkshire'"
    )


def test_a_company_listed_twice_in_one_file_is_refused(root: Path) -> None:
    edit(root, SE, put("trusts.1.company", "achieving-for-children"))
    edit(root, SE, put("trusts.1.name", "Achieving for Children"))
    assert refused(root) == f"{SE}: company achieving-for-children is listed twice in this file"


def test_an_unknown_activity_is_refused(root: Path) -> None:
    edit(root, EM, put("trusts.0.takes_part_in", ["self_evaluation", "regional_plan"]))
    assert refused(root) == (
        f"{EM}: bad value at trusts[0] (northamptonshire-childrens-trust).takes_part_in[1]: "
        "Input should be 'self_evaluation' or 'triad'"
    )


def test_co_leads_and_a_board_chair_load(reference: Reference) -> None:
    em = reference.regions["east-midlands"]
    assert em.leads.lead_lead_member == ("E06000015", "E06000018")
    assert em.lead_roles_of("E06000015") == (Role.LEAD_LEAD_MEMBER,)
    assert em.lead_roles_of("E06000018") == (Role.LEAD_LEAD_MEMBER,)
    assert em.lead_roles_of("E10000019") == (Role.LEAD_DCS,)
    assert em.lead_roles_of("E06000016") == ()
    # The Board is chaired by Lincolnshire's Chief Executive (seed 002:2272).
    assert em.leads.board_chair is not None
    assert (em.leads.board_chair.organisation, em.leads.board_chair.role) == (
        "E10000019",
        Role.CHIEF_EXECUTIVE,
    )
    # A single code is still one lead.
    assert reference.regions["london"].leads.lead_dcs == ("E09000012",)


def test_every_region_has_its_own_calendar_with_an_assurance_conversation(
    reference: Reference,
) -> None:
    for region in reference.regions.values():
        window = region.calendar["annual_assurance_conversation"]
        assert (window.opens, window.closes) == ("03-02", "03-20"), region.id


def test_a_capacity_index_closing_before_the_plans_is_refused(root: Path) -> None:
    edit(root, EM, put("calendar.capacity_index", {"opens": "02-01", "closes": "03-06"}))
    assert refused(root) == (
        f"{EM}: bad value at calendar: the capacity index closes 03-06, before the LA "
        "development plans it draws on close (03-13); let it close on or after them"
    )


def test_a_capacity_index_closing_before_the_self_evaluations_is_refused(root: Path) -> None:
    edit(root, EM, put("calendar.capacity_index", {"opens": "11-01", "closes": "12-01"}))
    edit(root, EM, put("calendar.la_development_plan", {"opens": "11-01", "closes": "11-30"}))
    assert refused(root) == (
        f"{EM}: bad value at calendar: the capacity index closes 12-01, before the "
        "self-evaluations it draws on close (12-19); let it close on or after them"
    )


def test_an_assurance_conversation_before_the_self_evaluations_close_is_refused(
    root: Path,
) -> None:
    edit(
        root,
        EM,
        put("calendar.annual_assurance_conversation", {"opens": "12-01", "closes": "12-02"}),
    )
    assert refused(root) == (
        f"{EM}: bad value at calendar: the annual assurance conversation opens 12-01, before "
        "the self-evaluations close (12-19); it follows them"
    )


def test_a_calendar_without_the_assurance_conversation_is_refused(root: Path) -> None:
    edit(root, EM, put("calendar.annual_assurance_conversation", delete=True))
    assert refused(root) == f"{EM}: missing key annual_assurance_conversation in calendar"
