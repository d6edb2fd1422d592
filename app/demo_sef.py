"""The self-evaluation stage of the demonstration: triads, writing, sign-off, scrutiny, packs.

Every East Midlands DCS writes every chapter from the authority's data profile, so each text
answers its figures; grades vary by authority and chapter as they would in a real region. Three stories
are told on purpose: a contributor drafts one of Leicestershire's chapters, Derbyshire's DCS
edits a chapter after signing (voiding that signature), and Nottinghamshire's Chief Executive
returns the text with a reason. No person is named in any text: only the demonstration accounts
appear, as authors and signatories.
"""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.demo import _ROLE_SLUGS, REGION, YEAR, _email, _principal, _slug
from app.demo_sef_text import CHALLENGE_ANSWER, QUESTIONS, challenge, chapter_text
from app.models import Cycle
from app.reference import get_reference
from app.reference.models import LocalAuthority
from app.reference.sef import OfstedGrade
from app.sef import contributors, pack, scrutiny, service, signoff
from app.sef.profile import sef_data_profile
from app.sef.schemas import (
    AssignInput,
    ChapterInput,
    CommentInput,
    ResponseInput,
    ReturnSefInput,
    SignSefInput,
    SubmitInput,
    TriadsInput,
)
from app.triads import service as triads

CONTRIBUTED = ("E10000018", "care-leavers")  # Leicestershire's care leavers chapter
VOIDED = ("E10000007", "workforce")  # Derbyshire's DCS edits this after signing
RETURNED = ("E10000024", "workforce")  # Nottinghamshire's Chief Executive returns it
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


def _write_and_sign(session: Session, cycle: Cycle, la: LocalAuthority, log: list[str]) -> None:
    dcs = _principal(session, _email("dcs", la.name))
    sef = service.get_sef(session, dcs, cycle, la.code)
    template = service.template_of(sef)
    # The text answers the figures the packs print (the coordinator's view of the latest quarter).
    coordinator = _principal(session, "coordinator@demo.riia.example")
    profile = sef_data_profile(session, coordinator, REGION, la.code, template)
    texts = {c.id: chapter_text(la, c, profile) for c in template.chapters}
    if la.code == CONTRIBUTED[0]:
        chapter = template.chapter(CONTRIBUTED[1])
        contributor = _principal(session, _email("contributor", la.name))
        contributors.assign(
            session, dcs, cycle, la.code,
            AssignInput(chapter_id=chapter.id, user_id=contributor.user_id),
        )  # fmt: skip
        _save(session, contributor, cycle, la.code, chapter.id, texts[chapter.id])
        log.append(
            f"{la.name}'s DCS assigned '{chapter.title}' to {contributor.display_name}, "
            "who drafted it"
        )
    for chapter in template.chapters:
        if (la.code, chapter.id) != CONTRIBUTED:
            _save(session, dcs, cycle, la.code, chapter.id, texts[chapter.id])
    content_hash = _submit(session, dcs, cycle, la.code)
    if la.code == VOIDED[0]:
        _sign(session, cycle, la, Role.DCS, content_hash)
        signed_number = service.get_sef(session, dcs, cycle, la.code).submitted_number
        title = template.chapter(VOIDED[1]).title
        addition = (
            "Since signing: the October workforce health check asks for more protected time "
            "for newly qualified social workers."
        )
        _save(session, dcs, cycle, la.code, VOIDED[1], _revised(texts[VOIDED[1]], addition))
        content_hash = _submit(session, dcs, cycle, la.code)
        log.append(
            f"{la.name}'s DCS signed version {signed_number}, then edited '{title}': that signature "
            "is void, and the new version was resubmitted"
        )
    if la.code == RETURNED[0]:
        chief = _principal(session, _email("chief-executive", la.name))
        signoff.return_for_changes(
            session, chief, cycle, la.code,
            ReturnSefInput(role=Role.CHIEF_EXECUTIVE, content_hash=content_hash, reason=RETURN_REASON),
        )  # fmt: skip
        addition = (
            "Agency reliance: a quarter of case-holding posts are filled by agency social "
            "workers; the recruitment plan aims to halve that by March."
        )
        _save(session, dcs, cycle, la.code, RETURNED[1], _revised(texts[RETURNED[1]], addition))
        content_hash = _submit(session, dcs, cycle, la.code)
        log.append(
            f"{la.name}'s Chief Executive returned it: “{RETURN_REASON}” The DCS revised "
            "the workforce chapter and resubmitted"
        )
    for role in SIGNATORY_ROLES:
        signed = signoff.build_status(session, cycle, sef).signatories
        if any(s.role == role and s.state == "signed" for s in signed):
            continue
        _sign(session, cycle, la, role, content_hash)


def _scrutinise(
    session: Session, cycle: Cycle, groups: list[list[str]], log: list[str]
) -> list[str]:
    """Each peer DCS comments on a chapter of each other SEF in the triad; most get a reply."""
    region = get_reference().regions[REGION]
    chapters = list(QUESTIONS)
    made = challenges = answered = 0
    closed: list[str] = []
    for group_number, group in enumerate(groups):
        for position, code in enumerate(group):
            la = region.local_authority(code)
            dcs = _principal(session, _email("dcs", la.name))
            sef = service.get_sef(session, dcs, cycle, code)
            signed = service.content_of(sef, service.submitted_version(session, sef))
            peers = [c for c in group if c != code]
            for turn, peer_code in enumerate(peers):
                peer = _principal(session, _email("dcs", region.local_authority(peer_code).name))
                chapter_id = chapters[(position * 2 + turn + group_number) % len(chapters)]
                question, reply = QUESTIONS[chapter_id]
                data = CommentInput(chapter_id=chapter_id, body=question)
                if turn == 0 and position == 0:
                    own = OfstedGrade(signed[chapter_id]["grade"])
                    suggested, body = challenge(own)
                    data = CommentInput(
                        chapter_id=chapter_id, body=body, challenged_grade=suggested
                    )
                    reply = CHALLENGE_ANSWER
                    challenges += 1
                comment = scrutiny.comment(session, peer, cycle, code, data)
                made += 1
                # The last comment on the last authority of each triad is left unanswered.
                if position == len(group) - 1 and turn == len(peers) - 1:
                    continue
                scrutiny.respond(session, dcs, cycle, code, comment.id, ResponseInput(body=reply))
                answered += 1
        if group_number == 0:
            coordinator = _principal(session, "coordinator@demo.riia.example")
            for code in group:
                scrutiny.close(session, coordinator, cycle, code)
                closed.append(region.local_authority(code).name)
    log.append(
        f"Scrutineers left {made} comments ({challenges} challenging a grade); the DCSs "
        f"responded to {answered}"
    )
    log.append(f"The coordinator closed scrutiny for {', '.join(closed)}")
    return closed


def form_demo_triads(session: Session) -> tuple[Cycle, list[list[str]]]:
    """The demo cycle, and its triads formed by the coordinator as the service proposes them."""
    region = get_reference().regions[REGION]
    coordinator = _principal(session, "coordinator@demo.riia.example")
    cycle = session.execute(
        select(Cycle).where(Cycle.region_id == REGION, Cycle.year == YEAR)
    ).scalar_one()
    proposed = triads.proposed_groups(region, YEAR)
    numbers = {code: n for n, group in enumerate(proposed, start=1) for code in group}
    groups = triads.form_triads(session, coordinator, cycle, TriadsInput(groups=numbers))
    return cycle, groups


def run_sef_story(session: Session, log: list[str]) -> Cycle:
    """Triads, every LA's self-evaluation written and signed, then peer scrutiny."""
    region = get_reference().regions[REGION]
    coordinator = _principal(session, "coordinator@demo.riia.example")
    cycle, groups = form_demo_triads(session)
    names = "; ".join(", ".join(region.local_authority(c).name for c in g) for g in groups)
    log.append(f"The coordinator formed {len(groups)} triads: {names}")
    for la in region.local_authorities:
        _write_and_sign(session, cycle, la, log)
    signed = sum(
        1 for s in service.readable_sefs(session, coordinator, cycle) if s.state == "signed"
    )
    log.append(
        f"Every DCS wrote every chapter; all three signatories signed {signed} of "
        f"{len(region.local_authorities)} self-evaluations"
    )
    _scrutinise(session, cycle, groups, log)
    return cycle


def run_sef_stage(session: Session, out: Path, log: list[str]) -> list[Path]:
    """The self-evaluation story, then every LA's pack as the coordinator reads it."""
    cycle = run_sef_story(session, log)
    region = get_reference().regions[REGION]
    coordinator = _principal(session, "coordinator@demo.riia.example")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for la in region.local_authorities:
        path = out / f"self-evaluation-{_slug(la.name)}.pdf"
        path.write_bytes(pack.sef_pack_pdf(session, coordinator, cycle, la.code))
        paths.append(path)
    log.append(f"Wrote {len(paths)} self-evaluation packs to {out}")
    return paths
