"""A supporting document, in a real browser: Leicester's DCS attaches one to a chapter.

The DCS opens the self-evaluation, follows the chapter's "Add a supporting document" link, sends
the form once without a file (the error is shown against the field), then with a small PDF; the
chapter lists it and it downloads as an attachment under its name. Derby's DCS, outside
Leicester's triad, is refused it while it is a draft. axe (WCAG 2.2 A and AA) checks every page.
Leicester is used, not Derby, so the SEF journey's version numbers on the same server stay as
they are.
"""

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

LEICESTER = "/regions/east-midlands/cycles/2026-27/self-evaluations/E06000016"
CARE = "The experiences and progress of children in care"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _chapter(page: Any, title: str) -> Any:
    return page.locator("section").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_a_dcs_attaches_a_supporting_document_to_a_chapter(
    sef_context: Callable[[], Any],
) -> None:
    expect = expect_()
    page = sef_context().new_page()
    sign_in(page, "dcs.leicester@demo.riia.example")
    page.goto(LEICESTER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Leicester self-evaluation")
    axe_check(page)
    care = _chapter(page, CARE)
    expect(care.get_by_text("None.")).to_be_visible()
    care.get_by_role("link", name=f"Add a supporting document to {CARE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a supporting document")
    expect(page.get_by_label("Chapter")).to_have_value("children-in-care")
    axe_check(page)

    page.get_by_role("button", name="Add document").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select a PDF, DOCX, XLSX or CSV file")
    expect(page).to_have_title(re.compile(r"^Error: Add a supporting document"))
    axe_check(page)

    page.locator("input#file").set_input_files(
        {"name": "Placement audit 2026.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Add document").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Placement audit 2026.pdf was added to '{CARE}'."
    )
    axe_check(page)
    link = _chapter(page, CARE).get_by_role("link", name="Placement audit 2026.pdf")
    expect(link).to_be_visible()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/riia-browser-sef-document-{width}.png", full_page=True)
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "Placement audit 2026.pdf"
    with open(download.path(), "rb") as saved:
        assert hashlib.sha256(saved.read()).hexdigest() == hashlib.sha256(PDF).hexdigest()
    href = link.get_attribute("href")

    # Derby's DCS is outside Leicester's triad, and it is still a draft: refused.
    stranger = sef_context().new_page()
    sign_in(stranger, "dcs.derby@demo.riia.example")
    response = stranger.goto(href)
    assert response is not None and response.status == 403
    expect(stranger.get_by_role("heading", level=1)).to_have_text(
        re.compile("cannot|not allowed|You cannot", re.I)
    )
    axe_check(stranger)


def test_a_dcs_starts_from_an_existing_docx(sef_context: Callable[[], Any]) -> None:
    from tests.sef_document_files import docx_bytes

    expect = expect_()
    page = sef_context().new_page()
    sign_in(page, "dcs.leicester@demo.riia.example")
    page.goto(LEICESTER)
    page.get_by_role("link", name="Start from an existing document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start from an existing document")
    axe_check(page)
    page.locator("input#file").set_input_files(
        {
            "name": "Ofsted SEF.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": docx_bytes(
                ("Heading 1", "Care leavers"),
                ("", "Most care leavers are in touch with a personal adviser."),
                ("Heading 1", "Finance"),
                ("", "Spending is within budget."),
            ),
        }
    )
    page.get_by_role("button", name="Upload and match headings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Match the document's headings to chapters"
    )
    expect(page.get_by_label("Care leavers")).to_have_value("care-leavers")
    expect(page.get_by_label("Finance")).to_have_value("")
    axe_check(page)
    page.set_viewport_size({"width": 375, "height": 900})
    page.screenshot(path="/tmp/riia-browser-sef-import-375.png", full_page=True)
    page.get_by_label("Finance").select_option("leadership-and-management")
    page.get_by_role("button", name="Import as drafts").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Ofsted SEF.docx was imported as version"
    )
    expect(_chapter(page, "The experiences and progress of care leavers")).to_contain_text(
        "Most care leavers are in touch with a personal adviser."
    )
    axe_check(page)
