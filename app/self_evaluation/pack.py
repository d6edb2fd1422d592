"""The self-evaluation pack: the signed text, its data, its signatures and its scrutiny, as a PDF.

The pack is built as plain data (`SefPack`) from what this person may read, then printed with the
shared pack renderer and kept by the SHA-256 of that data: equal inputs are never rendered twice,
and any change to the text, a signature, a comment or a response makes a new key.
"""

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy.orm import Session

from app.audit import chain
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Assignment, Principal
from app.auth.roles import Role
from app.benchmarks.pack import PROVISIONAL
from app.errors import Conflict, DomainError
from app.models import Cycle, SefSignOffEvent
from app.models.types import utcnow
from app.pack import inputs, jobs
from app.pack.cache import Prepared, cache_key, cached_or_rendered, warm
from app.pack.render import render_template_pdf
from app.reference import get_reference
from app.reference.sef import SefTemplate
from app.self_evaluation import access
from app.self_evaluation.documents import rows as document_rows
from app.self_evaluation.drafting import content, service
from app.self_evaluation.pack_appendix import build_appendix
from app.self_evaluation.pack_documents import PackDocument, pack_documents
from app.self_evaluation.profile import SefDataProfile, profile_digest, sef_data_profile
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff

KIND = "self_evaluation"
PROVENANCE = frozenset({"printed_at", "audit_head_sequence", "audit_head_hash"})
NOT_SIGNED = "The pack is produced once all three signatories have signed."
SCRUTINY_WITHHELD = scrutiny.WITHHELD
# Who the pack is printed for: each audience reads a different pack, so each has its own copy.
AUTHORITY = "authority"  # the LA's own people and its coordinator: history and scrutiny
SCRUTINEER = "scrutineer"  # the triad's peers or the moderators: scrutiny, no history
READER = "reader"  # the RISL, where the data terms allow: the signed text and its signatures
STATE_LABELS = {
    "signed": "Signed off and shared for scrutiny",
    "scrutiny_closed": "Signed off; scrutiny closed",
}


@dataclass(frozen=True)
class PackChapter:
    chapter_id: str
    title: str
    grade: str  # the grade's value, "" if none
    grade_label: str
    sections: tuple[content.Section, ...]  # every text section (content.sections_of)
    indicator_count: int = 0  # the core indicators the template sets beside the chapter
    graded: bool = True  # False: the template gives this chapter no grade, so none is printed


@dataclass(frozen=True)
class PackSignature:
    role_label: str
    name: str
    at: datetime
    statement: str
    content_hash: str
    version_number: int


@dataclass(frozen=True)
class PackLapsed:
    """A signature that no longer counts, or a return: always on an earlier version."""

    role_label: str
    name: str
    at: datetime
    version_number: int
    content_hash: str
    reason: str | None  # a return's reason; None for a void signature


@dataclass(frozen=True)
class PackThread:
    chapter_title: str
    author_name: str
    author_affiliation: str
    at: datetime
    body: str
    challenged_grade_label: str | None
    grade_label: str  # the LA's own grade for the chapter, beside a challenge
    response_name: str | None
    response_at: datetime | None
    response_body: str | None


@dataclass(frozen=True)
class SefPack:
    region_name: str
    riia: str
    la_code: str
    la_name: str
    cycle_year: str
    state: str
    state_label: str
    template_title: str
    version_number: int
    content_hash: str
    submitted_at: datetime | None
    signed_at: datetime | None
    scrutiny_closed_at: datetime | None
    chapters: tuple[PackChapter, ...]
    profile: SefDataProfile
    signatures: tuple[PackSignature, ...]
    # Empty outside the LA and its coordinator (signoff.readable_status, the rule the page and
    # the API read too); history_note then says so in one line.
    void_signatures: tuple[PackLapsed, ...]
    returns: tuple[PackLapsed, ...]
    history_note: str | None
    # None when this person may not see the challenge (the RISL): the pack says why instead.
    threads: tuple[PackThread, ...] | None
    scrutiny_note: str | None
    provisional: str
    audience: str
    # This copy's provenance (packs.md rule 8): when it was printed and the audit chain's head
    # then. Not inputs: a copy served from the cache says truly when it was printed.
    printed_at: datetime
    audit_head_sequence: int
    audit_head_hash: str
    # The signed version's supporting documents (its hash covers them), listed in each chapter.
    documents: tuple[PackDocument, ...] = ()
    # Whether any chapter carries a grade: if none does, the pack never mentions grades.
    any_grades: bool = True

    @property
    def title(self) -> str:
        return f"{self.la_name}: self-evaluation {self.cycle_year}"

    @property
    def audience_label(self) -> str:
        """Whom this copy was printed for, as its first page says."""
        return {
            AUTHORITY: f"{self.la_name}'s own people and the regional coordinator",
            SCRUTINEER: f"{self.la_name}'s scrutineers",
            READER: "the DfE's Regional Improvement and Support Lead, under the region's data terms",
        }[self.audience]


def _lapsed(pairs: tuple[tuple[SefSignOffEvent, int], ...]) -> tuple[PackLapsed, ...]:
    return tuple(
        PackLapsed(
            role_label=Role(e.role).label,
            name=e.signatory_name,
            at=e.occurred_at,
            version_number=number,
            content_hash=e.content_hash,
            reason=e.reason if e.decision == "returned" else None,
        )
        for e, number in pairs
    )


def _chapters(template: SefTemplate, text: content.Content) -> tuple[PackChapter, ...]:
    chapters = []
    for chapter in template.chapters:
        written = text.get(chapter.id, {})
        graded = template.graded(chapter.id)
        grade = written.get("grade", "") if graded else ""
        chapters.append(
            PackChapter(
                chapter_id=chapter.id,
                title=chapter.title,
                grade=grade,
                grade_label=content.grade_label(grade) if graded else "",
                sections=content.sections_of(written),
                indicator_count=len(chapter.indicators),
                graded=graded,
            )
        )
    return tuple(chapters)


def _threads(
    found: list[scrutiny.Thread] | None, chapters: tuple[PackChapter, ...]
) -> tuple[PackThread, ...] | None:
    """Each comment with the chapter's title and own grade, and its response (if any)."""
    if found is None:
        return None
    by_id = {c.chapter_id: c for c in chapters}
    return tuple(
        PackThread(
            chapter_title=by_id[t.comment.chapter_id].title,
            author_name=t.comment.author_name,
            author_affiliation=t.comment.author_affiliation,
            at=t.comment.created_at,
            body=t.comment.body,
            challenged_grade_label=content.grade_label(t.comment.challenged_grade)
            if t.comment.challenged_grade
            else None,
            grade_label=by_id[t.comment.chapter_id].grade_label,
            response_name=t.response.author_name if t.response else None,
            response_at=t.response.created_at if t.response else None,
            response_body=t.response.body if t.response else None,
        )
        for t in found
    )


def history_withheld(la_name: str) -> str:
    """The one line a scrutineer's or the RISL's pack prints where the history would be."""
    return (
        f"Returns for changes and signatures that no longer count are seen only by {la_name}'s "
        "own people and the regional coordinator."
    )


def build_pack(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> SefPack:
    """Everything the pack prints, as plain data, as this person may read it."""
    require(principal, Action.DOWNLOAD_SEF_PACK, Scope(cycle.region_id))
    sef = service.get_sef(session, principal, cycle, la_code)
    if sef.state not in access.SHARED_STATES:
        raise Conflict(NOT_SIGNED)
    signed = service.signed_version(session, sef)
    region = get_reference().regions[cycle.region_id]
    la = service.local_authority(cycle, la_code)
    template = service.template_of(sef)
    chapters = _chapters(template, service.content_of(sef, signed))
    status = signoff.readable_status(session, principal, cycle, sef)
    threads = _threads(scrutiny.visible_threads(session, principal, cycle, sef), chapters)
    history = access.can_read_history(principal, cycle, sef)
    sequence, head_hash = chain.head(session)
    return SefPack(
        region_name=region.name,
        riia=region.riia,
        la_code=la.code,
        la_name=la.name,
        cycle_year=cycle.year,
        state=sef.state,
        state_label=STATE_LABELS[sef.state],
        template_title=template.title,
        version_number=signed.number,
        content_hash=signed.content_hash,
        submitted_at=sef.submitted_at,
        signed_at=sef.signed_at,
        scrutiny_closed_at=sef.scrutiny_closed_at,
        chapters=chapters,
        profile=sef_data_profile(session, principal, cycle.region_id, la_code, template),
        signatures=tuple(
            PackSignature(
                role_label=s.role.label,
                name=s.event.signatory_name,
                at=s.event.occurred_at,
                statement=s.event.statement,
                content_hash=s.event.content_hash,
                version_number=signed.number,
            )
            for s in status.signatories
            if s.event is not None
        ),
        void_signatures=_lapsed(status.void),
        returns=_lapsed(status.returns),
        history_note=None if history else history_withheld(la.name),
        threads=threads,
        scrutiny_note=SCRUTINY_WITHHELD if threads is None else None,
        provisional=PROVISIONAL,
        audience=AUTHORITY if history else SCRUTINEER if threads is not None else READER,
        printed_at=utcnow(),
        audit_head_sequence=sequence,
        audit_head_hash=head_hash,
        documents=pack_documents(document_rows.in_version(session, sef, signed.number)),
        any_grades=template.any_grades,
    )


def pack_digest(pack: SefPack) -> dict[str, object]:
    """Every input the pack prints, as JSON-ready data; the profile by its own digest."""
    data: dict[str, object] = {}
    for field in fields(pack):
        value = getattr(pack, field.name)
        if field.name in PROVENANCE:
            continue
        if field.name == "profile":
            data[field.name] = profile_digest(value)
        elif isinstance(value, tuple):
            data[field.name] = [asdict(item) for item in value]
        else:
            data[field.name] = value
    result = inputs.jsonable(data)
    assert isinstance(result, dict)
    return result


def input_hash(pack: SefPack) -> str:
    """SHA-256 of everything the pack prints: equal inputs give an equal cache key."""
    return inputs.input_hash(KIND, pack_digest(pack))


def render_pack(pack: SefPack) -> bytes:
    """Print the pack as a tagged PDF; CPU-bound, so call it off the event loop."""
    return render_template_pdf("sef.html", template_context(pack), title=pack.title)


def template_context(pack: SefPack) -> dict[str, object]:
    """What sef.html is given: the pack, and its data appendix (derived from the hashed profile)."""
    appendix = build_appendix(pack.profile, tuple(c.chapter_id for c in pack.chapters))
    return {"pack": pack, "pack_title": pack.title, "appendix": appendix}


def sef_pack_pdf(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> bytes:
    """The signed self-evaluation's pack as this person may read it; from the cache if unchanged."""
    pack = build_pack(session, principal, cycle, la_code)
    return cached_or_rendered(
        session,
        input_hash(pack),
        KIND,
        f"{cycle.id}:{la_code}",
        lambda: render_pack(pack),
        audience=pack.audience,
    )


def _authority_view(la_code: str) -> Principal:
    """How the LA's own people (and, with equal data, the coordinator) see the pack."""
    return Principal(0, "", "", (Assignment(Role.DCS, None, la_code),))


@jobs.register(KIND)
def warm_cache(cycle_id: int, la_code: str) -> None:
    """Render the authority's view as a pack job after a change commits, so its download is
    instant."""

    def prepare(session: Session) -> Prepared | None:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            return None
        try:
            pack = build_pack(session, _authority_view(la_code), cycle, la_code)
        except DomainError:
            return None  # not signed yet, or gone: nothing to warm
        key = cache_key(input_hash(pack), pack.audience)
        return Prepared(key, KIND, f"{cycle_id}:{la_code}", lambda: render_pack(pack))

    warm(prepare)
