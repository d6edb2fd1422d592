"""Key lines of enquiry: an LA's 3 to 6 questions for its triad, drafted from its own material.

Rules (issue 12; ../shared/docs/domain.md:57): the LA's DCS sets the questions once the triads are
formed; the service offers a draft from the LA's signed self-evaluation, its scrutiny and its
data (app.challenge.drafting) and the prompt bank (regions/kloe_bank.yaml), but the LA owns what
it asks. Who reads them is app.challenge.access. A set is saved whole, bound to the set it started
from: a save over someone else's newer set is refused, and the same set sent twice changes nothing.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth.principal import Principal
from app.challenge import access, pack
from app.challenge.drafting import DifferentView, DraftKloe, RiskFlag, Source, draft
from app.challenge.schemas import KloesInput
from app.cycles.service import actor_of
from app.errors import Conflict, InvalidInput, NotPermitted
from app.models import ChallengeRecord, Cycle, Kloe, SefComment, SelfEvaluation, Triad, User
from app.pack import jobs as pack_jobs
from app.reference import get_reference
from app.reference.models import LocalAuthority
from app.self_evaluation import access as sef_access
from app.self_evaluation.drafting import service as sefs
from app.self_evaluation.profile import sef_data_profile
from app.structured_text import canonical_json

FIELD = "questions"


@dataclass(frozen=True)
class KloeSet:
    la: LocalAuthority
    questions: tuple[Kloe, ...]
    # The SHA-256 of the questions and their sources; "" while none are set.
    version: str
    set_at: datetime | None
    set_by: str | None


@dataclass(frozen=True)
class StatusRow:
    """Whether an LA has set its questions, as the page's reader may see it."""

    la: LocalAuthority
    count: int
    set_at: datetime | None
    readable: bool  # the reader may open the questions themselves


def _rows(session: Session, cycle: Cycle, la_code: str) -> list[Kloe]:
    return list(
        session.scalars(
            select(Kloe)
            .where(Kloe.cycle_id == cycle.id, Kloe.la_code == la_code)
            .order_by(Kloe.position)
        )
    )


def _version(pairs: list[tuple[str, str | None]]) -> str:
    if not pairs:
        return ""
    return hashlib.sha256(canonical_json([list(p) for p in pairs]).encode()).hexdigest()


def source_key(row: Kloe) -> str | None:
    if row.source_kind is None:
        return None
    return f"{row.source_kind}:{row.source_chapter or ''}:{row.source_ref or ''}"


def _set_of(session: Session, cycle: Cycle, la: LocalAuthority) -> KloeSet:
    rows = _rows(session, cycle, la.code)
    setter = session.get(User, rows[0].set_by_id) if rows else None
    return KloeSet(
        la=la,
        questions=tuple(rows),
        version=_version([(r.text, source_key(r)) for r in rows]),
        set_at=rows[0].set_at if rows else None,
        set_by=setter.display_name if setter else None,
    )


def refusal(principal: Principal | None, cycle: Cycle, la: LocalAuthority) -> str:
    """Why this reader may not read the LA's questions, in words a DCS understands."""
    if access.tracks(principal, cycle.region_id):
        return (
            "Key lines of enquiry stay private to the triad until its challenge record is "
            "agreed. You can see which authorities have set theirs on the key lines of enquiry "
            "page."
        )
    return (
        f"{la.name}'s key lines of enquiry are seen only by the DCSs of the authorities in its "
        "triad."
    )


def read(session: Session, principal: Principal | None, cycle: Cycle, la_code: str) -> KloeSet:
    """The LA's questions, for a member of its triad."""
    la = sefs.local_authority(cycle, la_code)
    if not access.can_read(session, principal, cycle, la_code):
        raise NotPermitted(refusal(principal, cycle, la))
    return _set_of(session, cycle, la)


def status(session: Session, principal: Principal, cycle: Cycle) -> list[StatusRow]:
    """Every LA the reader may follow: the whole region for its coordinator, else the reader's
    triads; each with how many questions are set and when."""
    region = get_reference().regions[cycle.region_id]
    tracking = access.tracks(principal, cycle.region_id)
    counted = session.execute(
        select(Kloe.la_code, func.count(), func.max(Kloe.set_at))
        .where(Kloe.cycle_id == cycle.id)
        .group_by(Kloe.la_code)
    ).all()
    counts = {code: n for code, n, _ in counted}
    when = {code: set_at for code, _, set_at in counted}
    rows = []
    for la in sorted(region.local_authorities, key=lambda la: la.name):
        readable = access.can_read(session, principal, cycle, la.code)
        if tracking or readable:
            rows.append(StatusRow(la, counts.get(la.code, 0), when.get(la.code), readable))
    return rows


def suggestions(
    session: Session, principal: Principal, cycle: Cycle, la_code: str
) -> list[DraftKloe]:
    """The draft the service offers the LA's DCS: from its signed self-evaluation (strengths,
    areas for development, signatures of risk) and the different views offered in scrutiny;
    nothing while it is unsigned."""
    if not access.can_set(principal, la_code):
        return []
    sef = session.scalar(
        select(SelfEvaluation).where(
            SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code == la_code
        )
    )
    if sef is None or sef.state not in sef_access.SHARED_STATES:
        return []
    signed = sefs.signed_version(session, sef)
    content = sefs.content_of(sef, signed)
    comments = session.scalars(
        select(SefComment).where(
            SefComment.sef_version_id == signed.id, SefComment.challenged_grade.is_not(None)
        )
    )
    views = [
        DifferentView(c.id, c.chapter_id, content.get(c.chapter_id, {}).get("grade", ""), grade)
        for c in comments
        if (grade := c.challenged_grade)
    ]
    template = sefs.template_of(sef)
    # The signatures of risk in the LA's latest quarter its DCS may see, most important first;
    # engagement flags (a late return, say) are the coordinator's to raise, not a question.
    profile = sef_data_profile(session, principal, cycle.region_id, la_code, template)
    flags = [RiskFlag(f.rule, f.indicator_id, f.title) for f in profile.flags if f.indicator_id]
    return draft(template, content, views, flags)


def _sources(
    session: Session, principal: Principal, cycle: Cycle, la_code: str
) -> dict[str, Source]:
    return {k.source.key: k.source for k in suggestions(session, principal, cycle, la_code)}


def save(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: KloesInput
) -> KloeSet:
    """The LA's DCS replaces its questions; the history keeps each set saved."""
    la = sefs.local_authority(cycle, la_code)
    if not access.can_set(principal, la_code):
        raise NotPermitted(
            f"Only {la.name}'s Director of Children's Services can set its key lines of enquiry."
        )
    if not access.triad_of(session, cycle, la_code):
        raise Conflict(
            f"{la.name} is not in a triad yet: the coordinator forms this cycle's triads first.",
            field=FIELD,
        )
    if _recorded(session, cycle, la_code):
        raise Conflict(
            f"{la.name}'s triad has started recording its challenge conversation, which follows "
            "these questions, so they can no longer change.",
            field=FIELD,
        )
    known = _sources(session, principal, cycle, la_code)
    wanted = [(q.text, q.source) for q in data.questions]
    for n, (_, source) in enumerate(wanted, start=1):
        if source is not None and source not in known:
            raise InvalidInput(
                f"Question {n} started from a suggestion your self-evaluation no longer makes: "
                "clear its source or write your own question",
                field=FIELD,
            )
    current = _set_of(session, cycle, la)
    if _version(wanted) == current.version:
        return current  # the same set again: a double submit changes nothing
    if data.version != current.version:
        raise Conflict(
            f"Someone else saved {la.name}'s key lines of enquiry since you opened the page. "
            "Reload to see them before you save.",
            field=FIELD,
        )
    session.execute(delete(Kloe).where(Kloe.cycle_id == cycle.id, Kloe.la_code == la_code))
    session.add_all(
        _row(cycle, la_code, n, text, known[source] if source else None, principal)
        for n, (text, source) in enumerate(wanted, start=1)
    )
    session.flush()
    saved = _set_of(session, cycle, la)
    record(
        session,
        actor=actor_of(principal),
        action="kloes.set",
        summary=f"Key lines of enquiry set for {la.name}: {len(wanted)} questions",
        subject_type="kloes",
        subject_id=la_code,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        organisation_code=la_code,
        payload={"questions": [text for text, _ in wanted], "version": saved.version},
    )
    # The triad's pack prints the questions: render its members' copy once this commits.
    triad = session.get(Triad, access.triad_id_of(session, cycle, la_code))
    if triad is not None:
        pack_jobs.schedule(session, pack.KIND, cycle.id, triad.number)
    return saved


def _recorded(session: Session, cycle: Cycle, la_code: str) -> bool:
    """Whether the LA's triad has a record of its conversation: its questions are then fixed."""
    triad_id = access.triad_id_of(session, cycle, la_code)
    return triad_id is not None and (
        session.scalar(select(ChallengeRecord.id).where(ChallengeRecord.triad_id == triad_id))
        is not None
    )


def _row(
    cycle: Cycle, la_code: str, n: int, text: str, found: Source | None, principal: Principal
) -> Kloe:
    return Kloe(
        cycle_id=cycle.id,
        la_code=la_code,
        position=n,
        text=text,
        source_kind=found.kind.value if found else None,
        source_chapter=found.chapter_id if found else None,
        source_ref=found.ref if found else None,
        source_label=found.label if found else None,
        set_by_id=principal.user_id,
    )
