"""Records of the triads' challenge conversations in the demonstration, and the packs of the
stages after self-evaluation (the triad summary report, the plan packs).

Two days after each triad meets (app/demo_meetings.py: meeting_day), the DCS of its first
authority writes the record, one authority's part at a time, from the questions each set
(app/demo_challenge.py). In the first triad a member comments on a fact and the record is
corrected before anyone agrees; then every member's DCS agrees the exact version, ten days after
the meeting (issue 12: "records agreed, one after a factual-accuracy comment").
"""

from datetime import date, timedelta
from functools import partial
from pathlib import Path

from app import clock
from app.auth.principal import Principal
from app.challenge import record as records
from app.challenge import record_acts, summary
from app.challenge.record_schemas import (
    AccuracyCommentInput,
    AgreeRecordInput,
    RecordPartInput,
)
from app.demo import REGION, _email, _principal, cycle_of
from app.demo_meetings import meeting_day
from app.demo_play import Play
from app.errors import Conflict
from app.models import Kloe
from app.plans import pack as plan_pack
from app.reference import get_reference
from app.reference.improvement_areas import get_improvement_areas

# What peers said about each question, by its place in the set: strengths first (domain.md:140).
_NOTES = (
    (
        "Leaders know this part of the service well; what peers heard matched the self-evaluation.",
        "How consistently is this applied from team to team, and how would leaders know if not?",
        "The latest practice audit and the quarterly core indicators.",
        "{la} will test consistency in its next audit cycle and report back to the triad.",
    ),
    (
        "Staff spoke with confidence about the difference their work makes for children.",
        "The data shows a change since last year: is it a trend or a single quarter?",
        "Two years of quarterly returns against statistical neighbours.",
        "{la} agreed to track the measure monthly until the direction is clear.",
    ),
    (
        "A clear line of sight from the front line to senior leaders.",
        "Which of the measures the service uses tell leaders most about children's experience?",
        "The performance framework and a sample of children's views.",
        "{la} will review its performance framework with its partners.",
    ),
)
_OWNERS = (
    "Head of Quality Assurance",
    "Assistant Director, Children's Social Care",
    "Head of Performance",
)
_RECORDED_AFTER = timedelta(days=2)
_AGREED_AFTER = timedelta(days=10)
# The fact one member corrects in the first triad's record.
_CORRECTION = "The audit looked at 45 cases, not 40: please correct the evidence for question 1."


def _part(
    codes: list[str], code: str, questions: list[Kloe], met: date, version: str, corrected: bool
) -> RecordPartInput:
    name = get_reference().regions[REGION].local_authority(code).name
    areas = [a.id for a in get_improvement_areas().for_region(REGION)]
    index = codes.index(code)
    notes = []
    for n, question in enumerate(questions[: len(_NOTES)]):
        strengths, challenge, evidence, response = _NOTES[n]
        if n == 0 and index == 0:
            evidence = (
                f"An audit of {45 if corrected else 40} cases and the quarterly core indicators."
            )
        action = {
            "what": f"Act on question {question.position}: {challenge.split('?')[0].lower()}",
            "owner": _OWNERS[n],
            "due_on": (met + timedelta(days=60 + 30 * n)).isoformat(),
            "area": areas[(index * 3 + n) % len(areas)],
        }
        notes.append(
            {
                "position": question.position,
                "strengths": strengths,
                "challenge_points": challenge,
                "evidence": evidence,
                "response": response.format(la=name),
                "actions": [action] if n < 2 else [],
            }
        )
    other = codes[(index + 1) % len(codes)]
    return RecordPartInput.model_validate(
        {
            "version": version,
            "kloes": notes,
            "support_asked": [{"area": areas[(index * 2) % len(areas)], "days": 10 + 5 * index}],
            "support_offered": [
                {"to_la": other, "area": areas[(index * 2 + 4) % len(areas)], "days": 5}
            ],
        }
    )


def schedule_records(play: Play, year: str, groups: list[list[str]], log: list[str]) -> None:
    """Each triad's record written after it meets, then agreed by every member."""
    session = play.session
    region = get_reference().regions[REGION]

    def dcs(code: str) -> Principal:
        return _principal(session, _email("dcs", region.local_authority(code).name))

    def write(number: int, codes: list[str], met: date, corrected: bool) -> None:
        cycle = cycle_of(session, year)
        writer = dcs(codes[0])
        for code in codes:
            questions = list(
                session.query(Kloe)
                .filter_by(cycle_id=cycle.id, la_code=code)
                .order_by(Kloe.position)
            )
            if not questions:
                continue
            current = records.current_version(
                session, records.record_of(session, records.triad_by_number(session, cycle, number))
            )
            version = current.content_hash if current else ""
            part = _part(codes, code, questions, met, version, corrected)
            record_acts.save_part(session, writer, cycle, number, code, part)
        what = "corrected" if corrected else "written"
        log.append(f"{clock.today():%-d %B %Y}: triad {number}'s record {what}")

    def comment(number: int, codes: list[str]) -> None:
        cycle = cycle_of(session, year)
        seen = records.view(session, dcs(codes[1]), cycle, number)
        data = AccuracyCommentInput(
            content_hash=seen.content_hash, la_code=codes[1], text=_CORRECTION
        )
        record_acts.comment(session, dcs(codes[1]), cycle, number, data)

    def agree(number: int, codes: list[str]) -> None:
        cycle = cycle_of(session, year)
        for code in codes:
            seen = records.view(session, dcs(code), cycle, number)
            data = AgreeRecordInput(content_hash=seen.content_hash, la_code=code, confirm=True)
            record_acts.agree(session, dcs(code), cycle, number, data)
        log.append(f"{clock.today():%-d %B %Y}: triad {number}'s record agreed by every member")

    for index, group in enumerate(groups):
        number, met = index + 1, meeting_day(year, index)
        play.add(met + _RECORDED_AFTER, partial(write, number, group, met, False), 16)
        if index == 0:
            play.add(met + _RECORDED_AFTER + timedelta(days=2), partial(comment, number, group), 11)
            play.add(
                met + _RECORDED_AFTER + timedelta(days=3),
                partial(write, number, group, met, True),
                14,
            )
        play.add(met + _AGREED_AFTER, partial(agree, number, group), 10)


def write_summary_report(play: Play, year: str, out: Path, log: list[str]) -> list[Path]:
    """The triad summary report, once every triad of the year has agreed its record."""
    session = play.session
    with play.now():
        coordinator = _principal(session, "coordinator@demo.riia.example")
        cycle = cycle_of(session, year)
        try:
            pdf = summary.summary_pdf(session, coordinator, cycle)
        except Conflict:
            return []  # not every triad has agreed yet
    path = out / f"triad-summary-{year}.pdf"
    path.write_bytes(pdf)
    log.append(f"Wrote the {year} triad summary report to {path}")
    return [path]


def write_plan_packs(play: Play, year: str, out: Path, log: list[str]) -> list[Path]:
    """Each LA's development plan pack, once submitted, as the coordinator reads it today."""
    session = play.session
    paths = []
    with play.now():
        coordinator = _principal(session, "coordinator@demo.riia.example")
        cycle = cycle_of(session, year)
        for la in get_reference().regions[REGION].local_authorities:
            try:
                pdf = plan_pack.plan_pack_pdf(session, coordinator, cycle, la.code)
            except Conflict:
                continue  # not submitted yet
            path = out / f"development-plan-{la.name.lower().replace(' ', '-')}.pdf"
            path.write_bytes(pdf)
            paths.append(path)
    if paths:
        log.append(f"Wrote {len(paths)} {year} development plan packs to {out}")
    return paths
