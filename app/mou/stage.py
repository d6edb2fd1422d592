"""The Memorandum of Understanding, as the registry (app.stages) sees it."""

from app.auth.permissions import Action
from app.auth.roles import COORDINATOR, EVERY_ROLE, Role
from app.mou.schemas import MESSAGES
from app.stage import CalendarEntry, Link, OverviewSection, Permission, Stage

STAGE = Stage(
    name="mou",
    routers=(
        "app.mou.pages:router",
        "app.mou.pages_drafting:router",
        "app.mou.pages_review:router",
        "app.mou.api:router",
    ),
    permissions=(
        Permission(Action.EDIT_MOU, COORDINATOR, "edit this region's Memorandum of Understanding"),
        Permission(
            Action.PUBLISH_MOU, COORDINATOR, "publish this region's Memorandum of Understanding"
        ),
        # "Each year the regional leads are given the task of reviewing the MoU" (issue 10; the
        # MoU is set up once, seeds 002:2302, 2318, 2404): the leads (every co-lead alike,
        # through the region file) record "reviewed, no change", and so may the coordinator who
        # supports them (002:2272). A revised version is drafted and published by the coordinator.
        Permission(
            Action.REVIEW_MOU,
            frozenset(
                {
                    Role.REGIONAL_COORDINATOR,
                    Role.LEAD_DCS,
                    Role.LEAD_LEAD_MEMBER,
                    Role.LEAD_CHIEF_EXECUTIVE,
                }
            ),
            "record the review of this region's Memorandum of Understanding",
        ),
        Permission(
            Action.SIGN_MOU,
            frozenset({Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE}),
            "sign the Memorandum of Understanding for this organisation",
        ),
        Permission(Action.VIEW_MOU, EVERY_ROLE, "see this region's Memorandum of Understanding"),
        Permission(
            Action.SEND_MOU_REMINDERS,
            COORDINATOR,
            "send reminders about the Memorandum of Understanding",
        ),
        Permission(
            Action.DOWNLOAD_MOU_PACK,
            EVERY_ROLE,
            "download this region's Memorandum of Understanding pack",
        ),
    ),
    messages={"/mou": MESSAGES},
    calendar=CalendarEntry("mou", "Memorandum of Understanding", ("mou.",)),
    overview=(
        OverviewSection(
            "Memorandum of Understanding",
            "mou-tasks",
            "app.mou.overview:mou_tasks",
            (
                Link(
                    "Read the Memorandum and its versions", "/regions/{region_id}/cycles/{year}/mou"
                ),
            ),
        ),
    ),
)
