"""Derby's self-evaluation from a contributor's chapter to peer scrutiny, in a real browser.

Derby's DCS assigns the Workforce chapter (the only one not yet written) to the authority's
contributor, who drafts it beside its data profile; the DCS submits it for sign-off; the Lead
Member, Chief Executive and DCS each sign the statement bound to the version's SHA-256; Derbyshire's
DCS, a triad peer, challenges a grade; the coordinator's tracker shows Derby signed by all three.
Every person starts in a fresh browser and signs in through the sign-in page, and axe (WCAG 2.2 A
and AA) checks every page visited, the error page included.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from app.auth.roles import Role
from app.reference import get_reference
from app.self_evaluation.signoff.service import statement_for
from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

CYCLE = "/regions/east-midlands/cycles/2026-27"
SEFS = CYCLE + "/self-evaluations"
DERBY = SEFS + "/E06000015"
DCS = "dcs.derby@demo.riia.example"
CONTRIBUTOR = "contributor.derby@demo.riia.example"
SIGNATORIES = [
    ("lead-member.derby@demo.riia.example", Role.LEAD_MEMBER),
    ("chief-executive.derby@demo.riia.example", Role.CHIEF_EXECUTIVE),
    (DCS, Role.DCS),
]
PEER = "dcs.derbyshire@demo.riia.example"
COORDINATOR = "coordinator@demo.riia.example"
# The seed saved versions 1-5 (every chapter but Workforce); the contributor's save is version 6.
SUBMITTED = 6
AGENCY = "Agency social worker rate (FTE)"  # one of the Workforce chapter's indicators
NARRATIVE = (
    "Our social work workforce is more settled than a year ago.\n\n"
    "We know this from exit interviews and the monthly caseload audit."
)
STRENGTHS = "A stable group of team managers, most in post for over two years."
AREAS = "Reduce our reliance on agency social workers in the assessment teams."
COMMENT = "The agency rate beside this chapter suggests the workforce is less stable than it says."
CHALLENGE = "Requires improvement to be good"


def _exact(text: str) -> re.Pattern[str]:
    """The whole of an element's text, ignoring the template's surrounding whitespace."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def _chapter(page: Any, title: str) -> Any:
    """A chapter's section on the self-evaluation or scrutiny page, found by its heading."""
    return page.locator("section").filter(has=page.get_by_role("heading", name=title, exact=True))


def _no_sideways_scroll(page: Any, name: str) -> None:
    """The page itself fits the window: only a table may scroll, inside its own box."""
    width, client = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    page.screenshot(path=f"/tmp/riia-browser-{name}.png", full_page=True)
    assert width <= client, (name, width, client)


def _open_derby(page: Any) -> None:
    """From the cycle overview, through the list of self-evaluations, to Derby's."""
    expect = expect_()
    page.goto(CYCLE)
    expect(page.get_by_role("heading", level=1)).to_have_text("2026-27 improvement cycle")
    axe_check(page)
    page.get_by_role("link", name="See the self-evaluations you can read").click()
    expect(page).to_have_url(re.compile(re.escape(SEFS) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-evaluations")
    axe_check(page)
    page.get_by_role("link", name="Derby", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(DERBY) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Derby self-evaluation")
    axe_check(page)


def _dcs_assigns_workforce(page: Any) -> str:
    """Derby's DCS gives the Workforce chapter to its contributor; the contributor's name."""
    expect = expect_()
    sign_in(page, DCS)
    axe_check(page)  # the home page after signing in
    page.goto(CYCLE)
    axe_check(page)
    task = page.get_by_role("link", name="Write and submit your self-evaluation")
    item = page.locator(".govuk-task-list__item").filter(has=task)
    expect(item.locator(".govuk-tag")).to_have_text(_exact("In progress"))
    expect(item).to_contain_text("Version 5 saved; submit it for sign-off.")
    task.click()
    expect(page).to_have_url(re.compile(re.escape(DERBY) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Derby self-evaluation")
    workforce = _chapter(page, "Workforce")
    expect(workforce).to_contain_text("Not assigned to anyone: the DCS writes it.")
    expect(workforce.get_by_text("Nothing written yet.")).to_have_count(6)
    axe_check(page)

    page.get_by_role("link", name="Assign chapters").click()
    expect(page).to_have_url(re.compile(re.escape(DERBY + "/contributors") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign chapters")
    axe_check(page)
    person = page.get_by_label("Person").locator("option").filter(has_text=CONTRIBUTOR)
    expect(person).to_have_count(1)
    label = person.inner_text().strip()
    name = label.removesuffix(f" ({CONTRIBUTOR})")
    assert name and name != label
    page.get_by_label("Chapter", exact=True).select_option(label="Workforce")
    page.get_by_label("Person").select_option(label=label)
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(DERBY + "/contributors") + "$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{name} can now draft 'Workforce'."
    )
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Workforce", exact=True)
    )
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").first).to_contain_text(name)
    expect(row.get_by_role("cell").first).to_contain_text(CONTRIBUTOR)
    axe_check(page)
    return name


def _contributor_drafts_workforce(page: Any, name: str) -> None:
    expect = expect_()
    assert sign_in(page, CONTRIBUTOR) == name
    axe_check(page)
    _open_derby(page)
    # Only the assigned chapter can be edited.
    edits = page.get_by_role("link", name=re.compile(r"^Edit chapter"))
    expect(edits).to_have_count(1)
    # The visible "Edit chapter" then the visually hidden " Workforce" (GOV.UK's pattern). Chromium
    # pads the absolutely positioned hidden span with spaces; screen readers collapse them.
    expect(edits).to_have_accessible_name(re.compile(r"^Edit chapter\s+Workforce\s*$"))
    help_and_protection = _chapter(
        page, "The experiences and progress of children who need help and protection"
    )
    expect(help_and_protection).to_be_visible()
    expect(help_and_protection.get_by_role("link", name=re.compile("Edit"))).to_have_count(0)
    expect(_chapter(page, "Workforce")).to_contain_text(f"Assigned to {name}.")

    edits.click()
    expect(page).to_have_url(re.compile(re.escape(DERBY + "/chapters/workforce") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce")
    expect(page).to_have_title(re.compile(r"^Workforce: Derby self-evaluation"))
    # The data profile sits beside the form: its own section, to the right of the text.
    profile = page.get_by_role("region", name="The data beside this chapter")
    expect(profile).to_be_visible()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Save chapter"))
    assert profile.bounding_box()["x"] > form.bounding_box()["x"] + form.bounding_box()["width"]
    # Beside it, a compact line per figure (not a squeezed chart), each linking to its chart.
    summary = profile.locator(".app-sef-summary__indicator").filter(
        has=page.get_by_role("heading", name=AGENCY, exact=True)
    )
    for label in ("Derby", "Region median", "England"):
        expect(summary.get_by_role("term").filter(has_text=label)).to_be_visible()
    expect(summary.locator("dd").first).to_have_text(re.compile(r"^\s*\d+\.\d%"))
    expect(profile.locator("svg")).to_have_count(0)
    box = summary.bounding_box()
    assert box["width"] > 250 and box["height"] < 200, box
    summary.get_by_role("link", name=AGENCY).click()
    expect(page).to_have_url(re.compile(r"#workforce-data-sw_agency_rate_fte_pct$"))
    charts = page.get_by_role("region", name="Charts and figures for this chapter")
    assert charts.bounding_box()["y"] > form.bounding_box()["y"] + form.bounding_box()["height"]
    agency = charts.locator(".app-sef-profile__indicator").filter(
        has=page.get_by_role("heading", name=AGENCY, exact=True)
    )
    expect(agency.get_by_role("heading", name=AGENCY, exact=True)).to_be_in_viewport()
    caption = agency.locator("figcaption")
    expect(caption).to_have_text(re.compile(rf"^{re.escape(AGENCY)}: \d+\.\d% in 2026-27 Q2"))
    chart = agency.get_by_role("img", name=AGENCY)
    expect(chart).to_have_accessible_description(caption.inner_text())
    expect(agency.get_by_role("table")).to_be_visible()
    axe_check(page)
    _no_sideways_scroll(page, "chapter-1280")
    # On a phone the summary follows the form, and still nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    expect(profile).to_be_visible()
    assert profile.bounding_box()["y"] > form.bounding_box()["y"] + form.bounding_box()["height"]
    _no_sideways_scroll(page, "chapter-375")
    axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("radio", name=CHALLENGE, exact=True).check()  # the grade, Ofsted's words
    page.get_by_label("What you know, how you know it, and your plans").fill(NARRATIVE)
    page.get_by_label("Strengths", exact=True).fill(STRENGTHS)
    page.get_by_label("Areas for development", exact=True).fill(AREAS)
    page.get_by_role("button", name="Save chapter").click()

    expect(page).to_have_url(re.compile(re.escape(DERBY) + "#chapter-workforce$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"'Workforce' saved as version {SUBMITTED}."
    )
    expect(page.get_by_text(f"Version {SUBMITTED}, saved by {name} on ")).to_be_visible()
    workforce = _chapter(page, "Workforce")
    expect(workforce.locator(".govuk-summary-list__value")).to_have_text(_exact(CHALLENGE))
    for paragraph in (*NARRATIVE.split("\n\n"), STRENGTHS, AREAS):
        expect(workforce.get_by_text(paragraph, exact=True)).to_be_visible()
    # A contributor neither submits nor assigns.
    expect(page.get_by_role("button", name="Submit for sign-off")).to_have_count(0)
    expect(page.get_by_role("link", name="Assign chapters")).to_have_count(0)
    axe_check(page)


def _dcs_submits(page: Any) -> str:
    """Derby's DCS submits version 6; the full SHA-256 the signatories will sign."""
    expect = expect_()
    sign_in(page, DCS)
    page.goto(DERBY)
    expect(page.get_by_role("heading", level=1)).to_have_text("Derby self-evaluation")
    axe_check(page)

    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page).to_have_url(re.compile(re.escape(DERBY + "/submit") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Submit Derby's self-evaluation for sign-off"
    )
    chapters = page.get_by_role("table", name=f"Chapters in version {SUBMITTED}")
    expect(chapters.locator("tbody").get_by_role("row")).to_have_count(6)
    workforce = chapters.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Workforce", exact=True)
    )
    expect(workforce.get_by_role("cell")).to_have_text([CHALLENGE, "Nothing"])
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    _no_sideways_scroll(page, "submit-1280")
    content_hash = page.locator(".govuk-summary-list__value.app-token").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash), content_hash
    axe_check(page)

    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page).to_have_url(re.compile(re.escape(DERBY) + "$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Version {SUBMITTED} is submitted for sign-off."
    )
    expect(page.locator("main .govuk-tag").first).to_have_text(_exact("Awaiting sign-off"))
    expect(page.get_by_text(f"Version {SUBMITTED} was submitted for sign-off on ")).to_contain_text(
        "0 of 3 signatures"
    )
    expect(page.locator("#sign-off ~ p code.app-hash")).to_have_text(content_hash)
    axe_check(page)
    return content_hash


def _signs(page: Any, email: str, role: Role, content_hash: str, index: int) -> str:
    """One signatory signs from their cycle task; their name."""
    expect = expect_()
    name = sign_in(page, email)
    page.goto(CYCLE)
    axe_check(page)
    page.get_by_role("link", name="Sign your self-evaluation").click()
    expect(page).to_have_url(re.compile(re.escape(DERBY + "/sign") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Derby's self-evaluation")
    version = page.locator("#version")
    expect(version.locator(".govuk-summary-list__value").nth(1)).to_have_text(_exact(content_hash))
    expect(version).to_contain_text(f"{SUBMITTED}, submitted for sign-off on ")
    statement = statement_for("Derby", role, SUBMITTED)
    expect(page.locator(".govuk-inset-text")).to_have_text(_exact(statement))
    axe_check(page)

    if index == 0:  # the "there is a problem" path: Sign without confirming the statement
        page.get_by_role("button", name="Sign the self-evaluation").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(page).to_have_title(re.compile(r"^Error: "))
        link = summary.get_by_role("link", name="Confirm the statement to sign the self-evaluation")
        expect(link).to_be_visible()
        expect(page.locator(".govuk-inset-text")).to_have_text(_exact(statement))
        axe_check(page)
        link.click()
        expect(page.get_by_label("I confirm the statement above")).to_be_focused()

    page.get_by_label("I confirm the statement above").check()
    page.get_by_role("button", name="Sign the self-evaluation").click()
    expect(page).to_have_url(re.compile(re.escape(DERBY + "/sign") + "$"))
    expect(page).not_to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"You have signed version {SUBMITTED} of Derby's self-evaluation as {role.label}."
    )
    if index < 2:
        expect(
            page.get_by_text(f"You have signed version {SUBMITTED} in every role you hold.")
        ).to_be_visible()
    else:
        expect(page.locator("#version")).to_have_text(
            _exact(
                f"All three signatories have signed version {SUBMITTED} of this self-evaluation."
            )
        )
    axe_check(page)
    return name


def _derby_is_signed(page: Any, signed_by: dict[Role, str], content_hash: str) -> None:
    """After the third signature, Derby's own page shows it signed, statements and all."""
    expect = expect_()
    page.get_by_role("link", name="Go to Derby's self-evaluation").click()
    expect(page).to_have_url(re.compile(re.escape(DERBY) + "$"))
    expect(page.locator("main .govuk-tag").first).to_have_text(_exact("Signed"))
    expect(page.get_by_text("Signed off by all three signatories on ")).to_be_visible()
    expect(page.get_by_text(f"Version {SUBMITTED} was submitted for sign-off on ")).to_contain_text(
        "3 of 3 signatures"
    )
    signatories = page.locator(".app-sef-signatories > li")
    expect(signatories).to_have_count(3)
    for item, role in zip(
        signatories.all(), (Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE), strict=True
    ):
        expect(item.locator("strong:not(.govuk-tag)")).to_have_text(role.label)
        expect(item.locator(".govuk-tag")).to_have_text(_exact("Signed"))
        expect(item).to_contain_text(f"{signed_by[role]}, ")
        expect(item).to_contain_text(f"Statement: {statement_for('Derby', role, SUBMITTED)}")
    expect(page.locator("#sign-off ~ p code.app-hash")).to_have_text(content_hash)
    axe_check(page)


def _peer_challenges_a_grade(page: Any) -> str:
    """Derbyshire's DCS comments on Derby's Workforce chapter, challenging its grade; their name."""
    expect = expect_()
    name = sign_in(page, PEER)
    axe_check(page)
    _open_derby(page)
    expect(page.get_by_role("link", name=re.compile(r"^Edit chapter"))).to_have_count(0)
    page.get_by_role("link", name="Scrutiny", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(DERBY + "/scrutiny") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Scrutiny of Derby's self-evaluation")
    expect(
        page.get_by_text(f"Scrutiny is open on version {SUBMITTED}, signed off ")
    ).to_be_visible()
    scrutineers = page.locator("h2:text-is('Who scrutinises it') ~ ul").first
    expect(scrutineers.get_by_role("listitem")).to_have_text(
        ["Derbyshire", "West Northamptonshire"]
    )
    workforce = _chapter(page, "Workforce")
    expect(workforce.locator(".govuk-summary-list__value").first).to_have_text(_exact(CHALLENGE))
    expect(workforce.get_by_text(STRENGTHS, exact=True)).to_be_visible()  # the signed text
    expect(workforce).to_contain_text("No comments on this chapter yet.")
    axe_check(page)

    workforce.get_by_label("Your comment on 'Workforce'").fill(COMMENT)
    workforce.get_by_label(
        "Offer a different view of the self-assessed grade of 'Workforce' (optional)"
    ).select_option(label="Inadequate")
    workforce.get_by_role("button", name="Add comment on Workforce").click()

    expect(page).to_have_url(re.compile(re.escape(DERBY + "/scrutiny") + "$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your comment on 'Workforce' is added. The authority can now respond."
    )
    workforce = _chapter(page, "Workforce")
    expect(workforce.get_by_role("heading", name=re.compile("^Comment 1"))).to_have_text(
        f"Comment 1: {name}, DCS, Derbyshire"
    )
    expect(workforce.get_by_text(COMMENT, exact=True)).to_be_visible()
    expect(workforce.locator(".govuk-inset-text")).to_have_text(
        _exact("Offers a different view of the grade: Inadequate")
    )
    expect(workforce.get_by_text("No response yet", exact=True)).to_be_visible()
    # One comment only: the other chapters are untouched.
    expect(page.get_by_text("Offers a different view of the grade:")).to_have_count(1)
    axe_check(page)
    return name


def _coordinator_tracks(page: Any, signed_by: dict[Role, str]) -> None:
    expect = expect_()
    sign_in(page, COORDINATOR)
    page.goto(CYCLE)
    axe_check(page)
    page.get_by_role("link", name="Track self-evaluations").click()
    expect(page).to_have_url(re.compile(re.escape(SEFS + "/tracker") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-evaluations tracker")
    authorities = len(get_reference().regions["east-midlands"].local_authorities)
    expect(page.get_by_text(re.compile(rf"^1 of {authorities} signed"))).to_be_visible()
    derby = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Derby", exact=True)
    )
    expect(derby).to_have_count(1)
    cells = derby.get_by_role("cell")
    expect(cells).to_have_count(7)  # status, versions, three signatories, scrutiny, due by
    expect(cells.nth(0).locator(".govuk-tag").first).to_have_text(_exact("Signed"))
    expect(cells.nth(0)).to_contain_text(f"Version {SUBMITTED} signed")
    expect(cells.nth(1)).to_have_text(_exact(str(SUBMITTED)))
    for column, role in enumerate((Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE), start=2):
        expect(cells.nth(column).locator(".govuk-tag")).to_have_text(_exact("Signed"))
        expect(cells.nth(column)).to_contain_text(f"{signed_by[role]}, ")
    expect(cells.nth(5)).to_contain_text("1 comment, 1 without a response")
    expect(cells.nth(6)).to_contain_text("19 December 2026")  # the region's window: no own date
    axe_check(page)


def test_contributor_drafts_dcs_submits_three_sign_and_a_peer_challenges(
    sef_context: Callable[[], Any],
) -> None:
    name = _dcs_assigns_workforce(sef_context().new_page())
    _contributor_drafts_workforce(sef_context().new_page(), name)
    content_hash = _dcs_submits(sef_context().new_page())

    signed_by: dict[Role, str] = {}
    page = None
    for index, (email, role) in enumerate(SIGNATORIES):
        page = sef_context().new_page()
        signed_by[role] = _signs(page, email, role, content_hash, index)
    assert page is not None
    _derby_is_signed(page, signed_by, content_hash)

    _peer_challenges_a_grade(sef_context().new_page())
    _coordinator_tracks(sef_context().new_page(), signed_by)
