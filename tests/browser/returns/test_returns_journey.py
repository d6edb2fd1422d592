"""Rutland's data lead uploads its 2026-27 Q2 return through the real pages, in a real browser.

The first file has two mistakes (a value out of range and an unknown indicator): it is refused
whole and every problem is listed with its row and column. The fixed file goes in (late, since the
window closed on 30 October 2026), and the return and the tracker show it. axe (WCAG 2.2 A and AA)
checks every page on the way, the error state included.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from app.reference import get_reference
from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

DATA_LEAD = "data-lead.rutland@demo.riia.example"
RUTLAND = "E06000017"
QUARTER = "2026-27 Q2"
RETURNS = "/regions/east-midlands/returns"
UPLOAD = f"{RETURNS}/2026-27-q2/upload"
RETURN = f"{RETURNS}/2026-27-q2/{RUTLAND}"
# Plausible figures by unit; every one inside its indicator's valid range.
BY_UNIT = {"rate_per_10k": 412.3, "percent": 23.4, "ratio": 16.2}
OUT_OF_RANGE = "assessments_within_45wd_pct"  # a percentage: 140 is out of range
UNKNOWN = "children_seen_alone_pct"  # not one of core_indicators.yaml


def _values() -> dict[str, str]:
    """All 20 core indicators, each within its range and to its number of decimal places."""
    indicators = get_reference().indicators
    assert len(indicators) == 20
    values: dict[str, str] = {}
    for i in indicators.values():
        assert i.valid_min <= BY_UNIT[i.unit] <= i.valid_max
        values[i.id] = f"{BY_UNIT[i.unit]:.{i.decimals}f}"
    return values


def _csv(values: dict[str, str], extra: list[str] | None = None) -> bytes:
    lines = ["la_code,indicator_id,value"]
    lines += [f"{RUTLAND},{indicator_id},{value}" for indicator_id, value in values.items()]
    lines += extra or []
    return ("\n".join(lines) + "\n").encode()


def _upload(page: Any, name: str, content: bytes) -> None:
    page.locator("input#file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Upload", exact=True).click()


def test_data_lead_uploads_a_file_with_errors_fixes_it_and_submits(
    indicators_context: Callable[[], Any],
) -> None:
    expect = expect_()
    page = indicators_context().new_page()
    sign_in(page, DATA_LEAD)
    axe_check(page)  # the home page after signing in

    page.get_by_role("link", name="East Midlands 2026-27 cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026-27 improvement cycle")
    axe_check(page)

    page.get_by_role("link", name="Quarterly returns tracker").click()
    expect(page).to_have_url(re.compile(re.escape(RETURNS) + r"\?year=2026-27$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly returns 2026-27")
    rutland = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Rutland", exact=True)
    )
    expect(rutland).to_have_count(1)
    expect(rutland.get_by_role("link", name=re.compile(QUARTER))).to_have_count(0)
    axe_check(page)

    page.get_by_role("link", name=f"Upload a file for {QUARTER}").click()
    expect(page).to_have_url(re.compile(re.escape(UPLOAD) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Upload the {QUARTER} return")
    axe_check(page)

    # The first file: row 4 (the header is row 1) is out of range; the last row names an
    # indicator that does not exist.
    values = _values()
    ids = list(values)
    bad = dict(values)
    bad[OUT_OF_RANGE] = "140"
    out_of_range_row = ids.index(OUT_OF_RANGE) + 2
    unknown_row = len(ids) + 2
    _upload(page, "rutland-q2.csv", _csv(bad, [f"{RUTLAND},{UNKNOWN},12.0"]))

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The file has 2 problems, so nothing was saved.")
    expect(summary).to_be_focused()
    summary.get_by_role(
        "link", name="Read each problem, by row and column, in the table below the form"
    ).click()
    expect(page).to_have_url(re.compile(r"#problems$"))
    problems = page.get_by_role("table", name=re.compile(r"^Problems in the file \(2\)"))
    expect(problems).to_be_visible()
    expect(problems.get_by_role("columnheader")).to_have_text(["Row", "Column", "Problem"])
    rows = problems.locator("tbody").get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_role("cell")).to_have_text(
        [
            str(out_of_range_row),
            "value",
            re.compile(r"^140 is outside the range for Assessments completed within 45 working"),
        ]
    )
    expect(rows.nth(1).get_by_role("cell")).to_have_text(
        [str(unknown_row), "indicator_id", re.compile(rf"^{UNKNOWN} is not a core indicator")]
    )
    page.screenshot(path="/tmp/riia-browser-upload-errors.png", full_page=True)
    axe_check(page)
    # The summary's link takes the user to the file input.
    summary.get_by_role("link").first.click()
    expect(page.locator("input#file")).to_be_focused()

    # The fixed file: the value corrected and the unknown row removed.
    _upload(page, "rutland-q2-fixed.csv", _csv(values))
    expect(page).to_have_url(re.compile(re.escape(RETURN) + "$"))
    expect(page).not_to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Rutland: {QUARTER} return")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Version 1, submitted"))).to_be_visible()
    expect(page.locator("main .govuk-tag").first).to_have_text(re.compile("Late", re.IGNORECASE))
    table = page.get_by_role("table", name="Values in version 1")
    expect(table.locator("tbody").get_by_role("row")).to_have_count(20)
    assessments = table.get_by_role("row").filter(
        has=page.get_by_role(
            "rowheader", name="Assessments completed within 45 working days", exact=True
        )
    )
    expect(assessments.get_by_role("cell").first).to_have_text("23.4")
    versions = page.get_by_role("table", name="Every version")
    expect(versions.locator("tbody").get_by_role("row")).to_have_count(1)
    expect(versions).to_contain_text("File upload")
    axe_check(page)

    page.get_by_role("link", name="Back", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(RETURNS) + r"\?year=2026-27$"))
    rutland = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Rutland", exact=True)
    )
    version = rutland.get_by_role("link", name=f"Version 1 of Rutland's {QUARTER} return")
    expect(version).to_be_visible()
    axe_check(page)

    version.click()
    expect(page).to_have_url(re.compile(re.escape(RETURN) + "$"))
    expect(page.locator(".govuk-notification-banner--success")).to_have_count(0)
    axe_check(page)
