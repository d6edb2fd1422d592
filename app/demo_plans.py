"""LA development plans in the demonstration.

Three days after its triad's record is agreed (app/demo_records.py), each authority's DCS starts
its development plan from the first two areas for development of its signed self-evaluation, and
gives each an action with a success measure on a core indicator; the next day it submits the plan
and the region's `la_plan_signatories` sign it a day apart. One plan (the second authority of the
first triad) is returned by its Lead Member with a reason; the DCS revises the action, submits
again and every signatory signs the new version (issue 12, "LA development plans"). The
calendar's development plan window runs from January to 13 March.
"""

from datetime import date, timedelta
from functools import partial

from app import clock
from app.auth.principal import Principal
from app.auth.roles import Role
from app.demo import _ROLE_SLUGS, REGION, _email, _principal, cycle_of
from app.demo_meetings import meeting_day
from app.demo_play import Play, start_year
from app.plans import access, service, signoff, writing
from app.plans.schemas import (
    ActionInput,
    MeasureInput,
    MeasureKind,
    PriorityInput,
    ReturnPlanInput,
    SignPlanInput,
    StartInput,
    SubmitPlanInput,
)
from app.reference import get_reference
from app.reference.models import Polarity

_AGREED_AFTER = timedelta(days=10)  # as app/demo_records.py agrees each record
_STARTED_AFTER = timedelta(days=3)
KEPT = 2
RETURNED = (0, 1)  # the first triad's second authority
RETURNER = Role.LEAD_MEMBER
RETURN_REASON = (
    "The first action says what we will do but not how we will know each quarter that it is on "
    "track. Please add quarterly milestones before I sign."
)
# The core indicator each chapter's priorities are measured by.
_INDICATORS = {
    "help-and-protection": "assessments_within_45wd_pct",
    "children-in-care": "cla_3plus_placements_pct",
    "care-leavers": "care_leavers_suitable_accom_19_21_pct",
    "leadership-and-management": "sw_turnover_rate_fte_pct",
    "workforce": "sw_agency_rate_fte_pct",
    "partnerships-and-early-help": "icpc_within_15wd_pct",
}


def _measure(chapter_id: str, index: int) -> MeasureInput:
    indicator_id = _INDICATORS.get(chapter_id, "assessments_within_45wd_pct")
    indicator = get_reference().indicators[indicator_id]
    if indicator.polarity == Polarity.HIGHER_BETTER:
        baseline, target = 78.0 + index, 84.0 + index
    else:
        baseline, target = 22.0 + index, 17.0 + index
    return MeasureInput(
        kind=MeasureKind.INDICATOR, indicator_id=indicator_id, baseline=baseline, target=target
    )


def _priority(
    year: str, title: str, chapter_id: str, index: int, owner: Principal, base: int, revised: bool
) -> PriorityInput:
    start = start_year(year) + 1
    text = f"Act on this area for development across every team, reporting to the triad: {title}"
    if revised:
        text += " Quarterly milestones: a fall of a quarter of the gap each quarter to March."
    action = ActionInput(
        text=text[:600],
        owner_name=owner.display_name,
        owner_role="Assistant Director",
        starts_on=date(start, 4, 1),
        due_on=date(start + 1, 3, 31),
        measures=[_measure(chapter_id, index)],
    )
    return PriorityInput(base_version=base, title=title, actions=[action])


def schedule_plans(play: Play, year: str, groups: list[list[str]], log: list[str]) -> None:
    """Every authority's plan written, submitted and signed after its triad's record is agreed;
    one returned with a reason, revised and signed."""
    session = play.session
    region = get_reference().regions[REGION]

    def person(slug: str, code: str) -> Principal:
        return _principal(session, _email(slug, region.local_authority(code).name))

    def write(code: str, index: int, revised: bool) -> None:
        cycle = cycle_of(session, year)
        dcs = person("dcs", code)
        if not revised:
            keep = [s.key for s in service.suggestions(session, dcs, cycle, code)[:KEPT]]
            writing.start(session, dcs, cycle, code, StartInput(keep=keep))
        found = service.read(session, dcs, cycle, code)
        for position, kept in enumerate(found.content["priorities"], start=1):
            if revised and position > 1:
                break
            chapter_id = (kept.get("source") or {}).get("key", "::").split(":")[1]
            now = service.read(session, dcs, cycle, code)
            data = _priority(
                year, kept["title"], chapter_id, index, person("contributor", code),
                now.number or 0, revised,
            )  # fmt: skip
            writing.save_priority(session, dcs, cycle, code, position, data)
        latest = service.read(session, dcs, cycle, code).latest
        assert latest is not None
        writing.submit(session, dcs, cycle, code, SubmitPlanInput(content_hash=latest.content_hash))
        what = "revised and resubmitted" if revised else "written and submitted"
        name = region.local_authority(code).name
        log.append(f"{clock.today():%-d %B %Y}: {name}'s development plan {what}")

    def submitted_hash(code: str) -> str:
        cycle = cycle_of(session, year)
        plan = service.plan_row(session, cycle, code)
        version = service.submitted_version(session, plan)
        assert version is not None
        return version.content_hash

    def sign(code: str, role: Role) -> None:
        cycle = cycle_of(session, year)
        who = person(_ROLE_SLUGS[role], code)
        data = SignPlanInput(role=role, content_hash=submitted_hash(code), confirm=True)
        signoff.sign(session, who, cycle, code, data)
        plan = service.plan_row(session, cycle, code)
        if plan is not None and plan.state == "signed":
            name = region.local_authority(code).name
            log.append(f"{clock.today():%-d %B %Y}: {name}'s development plan signed by all")

    def give_back(code: str) -> None:
        cycle = cycle_of(session, year)
        who = person(_ROLE_SLUGS[RETURNER], code)
        data = ReturnPlanInput(
            role=RETURNER, content_hash=submitted_hash(code), reason=RETURN_REASON
        )
        signoff.return_for_changes(session, who, cycle, code, data)
        name = region.local_authority(code).name
        log.append(
            f"{clock.today():%-d %B %Y}: {name}'s {RETURNER.label} returned its development plan"
        )

    roles = access.signatory_roles(REGION)
    codes = [la.code for la in region.local_authorities]
    for group_index, group in enumerate(groups):
        started = meeting_day(year, group_index) + _AGREED_AFTER + _STARTED_AFTER
        for member, code in enumerate(group):
            index = codes.index(code)
            play.add(started, partial(write, code, index, False), 11 + member)
            signed_from = started + timedelta(days=1)
            if (group_index, member) == RETURNED:
                play.add(signed_from, partial(sign, code, roles[0]), 10)
                play.add(signed_from + timedelta(days=1), partial(give_back, code), 11)
                play.add(signed_from + timedelta(days=3), partial(write, code, index, True), 10)
                signed_from += timedelta(days=4)
            for day, role in enumerate(roles):
                play.add(signed_from + timedelta(days=day), partial(sign, code, role), 12 + member)
