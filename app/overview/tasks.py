"""The cycle overview as a task list: each registered stage's sections, in the registry's order."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app import stages
from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.models import Cycle
from app.stage import Link, OverviewSection, Task


@dataclass(frozen=True)
class SectionView:
    """One heading of the overview, with this person's tasks and the section's links."""

    section: OverviewSection
    tasks: list[Task]
    links: list[Link]


def overview_sections(session: Session, principal: Principal, cycle: Cycle) -> list[SectionView]:
    """What each person can do next in each stage, and where things stand."""
    views = []
    for stage in stages.STAGES:
        for section in stage.overview:
            links = [
                Link(link.text, link.href.format(region_id=cycle.region_id, year=cycle.year))
                for link in section.links
                if link.action is None or can(principal, link.action, Scope(cycle.region_id))
            ]
            views.append(SectionView(section, section.tasks_for(session, principal, cycle), links))
    return views
