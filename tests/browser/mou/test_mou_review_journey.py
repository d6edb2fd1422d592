"""The coordinator records the leads' yearly review of the MoU through the real pages (issue 10).

Last cycle's MoU is in force and lasts into this cycle, so nobody signs again: the review is
"no change", and the tracker says so. Every page is checked with axe (WCAG 2.2 A and AA).
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

CYCLE = "/regions/east-midlands/cycles/2026-27"
MOU = CYCLE + "/mou"


def test_the_coordinator_records_reviewed_no_change(review_context: Callable[[], Any]) -> None:
    expect = expect_()
    page = review_context().new_page()
    name = sign_in(page, "coordinator@demo.riia.example")
    page.goto(MOU + "/tracker")
    expect(page.locator("#mou-review")).to_contain_text(
        "Due: the regional leads review the Memorandum this cycle."
    )
    # Last cycle's version 2 binds every organisation: nobody has to sign again.
    expect(page.get_by_text(re.compile(r"^Bound by version 2 since "))).to_have_count(11)
    axe_check(page)

    page.goto(CYCLE)
    page.get_by_role("link", name="Review the Memorandum of Understanding").click()
    expect(page).to_have_url(re.compile(re.escape(MOU + "/review") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Review the Memorandum of Understanding"
    )
    axe_check(page)

    # Without the tick, the page says what is missing and records nothing.
    page.get_by_role("button", name="Record: reviewed, no change").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm the regional leads reviewed this version and agreed no change"
    )
    axe_check(page)

    page.get_by_label("The regional leads reviewed version 2 and agreed it needs no change").check()
    page.get_by_role("button", name="Record: reviewed, no change").click()
    expect(page).to_have_url(re.compile(re.escape(MOU + "/tracker") + "$"))
    expect(page.locator("#mou-review")).to_contain_text(
        re.compile(
            rf"Reviewed, no change on \d+ \w+ \d{{4}} by {re.escape(name)}: version 2 stays in force"
        )
    )
    axe_check(page)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/riia-browser-mou-review-{width}.png", full_page=True)
