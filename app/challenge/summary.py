"""The triad summary report: a PDF for the RIIA board once every triad has agreed its record.

Issue 12: it holds themes across triads by improvement area, counts of actions, and the support
asked for and offered; no LA is named unless the region's data terms allow it
(`name_authorities_in_triad_summary`, said in the MoU: app/reference/terms_text.py). It is built
only from the agreed summaries (app.challenge.record.summary_of), never from the private text, so
it prints nothing the alliance does not already see. Kept by the hash of its inputs.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import chain
from app.auth.principal import Principal
from app.challenge import access
from app.challenge import record as records
from app.challenge.record_access import alliance_member, is_risl
from app.challenge.record_workflow import RecordState
from app.errors import Conflict, NotPermitted
from app.models import ChallengeRecord, Cycle, Triad
from app.models.types import utcnow
from app.pack import inputs
from app.pack.cache import cached_or_rendered
from app.pack.render import render_template_pdf
from app.reference import get_reference
from app.reference.improvement_areas import get_improvement_areas

KIND = "triad_summary"
PROVENANCE = frozenset({"printed_at", "audit_head_sequence", "audit_head_hash"})
NOT_IN_ALLIANCE = "The triad summary report is for the members of this region's alliance."
NOT_FOR_YOU = (
    "The triad summary report is for the alliance's members and its board: the MoU keeps triad "
    "records from the DfE's regional lead."
)


@dataclass(frozen=True)
class AreaTheme:
    """One improvement area across the region's triads."""

    area: str
    triads: int  # how many triads agreed actions or support in the area
    actions: int
    asked: int  # requests for support
    asked_days: int
    offered: int
    offered_days: int


@dataclass(frozen=True)
class TriadLine:
    number: int
    members: str  # their names where the data terms allow it, else how many authorities
    agreed_at: datetime | None
    actions: int


@dataclass(frozen=True)
class SupportLine:
    area: str
    days: int
    who: str  # "Derby" where names are allowed, else "An authority in triad 2"
    to: str = ""  # offers only


@dataclass(frozen=True)
class TriadSummary:
    region_name: str
    riia: str
    cycle_year: str
    named: bool
    themes: tuple[AreaTheme, ...]
    triads: tuple[TriadLine, ...]
    asked: tuple[SupportLine, ...]
    offered: tuple[SupportLine, ...]
    printed_at: datetime
    audit_head_sequence: int
    audit_head_hash: str

    @property
    def title(self) -> str:
        return f"{self.riia}: triad summary report {self.cycle_year}"

    @property
    def actions(self) -> int:
        return sum(t.actions for t in self.triads)


def _triads(session: Session, cycle: Cycle) -> list[tuple[Triad, ChallengeRecord | None]]:
    rows = session.execute(
        select(Triad, ChallengeRecord)
        .outerjoin(ChallengeRecord, ChallengeRecord.triad_id == Triad.id)
        .where(Triad.cycle_id == cycle.id)
        .order_by(Triad.number)
    ).all()
    return [(triad, record) for triad, record in rows]


def build_summary(session: Session, principal: Principal, cycle: Cycle) -> TriadSummary:
    """The report's content, for those who may read every triad's agreed summary."""
    if not (access.tracks(principal, cycle.region_id) or alliance_member(principal, cycle)):
        raise NotPermitted(NOT_FOR_YOU if is_risl(principal, cycle) else NOT_IN_ALLIANCE)
    found = _triads(session, cycle)
    if not found:
        raise Conflict("This cycle's triads have not been formed yet.")
    agreed = [r for _, r in found if r is not None and r.state == RecordState.AGREED]
    if len(agreed) < len(found):
        raise Conflict(
            "The triad summary report is produced once every triad's record is agreed: "
            f"{len(agreed)} of {len(found)} are agreed."
        )
    region = get_reference().regions[cycle.region_id]
    named = region.data_terms.name_authorities_in_triad_summary
    names = {la.code: la.name for la in region.local_authorities}
    area_names = {a.id: a.name for a in get_improvement_areas().for_region(cycle.region_id)}
    themes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    in_triads: dict[str, set[int]] = defaultdict(set)
    lines, asked, offered = [], [], []
    for triad, record in found:
        members = records.members_of(session, cycle, triad)
        parts = records.content_of(records.current_version(session, record))
        by_area, asks, offers = records.summary_of(cycle, parts)
        for count in by_area:
            themes[count.area]["actions"] += count.actions
            in_triads[count.area].add(triad.number)
        for code, ask in asks:
            area = area_names.get(ask.area, ask.area)
            themes[area]["asked"] += 1
            themes[area]["asked_days"] += ask.days
            in_triads[area].add(triad.number)
            who = names.get(code, code) if named else f"An authority in triad {triad.number}"
            asked.append(SupportLine(area, ask.days, who))
        for code, offer in offers:
            area = area_names.get(offer.area, offer.area)
            themes[area]["offered"] += 1
            themes[area]["offered_days"] += offer.days
            in_triads[area].add(triad.number)
            who = names.get(code, code) if named else f"An authority in triad {triad.number}"
            to = names.get(offer.to_la, offer.to_la) if named else "another member of its triad"
            offered.append(SupportLine(area, offer.days, who, to))
        lines.append(
            TriadLine(
                triad.number,
                ", ".join(la.name for la in members) if named else f"{len(members)} authorities",
                record.agreed_at if record else None,
                sum(c.actions for c in by_area),
            )
        )
    sequence, head_hash = chain.head(session)
    return TriadSummary(
        region_name=region.name,
        riia=region.riia,
        cycle_year=cycle.year,
        named=named,
        themes=tuple(
            AreaTheme(
                area,
                len(in_triads[area]),
                t["actions"],
                t["asked"],
                t["asked_days"],
                t["offered"],
                t["offered_days"],
            )
            for area, t in sorted(themes.items(), key=lambda i: (-i[1]["actions"], i[0]))
        ),
        triads=tuple(lines),
        asked=tuple(sorted(asked, key=lambda s: (s.area, s.who))),
        offered=tuple(sorted(offered, key=lambda s: (s.area, s.who))),
        printed_at=utcnow(),
        audit_head_sequence=sequence,
        audit_head_hash=head_hash,
    )


def input_hash(summary: TriadSummary) -> str:
    """SHA-256 of everything the report prints, its provenance aside."""
    data = {k: v for k, v in asdict(summary).items() if k not in PROVENANCE}
    return inputs.input_hash(KIND, inputs.jsonable(data))


def render_summary(summary: TriadSummary) -> bytes:
    """Print the report as a tagged PDF; CPU-bound, so call it off the event loop."""
    return render_template_pdf(
        "triad_summary.html", {"pack": summary, "pack_title": summary.title}, title=summary.title
    )


def summary_pdf(session: Session, principal: Principal, cycle: Cycle) -> bytes:
    """The report as this person may read it (everyone who may reads the same); from the cache
    if nothing it prints has changed."""
    summary = build_summary(session, principal, cycle)
    return cached_or_rendered(
        session, input_hash(summary), KIND, str(cycle.id), lambda: render_summary(summary)
    )


def available(session: Session, principal: Principal, cycle: Cycle) -> bool:
    """Whether this person may download the report now: a reader of it, every triad agreed."""
    if not (access.tracks(principal, cycle.region_id) or alliance_member(principal, cycle)):
        return False
    found = _triads(session, cycle)
    return bool(found) and all(r is not None and r.state == RecordState.AGREED for _, r in found)
