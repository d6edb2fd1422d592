"""The record of a triad's conversation in a real browser, in triad 1 (Nottingham,
Nottinghamshire and Rutland): Nottingham's DCS sets its questions; Nottinghamshire's DCS records
Nottingham's part (a refused date first); Nottingham's DCS comments on a fact and agrees; the
others agree; the coordinator then sees the agreed summary only, and the RISL is refused in plain
words. axe (WCAG 2.2 A and AA) checks every page visited.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_check, expect_, sign_in

pytestmark = pytest.mark.browser

CYCLE = "/regions/east-midlands/cycles/2026-27"
RECORD = CYCLE + "/conversations/1/record"
NOTTINGHAM = "E06000018"
QUESTIONS = [
    "Do our families get the right help at the first contact?",
    "Why do our social workers stay, and what would make more stay?",
    "How do we know our children in care are heard?",
]
SUCCESS = ".govuk-notification-banner--success"


def _questions(page: Any) -> None:
    expect = expect_()
    sign_in(page, "dcs.nottingham@demo.riia.example")
    page.goto(CYCLE + "/kloes/" + NOTTINGHAM)
    for n, text in enumerate(QUESTIONS, start=1):
        page.get_by_label(f"Question {n}", exact=True).fill(text)
    page.get_by_role("button", name="Save key lines of enquiry").click()
    expect(page.locator(SUCCESS)).to_contain_text("Key lines of enquiry saved.")


def _record(page: Any) -> None:
    expect = expect_()
    sign_in(page, "dcs.nottinghamshire@demo.riia.example")
    page.goto(CYCLE)
    page.get_by_role("link", name="Record triad 1's conversation").click()
    expect(page).to_have_url(re.compile(re.escape(RECORD) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Record of the challenge conversation"
    )
    axe_check(page)
    page.get_by_role("link", name="Write Nottingham's part").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nottingham's part of the record")
    axe_check(page)
    question = page.get_by_role("group", name=f"Question 1: {QUESTIONS[0]}")
    question.get_by_label("Strengths recognised").fill("A calm, well-led front door.")
    question.get_by_label("Challenge points").fill("Repeat contacts are rising in one locality.")
    action = question.get_by_role("group", name="Agreed action 1 (optional)")
    action.get_by_label("What will be done").fill("Audit repeat contacts in the east locality")
    action.get_by_label("Owner").fill("Head of Early Help")
    action.get_by_label("Day").fill("31")
    action.get_by_label("Month").fill("13")
    action.get_by_label("Year").fill("2027")
    action.get_by_label("Improvement area").select_option(label="Front door and early help")
    page.get_by_label("Request 1: improvement area").select_option(label="Workforce")
    page.get_by_label("Request 1: approximate days").fill("12")
    page.get_by_role("button", name="Save Nottingham's part").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("each agreed action needs what")
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
    action = page.get_by_role("group", name=f"Question 1: {QUESTIONS[0]}").get_by_role(
        "group", name="Agreed action 1 (optional)"
    )
    action.get_by_label("Month").fill("3")
    page.get_by_role("button", name="Save Nottingham's part").click()
    expect(page.locator(SUCCESS)).to_contain_text("Nottingham's part of the record saved.")
    expect(page.get_by_role("main")).to_contain_text("Audit repeat contacts in the east locality")
    axe_check(page)


def _agree(email: str, la: str, comment: str | None = None) -> Callable[[Any], None]:
    def step(page: Any) -> None:
        expect = expect_()
        sign_in(page, email)
        page.goto(CYCLE)
        page.get_by_role("link", name=f"Agree triad 1's record for {la}").click()
        expect(page).to_have_url(re.compile(re.escape(RECORD) + "$"))
        if comment:
            page.get_by_label(re.compile("Comment on the accuracy")).fill(comment)
            page.get_by_role("button", name="Add comment").click()
            expect(page.locator("#comments + ul")).to_contain_text(comment)
        page.get_by_role("button", name="Agree this version").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Confirm that you agree this version of the record"
        )
        axe_check(page)
        page.get_by_label(re.compile(f"As Director of Children's Services for {la}")).check()
        page.get_by_role("button", name="Agree this version").click()
        expect(page.locator(SUCCESS)).to_contain_text("You have agreed this version of the record.")
        axe_check(page)

    return step


def _others_see_what_the_mou_allows(page: Any) -> None:
    expect = expect_()
    sign_in(page, "coordinator@demo.riia.example")
    page.goto(RECORD)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Agreed by every member on")
    expect(main).to_contain_text("Front door and early help")
    expect(main).not_to_contain_text("Repeat contacts are rising")
    axe_check(page)
    page.context.clear_cookies()
    sign_in(page, "risl@demo.riia.example")
    page.goto(RECORD)
    expect(page.get_by_role("main")).to_contain_text(
        "The MoU keeps the records of triad challenge conversations from the DfE's regional lead"
    )
    axe_check(page)


def test_a_triad_records_its_conversation_and_every_member_agrees_it(
    sef_context: Callable[[], Any],
) -> None:
    steps = (
        _questions,
        _record,
        _agree("dcs.nottingham@demo.riia.example", "Nottingham", "The locality is the west."),
        _agree("dcs.nottinghamshire@demo.riia.example", "Nottinghamshire"),
        _agree("dcs.rutland@demo.riia.example", "Rutland"),
        _others_see_what_the_mou_allows,
    )
    for step in steps:
        context = sef_context()
        step(context.new_page())
        context.close()
