"""The coordinator reads the regional dashboard, by LA name only, and opens one LA's data profile.

Every page visited is checked with axe (WCAG 2.2 A and AA); the profile's SVG trend charts are
images with an accessible name and a text alternative written out beside them.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from app.reference import get_reference
from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.riia.example"
DASHBOARD = "/regions/east-midlands/dashboard"
QUARTER = "2026-27 Q2"
VALUE_COLUMN = "Average caseload per case-holding social worker"
PROFILED = ("Nottingham", "E06000018")


def test_coordinator_sorts_the_dashboard_and_opens_a_profile(
    indicators_context: Callable[[], Any],
) -> None:
    expect = expect_()
    page = indicators_context().new_page()
    sign_in(page, COORDINATOR)
    axe_check(page)  # the home page after signing in

    page.get_by_role("link", name="East Midlands 2026-27 cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026-27 improvement cycle")
    axe_check(page)
    # The calendar's stage names (its first column) wrap between words, never inside one.
    split_words = page.evaluate(
        """() => [...document.querySelectorAll('.app-calendar dt')].flatMap(dt => {
            const node = dt.firstChild, text = node.textContent, found = [];
            let at = 0;
            for (const word of text.split(/\\s+/).filter(Boolean)) {
                const start = text.indexOf(word, at), range = document.createRange();
                range.setStart(node, start); range.setEnd(node, start + word.length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) found.push(word);
                at = start + word.length;
            }
            return found;
        })"""
    )
    assert page.locator(".app-calendar dt").count() >= 5 and split_words == [], split_words

    page.get_by_role(
        "link", name="See every local authority's quarterly indicators and signatures of risk"
    ).click()
    expect(page).to_have_url(re.compile(re.escape(DASHBOARD) + "$"))
    # Choose the seeded quarter explicitly rather than rely on the default.
    page.get_by_label("Quarter or reporting year", exact=True).select_option(label=QUARTER)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(DASHBOARD) + r"\?period=2026-27-q2$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quarterly indicators, {QUARTER}")
    table = page.locator("table.app-dashboard-table")
    las = get_reference().regions["east-midlands"].local_authorities
    expect(table.locator("tbody").get_by_role("row")).to_have_count(len(las))
    axe_check(page)

    # No column sorts by value: a table of LAs in value order is a league table, which the MoU
    # rules out (regions/templates/mou-standard.yaml:44). The LA column reverses the name order.
    header = table.get_by_role("columnheader").filter(has_text=VALUE_COLUMN)
    expect(header.get_by_role("link")).to_have_count(0)
    names = table.locator("tbody th[scope=row]").all_inner_texts()
    assert names == sorted(names), names
    table.get_by_role("columnheader").filter(has_text="Local authority").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=la&order=desc$"))
    header = page.locator("table.app-dashboard-table").get_by_role("columnheader").first
    expect(header).to_have_attribute("aria-sort", "descending")
    names = page.locator("table.app-dashboard-table tbody th[scope=row]").all_inner_texts()
    assert names == sorted(names, reverse=True), names
    axe_check(page)

    # Only the table scrolls sideways, inside its own box, with the LA column kept in view; the
    # page itself never scrolls into blank space, on a laptop or on a phone.
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        scroller = page.get_by_role("region", name=re.compile("scrolls sideways"))
        page_width, client = page.evaluate(
            "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
        )
        page.screenshot(path=f"/tmp/riia-browser-dashboard-{width}.png", full_page=True)
        assert page_width <= client, (width, page_width, client)
        inner, outer = scroller.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
        assert inner > outer, (width, inner, outer)
        first_la = scroller.get_by_role("rowheader").first
        before = first_la.bounding_box()["x"]
        scroller.evaluate("(e) => { e.scrollLeft = 600; }")
        assert scroller.evaluate("(e) => e.scrollLeft") > 0
        assert abs(first_la.bounding_box()["x"] - before) < 1  # sticky: it did not move
        scroller.evaluate("(e) => { e.scrollLeft = 0; }")
        axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    name, code = PROFILED
    page.get_by_role("rowheader", name=name, exact=True).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/regions/east-midlands/las/{code}\?period=2026-27-q2$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{name}: quarterly data profile, {QUARTER}"
    )
    charts = page.locator("figure.app-chart-figure svg")
    expect(charts).to_have_count(20)
    chart = charts.first
    expect(chart).to_have_attribute("role", "img")
    expect(chart).to_have_accessible_name(re.compile(r"\S"))
    # The text alternative is the chart's description and is also written out in its caption.
    description = chart.locator("desc").text_content() or ""
    assert description.strip()
    expect(chart).to_have_accessible_description(description.strip())
    figure = page.locator("figure.app-chart-figure").first
    expect(figure.locator("figcaption")).to_have_text(description.strip())
    expect(figure.get_by_role("table")).to_be_visible()
    for i in range(charts.count()):
        expect(charts.nth(i)).to_have_accessible_name(re.compile(r"\S"))
    page.screenshot(path="/tmp/riia-browser-profile.png", full_page=True)
    axe_check(page)


def test_coordinator_reads_a_reporting_year_of_published_figures(
    indicators_context: Callable[[], Any],
) -> None:
    """Issue 9: a reporting year is benchmarked on DfE's published figures, labelled as such."""
    expect = expect_()
    page = indicators_context().new_page()
    sign_in(page, COORDINATOR)
    page.goto(DASHBOARD)
    page.get_by_label("Quarter or reporting year", exact=True).select_option(
        label="2024-25 (DfE published, annual)"
    )
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(DASHBOARD) + r"\?period=2024-25$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Published annual indicators, 2024-25"
    )
    table = page.locator("table.app-dashboard-table")
    las = get_reference().regions["east-midlands"].local_authorities
    expect(table.locator("tbody").get_by_role("row")).to_have_count(len(las))
    expect(table.get_by_text("Neighbours 2024-25 (published):").first).to_be_visible()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/riia-browser-published-{width}.png", full_page=True)
    axe_check(page)
