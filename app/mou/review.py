"""The leads' yearly review of the alliance's MoU: "reviewed, no change" or a revised version.

The MoU is set up once and lasts (002_d98c8bcad6f8fe4d.txt:2302, :2318), so a year's review
that changes nothing asks nobody to sign again. Who records it is who publishes a version (the
region's coordinator, for the leads); once per cycle; the database holds one review per cycle.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.db import add_once
from app.errors import AlreadyDone, Conflict, InvalidInput, StaleVersion
from app.models import Cycle, MouReview, MouVersion, User
from app.mou.events import MouEvent
from app.mou.schemas import ReviewInput
from app.mou.versions import published_of, record_version_event
from app.workflow import MOU_REVIEW, fire
from app.workflow.states import MouReviewAction, MouReviewState, MouVersionState

# The outcome a MouReview row records: the action that made it.
NO_CHANGE = MouReviewAction.NO_CHANGE.value


@dataclass(frozen=True)
class ReviewState:
    """Where this cycle's review stands: due, reviewed with no change, or revised."""

    state: MouReviewState
    version: MouVersion | None
    by: str | None
    at: datetime | None

    @property
    def text(self) -> str:
        if self.state == MouReviewState.REVIEWED_NO_CHANGE and self.at and self.version:
            return (
                f"Reviewed, no change on {clock.day_of(self.at):%-d %B %Y} by {self.by}: "
                f"version {self.version.number} stays in force"
            )
        if self.state == MouReviewState.REVISED and self.at and self.version:
            return (
                ("Revised" if self.version.changeover_on else "Set up")
                + f": version {self.version.number} published on "
                f"{clock.day_of(self.at):%-d %B %Y}" + (f" by {self.by}" if self.by else "")
            )
        return "Due: the regional leads review the Memorandum this cycle"


def review_state(session: Session, cycle: Cycle) -> ReviewState:
    """A version published in this cycle is its review's outcome; else a recorded "no change"."""
    mine = (
        session.execute(
            select(MouVersion)
            .where(MouVersion.cycle_id == cycle.id, MouVersion.state != MouVersionState.DRAFT)
            .order_by(MouVersion.published_at.desc())
        )
        .scalars()
        .first()
    )
    if mine is not None and mine.published_at is not None:
        publisher = session.get(User, mine.published_by_id) if mine.published_by_id else None
        return ReviewState(
            MouReviewState.REVISED,
            mine,
            publisher.display_name if publisher else None,
            mine.published_at,
        )
    row = session.execute(
        select(MouReview).where(MouReview.cycle_id == cycle.id)
    ).scalar_one_or_none()
    if row is not None:
        return ReviewState(
            MouReviewState.REVIEWED_NO_CHANGE,
            session.get(MouVersion, row.mou_version_id),
            row.reviewer_name,
            row.reviewed_at,
        )
    return ReviewState(MouReviewState.DUE, None, None, None)


def record_no_change(
    session: Session, principal: Principal, cycle: Cycle, data: ReviewInput
) -> MouReview:
    """The leads reviewed the version in force and it stays: nobody signs again."""
    require(principal, Action.REVIEW_MOU, Scope(cycle.region_id))
    if not data.confirm:
        raise InvalidInput(
            "Confirm the regional leads reviewed this version and agreed no change",
            field="confirm",
        )
    current = published_of(session, cycle)
    if current is None:
        raise Conflict(
            "There is no Memorandum in force to review yet. Publish the first version instead."
        )
    if current.content_hash != data.content_hash:
        raise StaleVersion(
            "The Memorandum was changed after you opened it. Review the current version."
        )
    state = review_state(session, cycle).state
    if state == MouReviewState.REVIEWED_NO_CHANGE:
        raise AlreadyDone(MOU_REVIEW.refusals[(state, MouReviewAction.NO_CHANGE)])
    # The review's state is derived, not stored, so the table only guards; the row is the record.
    fire(MOU_REVIEW, state, MouReviewAction.NO_CHANGE)
    review = MouReview(
        cycle_id=cycle.id,
        mou_version_id=current.id,
        outcome=NO_CHANGE,
        content_hash=current.content_hash,
        reviewed_by_id=principal.user_id,
        reviewer_name=principal.display_name,
    )
    add_once(
        session,
        review,
        AlreadyDone(
            MOU_REVIEW.refusals[(MouReviewState.REVIEWED_NO_CHANGE, MouReviewAction.NO_CHANGE)]
        ),
    )
    record_version_event(
        session,
        principal,
        cycle,
        current,
        MouEvent.REVIEWED,
        f"{principal.display_name} recorded the {cycle.year} review: no change, version "
        f"{current.number} stays in force and nobody signs again",
        payload={"outcome": NO_CHANGE, "content_hash": current.content_hash},
    )
    return review
