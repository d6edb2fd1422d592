"""The plan pack: an LA's development plan as a PDF, for its own people and the coordinator.

Issue 12 ("The plan pack"): priorities and actions as tables; each success measure on a core
indicator with a small chart of its baseline, target and latest value, straight from the LA's
quarterly returns; the signature schedule with the version's hash. Built as plain data from what
the reader may read (app.plans.access, the plan's one rule), then printed with the shared pack
renderer and kept by the SHA-256 of that data. Peer challenge threads and progress are added
to the pack as those parts of the stage land.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import chain
from app.auth.principal import Principal
from app.benchmarks.charts import format_value
from app.errors import Conflict
from app.models import Cycle, IndicatorReturn, ReturnValue
from app.models.types import utcnow
from app.pack import inputs
from app.pack.cache import cached_or_rendered
from app.pack.render import render_template_pdf
from app.plans import content as plan_content
from app.plans import service
from app.plans import signoff as plan_signoff
from app.plans.schemas import PROVIDER_LABELS, MeasureKind, Provider
from app.reference import get_reference

KIND = "la_plan"
PROVENANCE = frozenset({"printed_at", "audit_head_sequence", "audit_head_hash"})
NOTHING_YET = "The plan pack is produced once the plan has been submitted for sign-off."


@dataclass(frozen=True)
class PackMeasure:
    words: str  # the indicator's name, or the measure described
    baseline: str  # each figure as people read it ("78.0%"), "" where there is none
    target: str
    latest: str
    latest_period: str | None
    # The chart's text alternative, and the chart (an SVG of three bars); "" for a described
    # measure. Derived from the figures above, so the inputs' hash covers them.
    summary: str = ""
    chart: str = ""


_BARS = (("Baseline", "#505a5f"), ("Latest", "#1d70b8"), ("Target", "#00703c"))


def _bar_chart(values: tuple[float | None, ...], labels: tuple[str, ...], summary: str) -> Markup:
    """Three horizontal bars, baseline, latest and target, on one scale from zero."""
    top = max((v for v in values if v is not None), default=0.0) or 1.0
    rows = []
    for n, ((name, colour), value, label) in enumerate(zip(_BARS, values, labels, strict=True)):
        y = 4 + n * 16
        width = 0 if value is None else max(1.0, 150 * value / top)
        rows.append(
            f'<text x="0" y="{y + 10}" font-size="8">{name}</text>'
            f'<rect x="48" y="{y + 2}" width="{width:.1f}" height="10" fill="{colour}"/>'
            f'<text x="{52 + width:.1f}" y="{y + 10}" font-size="8">{escape(label or "none")}</text>'
        )
    # Every text in it is escaped above or here; the rest is numbers this function wrote.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" width="260" height="54" role="img" '
        f'aria-label="{escape(summary)}"><title>{escape(summary)}</title>{"".join(rows)}</svg>'
    )


@dataclass(frozen=True)
class PackAction:
    text: str
    owner: str
    starts_on: date
    due_on: date
    measures: tuple[PackMeasure, ...]
    support: str | None


@dataclass(frozen=True)
class PackPriority:
    number: int
    title: str
    source: str | None
    theory: tuple[tuple[str, str], ...]  # (inputs|activities|outcomes, text) where written
    actions: tuple[PackAction, ...]


@dataclass(frozen=True)
class PackSignature:
    role: str
    name: str
    at: datetime
    statement: str


@dataclass(frozen=True)
class PlanPack:
    la_name: str
    riia: str
    cycle_year: str
    state: str
    version_number: int
    content_hash: str
    adopted: str | None
    priorities: tuple[PackPriority, ...]
    signatures: tuple[PackSignature, ...]
    outstanding: tuple[str, ...]  # the roles still to sign
    printed_at: datetime
    audit_head_sequence: int
    audit_head_hash: str

    @property
    def title(self) -> str:
        return f"{self.la_name}: development plan {self.cycle_year}"


def _latest(session: Session, la_code: str, indicator_id: str) -> tuple[float | None, str | None]:
    """The LA's latest returned value for the indicator: its own figures, which every reader of
    its plan may see (its own people and the coordinator)."""
    row = session.execute(
        select(ReturnValue.value, IndicatorReturn.period)
        .join(IndicatorReturn, IndicatorReturn.id == ReturnValue.return_id)
        .where(
            IndicatorReturn.organisation_code == la_code,
            ReturnValue.indicator_id == indicator_id,
            ReturnValue.value.is_not(None),
        )
        .order_by(IndicatorReturn.period.desc(), IndicatorReturn.version.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _measure(session: Session, la_code: str, raw: dict[str, object]) -> PackMeasure:
    indicator = get_reference().indicators.get(str(raw.get("indicator_id")))
    if raw.get("kind") != MeasureKind.INDICATOR or indicator is None:
        return PackMeasure(str(raw.get("description") or ""), "", "", "", None)
    latest, period = _latest(session, la_code, indicator.id)
    values = (_number(raw.get("baseline")), latest, _number(raw.get("target")))
    texts = tuple(
        "" if v is None else format_value(v, indicator.unit, indicator.decimals) for v in values
    )
    baseline, now, target = texts
    summary = (
        f"{indicator.name}: baseline {baseline or 'not set'}, latest "
        f"{f'{now} ({period})' if now else 'not yet returned'}, "
        f"{f'target {target}' if target else 'monitored without a target'}."
    )
    return PackMeasure(
        indicator.name, baseline, target, now, period, summary, _bar_chart(values, texts, summary)
    )


def _priorities(
    session: Session, la_code: str, content: dict[str, object]
) -> tuple[PackPriority, ...]:
    found = []
    raw_priorities = content.get("priorities") or []
    assert isinstance(raw_priorities, list)
    for n, priority in enumerate(raw_priorities, start=1):
        actions = []
        for action in priority.get("actions", []):
            support = action.get("support")
            actions.append(
                PackAction(
                    action["text"],
                    f"{action['owner_name']}, {action['owner_role']}",
                    date.fromisoformat(action["starts_on"]),
                    date.fromisoformat(action["due_on"]),
                    tuple(_measure(session, la_code, m) for m in action.get("measures", [])),
                    f"{support['improvement_area']}: about {support['days']} days, "
                    f"{PROVIDER_LABELS[Provider(support['provider'])].lower()}"
                    if support
                    else None,
                )
            )
        theory = priority.get("theory_of_change") or {}
        source = priority.get("source") or {}
        found.append(
            PackPriority(
                n,
                priority["title"],
                source.get("label") if isinstance(source, dict) else None,
                tuple(
                    (k, theory[k]) for k in ("inputs", "activities", "outcomes") if theory.get(k)
                ),
                tuple(actions),
            )
        )
    return tuple(found)


def build_pack(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> PlanPack:
    """Everything the pack prints: the submitted (or signed) version, as this person may read it."""
    found = service.read(session, principal, cycle, la_code)
    submitted = service.submitted_version(session, found.plan)
    if found.plan is None or submitted is None:
        raise Conflict(NOTHING_YET)
    status = plan_signoff.build_status(session, cycle, found.plan)
    content = plan_content.loads(submitted.content)
    adopted = content.get("adopted")
    region = get_reference().regions[cycle.region_id]
    sequence, head_hash = chain.head(session)
    return PlanPack(
        la_name=found.la.name,
        riia=region.riia,
        cycle_year=cycle.year,
        state=found.plan.state,
        version_number=submitted.number,
        content_hash=submitted.content_hash,
        adopted=f"{adopted['title']} ({adopted['document']})" if adopted else None,
        priorities=_priorities(session, la_code, content),
        signatures=tuple(
            PackSignature(
                p.role.label, p.event.signatory_name, p.event.occurred_at, p.event.statement
            )
            for p in status.signatories
            if p.event is not None and p.state == "signed"
        ),
        outstanding=tuple(p.role.label for p in status.signatories if p.state != "signed"),
        printed_at=utcnow(),
        audit_head_sequence=sequence,
        audit_head_hash=head_hash,
    )


def input_hash(pack: PlanPack) -> str:
    """SHA-256 of everything the pack prints, its provenance aside."""
    data = {k: v for k, v in asdict(pack).items() if k not in PROVENANCE}
    return inputs.input_hash(KIND, inputs.jsonable(data))


def render_pack(pack: PlanPack) -> bytes:
    """Print the pack as a tagged PDF; CPU-bound, so call it off the event loop."""
    return render_template_pdf(
        "plan.html", {"pack": pack, "pack_title": pack.title}, title=pack.title
    )


def plan_pack_pdf(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> bytes:
    """The plan's pack as this person may read it; from the cache if nothing printed changed."""
    pack = build_pack(session, principal, cycle, la_code)
    return cached_or_rendered(
        session, input_hash(pack), KIND, f"{cycle.id}:{la_code}", lambda: render_pack(pack)
    )
