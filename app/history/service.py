"""A cycle's history as a reader may see it: filtered by organisation, stage and person, in pages.

Only the entries app/history/visibility.py lets the reader see are counted, paged or offered as
filters, so neither a page count nor a filter option gives away what is withheld.
"""

from dataclasses import dataclass
from datetime import date
from math import ceil
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.cycles import service
from app.cycles.schemas import HISTORY_STAGES, HistoryQuery
from app.errors import NotFound
from app.history.visibility import visible_entries
from app.models import AuditEvent, Cycle
from app.reference.models import Region

PER_PAGE = 50


@dataclass(frozen=True)
class Option:
    value: str
    text: str


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    organisation_code: str | None
    organisation: str | None  # the name of the LA or Trust it concerns; None: the whole region
    stage: str


@dataclass(frozen=True)
class HistoryPage:
    region: Region
    cycle: Cycle
    query: HistoryQuery
    entries: tuple[HistoryEntry, ...]
    total: int
    pages: int
    organisations: tuple[Option, ...]
    stages: tuple[Option, ...]
    people: tuple[Option, ...]

    @property
    def page(self) -> int:
        return self.query.page

    def query_string(self, page: int) -> str:
        """The filters with another page, as a query string (starting with '?')."""
        chosen = {
            "la": self.query.la,
            "stage": self.query.stage,
            "person": self.query.person,
        }
        pairs = [(k, str(v)) for k, v in chosen.items() if v is not None]
        return "?" + urlencode([*pairs, ("page", str(page))])

    def link(self, path: str, page: int) -> str | None:
        """The address of another page with the same filters; None past either end."""
        return path + self.query_string(page) if 1 <= page <= self.pages else None

    def pagination(self) -> dict[str, object]:
        """The GOV.UK pagination component's parameters: first, last and the pages around this
        one, with ellipses between."""
        shown = sorted(
            {1, self.pages, *range(self.page - 1, self.page + 2)} & set(range(1, self.pages + 1))
        )
        items: list[dict[str, object]] = []
        before = 0
        for number in shown:
            if number - before > 1:
                items.append({"ellipsis": True})
            items.append(
                {
                    "number": number,
                    "href": self.query_string(number),
                    "current": number == self.page,
                }
            )
            before = number
        params: dict[str, object] = {"items": items, "landmarkLabel": "History pages"}
        if self.page > 1:
            params["previous"] = {"href": self.query_string(self.page - 1)}
        if self.page < self.pages:
            params["next"] = {"href": self.query_string(self.page + 1)}
        return params

    def select_items(self, field: str) -> list[dict[str, object]]:
        """The GOV.UK select's items for one filter: everything, then what the reader may see."""
        options, everything = {
            "la": (self.organisations, "All organisations"),
            "stage": (self.stages, "All stages"),
            "person": (self.people, "Everyone"),
        }[field]
        chosen = getattr(self.query, field)
        selected = None if chosen is None else str(chosen)
        items: list[dict[str, object]] = [{"value": "", "text": everything}]
        return items + [
            {"value": o.value, "text": o.text, "selected": o.value == selected} for o in options
        ]

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.query.la, self.query.stage, self.query.person))


def stage_of(action: str) -> str:
    for stage, (_, prefixes) in HISTORY_STAGES.items():
        if action.startswith(prefixes):
            return stage
    return "cycle"


def _stage_condition(stage: str) -> ColumnElement[bool]:
    _, prefixes = HISTORY_STAGES[stage]
    return or_(*(AuditEvent.action.startswith(p, autoescape=True) for p in prefixes))


def _name(region: Region, code: str) -> str:
    try:
        return region.organisation(code).name
    except KeyError:
        return code


def read_history(
    session: Session,
    principal: Principal,
    region_id: str,
    year: str,
    query: HistoryQuery,
    *,
    today: date | None = None,
) -> HistoryPage:
    """One page of the entries of a cycle's history that the reader may see, newest first."""
    cycle = service.get_cycle(session, principal, region_id, year)
    require(principal, Action.VIEW_HISTORY, Scope(region_id))
    region = service.region_or_404(region_id)
    visible = visible_entries(session, principal, cycle, today or clock.today())
    chosen = [visible]
    if query.la is not None:
        chosen.append(AuditEvent.organisation_code == query.la)
    if query.stage is not None:
        chosen.append(_stage_condition(query.stage))
    if query.person is not None:
        chosen.append(AuditEvent.actor_id == query.person)
    where = and_(*chosen)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(where)) or 0
    pages = max(1, ceil(total / PER_PAGE))
    if query.page > pages:
        raise NotFound(f"There is no page {query.page}: the history has {pages}.")
    events = session.scalars(
        select(AuditEvent)
        .where(where)
        .order_by(AuditEvent.sequence.desc())
        .offset((query.page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    entries = tuple(
        HistoryEntry(
            e,
            e.organisation_code,
            _name(region, e.organisation_code) if e.organisation_code else None,
            stage_of(e.action),
        )
        for e in events
    )
    return HistoryPage(
        region,
        cycle,
        query,
        entries,
        total,
        pages,
        *_options(session, region, visible),
    )


def _options(
    session: Session, region: Region, visible: ColumnElement[bool]
) -> tuple[tuple[Option, ...], tuple[Option, ...], tuple[Option, ...]]:
    """What the filters offer: only organisations, stages and people the reader sees entries of."""
    codes = session.scalars(
        select(AuditEvent.organisation_code)
        .where(visible, AuditEvent.organisation_code.is_not(None))
        .distinct()
    ).all()
    organisations = sorted(
        (Option(code, _name(region, code)) for code in codes if code), key=lambda o: o.text
    )
    actions = session.scalars(select(AuditEvent.action).where(visible).distinct()).all()
    present = {stage_of(a) for a in actions}
    stages = [Option(s, label) for s, (label, _) in HISTORY_STAGES.items() if s in present]
    people: dict[int, str] = {}
    for actor_id, actor_name in session.execute(
        select(AuditEvent.actor_id, AuditEvent.actor_name)
        .where(visible, AuditEvent.actor_id.is_not(None))
        .distinct()
    ).all():
        if actor_id is not None:
            people.setdefault(actor_id, actor_name)
    by_name = sorted((Option(str(i), name) for i, name in people.items()), key=lambda o: o.text)
    return tuple(organisations), tuple(stages), tuple(by_name)
