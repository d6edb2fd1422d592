"""The demo's supporting document (issue 10): Derby's DCS attaches a key document to a chapter.

The document is a small CSV made from Derby's own data profile on the day (the chapter's
indicators with the figures then available), so nothing in it is invented. It goes through the
same checks and store as an upload, and travels with the signed version into the pack.
"""

import csv
import io

from sqlalchemy.orm import Session

from app import clock
from app.auth.principal import Principal
from app.demo import REGION, _principal
from app.models import Cycle
from app.reference.models import LocalAuthority
from app.self_evaluation.documents import files
from app.self_evaluation.documents import service as documents
from app.self_evaluation.drafting import service
from app.self_evaluation.profile import sef_data_profile

DOCUMENTED = ("E06000015", "children-in-care")  # Derby's children in care chapter
FILENAME = "children-in-care-indicators.csv"


def figures_csv(session: Session, cycle: Cycle, la: LocalAuthority) -> bytes:
    """The chapter's indicators with the figures shown today, as the coordinator sees them."""
    coordinator = _principal(session, "coordinator@demo.riia.example")
    sef = service.get_sef(session, coordinator, cycle, la.code)
    profile = sef_data_profile(session, coordinator, REGION, la.code, service.template_of(sef))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["la_code", "period", "indicator_id", "indicator", "figure"])
    for item in profile.chapters[DOCUMENTED[1]].indicators:
        writer.writerow([la.code, profile.period, item.indicator_id, item.name, item.figure.text])
    return out.getvalue().encode("utf-8")


def attach(
    session: Session, dcs: Principal, cycle: Cycle, la: LocalAuthority, log: list[str]
) -> None:
    checked = files.check(FILENAME, figures_csv(session, cycle, la))
    added = documents.add(session, dcs, cycle, la.code, DOCUMENTED[1], checked)
    files.store(checked)
    title = service.chapter_of(service.get_sef(session, dcs, cycle, la.code), added.chapter_id)
    log.append(
        f"{clock.today():%-d %B %Y}: {la.name}'s DCS attached {added.filename} to "
        f"'{title.title}' as a supporting document (SHA-256 {added.sha256[:12]}…)"
    )
