"""The cycle overview: each person's next steps for the MoU and their quarterly returns."""

import re
from datetime import date
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.roles import SIGNATORY_ROLES, Role
from app.models import User
from app.returns.overview import indicator_tasks
from app.self_evaluation import contributors
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import AssignInput
from tests import factories as f
from tests.conftest import check_page
from tests.indicator_factories import add_return
from tests.sef_factories import chapter_input, sign_as, submit_latest, write_all

DERBY = "E06000015"
CYCLE = "/regions/east-midlands/cycles/2026-27"
SEF = f"{CYCLE}/self-evaluations/{DERBY}"


def test_a_data_lead_sees_each_quarter_of_their_own_la(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    lead_user = f.make_user(session, Role.DATA_LEAD, organisation=DERBY)
    add_return(
        session, DERBY, "2026-27 Q1", {"referrals_rate_per_10k": 500.0}, submitted_by=lead_user
    )
    lead = f.principal(session, lead_user)
    tasks = indicator_tasks(session, lead, cycle, today=date(2026, 11, 23))
    assert [(t.title, t.status, t.hint) for t in tasks] == [
        ("Derby: 2026-27 Q1 return", "submitted", "Version 1 submitted"),
        ("Derby: 2026-27 Q2 return", "missing", "Due by 30 October 2026"),
        ("Derby: 2026-27 Q3 return", "not_open", "Opens on 1 January 2027"),
        ("Derby: 2026-27 Q4 return", "not_open", "Opens on 1 April 2027"),
        (
            "Quarterly returns tracker",
            "in_progress",
            "Which returns are in, late or missing, quarter by quarter",
        ),
    ]
    assert tasks[0].href == "/regions/east-midlands/returns/2026-27-q1/E06000015"
    assert tasks[1].href == "/regions/east-midlands/returns/2026-27-q2/E06000015/edit"
    assert tasks[2].href is None


def test_the_coordinator_sees_the_tracker_not_an_las_quarters(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    tasks = indicator_tasks(session, boss, cycle, today=date(2026, 8, 2))
    assert [(t.title, t.href) for t in tasks] == [
        ("Quarterly returns tracker", "/regions/east-midlands/returns?year=2026-27")
    ]


def _tasks(client: TestClient, user: User) -> list[tuple[str, str, str | None]]:
    """The cycle page's tasks as this person sees them: (title, status, link or None)."""
    client.cookies.clear()
    f.sign_in(client, user)
    response = client.get(CYCLE)
    assert response.status_code == 200, response.text[:500]
    check_page(response.text)
    found = []
    for item in re.findall(r'<li class="govuk-task-list__item.*?</li>', response.text, re.S):
        link = re.search(r'<a class="govuk-link govuk-task-list__link" href="([^"]*)"', item)
        name = re.search(
            r'task-list__name-and-hint">(.*?)(?:<div id="[^"]*-hint"|</div>)', item, re.S
        )
        title = name and unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", name.group(1))))
        status = re.search(r'class="govuk-task-list__status[^"]*"[^>]*>(.*?)</div>', item, re.S)
        assert title and status, item
        words = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", status.group(1)))).strip()
        found.append((title.strip(), words, link.group(1) if link else None))
    return found


MOU_TRACKER = "Memorandum signatures"
RETURNS = (
    "Quarterly returns tracker",
    "In progress",
    "/regions/east-midlands/returns?year=2026-27",
)


def test_each_person_sees_their_own_tasks_on_the_cycle_page(
    session: Session, client: TestClient
) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    people = {role: f.make_user(session, role, organisation=DERBY) for role in SIGNATORY_ROLES}
    writer = f.make_user(session, Role.CONTRIBUTOR, organisation=DERBY)
    data_lead = f.make_user(session, Role.DATA_LEAD, organisation=DERBY)
    risl = f.make_user(session, Role.RISL, region=f.REGION)
    dcs = f.principal(session, people[Role.DCS])
    contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id="workforce", user_id=writer.id)
    )
    session.commit()
    sign_mou = ("Sign the Memorandum of Understanding", "Cannot start yet", None)
    sign_sef = ("Sign your self-evaluation", "Cannot start yet", None)
    chapter = ("Draft 'Workforce' for Derby", "Not started", f"{SEF}/chapters/workforce")
    # Before the Memorandum is published: only the three signatories are told they will sign it.
    assert [t for t in _tasks(client, people[Role.LEAD_MEMBER]) if t[0] != RETURNS[0]] == [
        sign_mou,
        sign_sef,
    ]
    assert [t for t in _tasks(client, people[Role.CHIEF_EXECUTIVE]) if t[0] != RETURNS[0]] == [
        sign_mou,
        sign_sef,
    ]
    assert _tasks(client, people[Role.DCS])[0] == sign_mou
    assert ("Write and submit your self-evaluation", "Not started", SEF) in _tasks(
        client, people[Role.DCS]
    )
    assert _tasks(client, writer) == [RETURNS, chapter]
    assert "Sign the Memorandum of Understanding" not in str(_tasks(client, data_lead))
    assert _tasks(client, risl) == [RETURNS]
    coordinator = [
        t[0]
        for t in _tasks(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION))
    ]
    assert coordinator == [
        "Draft the Memorandum of Understanding",
        RETURNS[0],
        "Track self-evaluations",
    ]

    # The contributor starts the chapter; the DCS writes the rest and submits it.
    service.save_chapter(
        session, f.principal(session, writer), cycle, DERBY, "workforce", chapter_input(None)
    )
    write_all(session, cycle, DERBY, dcs)
    version = submit_latest(session, cycle, DERBY, dcs)
    session.commit()
    assert ("Draft 'Workforce' for Derby", "Completed", f"{SEF}/chapters/workforce") in _tasks(
        client, writer
    )
    member = [t for t in _tasks(client, people[Role.LEAD_MEMBER]) if t[0] == sign_sef[0]]
    assert member == [(sign_sef[0], "Not started", f"{SEF}/sign")]
    sign_as(
        session,
        cycle,
        DERBY,
        f.principal(session, people[Role.LEAD_MEMBER]),
        Role.LEAD_MEMBER,
        version.content_hash,
    )
    session.commit()
    member = [t for t in _tasks(client, people[Role.LEAD_MEMBER]) if t[0] == sign_sef[0]]
    assert member == [(sign_sef[0], "Completed", SEF)]
    executive = [t for t in _tasks(client, people[Role.CHIEF_EXECUTIVE]) if t[0] == sign_sef[0]]
    assert executive == [(sign_sef[0], "Not started", f"{SEF}/sign")]
