"""The self-evaluation stage of the demonstration: triads, writing, sign-off, scrutiny, packs.

Every East Midlands DCS writes every chapter from the authority's data profile as it stands on
the day of writing, so each text answers the figures then available; grades vary by authority
and chapter as they would in a real region. The calendar (regions/east-midlands.yaml) sets the
pace: triads are formed in October, self-evaluations are written from 2 November and signed by
19 December, one after another, peers scrutinise each as soon as it is signed, and each triad's
scrutiny closes at its challenge conversation (January to February). Played to a December day,
some are drafting, some await sign-off and some are signed and under scrutiny.

This cycle tells six stories on purpose: each authority's contributor drafts its care leavers
chapter (Leicestershire's is told in the log), Derbyshire's DCS edits a chapter after signing
(voiding that signature), Nottinghamshire's Chief Executive returns the text with a reason,
Derby's DCS attaches a supporting document (app.demo_sef_documents), Lincolnshire's DCS starts from last year's signed self-evaluation and rewrites only some chapters
(the others stay marked as carried forward), and the coordinator gives Derby its own due date,
before its Ofsted annual engagement meeting. No person is named in any text: only the
demonstration accounts appear, as authors and signatories.
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session

from app import clock, demo_sef_documents
from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.demo import _ROLE_SLUGS, REGION, _email, _principal, _slug, cycle_of
from app.demo_challenge import schedule_kloes
from app.demo_meetings import schedule_meetings
from app.demo_plans import schedule_plans
from app.demo_play import Play, start_year
from app.demo_records import schedule_records
from app.demo_sef_text import chapter_text
from app.demo_triads import form_demo_triads, schedule_scrutiny, schedule_triads
from app.models import Cycle
from app.reference import get_reference
from app.reference.models import LocalAuthority
from app.self_evaluation import access, contributors, due, pack
from app.self_evaluation.drafting import carry, service
from app.self_evaluation.profile import sef_data_profile
from app.self_evaluation.schemas import (
    AssignInput,
    CarryForwardInput,
    ChapterInput,
    DueDateInput,
    ReturnSefInput,
    SignSefInput,
    SubmitInput,
)
from app.self_evaluation.signoff import service as signoff

__all__ = ["form_demo_triads", "schedule_sefs", "sef_summary", "write_sef_packs"]

# This cycle each DCS assigns the care leavers chapter to the authority's contributor, who drafts
# it, so a newcomer signing in as a contributor finds a chapter of their own (issue 9).
CONTRIBUTED = ("E10000018", "care-leavers")  # Leicestershire's is the one the log tells
VOIDED = ("E10000007", "workforce")  # Derbyshire's DCS edits this after signing
RETURNED = ("E10000024", "workforce")  # Nottinghamshire's Chief Executive returns it
CARRIED = "E10000019"  # Lincolnshire starts from last year's signed self-evaluation
# Lincolnshire rewrites these chapters this year; the others stay as signed last year.
CARRIED_REWRITTEN = ("help-and-protection", "children-in-care", "care-leavers")
OWN_DUE = "E06000015"  # Derby: due before its Ofsted annual engagement meeting
OWN_DUE_REASON = "Before its Ofsted annual engagement meeting on 2 December"
RETURN_REASON = (
    "The workforce chapter does not say how far we still rely on agency social workers or what "
    "the recruitment plan will change by March. Please add both before I sign."
)


def _save(
    session: Session,
    who: Principal,
    cycle: Cycle,
    la_code: str,
    chapter_id: str,
    data: ChapterInput,
) -> int:
    sef = service.get_sef(session, who, cycle, la_code)
    latest = service.latest_version(session, sef)
    based = data.model_copy(update={"base_version": latest.number if latest else None})
    return service.save_chapter(session, who, cycle, la_code, chapter_id, based).number


def _submit(session: Session, dcs: Principal, cycle: Cycle, la_code: str) -> str:
    sef = service.get_sef(session, dcs, cycle, la_code)
    latest = service.latest_version(session, sef)
    assert latest is not None
    service.submit(session, dcs, cycle, la_code, SubmitInput(content_hash=latest.content_hash))
    return latest.content_hash


def _sign(
    session: Session, cycle: Cycle, la: LocalAuthority, role: Role, content_hash: str
) -> None:
    who = _principal(session, _email(_ROLE_SLUGS[role], la.name))
    signoff.sign(
        session,
        who,
        cycle,
        la.code,
        SignSefInput(role=role, content_hash=content_hash, confirm=True),
    )


def _revised(data: ChapterInput, addition: str) -> ChapterInput:
    return data.model_copy(
        update={"areas_for_development": f"{data.areas_for_development}\n\n{addition}"}
    )


def _texts(session: Session, cycle: Cycle, la: LocalAuthority) -> dict[str, ChapterInput]:
    """Every chapter's text from the data profile as it stands today (the simulated day)."""
    dcs = _principal(session, _email("dcs", la.name))
    template = service.template_of(service.get_sef(session, dcs, cycle, la.code))
    coordinator = _principal(session, "coordinator@demo.riia.example")
    profile = sef_data_profile(session, coordinator, REGION, la.code, template)
    return {c.id: chapter_text(la, c, profile) for c in template.chapters}


def drafting_dates(year: str, index: int) -> tuple[date, date]:
    """When the authority at `index` starts writing and submits: staggered through the window
    (opens 1 November, sign-off due 19 December), so a December day finds every stage."""
    start = start_year(year)
    return date(start, 11, 2) + timedelta(days=2 * index), date(start, 11, 14) + timedelta(
        days=3 * index
    )


SIGNED_AFTER = 6  # days from submission to the last signature


class _SefPlay:
    """One cycle's self-evaluations, scheduled on the play's calendar."""

    def __init__(self, play: Play, year: str, log: list[str], *, story: bool) -> None:
        self.play, self.session, self.year, self.log, self.story = (
            play,
            play.session,
            year,
            log,
            story,
        )
        self.region = get_reference().regions[REGION]
        self._texts: dict[str, dict[str, ChapterInput]] = {}
        self.hashes: dict[str, str] = {}

    def cycle(self) -> Cycle:
        return cycle_of(self.session, self.year)

    def dcs(self, la: LocalAuthority) -> Principal:
        return _principal(self.session, _email("dcs", la.name))

    def text(self, la: LocalAuthority, chapter_id: str) -> ChapterInput:
        if la.code not in self._texts:
            self._texts[la.code] = _texts(self.session, self.cycle(), la)
        return self._texts[la.code][chapter_id]

    def on(self, day: date, do: Callable[[], object], hour: int = 10) -> None:
        self.play.add(day, do, hour)

    def save(self, who: Principal, la: LocalAuthority, chapter_id: str, addition: str = "") -> None:
        data = self.text(la, chapter_id)
        _save(
            self.session,
            who,
            self.cycle(),
            la.code,
            chapter_id,
            _revised(data, addition) if addition else data,
        )

    def save_by_dcs(self, la: LocalAuthority, chapter_id: str) -> None:
        self.save(self.dcs(la), la, chapter_id)

    def submit(self, la: LocalAuthority) -> None:
        self.hashes[la.code] = _submit(self.session, self.dcs(la), self.cycle(), la.code)

    def sign(self, la: LocalAuthority, role: Role) -> None:
        _sign(self.session, self.cycle(), la, role, self.hashes[la.code])

    def schedule(self, index: int, la: LocalAuthority) -> date:
        """Writing, submission and signatures for one authority; returns the day it is signed."""
        start, submitted = drafting_dates(self.year, index)
        template = get_reference().sef_templates[self.region.sef_template]
        contributed = self.story
        carried = self.story and la.code == CARRIED
        if carried:
            self.on(start, lambda: self._carry_forward(la), 8)
        if self.story and la.code == OWN_DUE:
            self.on(start - timedelta(days=1), lambda: self._own_due(la, start))
        if contributed:
            self.on(start, lambda: self._contribute(la), 9)
        for k, chapter in enumerate(template.chapters):
            if carried and chapter.id not in CARRIED_REWRITTEN:
                continue  # kept as carried forward from last year
            if not (contributed and chapter.id == CONTRIBUTED[1]):
                self.on(start + timedelta(days=k), partial(self.save_by_dcs, la, chapter.id))
        if self.story and la.code == demo_sef_documents.DOCUMENTED[0]:
            self.on(start + timedelta(days=len(template.chapters)), lambda: self._attach(la))
        self.on(submitted, lambda: self.submit(la))
        roles = {Role.DCS: 2, Role.LEAD_MEMBER: 4, Role.CHIEF_EXECUTIVE: SIGNED_AFTER}
        if self.story and la.code == VOIDED[0]:
            self.on(submitted + timedelta(days=1), lambda: self.sign(la, Role.DCS))
            self.on(submitted + timedelta(days=2), lambda: self._void(la))
            roles[Role.DCS] = 3
        if self.story and la.code == RETURNED[0]:
            self.on(submitted + timedelta(days=1), lambda: self._return(la))
            self.on(submitted + timedelta(days=2), lambda: self._revise(la))
            roles[Role.DCS] = 3
        for role in SIGNATORY_ROLES:
            self.on(submitted + timedelta(days=roles[role]), partial(self.sign, la, role), 11)
        return submitted + timedelta(days=SIGNED_AFTER)

    def _attach(self, la: LocalAuthority) -> None:
        demo_sef_documents.attach(self.session, self.dcs(la), self.cycle(), la, self.log)

    def _carry_forward(self, la: LocalAuthority) -> None:
        last = f"{start_year(self.year) - 1}-{start_year(self.year) % 100:02d}"
        carry.carry_forward(
            self.session, self.dcs(la), self.cycle(), la.code, CarryForwardInput(from_year=last)
        )
        self.log.append(
            f"{clock.today():%-d %B %Y}: {la.name}'s DCS started from the signed {last} "
            f"self-evaluation; {len(CARRIED_REWRITTEN)} chapters are rewritten this year, the "
            "others stay marked as carried forward"
        )

    def _own_due(self, la: LocalAuthority, start: date) -> None:
        coordinator = _principal(self.session, "coordinator@demo.riia.example")
        day = date(start.year, 11, 28)
        due.set_due_date(
            self.session, coordinator, self.cycle(), la.code,
            DueDateInput(due_on=day, reason=OWN_DUE_REASON),
        )  # fmt: skip
        self.log.append(
            f"{clock.today():%-d %B %Y}: the coordinator set {la.name}'s own due date, "
            f"{day:%-d %B %Y}: {OWN_DUE_REASON}"
        )

    def _contribute(self, la: LocalAuthority) -> None:
        dcs, cycle = self.dcs(la), self.cycle()
        chapter = service.template_of(service.get_sef(self.session, dcs, cycle, la.code)).chapter(
            CONTRIBUTED[1]
        )
        contributor = _principal(self.session, _email("contributor", la.name))
        contributors.assign(
            self.session, dcs, cycle, la.code,
            AssignInput(chapter_id=chapter.id, user_id=contributor.user_id),
        )  # fmt: skip
        self.save(contributor, la, chapter.id)
        if la.code == CONTRIBUTED[0]:
            self.log.append(
                f"{clock.today():%-d %B %Y}: {la.name}'s DCS assigned '{chapter.title}' to "
                f"{contributor.display_name}, who drafted it (every DCS assigns that chapter to "
                "the authority's contributor)"
            )

    def _void(self, la: LocalAuthority) -> None:
        sef = service.get_sef(self.session, self.dcs(la), self.cycle(), la.code)
        signed_number = sef.submitted_number
        title = service.template_of(sef).chapter(VOIDED[1]).title
        addition = (
            "Since signing: the October workforce health check asks for more protected time "
            "for newly qualified social workers."
        )
        self.save(self.dcs(la), la, VOIDED[1], addition)
        self.submit(la)
        self.log.append(
            f"{clock.today():%-d %B %Y}: {la.name}'s DCS signed version {signed_number}, then "
            f"edited '{title}': that signature is void, and the new version was resubmitted"
        )

    def _return(self, la: LocalAuthority) -> None:
        chief = _principal(self.session, _email("chief-executive", la.name))
        signoff.return_for_changes(
            self.session, chief, self.cycle(), la.code,
            ReturnSefInput(
                role=Role.CHIEF_EXECUTIVE, content_hash=self.hashes[la.code], reason=RETURN_REASON
            ),
        )  # fmt: skip
        self.log.append(
            f"{clock.today():%-d %B %Y}: {la.name}'s Chief Executive returned it: “{RETURN_REASON}”"
        )

    def _revise(self, la: LocalAuthority) -> None:
        addition = (
            "Agency reliance: a quarter of case-holding posts are filled by agency social "
            "workers; the recruitment plan aims to halve that by March."
        )
        self.save(self.dcs(la), la, RETURNED[1], addition)
        self.submit(la)
        self.log.append(
            f"{clock.today():%-d %B %Y}: the DCS revised the workforce chapter and resubmitted"
        )


def schedule_sefs(
    play: Play, year: str, previous: list[list[str]] | None, log: list[str], *, story: bool
) -> list[list[str]]:
    """Triads, then every authority's self-evaluation and its scrutiny, on the calendar."""
    sefs = _SefPlay(play, year, log, story=story)
    groups = schedule_triads(play, year, previous, log)
    signed_on = {
        la.code: sefs.schedule(index, la)
        for index, la in enumerate(get_reference().regions[REGION].local_authorities)
    }
    schedule_scrutiny(play, year, groups, signed_on)
    schedule_kloes(play, year, groups, log)
    schedule_meetings(play, year, groups, log)
    schedule_records(play, year, groups, log)
    schedule_plans(play, year, groups, log)
    return groups


STATE_LABELS = {
    "draft": "drafting",
    "awaiting_sign_off": "awaiting sign-off",
    "signed": "signed and under scrutiny",
    "scrutiny_closed": "signed, scrutiny closed",
}


def sef_summary(session: Session, year: str, on: date) -> str:
    """Where the year's self-evaluations stand, by state, for the log."""
    coordinator = _principal(session, "coordinator@demo.riia.example")
    cycle = cycle_of(session, year)
    names = {la.code: la.name for la in get_reference().regions[REGION].local_authorities}
    by_state: dict[str, list[str]] = {}
    for sef in service.readable_sefs(session, coordinator, cycle):
        state = sef.state
        if state == "draft" and service.latest_version(session, sef) is None:
            state = "not started"
        by_state.setdefault(STATE_LABELS.get(state, state), []).append(names[sef.la_code])
    parts = "; ".join(f"{label}: {', '.join(las)}" for label, las in by_state.items())
    return f"{year} self-evaluations on {on:%-d %B %Y}: {parts}"


def write_sef_packs(play: Play, year: str, out: Path, log: list[str]) -> list[Path]:
    """Every signed self-evaluation's pack, as the coordinator reads it today."""
    session = play.session
    paths = []
    with play.now():
        coordinator = _principal(session, "coordinator@demo.riia.example")
        cycle = cycle_of(session, year)
        names = {la.code: la.name for la in get_reference().regions[REGION].local_authorities}
        for sef in service.readable_sefs(session, coordinator, cycle):
            if sef.state in access.SHARED_STATES:
                path = out / f"self-evaluation-{_slug(names[sef.la_code])}.pdf"
                path.write_bytes(pack.sef_pack_pdf(session, coordinator, cycle, sef.la_code))
                paths.append(path)
    log.append(f"Wrote {len(paths)} {year} self-evaluation packs to {out}")
    return paths
