"""What a stage of the cycle declares about itself, for the registry in app.stages to plug in.

A stage's `stage.py` builds one `Stage` from plain data: its permission rows, the words for its
form errors, its calendar window and its sections of the cycle overview. Its routers and its
overview tasks are named as "module:attribute" and imported only when the app is built or the
overview drawn, so the foundations that read the registry (the permission table, the calendar)
never import a stage's pages or services, and no import cycle can form.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING, Any

from app.auth.roles import Role
from app.reference.parties import TrustActivity

if TYPE_CHECKING:  # only for annotations: the models and FastAPI are not needed to declare a stage
    from fastapi import APIRouter
    from sqlalchemy.orm import Session

    from app.auth.principal import Principal
    from app.models import Cycle


def resolve(reference: str) -> Any:
    """'app.mou.pages:router' -> that object, importing its module now."""
    module, _, name = reference.partition(":")
    return getattr(import_module(module), name)


@dataclass(frozen=True)
class Permission:
    """One row of the permission table: who may do an action, and the refusal's plain words."""

    action: StrEnum
    roles: frozenset[Role]
    # Completes "You cannot ...", for example "sign this authority's self-evaluation".
    words: str
    # Where a Trust's signatories act for the LAs it serves, as the region file says.
    trust_activity: TrustActivity | None = None


@dataclass(frozen=True)
class Task:
    """One line of the cycle overview's task list."""

    title: str
    href: str | None
    status: str  # a key of the status_tag macro
    hint: str


@dataclass(frozen=True)
class Link:
    """A link under a section of the overview; `{region_id}` and `{year}` are filled in."""

    text: str
    href: str


TaskSource = Callable[["Session", "Principal", "Cycle"], list[Task]]


@dataclass(frozen=True)
class OverviewSection:
    """A heading of the cycle overview with the person's tasks for this stage beneath it."""

    heading: str
    id_prefix: str
    # "module:function" taking (session, principal, cycle) and returning the person's tasks.
    tasks: str
    links: tuple[Link, ...] = ()
    # A section with no task for this person shows its links only.
    hide_empty_list: bool = False

    def tasks_for(self, session: "Session", principal: "Principal", cycle: "Cycle") -> list[Task]:
        source: TaskSource = resolve(self.tasks)
        return source(session, principal, cycle)


@dataclass(frozen=True)
class CalendarEntry:
    """The stage's window on the cycle calendar (a key of the region files' calendar)."""

    key: str
    label: str
    # The history groups the entries whose audit action starts with one of these.
    history_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    """Everything the foundation needs to know about one stage."""

    name: str
    # "module:attribute" of each router, pages and API, in the order they are matched.
    routers: tuple[str, ...]
    permissions: tuple[Permission, ...] = ()
    # Form and API error words, for requests whose path contains the key.
    messages: Mapping[str, Mapping[str, str]] | None = None
    calendar: CalendarEntry | None = None
    overview: tuple[OverviewSection, ...] = ()

    def load_routers(self) -> list["APIRouter"]:
        return [resolve(reference) for reference in self.routers]
