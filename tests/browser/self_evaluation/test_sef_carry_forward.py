"""Starting this year's self-evaluation from last year's signed one, in a real browser.

Lincolnshire's 2025-26 self-evaluation was written and signed by all three signatories; its
2026-27 one is blank. Its DCS signs in, opens this year's, chooses to start from last year's, sees
every chapter marked "carried forward from 2025–26, not yet edited", edits one chapter, and sees
that mark gone from it alone. axe (WCAG 2.2 A and AA) checks every page visited, at 1280 and 375
pixels wide.
"""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.conftest import _contexts, _serve, axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

LAST, THIS = "2025-26", "2026-27"
LINCOLNSHIRE = "E10000019"
HOME = f"/regions/east-midlands/cycles/{THIS}/self-evaluations/{LINCOLNSHIRE}"
DCS = "dcs.lincolnshire@demo.riia.example"
MARK = "Carried forward from 2025–26, not yet edited."

# The demo people; the coordinator opens 2025-26, Lincolnshire's DCS writes every chapter and
# the three signatories sign it; then 2026-27 opens (its MoU published), Lincolnshire's blank.
CARRY_SEED = """
import sys
from app import demo
from app.auth.roles import SIGNATORY_ROLES
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.db import get_sessionmaker
from app.reference.sef import OfstedGrade
from app.schema import upgrade
from app.self_evaluation.drafting import service
from app.self_evaluation.signoff import service as signoff
from app.self_evaluation.schemas import ChapterInput, SignSefInput, SubmitInput
upgrade(sys.argv[1])
with get_sessionmaker().begin() as session:
    demo.load_demo_people(session)
    coordinator = demo._principal(session, "coordinator@demo.riia.example")
    last = cycles.open_cycle(session, coordinator, demo.REGION, OpenCycleInput(year="2025-26"))
    code = "E10000019"
    dcs = demo._principal(session, "dcs.lincolnshire@demo.riia.example")
    number = None
    for chapter in service.template_of(service.get_sef(session, dcs, last, code)).chapters:
        data = ChapterInput(
            base_version=number, grade=OfstedGrade.GOOD,
            narrative=f"Last year we knew {chapter.title.lower()} well.",
            strengths="Stable, experienced team managers.",
            areas_for_development="Timeliness of assessments.",
        )
        number = service.save_chapter(session, dcs, last, code, chapter.id, data).number
    latest = service.latest_version(session, service.get_sef(session, dcs, last, code))
    service.submit(session, dcs, last, code, SubmitInput(content_hash=latest.content_hash))
    for role, slug in zip(SIGNATORY_ROLES, ("dcs", "lead-member", "chief-executive")):
        who = demo._principal(session, f"{slug}.lincolnshire@demo.riia.example")
        signoff.sign(session, who, last, code,
                     SignSefInput(role=role, content_hash=latest.content_hash, confirm=True))
    demo.open_and_publish(session)
"""


@pytest.fixture(scope="module")
def carry_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory, "browser-carry", CARRY_SEED)


@pytest.fixture
def carry_context(browser: Any, carry_server: str) -> Iterator[Callable[[], Any]]:
    yield from _contexts(browser, carry_server)


def _check(page: Any, name: str) -> None:
    """axe at desktop and phone widths; a screenshot of each in /tmp, never in the repository."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
        page.screenshot(path=f"/tmp/riia-carry-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_dcs_starts_from_last_years_signed_self_evaluation(
    carry_context: Callable[[], Any],
) -> None:
    expect = expect_()
    page = carry_context().new_page()
    sign_in(page, DCS)
    page.goto(HOME)
    expect(page.get_by_role("heading", level=1)).to_have_text("Lincolnshire self-evaluation")
    expect(page.get_by_text("Nothing written yet.").first).to_be_visible()
    _check(page, "blank")

    page.get_by_role("button", name="Start from last year's signed self-evaluation").click()
    expect(page).to_have_url(re.compile(re.escape(HOME + "/start") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Start from last year's signed self-evaluation"
    )
    _check(page, "start")
    page.get_by_role("button", name="Start from the 2025–26 self-evaluation").click()

    expect(page).to_have_url(re.compile(re.escape(HOME) + "$"))
    expect(
        page.get_by_text("Started from the signed 2025–26 self-evaluation as version 1.")
    ).to_be_visible()
    expect(page.get_by_text(MARK)).to_have_count(6)
    expect(
        page.get_by_role("button", name="Start from last year's signed self-evaluation")
    ).to_have_count(0)
    workforce = page.locator("section").filter(
        has=page.get_by_role("heading", name="Workforce", exact=True)
    )
    expect(workforce.get_by_text(MARK)).to_be_visible()
    expect(workforce.get_by_text("Last year we knew workforce well.")).to_be_visible()
    _check(page, "carried")

    workforce.get_by_role("link", name=re.compile("^Edit chapter")).click()
    expect(page.get_by_text("This chapter was carried forward from 2025–26")).to_be_visible()
    _check(page, "chapter")
    page.get_by_label("Strengths", exact=True).fill("A new principal social worker since April.")
    page.get_by_role("button", name="Save chapter").click()

    expect(page).to_have_url(re.compile(re.escape(HOME) + "#chapter-workforce$"))
    expect(page.get_by_text("'Workforce' saved as version 2.")).to_be_visible()
    expect(page.get_by_text(MARK)).to_have_count(5)
    expect(workforce.get_by_text(MARK)).to_have_count(0)
    expect(workforce.get_by_text("A new principal social worker since April.")).to_be_visible()
    axe_check(page)


def test_the_coordinator_gives_an_authority_its_own_due_date(
    carry_context: Callable[[], Any],
) -> None:
    """From the tracker, the coordinator sets Lincolnshire's own due date with a reason."""
    expect = expect_()
    page = carry_context().new_page()
    sign_in(page, "coordinator@demo.riia.example")
    page.goto(f"/regions/east-midlands/cycles/{THIS}/self-evaluations/tracker")
    _check(page, "tracker")
    page.get_by_role("link", name="Set own due date for Lincolnshire").click()
    expect(page).to_have_url(re.compile(re.escape(HOME + "/due-date") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set Lincolnshire's own due date")
    page.get_by_role("button", name="Save due date").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _check(page, "due-date-error")
    page.get_by_label("Day").fill("27")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Why").fill("Before its Ofsted annual engagement meeting on 1 December")
    page.get_by_role("button", name="Save due date").click()
    expect(
        page.get_by_text("Lincolnshire's self-evaluation is now due by 27 November 2026.")
    ).to_be_visible()
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Lincolnshire", exact=True)
    )
    expect(row.get_by_role("cell").last).to_contain_text(
        "27 November 2026 Own due date: Before its Ofsted annual engagement meeting on 1 December"
    )
    _check(page, "tracker-own-due")
