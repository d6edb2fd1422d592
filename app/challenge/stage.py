"""The triad challenge stage, as the registry (app.stages) sees it: key lines of enquiry, the\nconversation and its record."""

from app.auth.roles import COORDINATOR, EVERY_ROLE, Role
from app.challenge.actions import ChallengeAction
from app.challenge.meeting_schemas import MESSAGES as MEETING_MESSAGES
from app.challenge.schemas import MESSAGES
from app.reference.parties import TrustActivity
from app.stage import CalendarEntry, Link, OverviewSection, Permission, Stage

# Who sits in a triad: its LAs' DCSs (a Trust's where the region file says the Trust sits in the
# triads of the LAs it serves), and the triad reviewers the coordinator names to it. A triad
# reviewer is held in a region, so app.challenge.access limits them to the triads named.
_DCS = frozenset({Role.DCS})
_TRIAD = _DCS | {Role.TRIAD_REVIEWER}

STAGE = Stage(
    name="challenge",
    routers=(
        "app.challenge.api:router",
        "app.challenge.pages:router",
        # The summary report first: "/conversations/summary.pdf" is not a triad's page.
        "app.challenge.pages_summary:router",
        "app.challenge.pages_summary:api_router",
        "app.challenge.api_record:router",
        "app.challenge.pages_record:router",
        "app.challenge.meeting_api:router",
        "app.challenge.meeting_pages:router",
        "app.challenge.attendance_pages:router",
        "app.challenge.pages_pack:router",
        "app.challenge.pages_pack:api_router",
    ),
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
            _DCS,
            "set this authority's key lines of enquiry",
            trust_activity=TrustActivity.TRIAD,
        ),
        Permission(ChallengeAction.NAME_REVIEWERS, COORDINATOR, "name triad reviewers to a triad"),
        # Everyone in the alliance: the MoU's triad clause then decides what each sees
        # (app.challenge.record_access).
        Permission(
            ChallengeAction.VIEW_CONVERSATIONS,
            EVERY_ROLE,
            "see the triad challenge conversations",
            trust_activity=TrustActivity.TRIAD,
        ),
        Permission(
            ChallengeAction.ARRANGE_MEETING,
            _DCS | COORDINATOR,
            "arrange this triad's challenge conversation",
            trust_activity=TrustActivity.TRIAD,
        ),
        Permission(
            ChallengeAction.NAME_ATTENDEES,
            _DCS,
            "name who this authority brings to its challenge conversation",
            trust_activity=TrustActivity.TRIAD,
        ),
        Permission(
            ChallengeAction.WITHDRAW,
            _DCS,
            "withdraw this authority from its challenge conversation",
            trust_activity=TrustActivity.TRIAD,
        ),
        Permission(
            ChallengeAction.WRITE_RECORD,
            _TRIAD,
            "write the record of this triad's challenge conversation",
            trust_activity=TrustActivity.TRIAD,
        ),
        Permission(
            ChallengeAction.AGREE_RECORD,
            _DCS,
            "comment on, agree or return the record of this triad's challenge conversation",
            trust_activity=TrustActivity.TRIAD,
        ),
        Permission(
            ChallengeAction.SHARE_RECORD,
            _DCS,
            "share this authority's part of its challenge record",
            trust_activity=TrustActivity.TRIAD,
        ),
    ),
    messages={"/kloes": MESSAGES, "/conversations": MEETING_MESSAGES},
    calendar=CalendarEntry("triad_challenge", "Triad peer challenge", ("kloes.", "conversation.")),
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
                Link(
                    "See triad challenge conversations",
                    "/regions/{region_id}/cycles/{year}/conversations",
                    ChallengeAction.VIEW_CONVERSATIONS,
                ),
            ),
            hide_empty_list=True,
        ),
    ),
)
