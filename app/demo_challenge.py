"""Key lines of enquiry in the demonstration: each DCS sets them before its triad meets.

A week before its triad's challenge conversation (app/demo_triads.py: from 20 January), each
authority's DCS keeps the first three questions the service drafted from its signed
self-evaluation and its scrutiny, and adds one of its own from the prompt bank: the LA owns its
questions (issue 12).
"""

from datetime import timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import select

from app import clock
from app.challenge import access, kloes, pack
from app.challenge.schemas import KloesInput, QuestionInput
from app.demo import REGION, _email, _principal, cycle_of
from app.demo_play import Play
from app.demo_triads import conversation_day
from app.models import Triad
from app.reference import get_reference
from app.reference.kloe_bank import get_kloe_bank

KEPT = 3
# "How will you know if you are making progress? What hard and soft data do you need ...?"
OWN_PROMPT = "briefing-time-6"


def schedule_kloes(play: Play, year: str, groups: list[list[str]], log: list[str]) -> None:
    """Every LA of each triad sets its questions seven days before the triad meets."""
    session = play.session
    region = get_reference().regions[REGION]
    own = get_kloe_bank().by_id(REGION)[OWN_PROMPT].text

    def set_questions(group: list[str]) -> None:
        cycle = cycle_of(session, year)
        for code in group:
            dcs = _principal(session, _email("dcs", region.local_authority(code).name))
            drafts = kloes.suggestions(session, dcs, cycle, code)[:KEPT]
            questions = [QuestionInput(text=d.text, source=d.source.key) for d in drafts]
            questions.append(QuestionInput(text=own))
            kloes.save(session, dcs, cycle, code, KloesInput(questions=questions))
        names = ", ".join(region.local_authority(code).name for code in group)
        log.append(f"{clock.today():%-d %B %Y}: {names} set their key lines of enquiry")

    for number, group in enumerate(groups):
        play.add(
            conversation_day(year, number) - timedelta(days=7), partial(set_questions, group), 9
        )


def write_triad_packs(play: Play, year: str, out: Path, log: list[str]) -> list[Path]:
    """Each formed triad's pack, as its first authority's DCS (a member) reads it today."""
    session = play.session
    region = get_reference().regions[REGION]
    paths = []
    with play.now():
        cycle = cycle_of(session, year)
        for triad in session.scalars(
            select(Triad).where(Triad.cycle_id == cycle.id).order_by(Triad.number)
        ):
            codes = access.member_codes(session, triad)
            member = _principal(session, _email("dcs", region.local_authority(codes[0]).name))
            path = out / f"triad-{triad.number}.pdf"
            path.write_bytes(pack.triad_pack_pdf(session, member, cycle, triad.number))
            paths.append(path)
    log.append(f"Wrote {len(paths)} {year} triad packs to {out}")
    return paths
