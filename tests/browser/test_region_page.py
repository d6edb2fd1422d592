"""The region page shows how the region is organised, at desktop width and on a phone, with axe."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375])
def test_the_region_page_shows_co_leads_and_the_trust(
    new_context: Callable[[], Any], width: int
) -> None:
    expect = expect_()
    page = new_context().new_page()
    sign_in(page, "lead-member.derby@demo.riia.example")
    # Narrowed once signed in: sign_in looks for the header's Sign out button.
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/regions/east-midlands")
    expect(page.get_by_role("heading", level=2, name="How the region is organised")).to_be_visible()
    rows = page.locator(".govuk-summary-list__row")
    expect(rows.nth(1)).to_contain_text("Lead Lead Members")
    expect(rows.nth(1)).to_contain_text("Derby and Nottingham")
    expect(rows.nth(3)).to_contain_text("Chief Executive, Lincolnshire")
    expect(rows.nth(4)).to_contain_text("Northamptonshire Children's Trust")
    axe_check(page)
