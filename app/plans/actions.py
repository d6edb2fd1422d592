"""The plans stage's own actions, for its rows of the permission table (app/plans/stage.py).

Each row says which roles may ever take the action; which LA's plan is further limited in
app.plans.access (the LA's own people, and the region's coordinator).
"""

from enum import StrEnum


class PlanAction(StrEnum):
    # See the plans page: every LA's (the coordinator) or the reader's own LAs'.
    VIEW_PLANS = "view_la_plans"
    # Read an LA's plan: its DCS, Lead Member, Chief Executive and data lead, and the coordinator.
    READ_PLAN = "read_la_plan"
    # Write the plan (start it, save or drop a priority, record an adopted plan): the LA's DCS.
    WRITE_PLAN = "write_la_plan"
    # Submit the plan for sign-off: the LA's DCS.
    SUBMIT_PLAN = "submit_la_plan"
    # Sign the exact version, or return it with a reason: the region's plan signatories.
    SIGN_PLAN = "sign_la_plan"
    # See where every LA's plan stands: the coordinator.
    TRACK_PLANS = "track_la_plans"
    # Comment on, or challenge, a priority of another LA's submitted or signed plan: a DCS of a
    # partner LA in its triad, or a triad reviewer named to that triad.
    COMMENT_PLAN = "comment_la_plan"
    # Answer a challenge to the LA's own plan, once: the LA's DCS.
    RESPOND_PLAN = "respond_la_plan"
