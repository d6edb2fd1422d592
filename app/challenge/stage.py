"""The triad challenge stage, as the registry (app.stages) sees it: key lines of enquiry so far."""

from app.auth.roles import Role
from app.challenge.actions import ChallengeAction
from app.challenge.schemas import MESSAGES
from app.reference.parties import TrustActivity
from app.stage import CalendarEntry, Link, OverviewSection, Permission, Stage

# Who sits in a triad: its LAs' DCSs, and a Trust's where the region file says the Trust sits in
# the triads of the LAs it serves. (A triad reviewer is held in a region, not a triad, so until
# reviewers are named to a triad they read no triad's questions.)
_TRIAD = frozenset({Role.DCS})

STAGE = Stage(
    name="challenge",
    routers=("app.challenge.api:router", "app.challenge.pages:router"),
    permissions=(
        Permission(
            ChallengeAction.VIEW_KLOES,
            _TRIAD | {Role.REGIONAL_COORDINATOR},
            "see key lines of enquiry",
            trust_activity=TrustActivity.TRIAD,
        ),
        # Which LAs' questions is further limited to the reader's triad (app.challenge.access).
        Permission(
            ChallengeAction.READ_KLOES,
            _TRIAD,
            "read the key lines of enquiry of an authority outside your triad",
            trust_activity=TrustActivity.TRIAD,
        ),
        Permission(
            ChallengeAction.SET_KLOES,
            frozenset({Role.DCS}),
            "set this authority's key lines of enquiry",
            trust_activity=TrustActivity.TRIAD,
        ),
    ),
    messages={"/kloes": MESSAGES},
    calendar=CalendarEntry("triad_challenge", "Triad peer challenge", ("kloes.",)),
    overview=(
        OverviewSection(
            "Triad challenge",
            "challenge-tasks",
            "app.challenge.overview:challenge_tasks",
            (
                Link(
                    "See key lines of enquiry",
                    "/regions/{region_id}/cycles/{year}/kloes",
                    ChallengeAction.VIEW_KLOES,
                ),
            ),
            hide_empty_list=True,
        ),
    ),
)
