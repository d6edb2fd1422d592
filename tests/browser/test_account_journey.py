"""A DCS who forgot their password: locked out after wrong guesses, resets it by the emailed
link, and signs in to a header naming them, their role and their LA (issue 9).

At desktop width and at 375 px (a phone), with axe (WCAG 2.2 A and AA) on every page and no
sideways scrolling. Screenshots go to /tmp/riia-account-journey, never into the repository.
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import SERVED_DATABASES, axe_check, expect_

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a new password for the demo"  # noqa: S105
SHOTS = Path("/tmp/riia-account-journey")  # noqa: S108  (screenshots, outside the repository)
PEOPLE = {
    1280: ("dcs.derby@demo.riia.example", "Director of Children's Services, Derby"),
    375: (
        "dcs.north-northamptonshire@demo.riia.example",
        "Director of Children's Services, North Northamptonshire",
    ),
}


def _look(page: Any, name: str) -> None:
    """axe-clean, nothing wider than the window, and a screenshot to look at."""
    axe_check(page)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _emailed_link(base_url: str, email: str) -> str:
    engine = create_engine(SERVED_DATABASES[base_url])
    with engine.connect() as conn:
        body = conn.execute(
            text(
                "SELECT body FROM outbox_message WHERE to_email = :email "
                "AND kind = 'password_reset' ORDER BY id DESC"
            ),
            {"email": email},
        ).scalar()
    engine.dispose()
    found = re.search(r"https?://\S+(/reset-password/\S+)", body or "")
    assert found, body
    return found.group(1)


@pytest.mark.parametrize("width", [1280, 375])
def test_locked_out_then_reset_then_signed_in(
    account_context: Callable[[], Any], account_server: str, width: int
) -> None:
    expect = expect_()
    email, acting_as = PEOPLE[width]
    page = account_context().new_page()
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/sign-in")
    banner = page.locator(".govuk-phase-banner:not(.app-demo-banner)")
    expect(banner).to_contain_text("Beta")
    expect(page.locator(".app-demo-banner")).to_have_text(
        re.compile(r"^\s*Demo\s+Demonstration: invented text about real councils\s*$")
    )
    expect(banner.get_by_role("link", name="Give feedback")).to_have_attribute(
        "href", re.compile(r"^mailto:")
    )
    for _ in range(3):
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill("not my password")
        page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("signing in is locked for now")
    expect(summary).to_contain_text("You can try again in 15 minutes, or reset your password.")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    _look(page, f"{width}-sign-in-locked")

    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    _look(page, f"{width}-forgot-password")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    _look(page, f"{width}-forgot-password-sent")

    page.goto(_emailed_link(account_server, email))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill("too short")
    page.get_by_label("Type the new password again").fill("too short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a password of at least 12 characters"
    )
    _look(page, f"{width}-reset-password-error")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your password has been changed. Sign in with your new password."
    )
    _look(page, f"{width}-password-changed")

    # The reset proved the email address, so the lock is lifted at once.
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    signed_in_as = page.locator(".app-signed-in-as")
    if width < 641:  # the service navigation folds into a menu on a phone
        page.get_by_role("button", name="Menu").click()
    expect(signed_in_as).to_be_visible()
    expect(signed_in_as).to_contain_text(f", {acting_as}")
    _look(page, f"{width}-signed-in-header")
