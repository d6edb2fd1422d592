"""The cycle's history in the browser: the coordinator pages through it and filters it; a DCS, the
RISL and a triad peer each see only what they may, at desktop and phone widths, axe-clean.

The self-evaluation journey may run before or after this test on the same server, so what is
asserted holds either way: chapter saves are Derby's own and the coordinator's, never the
RISL's or a peer's.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

HISTORY = "/regions/east-midlands/cycles/2026-27/history"
DERBY = "E06000015"
CHAPTER_SAVE = re.compile(r"saved '.+' as version \d+")
WIDTHS = (1280, 375)


def _rows(page: Any) -> Any:
    return page.locator("table.app-history tbody tr")


def _summaries(page: Any) -> list[str]:
    return [text.strip() for text in _rows(page).locator("td:nth-child(4)").all_inner_texts()]


def _check_widths(page: Any) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_coordinator_pages_through_and_filters_the_history(
    sef_context: Callable[[], Any],
) -> None:
    expect = expect_()
    page = sef_context().new_page()
    sign_in(page, "coordinator@demo.riia.example")
    page.goto("/regions/east-midlands/cycles/2026-27")
    page.get_by_role("link", name="See the cycle's history").click()
    expect(page).to_have_url(re.compile(re.escape(HISTORY) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("History")
    expect(_rows(page)).to_have_count(50)
    count = page.locator("#history-count").inner_text()
    total = int(count.split(" ")[0])
    assert total > 50 and count.endswith("showing 1 to 50.")
    _check_widths(page)

    pagination = page.get_by_role("navigation", name="History pages")
    pagination.get_by_role("link", name=re.compile("Next")).click()
    expect(page).to_have_url(re.compile(re.escape(HISTORY) + r"\?page=2$"))
    expect(page.locator("#history-count")).to_contain_text("showing 51 to ")
    expect(page).to_have_title(re.compile(r"^History of the 2026-27 cycle \(page 2 of \d+\)"))
    axe_check(page)

    page.get_by_label("Organisation").select_option(label="Derby")
    page.get_by_label("Stage").select_option(label="Self-evaluation")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(
        re.compile(re.escape(HISTORY) + rf"\?la={DERBY}&stage=self_evaluation&person=$")
    )
    organisations = _rows(page).locator("td:nth-child(3)").all_inner_texts()
    assert organisations and set(organisations) == {"Derby"}
    assert any(CHAPTER_SAVE.search(s) for s in _summaries(page))
    expect(page.get_by_label("Organisation")).to_have_value(DERBY)
    _check_widths(page)

    page.get_by_role("link", name="Clear filters").click()
    expect(page).to_have_url(re.compile(re.escape(HISTORY) + "$"))
    expect(page.locator("#history-count")).to_have_text(re.compile(rf"^{total} entries"))


@pytest.mark.parametrize(
    ("email", "sees_drafts"),
    [
        ("dcs.derby@demo.riia.example", True),
        ("risl@demo.riia.example", False),
        ("dcs.derbyshire@demo.riia.example", False),  # Derby's triad peer
    ],
)
def test_each_reader_sees_only_what_they_may(
    sef_context: Callable[[], Any], email: str, sees_drafts: bool
) -> None:
    expect = expect_()
    page = sef_context().new_page()
    sign_in(page, email)
    page.goto(HISTORY + f"?la={DERBY}&stage=self_evaluation")
    expect(page.get_by_role("heading", level=1)).to_have_text("History")
    saves = [s for s in _summaries(page) if CHAPTER_SAVE.search(s)]
    assert bool(saves) is sees_drafts
    _check_widths(page)
    page.goto(HISTORY)
    expect(page.locator("#history-count")).to_be_visible()
    _check_widths(page)
