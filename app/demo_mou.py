"""The MoU stage of the demonstration: set up in last cycle, lasting into this one.

Last cycle set the MoU up and told the usual story: Derby signs version 1, a clearer data
clause supersedes it, Rutland's Lead Member declines with a reason, the coordinator sends
reminders, and every signatory signs version 2 (calendar: regions/east-midlands.yaml `mou`).
The MoU lasts (002_d98c8bcad6f8fe4d.txt:2302, :2318), so this cycle nobody signs again: on
3 April the coordinator records the leads' review, "no change".
"""

from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.demo import _ROLE_SLUGS, REGION, _email, _principal, cycle_of
from app.demo_play import Play, start_year
from app.models import Cycle
from app.mou import pack, reminders
from app.mou import service as mou
from app.mou.review import record_no_change
from app.mou.schemas import DeclineInput, DraftInput, PublishInput, ReviewInput, SignInput
from app.reference import get_reference

COORDINATOR = "coordinator@demo.riia.example"
DERBY, RUTLAND = "E06000015", "E06000017"
DATA_CLAUSE = (
    "\n# Data shared with the Department for Education\n\n"
    "The Regional Improvement and Support Lead sees quarterly figures only after the release "
    "period in the region's data terms, and never sees triad challenge records.\n"
)
DECLINE_REASON = (
    "Cabinet has not yet discussed the data-sharing clause; I will sign after it meets on 24 April."
)


def open_and_publish(session: Session, year: str, *, clause: bool = False) -> Cycle:
    """The coordinator opens the year's cycle and, unless an MoU is already in force from an
    earlier cycle, publishes one drawn from the template."""
    coordinator = _principal(session, COORDINATOR)
    existing = session.execute(
        select(Cycle).where(Cycle.region_id == REGION, Cycle.year == year)
    ).scalar_one_or_none()
    cycle = existing or cycles.open_cycle(session, coordinator, REGION, OpenCycleInput(year=year))
    if mou.published_of(session, cycle) is None:
        _publish(session, cycle, clause=clause)
    return cycle


def _publish(session: Session, cycle: Cycle, *, clause: bool) -> None:
    coordinator = _principal(session, COORDINATOR)
    title, body, revision = mou.editor_source(session, cycle)
    body = body + DATA_CLAUSE if clause and DATA_CLAUSE not in body else body
    draft = mou.save_draft(
        session, coordinator, cycle, DraftInput(title=title, body=body, revision=revision)
    )
    mou.publish(session, coordinator, cycle, PublishInput(content_hash=draft.content_hash))


def _sign(session: Session, year: str, org_code: str, role: Role) -> None:
    cycle = cycle_of(session, year)
    organisation = get_reference().regions[REGION].organisation(org_code)
    signer = _principal(session, _email(_ROLE_SLUGS[role], organisation.name))
    current = mou.published_of(session, cycle)
    assert current is not None
    mou.sign(
        session,
        signer,
        cycle,
        SignInput(
            organisation_code=org_code, role=role, content_hash=current.content_hash, confirm=True
        ),
    )


def _decline(session: Session, year: str) -> None:
    cycle = cycle_of(session, year)
    rutland = get_reference().regions[REGION].organisation(RUTLAND)
    current = mou.published_of(session, cycle)
    assert current is not None
    mou.decline(
        session,
        _principal(session, _email("lead-member", rutland.name)),
        cycle,
        DeclineInput(
            organisation_code=RUTLAND,
            role=Role.LEAD_MEMBER,
            content_hash=current.content_hash,
            reason=DECLINE_REASON,
        ),
    )


def _in_force(session: Session, year: str, log: list[str]) -> None:
    status = mou.status(session, _principal(session, COORDINATOR), cycle_of(session, year))
    log.append(
        f"{clock.today():%-d %B %Y}: every signatory had signed the {year} MoU: in force = "
        f"{status.in_force} ({status.signed_count} of {status.required_count} signatures)"
    )


def schedule_mou(play: Play, year: str, log: list[str], *, story: bool) -> None:
    """Open in mid-March, publish; signatures through April (this cycle with its mishaps)."""
    session, start = play.session, start_year(year)
    region = get_reference().regions[REGION]

    def opened() -> None:
        open_and_publish(session, year, clause=not story)
        log.append(f"16 March {start}: the coordinator opened {year} and published its MoU")

    play.add(date(start, 3, 16), opened)
    signatories = [(o.code, r) for o in region.organisations for r in o.signing_roles]
    day = date(start, 4, 1)
    if story:
        derby = [(c, r) for c, r in signatories if c == DERBY]
        for hour, (code, role) in enumerate(derby, start=10):
            play.add(date(start, 4, 2), partial(_sign, session, year, code, role), hour)
        play.add(
            date(start, 4, 2),
            lambda: log.append(f"2 April {start}: Derby's three signatories signed version 1"),
            16,
        )

        def second_version() -> None:
            _publish(session, cycle_of(session, year), clause=True)
            log.append(
                f"8 April {start}: version 2 published with a clearer data clause: version 1 "
                "and its signatures are superseded"
            )

        play.add(date(start, 4, 8), second_version)

        def declined() -> None:
            _decline(session, year)
            log.append(f"10 April {start}: Rutland's Lead Member declined, giving a reason")

        play.add(date(start, 4, 10), declined)

        def reminded() -> None:
            queued = reminders.send_reminders(
                session, _principal(session, COORDINATOR), cycle_of(session, year)
            )
            log.append(f"14 April {start}: the coordinator queued {queued} reminders")

        play.add(date(start, 4, 14), reminded)
        day = date(start, 4, 15)
    last = (RUTLAND, Role.LEAD_MEMBER)
    ordered = [s for s in signatories if s != last] + [last]
    for n, (code, role) in enumerate(ordered):
        when = day + timedelta(days=n // 3)
        if story and (code, role) == last:
            when = date(start, 4, 27)  # after the cabinet meeting the decline waited for
        play.add(when, partial(_sign, session, year, code, role), 10 + n % 3 * 2)
    last_day = date(start, 4, 27) if story else day + timedelta(days=(len(ordered) - 1) // 3)
    play.add(last_day, lambda: _in_force(session, year, log), 17)


def schedule_review(play: Play, year: str, log: list[str]) -> None:
    """This cycle: opened in mid-March with last cycle's MoU still in force; reviewed on 3 April
    with no change, so nobody signs again and returns flow from the first quarter."""
    session, start = play.session, start_year(year)

    def opened() -> None:
        cycle = open_and_publish(session, year)
        current = mou.published_of(session, cycle)
        number = current.number if current else "none"
        log.append(
            f"16 March {start}: the coordinator opened {year}; version {number} of the MoU "
            "stays in force"
        )

    def reviewed() -> None:
        cycle = cycle_of(session, year)
        current = mou.published_of(session, cycle)
        assert current is not None
        record_no_change(
            session,
            _principal(session, COORDINATOR),
            cycle,
            ReviewInput(content_hash=current.content_hash, confirm=True),
        )
        log.append(
            f"3 April {start}: the leads reviewed the MoU: no change, version {current.number} "
            "stays in force and nobody signs again"
        )

    play.add(date(start, 3, 16), opened)
    play.add(date(start, 4, 3), reviewed, 11)


def write_mou_pack(play: Play, year: str, out: Path, log: list[str]) -> Path:
    session = play.session
    with play.now():
        path = out / f"mou-{REGION}-{year}.pdf"
        coordinator = _principal(session, COORDINATOR)
        path.write_bytes(pack.pdf_for(session, coordinator, cycle_of(session, year)))
    log.append(f"Wrote the {year} MoU pack to {path}")
    return path


def mou_story(session: Session, year: str, out: Path, log: list[str]) -> Path:
    """The MoU story alone, played up to today (the seed of the browser tests and benchmarks)."""
    play = Play(session, clock.today())
    schedule_mou(play, year, log, story=True)
    play.run()
    out.mkdir(parents=True, exist_ok=True)
    return write_mou_pack(play, year, out, log)
