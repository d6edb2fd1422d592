"""The East Midlands demo, relative to the day it runs for.

Last cycle is complete: its MoU set up and in force, four quarters in, every self-evaluation signed and its
scrutiny closed, and every pack written. This cycle is played up to today as its calendar says:
the acts dated after today have not happened yet. Every act is played at its own simulated
moment (app/demo_play.py), so nothing the demo writes is dated after today, and a
self-evaluation quotes only the figures there were on the day it was written.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app import clock
from app.demo import DemoAccount, load_demo_people
from app.demo_challenge import write_triad_packs
from app.demo_mou import schedule_mou, schedule_review, write_mou_pack
from app.demo_play import Play, cycle_year, previous_year, start_year
from app.demo_records import write_plan_packs, write_summary_report
from app.demo_returns import latest_closed, schedule_returns, write_indicator_packs
from app.demo_sef import schedule_sefs, sef_summary, write_sef_packs
from app.returns.periods import quarters_of


@dataclass(frozen=True)
class DemoYears:
    last: str
    this: str


def years_of(today: date) -> DemoYears:
    this = cycle_year(today)
    return DemoYears(previous_year(this), this)


def play_demo(session: Session, today: date, out: Path | None, log: list[str]) -> list[DemoAccount]:
    """Play both cycles up to `today`; write the packs to `out` when given."""
    years = years_of(today)
    play = Play(session, today)
    people: list[DemoAccount] = []

    def arrive() -> None:
        people.extend(load_demo_people(session))
        log.append("Loaded demonstration people for the East Midlands")

    # The people were in post before the first cycle the demo shows was opened.
    play.add(date(start_year(years.last), 3, 2), arrive, 9)
    # The MoU is set up last cycle and lasts: this cycle its review finds no change.
    schedule_mou(play, years.last, log, story=True)
    schedule_review(play, years.this, log)
    schedule_returns(play, years.last, years.this, log)
    groups = schedule_sefs(play, years.last, None, log, story=False)
    schedule_sefs(play, years.this, groups, log, story=True)
    play.run()
    for year in (years.last, years.this):
        log.append(sef_summary(session, year, today))
    if out is not None:
        write_packs(play, years, out, log)
    return people


def write_packs(play: Play, years: DemoYears, out: Path, log: list[str]) -> list[Path]:
    """Last cycle's packs, every one; this cycle's as far as today reaches. One folder a year."""
    paths: list[Path] = []
    for year in (years.last, years.this):
        folder = out / year
        folder.mkdir(parents=True, exist_ok=True)
        paths.append(write_mou_pack(play, year, folder, log))
        quarter = quarters_of(year)[-1] if year == years.last else latest_closed(play, year)
        if quarter is not None:
            paths += write_indicator_packs(play, quarter, folder, log)
        paths += write_sef_packs(play, year, folder, log)
        paths += write_summary_report(play, year, folder, log)
        paths += write_plan_packs(play, year, folder, log)
        paths += write_triad_packs(play, year, folder, log)
    return paths


def play_mou_and_returns(session: Session, year: str, out: Path | None, log: list[str]) -> Play:
    """The benchmarks' seed: the year's MoU story and its returns played up to the real today,
    without last cycle; the MoU pack and latest data pack written when `out` is given."""
    play = Play(session, clock.today())
    schedule_mou(play, year, log, story=True)
    schedule_returns(play, None, year, log)
    play.run()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_mou_pack(play, year, out, log)
        quarter = latest_closed(play, year)
        if quarter is not None:
            write_indicator_packs(play, quarter, out, log)
    return play
