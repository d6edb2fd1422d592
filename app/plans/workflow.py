"""The plan's states and its transition table: the one place a plan's status changes are allowed.

Kept with the stage (not in app.workflow.states) so the stage plugs in whole; app.workflow.fire and
app.workflow.transition apply it like every other table.
"""

from enum import StrEnum

from app.workflow import TransitionTable


class PlanState(StrEnum):
    DRAFT = "draft"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    SIGNED = "signed"


class PlanStep(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    SIGN = "sign"
    RETURN = "return"
    COMPLETE_SIGN_OFF = "complete_sign_off"


STATE_LABELS = {
    PlanState.DRAFT: "Being written",
    PlanState.AWAITING_SIGN_OFF: "Awaiting sign-off",
    PlanState.SIGNED: "Signed",
}

LA_PLAN = TransitionTable(
    name="development plan",
    transitions={
        (PlanState.DRAFT, PlanStep.EDIT): PlanState.DRAFT,
        (PlanState.DRAFT, PlanStep.SUBMIT): PlanState.AWAITING_SIGN_OFF,
        # An edit while signatures are gathered makes a new version: back to writing, and the
        # signatures on the old version are void.
        (PlanState.AWAITING_SIGN_OFF, PlanStep.EDIT): PlanState.DRAFT,
        (PlanState.AWAITING_SIGN_OFF, PlanStep.SIGN): PlanState.AWAITING_SIGN_OFF,
        (PlanState.AWAITING_SIGN_OFF, PlanStep.RETURN): PlanState.DRAFT,
        (PlanState.AWAITING_SIGN_OFF, PlanStep.COMPLETE_SIGN_OFF): PlanState.SIGNED,
    },
    refusals={
        (PlanState.DRAFT, PlanStep.SIGN): (
            "This development plan has not been submitted for sign-off yet, so it cannot be signed."
        ),
        (PlanState.DRAFT, PlanStep.RETURN): (
            "This development plan is being written: there is nothing to return."
        ),
        (PlanState.AWAITING_SIGN_OFF, PlanStep.SUBMIT): (
            "This development plan has already been submitted for sign-off."
        ),
        (PlanState.SIGNED, PlanStep.EDIT): (
            "This development plan has been signed by all its signatories, so it can no longer "
            "change."
        ),
        (PlanState.SIGNED, PlanStep.SUBMIT): "This development plan has already been signed.",
        (PlanState.SIGNED, PlanStep.SIGN): (
            "All the signatories have already signed this development plan."
        ),
        (PlanState.SIGNED, PlanStep.RETURN): (
            "This development plan has been signed by all its signatories, so it cannot be "
            "returned."
        ),
    },
)
