"""The triad pack: what each LA of a triad brings to its challenge conversation, as one PDF.

For each member LA: its signed self-evaluation in brief (grades, strengths, areas for
development, from the signed version), a compact data profile (the spine chart and the trend of
each flagged indicator, as the LA profile draws them), its signatures of risk, and its key lines
of enquiry. Built as plain data from what this person may read, printed by the shared pack
renderer and kept by the SHA-256 of that data (app/pack/cache.py).

Who may have it (one rule for the page, the API and the demo): the triad's members
(app.challenge.access.in_triad) and the region's coordinator. The MoU's triad clause keeps an
LA's questions to its triad's members until the record is agreed (access.can_read), so the
coordinator's copy is the same pack with a sentence where the questions would be.
"""

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import chain
from app.auth.principal import Assignment, Principal
from app.auth.roles import Role
from app.benchmarks.pack import PROVISIONAL
from app.challenge import access
from app.challenge.pack_profile import LaProfile, la_profile
from app.errors import NotFound, NotPermitted
from app.models import Cycle, Kloe, SelfEvaluation, Triad
from app.models.types import utcnow
from app.pack import inputs, jobs
from app.pack.cache import Prepared, cache_key, cached_or_rendered, warm
from app.pack.render import render_template_pdf
from app.reference import get_reference
from app.self_evaluation import access as sef_access
from app.self_evaluation.drafting import content
from app.self_evaluation.drafting import service as sefs

KIND = "triad_pack"
PROVENANCE = frozenset({"printed_at", "audit_head_sequence", "audit_head_hash"})
# Who the pack is printed for: the triad's members read the questions; the coordinator does not.
MEMBERS = "members"
COORDINATOR = "coordinator"
KLOES_PRIVATE = (
    "Key lines of enquiry stay private to the triad's members until its challenge record is agreed."
)
NOT_SIGNED = "Not yet signed"
REFUSED = (
    "Only the triad's members (the DCSs of its authorities and the triad reviewers named to it) "
    "and the regional coordinator can download its triad pack."
)


@dataclass(frozen=True)
class PackPoint:
    chapter_title: str
    text: str


@dataclass(frozen=True)
class SefSummary:
    """The signed self-evaluation in brief; signed False: nothing else is printed."""

    signed: bool
    version_number: int = 0
    content_hash: str = ""
    signed_at: datetime | None = None
    template_title: str = ""
    grades: tuple[tuple[str, str], ...] = ()  # (chapter title, grade label), graded chapters
    strengths: tuple[PackPoint, ...] = ()
    areas: tuple[PackPoint, ...] = ()


@dataclass(frozen=True)
class PackKloe:
    position: int
    text: str
    source_label: str | None


@dataclass(frozen=True)
class LaSection:
    la_code: str
    la_name: str
    sef: SefSummary
    profile: LaProfile
    # None: this reader may not read the questions (the coordinator); kloes_note says why.
    kloes: tuple[PackKloe, ...] | None
    kloes_note: str | None


@dataclass(frozen=True)
class TriadPack:
    region_name: str
    riia: str
    cycle_year: str
    triad_number: int
    sections: tuple[LaSection, ...]
    audience: str
    provisional: str
    printed_at: datetime
    audit_head_sequence: int
    audit_head_hash: str

    @property
    def title(self) -> str:
        return f"{self.riia}: triad {self.triad_number} pack {self.cycle_year}"

    @property
    def names(self) -> str:
        return _and([s.la_name for s in self.sections])

    @property
    def audience_label(self) -> str:
        if self.audience == MEMBERS:
            return "the triad's members"
        return "the regional coordinator, without the key lines of enquiry"


def number_of(text: str) -> int:
    """A triad's number from its URL: read in the route's body, after the cycle (a 404, not a
    422, for a number that is no number)."""
    if not text.isdigit() or len(text) > 6:
        raise NotFound(f"There is no triad {text} in this cycle.")
    return int(text)


def triad_of_number(session: Session, cycle: Cycle, number: int) -> Triad:
    found = session.scalar(select(Triad).where(Triad.cycle_id == cycle.id, Triad.number == number))
    if found is None:
        raise NotFound(f"There is no triad {number} in this cycle.")
    return found


def may_download(session: Session, principal: Principal | None, cycle: Cycle, triad: Triad) -> bool:
    """The triad's members and the region's coordinator: the one rule every way out uses."""
    return access.in_triad(session, principal, cycle, triad) or access.tracks(
        principal, cycle.region_id
    )


def downloadable(session: Session, principal: Principal, cycle: Cycle) -> list[tuple[int, str]]:
    """The triads whose pack this person may download, by number, with their authorities."""
    region = get_reference().regions[cycle.region_id]
    found = session.scalars(
        select(Triad).where(Triad.cycle_id == cycle.id).order_by(Triad.number)
    ).all()
    return [
        (triad.number, _and(sorted(region.local_authority(c).name for c in codes)))
        for triad in found
        if may_download(session, principal, cycle, triad)
        and (codes := access.member_codes(session, triad))
    ]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _points(chapters: list[tuple[str, dict[str, str]]], section: str) -> tuple[PackPoint, ...]:
    return tuple(
        PackPoint(title, text)
        for title, written in chapters
        for text in content.paragraphs(written.get(section, ""))
    )


def sef_summary(session: Session, cycle: Cycle, la_code: str) -> SefSummary:
    """The LA's signed self-evaluation in brief, from the signed version's own content."""
    sef = session.scalar(
        select(SelfEvaluation).where(
            SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code == la_code
        )
    )
    if sef is None or sef.state not in sef_access.SHARED_STATES:
        return SefSummary(signed=False)
    signed = sefs.signed_version(session, sef)
    template = sefs.template_of(sef)
    text = sefs.content_of(sef, signed)
    chapters = [(c.title, text.get(c.id, {})) for c in template.chapters]
    return SefSummary(
        signed=True,
        version_number=signed.number,
        content_hash=signed.content_hash,
        signed_at=sef.signed_at,
        template_title=template.title,
        grades=tuple(
            (c.title, content.grade_label(g) if (g := text.get(c.id, {}).get("grade")) else "")
            for c in template.chapters
            if template.graded(c.id)
        ),
        strengths=_points(chapters, "strengths"),
        areas=_points(chapters, "areas_for_development"),
    )


def _kloes(session: Session, cycle: Cycle, la_code: str) -> tuple[PackKloe, ...]:
    rows = session.scalars(
        select(Kloe)
        .where(Kloe.cycle_id == cycle.id, Kloe.la_code == la_code)
        .order_by(Kloe.position)
    )
    return tuple(PackKloe(r.position, r.text, r.source_label) for r in rows)


def _section(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> LaSection:
    la = sefs.local_authority(cycle, la_code)
    readable = access.can_read(session, principal, cycle, la_code)
    return LaSection(
        la_code=la_code,
        la_name=la.name,
        sef=sef_summary(session, cycle, la_code),
        profile=la_profile(session, principal, cycle.region_id, la_code),
        kloes=_kloes(session, cycle, la_code) if readable else None,
        kloes_note=None if readable else KLOES_PRIVATE,
    )


def build_pack(session: Session, principal: Principal, cycle: Cycle, number: int) -> TriadPack:
    """Everything the pack prints, as plain data, as this person may read it."""
    triad = triad_of_number(session, cycle, number)
    if not may_download(session, principal, cycle, triad):
        raise NotPermitted(REFUSED)
    region = get_reference().regions[cycle.region_id]
    codes = sorted(
        access.member_codes(session, triad), key=lambda code: region.local_authority(code).name
    )
    sections = tuple(_section(session, principal, cycle, code) for code in codes)
    sequence, head_hash = chain.head(session)
    return TriadPack(
        region_name=region.name,
        riia=region.riia,
        cycle_year=cycle.year,
        triad_number=triad.number,
        sections=sections,
        audience=MEMBERS if all(s.kloes is not None for s in sections) else COORDINATOR,
        provisional=PROVISIONAL,
        printed_at=utcnow(),
        audit_head_sequence=sequence,
        audit_head_hash=head_hash,
    )


def pack_digest(pack: TriadPack) -> dict[str, object]:
    """Every input the pack prints, as JSON-ready data (provenance left out)."""
    data = {f.name: getattr(pack, f.name) for f in fields(pack) if f.name not in PROVENANCE}
    data["sections"] = [asdict(s) for s in pack.sections]
    result = inputs.jsonable(data)
    assert isinstance(result, dict)
    return result


def input_hash(pack: TriadPack) -> str:
    """SHA-256 of everything the pack prints: equal inputs give an equal cache key."""
    return inputs.input_hash(KIND, pack_digest(pack))


def render_pack(pack: TriadPack) -> bytes:
    """Print the pack as a tagged PDF; CPU-bound, so call it off the event loop."""
    context = {"pack": pack, "pack_title": pack.title, "input_hash": input_hash(pack)}
    return render_template_pdf("triad.html", context, title=pack.title)


def subject_of(cycle: Cycle, number: int) -> str:
    return f"{cycle.id}:{number}"


def triad_pack_pdf(session: Session, principal: Principal, cycle: Cycle, number: int) -> bytes:
    """The triad's pack as this person may read it; from the cache if unchanged."""
    pack = build_pack(session, principal, cycle, number)
    return cached_or_rendered(
        session,
        input_hash(pack),
        KIND,
        subject_of(cycle, number),
        lambda: render_pack(pack),
        audience=pack.audience,
    )


def _member_view(session: Session, cycle: Cycle, number: int) -> Principal | None:
    """How a member DCS of the triad sees the pack (the members' copy)."""
    codes = access.member_codes(session, triad_of_number(session, cycle, number))
    if not codes:
        return None
    return Principal(0, "", "", (Assignment(Role.DCS, None, codes[0]),))


@jobs.register(KIND)
def warm_cache(cycle_id: int, number: int) -> None:
    """Render the members' copy as a pack job after a change commits, so its download is
    instant."""

    def prepare(session: Session) -> Prepared | None:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            return None
        try:
            viewer = _member_view(session, cycle, number)
            if viewer is None:
                return None
            pack = build_pack(session, viewer, cycle, number)
        except (NotFound, NotPermitted):
            return None
        key = cache_key(input_hash(pack), pack.audience)
        subject = subject_of(cycle, number)
        return Prepared(key, KIND, subject, lambda: render_pack(pack))

    warm(prepare)
