"""Where an error page sends its reader: the nearest page above the one that failed that this
reader may open, found from the address that failed.

Not the referrer: it may be another site, or a page the reader can no longer see. And never the
page that failed: a 403 on a self-evaluation links to the list of self-evaluations the reader can
read, a 404 on a version to the list of versions. Only checks that need no database are made (an
error handler must not open a transaction); where a page's visibility needs the database (a
signed self-evaluation read by a triad peer), the link goes to the list above it, which applies
the full rule itself.
"""

import re
from dataclasses import dataclass

from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.reference import get_reference
from app.self_evaluation import access

_PATH = re.compile(
    r"^/regions/(?P<region>[a-z0-9-]+)"
    r"(?:/cycles/(?P<year>\d{4}-\d{2})"
    r"(?:/(?P<section>[a-z-]+)(?:/(?P<item>[A-Za-z0-9]+)(?P<rest>/.*)?)?)?"
    r"|/(?P<other>returns|dashboard|las|benchmarks)(?:/.*)?)?/?$"
)
HOME = ("/", "Go to your improvement cycles")


@dataclass(frozen=True)
class BackLink:
    href: str
    text: str


def back_link(path: str, principal: Principal | None) -> BackLink:
    """The page to offer after an error on `path`, checked against what this person may open."""
    href, text = _nearest(path, principal)
    return BackLink(href, text)


def _nearest(path: str, principal: Principal | None) -> tuple[str, str]:
    match = _PATH.match(path)
    region = get_reference().regions.get(match["region"]) if match else None
    if match is None or region is None or principal is None:
        return HOME
    scope = Scope(region.id)
    if not can(principal, Action.VIEW_CYCLE, scope):
        return HOME
    region_page = (f"/regions/{region.id}", f"Go to {region.riia}")
    other = match["other"]
    if other == "returns" and can(principal, Action.VIEW_RETURNS, scope):
        return f"/regions/{region.id}/returns", "Go to the quarterly returns tracker"
    if other in ("dashboard", "las", "benchmarks") and can(
        principal, Action.VIEW_BENCHMARKS, scope
    ):
        return f"/regions/{region.id}/dashboard", "Go to the quarterly indicators dashboard"
    year = match["year"]
    if year is None:
        return region_page if path.rstrip("/") != region_page[0] else HOME
    cycle = f"/regions/{region.id}/cycles/{year}"
    cycle_page = (cycle, f"Go to the {region.riia} {year} cycle")
    if match["section"] is None:  # the cycle page itself failed (it may not exist)
        return region_page
    if match["section"] == "self-evaluations" and can(principal, Action.VIEW_SEF, scope):
        return _in_sefs(cycle, region.id, match["item"], match["rest"], principal, path)
    if match["section"] == "mou" and match["item"] and can(principal, Action.VIEW_MOU, scope):
        return f"{cycle}/mou", "Go to the Memorandum of Understanding"
    return cycle_page


def _in_sefs(
    cycle: str,
    region_id: str,
    la_code: str | None,
    rest: str | None,
    principal: Principal,
    path: str,
) -> tuple[str, str]:
    listing = (f"{cycle}/self-evaluations", "Go to the self-evaluations you can read")
    la = next(
        (la for la in get_reference().regions[region_id].local_authorities if la.code == la_code),
        None,
    )
    if la is None or rest is None:  # an unknown authority, or the self-evaluation page itself
        return listing if path.rstrip("/") != listing[0] else (cycle, "Go to the cycle page")
    home = f"{cycle}/self-evaluations/{la.code}"
    # The authority's own people and its coordinator read its self-evaluation and every version
    # at any stage (app.self_evaluation.access.can_read and can_read_history); anyone else gets the list.
    if not (access.is_la_member(principal, la.code) or access.is_coordinator(principal, region_id)):
        return listing
    if rest.startswith("/versions/"):
        return f"{home}/versions", f"Go to the versions of {la.name}'s self-evaluation"
    return home, f"Go to {la.name}'s self-evaluation"
