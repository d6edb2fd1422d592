"""Derby's three signatories sign the Memorandum through the real pages, in a real browser.

Every page visited is checked with axe (WCAG 2.2 A and AA); the coordinator then sees the three
signatures on the tracker.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

CYCLE = "/regions/east-midlands/cycles/2026-27"
TRACKER = CYCLE + "/mou/tracker"
MOU = CYCLE + "/mou"
SIGNATORIES = [
    ("dcs.derby@demo.riia.example", "Director of Children's Services"),
    ("lead-member.derby@demo.riia.example", "Lead Member"),
    ("chief-executive.derby@demo.riia.example", "Chief Executive"),
]
COORDINATOR = "coordinator@demo.riia.example"
# The label's text starts with this (after the template's leading whitespace, which Playwright
# does not normalise when matching a regular expression).
STATEMENT = re.compile(r"^\s*I sign this Memorandum of Understanding on behalf of Derby\b")


def test_skip_link_is_the_first_focusable_element(new_context: Callable[[], Any]) -> None:
    expect = expect_()
    page = new_context().new_page()
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    assert focused.get_attribute("href") == "#main-content"
    page.keyboard.press("Enter")
    # The skip link moves focus to main (govuk-frontend's SkipLink component gives it tabindex).
    expect(page.locator("main#main-content")).to_be_focused()


def test_axe_check_reports_violations(new_context: Callable[[], Any]) -> None:
    """The checker is not vacuous: axe really runs under the site's CSP and its failures surface."""
    page = new_context().new_page()
    page.goto("/sign-in")
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = '/static/dist/favicon.svg';
        document.querySelector('main').appendChild(img);
    }""")
    with pytest.raises(
        AssertionError,
        match=r"image-alt \(critical\): Images must have alternative text\n\s+\[\"img\"\]",
    ):
        axe_check(page)


def test_three_signatories_sign_through_the_real_pages(new_context: Callable[[], Any]) -> None:
    expect = expect_()
    names: list[str] = []
    for index, (email, role_label) in enumerate(SIGNATORIES):
        page = new_context().new_page()
        names.append(sign_in(page, email))
        axe_check(page)  # the home page after signing in

        page.goto(CYCLE)
        expect(page.get_by_role("heading", level=1)).to_have_text("2026-27 improvement cycle")
        axe_check(page)

        page.get_by_role("link", name="Sign the Memorandum of Understanding").click()
        expect(page).to_have_url(re.compile(re.escape(MOU + "/sign") + "$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Sign the Memorandum of Understanding"
        )
        axe_check(page)
        if index == 0:
            page.screenshot(path="/tmp/riia-browser-sign-page.png", full_page=True)

            # The "there is a problem" path: Sign without ticking the statement.
            page.get_by_role("button", name="Sign", exact=True).click()
            summary = page.locator(".govuk-error-summary")
            expect(summary).to_be_visible()
            expect(summary).to_contain_text("There is a problem")
            expect(
                summary.get_by_role("link", name="Confirm the statement to sign the Memorandum")
            ).to_be_visible()
            expect(page).to_have_title(re.compile(r"^Error: "))
            expect(summary).to_be_focused()  # govuk-frontend moves focus to the summary
            axe_check(page)
            # The summary's link takes the user to the checkbox.
            summary.get_by_role("link", name="Confirm the statement to sign the Memorandum").click()
            expect(page.get_by_label(STATEMENT)).to_be_focused()

        statement = page.get_by_label(STATEMENT)
        expect(statement).to_have_accessible_name(
            f"I sign this Memorandum of Understanding on behalf of Derby as its {role_label}."
        )
        statement.check()
        page.get_by_role("button", name="Sign", exact=True).click()

        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text(f"You have signed the Memorandum for Derby as {role_label}.")
        expect(page).to_have_url(re.compile(re.escape(MOU + "/sign") + "$"))
        expect(page).not_to_have_title(re.compile(r"^Error: "))
        expect(
            page.get_by_text("You have signed version 1 in every role you hold.")
        ).to_be_visible()
        axe_check(page)

        page.get_by_role("link", name="See who else has signed").click()
        expect(page).to_have_url(re.compile(re.escape(TRACKER) + "$"))
        axe_check(page)

        page.goto(MOU)
        expect(page.get_by_role("heading", level=1)).to_have_text("Memorandum of Understanding")
        expect(page.get_by_text(f"{index + 1} of ", exact=False).first).to_be_visible()
        axe_check(page)

    page = new_context().new_page()
    sign_in(page, COORDINATOR)
    page.goto(TRACKER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has signed the Memorandum")
    derby = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Derby", exact=True)
    )
    expect(derby).to_have_count(1)
    cells = derby.get_by_role("cell")
    # "Bound by" (which version binds Derby, issue 10), then one cell per signatory role.
    expect(cells).to_have_count(4)
    expect(cells.nth(0)).to_contain_text("Bound by version 1 since")
    for column, name in enumerate(names, start=1):
        cell = cells.nth(column)
        expect(cell).to_contain_text("Signed")
        expect(cell).to_contain_text(name)
    page.screenshot(path="/tmp/riia-browser-tracker.png", full_page=True)
    axe_check(page)
