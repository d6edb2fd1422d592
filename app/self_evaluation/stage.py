"""The self-evaluation (drafting, documents, sign-off, scrutiny), as the registry sees it."""

from app.auth.permissions import Action
from app.auth.roles import COORDINATOR, EVERY_ROLE, Role
from app.reference.parties import TrustActivity
from app.self_evaluation.schemas import MESSAGES
from app.stage import CalendarEntry, Link, OverviewSection, Permission, Stage

_DCS = frozenset({Role.DCS})

STAGE = Stage(
    name="self_evaluation",
    routers=(
        "app.self_evaluation.api:router",
        "app.self_evaluation.documents.api:router",
        "app.self_evaluation.pages_pack:router",
        "app.self_evaluation.pages_pack:api_router",
        # Before the drafting pages: their /self-evaluations/{la_code} would catch .../tracker.
        "app.self_evaluation.signoff.pages:router",
        "app.self_evaluation.scrutiny.pages:router",
        "app.self_evaluation.drafting.pages_start:router",
        # Last: /self-evaluations/{la_code} would catch fixed paths such as .../tracker.
        "app.self_evaluation.drafting.pages_versions:router",
        "app.self_evaluation.documents.pages:router",
        "app.self_evaluation.documents.pages_import:router",
        "app.self_evaluation.drafting.pages:router",
    ),
    permissions=(
        # Which self-evaluations a person sees is further limited, one by one, by
        # app.self_evaluation.access.
        Permission(Action.VIEW_SEF, EVERY_ROLE, "see this self-evaluation"),
        # The DCS writes every chapter; a contributor or data lead only the chapters assigned
        # to them.
        Permission(
            Action.EDIT_SEF,
            frozenset({Role.DCS, Role.CONTRIBUTOR, Role.DATA_LEAD}),
            "write this authority's self-evaluation",
        ),
        Permission(
            Action.ASSIGN_SEF_CHAPTERS, _DCS, "assign chapters of this authority's self-evaluation"
        ),
        Permission(Action.SUBMIT_SEF, _DCS, "submit this authority's self-evaluation for sign-off"),
        # Signing and returning with a reason are the same three people's; a Trust's
        # signatories sign the LA's self-evaluation "or equivalent" where its region file says
        # so (seed 002:2208).
        Permission(
            Action.SIGN_SEF,
            frozenset({Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE}),
            "sign this authority's self-evaluation",
            trust_activity=TrustActivity.SELF_EVALUATION,
        ),
        Permission(Action.TRACK_SEF, COORDINATOR, "track this region's self-evaluations"),
        # Only the self-evaluation's own scrutineers: peer DCSs of its triad, or the moderators.
        Permission(
            Action.COMMENT_SEF,
            frozenset({Role.DCS, Role.MODERATOR}),
            "comment on this self-evaluation as a scrutineer",
        ),
        Permission(
            Action.RESPOND_SEF, _DCS, "respond to scrutiny of this authority's self-evaluation"
        ),
        Permission(
            Action.CLOSE_SEF_SCRUTINY, COORDINATOR, "close scrutiny of this self-evaluation"
        ),
        Permission(Action.DOWNLOAD_SEF_PACK, EVERY_ROLE, "download this self-evaluation pack"),
    ),
    messages={"/self-evaluations": MESSAGES},
    calendar=CalendarEntry("self_evaluation", "Self-evaluation", ("sef.", "triads.")),
    overview=(
        OverviewSection(
            "Self-evaluation",
            "sef-tasks",
            "app.self_evaluation.overview:sef_tasks",
            (
                Link(
                    "See the self-evaluations you can read",
                    "/regions/{region_id}/cycles/{year}/self-evaluations",
                ),
                Link("See this cycle's triads", "/regions/{region_id}/cycles/{year}/triads"),
            ),
            hide_empty_list=True,
        ),
    ),
)
