"""The LA profile shows its three most important signatures of risk, then "and N more" leading to
the full list (issue 10). Both pages are checked with axe (WCAG 2.2 A and AA)."""

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.riia.example"
PROFILE = "/regions/east-midlands/las/E06000061"  # North Northamptonshire: five flags in Q2


def test_the_profile_shows_three_flags_then_links_to_every_one(
    indicators_context: Callable[[], Any],
) -> None:
    expect = expect_()
    page = indicators_context().new_page()
    sign_in(page, COORDINATOR)
    page.goto(f"{PROFILE}?period=2026-27-q2")
    shown = page.locator("#flags ~ ul").first.locator("li")
    expect(shown).to_have_count(3)
    expect(shown.first).to_contain_text(
        "Social worker vacancy rate (FTE) above the region's threshold"
    )
    axe_check(page)
    page.get_by_role(
        "link", name="and 2 more signatures of risk for North Northamptonshire"
    ).click()
    expect(page).to_have_url(re.compile(re.escape(f"{PROFILE}/flags?period=2026-27-q2") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "North Northamptonshire: every signature of risk, 2026-27 Q2"
    )
    listed = page.locator("main ol li")
    expect(listed).to_have_count(5)
    assert listed.all_inner_texts()[:3] == shown_texts(page, f"{PROFILE}?period=2026-27-q2")
    axe_check(page)


def shown_texts(page: Any, url: str) -> list[str]:
    here = page.url
    page.goto(url)
    texts = page.locator("#flags ~ ul").first.locator("li").all_inner_texts()
    page.goto(here)
    return [str(t) for t in texts]
