"""Triads and peer scrutiny in the demonstration.

Triads rotate from year to year so challenge stays fresh (docs/domain.md, "Triads"): each cycle
takes the service's proposal (app/triads/proposal.py), which keeps apart the authorities the
region file marks as in conflict and, after a cycle with triads, meets as few of its pairs again
as possible. Peers comment on each self-evaluation as soon as it is signed, and each
triad's scrutiny closes at its challenge conversation (the calendar's January to February).
"""

from datetime import date, timedelta
from functools import partial

from sqlalchemy.orm import Session

from app import clock
from app.demo import REGION, YEAR, _email, _principal, cycle_of
from app.demo_play import Play, previous_year, start_year
from app.demo_sef_text import CHALLENGE_ANSWER, QUESTIONS, challenge
from app.models import Cycle
from app.reference import get_reference
from app.reference.models import Region
from app.reference.sef import OfstedGrade
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import CommentInput, ResponseInput, TriadsInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.triads import service as triads
from app.triads.proposal import PastGrouping

COORDINATOR = "coordinator@demo.riia.example"


def demo_groups(region: Region, year: str, previous: list[list[str]] | None) -> list[list[str]]:
    """The service's proposal, rotated away from last cycle's triads when there were any."""
    past = [PastGrouping(previous_year(year), tuple(map(tuple, previous)))] if previous else []
    return triads.proposed_groups(region, year, past)


def form_demo_triads(
    session: Session, year: str = YEAR, previous: list[list[str]] | None = None
) -> tuple[Cycle, list[list[str]]]:
    """The year's cycle, and its triads formed by the coordinator (rotated against `previous`)."""
    region = get_reference().regions[REGION]
    coordinator = _principal(session, COORDINATOR)
    cycle = cycle_of(session, year)
    groups = demo_groups(region, year, previous)
    numbers = {code: n for n, group in enumerate(groups, start=1) for code in group}
    return cycle, triads.form_triads(session, coordinator, cycle, TriadsInput(groups=numbers))


def schedule_triads(
    play: Play, year: str, previous: list[list[str]] | None, log: list[str]
) -> list[list[str]]:
    """The coordinator forms the year's triads in mid-October, before writing starts."""
    region = get_reference().regions[REGION]
    groups = demo_groups(region, year, previous)

    def formed() -> None:
        _, made = form_demo_triads(play.session, year, previous)
        names = "; ".join(", ".join(region.local_authority(c).name for c in g) for g in made)
        log.append(f"{clock.today():%-d %B %Y}: the coordinator formed {len(made)} triads: {names}")

    play.add(date(start_year(year), 10, 15), formed)
    return groups


def conversation_day(year: str, group_number: int) -> date:
    """Each triad meets in turn from 20 January; its scrutiny closes that day."""
    return date(start_year(year) + 1, 1, 20) + timedelta(days=14 * group_number)


def schedule_scrutiny(
    play: Play, year: str, groups: list[list[str]], signed_on: dict[str, date]
) -> None:
    """Each peer DCS comments on a chapter of each other SEF once it is signed; most get a
    reply; one grade is challenged per triad; the last comment of each triad is left unanswered."""
    session = play.session
    region = get_reference().regions[REGION]
    chapters = list(QUESTIONS)
    comment_ids: dict[tuple[str, str], int] = {}

    def comment(code: str, peer_code: str, chapter_id: str, challenged: bool) -> None:
        cycle = cycle_of(session, year)
        peer = _principal(session, _email("dcs", region.local_authority(peer_code).name))
        data = CommentInput(chapter_id=chapter_id, body=QUESTIONS[chapter_id][0])
        if challenged:
            dcs = _principal(session, _email("dcs", region.local_authority(code).name))
            sef = service.get_sef(session, dcs, cycle, code)
            signed = service.content_of(sef, service.submitted_version(session, sef))
            suggested, body = challenge(OfstedGrade(signed[chapter_id]["grade"]))
            data = CommentInput(chapter_id=chapter_id, body=body, challenged_grade=suggested)
        comment_ids[(code, peer_code)] = scrutiny.comment(session, peer, cycle, code, data).id

    def respond(code: str, peer_code: str, reply: str) -> None:
        dcs = _principal(session, _email("dcs", region.local_authority(code).name))
        scrutiny.respond(
            session, dcs, cycle_of(session, year), code, comment_ids[(code, peer_code)],
            ResponseInput(body=reply),
        )  # fmt: skip

    def close(group: list[str]) -> None:
        coordinator = _principal(session, COORDINATOR)
        for code in group:
            scrutiny.close(session, coordinator, cycle_of(session, year), code)

    for group_number, group in enumerate(groups):
        for position, code in enumerate(group):
            peers = [c for c in group if c != code]
            for turn, peer_code in enumerate(peers):
                chapter_id = chapters[(position * 2 + turn + group_number) % len(chapters)]
                challenged = turn == 0 and position == 0
                day = signed_on[code] + timedelta(days=2 + turn)
                play.add(
                    day,
                    partial(comment, code, peer_code, chapter_id, challenged),
                    11,
                )
                if position == len(group) - 1 and turn == len(peers) - 1:
                    continue
                reply = CHALLENGE_ANSWER if challenged else QUESTIONS[chapter_id][1]
                play.add(
                    day + timedelta(days=3),
                    partial(respond, code, peer_code, reply),
                    15,
                )
        play.add(conversation_day(year, group_number), partial(close, group), 12)
