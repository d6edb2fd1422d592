"""Key lines of enquiry in a real browser: Derbyshire's DCS sets them from the cycle page (a
refused short set first), Derby's DCS, in the same triad, reads them, and the coordinator sees
only that they are set, with the page itself refused in plain words. axe (WCAG 2.2 A and AA)
checks every page visited, the error page included.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

CYCLE = "/regions/east-midlands/cycles/2026-27"
KLOES = CYCLE + "/kloes"
DERBYSHIRE = KLOES + "/E10000007"
QUESTIONS = [
    "How well does our front door decide what help a family needs, first time?",
    "What makes our stable team managers stay, and could others learn from it?",
    "Are children in care placed close enough to home?",
]


def _set_questions(page: Any) -> None:
    expect = expect_()
    sign_in(page, "dcs.derbyshire@demo.riia.example")
    page.goto(CYCLE)
    axe_check(page)
    task = page.get_by_role("link", name="Set Derbyshire's key lines of enquiry")
    item = page.locator(".govuk-task-list__item").filter(has=task)
    expect(item.locator(".govuk-tag")).to_have_text(re.compile(r"^\s*Not started\s*$"))
    task.click()
    expect(page).to_have_url(re.compile(re.escape(DERBYSHIRE) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Key lines of enquiry")
    page.get_by_text("Prompts you can start from").click()
    expect(page.get_by_text("How do you know it?", exact=True)).to_be_visible()
    axe_check(page)

    # Two questions are not enough: the form says so and keeps what was written.
    page.get_by_label("Question 1", exact=True).fill(QUESTIONS[0])
    page.get_by_label("Question 2", exact=True).fill(QUESTIONS[1])
    page.get_by_role("button", name="Save key lines of enquiry").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Write 3 to 6 questions, each under 600 characters")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Question 1", exact=True)).to_have_value(QUESTIONS[0])
    axe_check(page)

    page.get_by_label("Question 3", exact=True).fill(QUESTIONS[2])
    page.get_by_role("button", name="Save key lines of enquiry").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Key lines of enquiry saved."
    )
    expect(page.get_by_label("Question 3", exact=True)).to_have_value(QUESTIONS[2])
    axe_check(page)


def _peer_reads(page: Any) -> None:
    expect = expect_()
    sign_in(page, "dcs.derby@demo.riia.example")
    page.goto(KLOES)
    expect(page.get_by_role("caption")).to_have_text("Your triad")
    axe_check(page)
    page.get_by_role("link", name="Derbyshire", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(DERBYSHIRE) + "$"))
    expect(page.locator("#questions li")).to_have_count(3)
    expect(page.locator("#questions")).to_contain_text(QUESTIONS[1])
    expect(page.get_by_role("button", name="Save key lines of enquiry")).to_have_count(0)
    axe_check(page)


def _coordinator_tracks(page: Any) -> None:
    expect = expect_()
    sign_in(page, "coordinator@demo.riia.example")
    page.goto(KLOES)
    expect(page.get_by_role("caption")).to_have_text("Every authority")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Derbyshire"))
    expect(row).to_contain_text("3 set")
    expect(row.get_by_role("link")).to_have_count(0)
    axe_check(page)
    page.goto(DERBYSHIRE)
    expect(page.get_by_role("main")).to_contain_text(
        "Key lines of enquiry stay private to the triad until its challenge record is agreed."
    )
    axe_check(page)


def test_a_dcs_sets_key_lines_of_enquiry_and_only_the_triad_reads_them(
    sef_context: Callable[[], Any],
) -> None:
    for step in (_set_questions, _peer_reads, _coordinator_tracks):
        context = sef_context()
        step(context.new_page())
        context.close()
