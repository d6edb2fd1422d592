"""States and transition tables as data. Pure: imports nothing from the database or the web.

Every status change in the service goes through `fire`, so an illegal change is refused in one
place, with words a Director of Children's Services understands, before anything is written.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.errors import Conflict
from app.workflow.states import (
    MouReviewAction,
    MouReviewState,
    MouVersionAction,
    MouVersionState,
    SefAction,
    SefState,
    SignatoryAction,
    SignatoryState,
)


@dataclass(frozen=True)
class TransitionTable:
    name: str
    transitions: Mapping[tuple[str, str], str]
    # Why an action is refused in a given state, in plain words; a default covers the rest.
    refusals: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def states(self) -> frozenset[str]:
        found = {state for state, _ in self.transitions} | set(self.transitions.values())
        return frozenset(found)


def fire(table: TransitionTable, state: str, action: str) -> str:
    """The state after `action`, or Conflict (409) saying why it cannot happen now."""
    try:
        return table.transitions[(state, action)]
    except KeyError:
        message = table.refusals.get((state, action)) or (
            f"That cannot be done while the {table.name} is {state.replace('_', ' ')}."
        )
        raise Conflict(message) from None


def available(table: TransitionTable, state: str) -> tuple[str, ...]:
    """The actions that may be taken from `state`."""
    return tuple(action for (src, action) in table.transitions if src == state)


def allows(table: TransitionTable, state: str, action: str) -> bool:
    """Whether `action` may be taken from `state`: what a page asks before offering it, so the
    page and the service agree without the page restating which states those are."""
    return (state, action) in table.transitions


MOU_VERSION = TransitionTable(
    name="Memorandum",
    transitions={
        (MouVersionState.DRAFT, MouVersionAction.PUBLISH): MouVersionState.PUBLISHED,
        (MouVersionState.PUBLISHED, MouVersionAction.SUPERSEDE): MouVersionState.SUPERSEDED,
    },
    refusals={
        (
            MouVersionState.PUBLISHED,
            MouVersionAction.PUBLISH,
        ): "This version of the Memorandum is already published.",
        (
            MouVersionState.SUPERSEDED,
            MouVersionAction.PUBLISH,
        ): "This version of the Memorandum has been replaced by a newer one.",
    },
)

# The leads' yearly review of the alliance's MoU: "no change" is a valid outcome
# (002_d98c8bcad6f8fe4d.txt:2318); a revision is a newly published version.
MOU_REVIEW = TransitionTable(
    name="review of the Memorandum",
    transitions={
        (MouReviewState.DUE, MouReviewAction.NO_CHANGE): MouReviewState.REVIEWED_NO_CHANGE,
        (MouReviewState.DUE, MouReviewAction.REVISE): MouReviewState.REVISED,
        # A region that decided "no change" may still revise later in the year.
        (MouReviewState.REVIEWED_NO_CHANGE, MouReviewAction.REVISE): MouReviewState.REVISED,
    },
    refusals={
        (MouReviewState.REVIEWED_NO_CHANGE, MouReviewAction.NO_CHANGE): (
            "The Memorandum has already been reviewed this cycle, with no change."
        ),
        (MouReviewState.REVISED, MouReviewAction.NO_CHANGE): (
            "The Memorandum was revised this cycle, so its review is done: the revised version "
            "is the outcome."
        ),
    },
)

MOU_SIGNATORY = TransitionTable(
    name="signature",
    transitions={
        (SignatoryState.OUTSTANDING, SignatoryAction.SIGN): SignatoryState.SIGNED,
        (SignatoryState.OUTSTANDING, SignatoryAction.DECLINE): SignatoryState.DECLINED,
        # A signatory who declined may still sign the same version after talking it through.
        (SignatoryState.DECLINED, SignatoryAction.SIGN): SignatoryState.SIGNED,
        # A new office holder adds their own signature; the organisation had already signed.
        (SignatoryState.SIGNED, SignatoryAction.ADD_SIGNATURE): SignatoryState.SIGNED,
    },
    refusals={
        (
            SignatoryState.SIGNED,
            SignatoryAction.SIGN,
        ): "This has already been signed for this version of the Memorandum.",
        (SignatoryState.SIGNED, SignatoryAction.DECLINE): (
            "This has already been signed for this version of the Memorandum, so it cannot be "
            "declined."
        ),
        (
            SignatoryState.DECLINED,
            SignatoryAction.DECLINE,
        ): "This version of the Memorandum has already been declined.",
    },
)

SELF_EVALUATION = TransitionTable(
    name="self-evaluation",
    transitions={
        (SefState.DRAFT, SefAction.EDIT): SefState.DRAFT,
        (SefState.DRAFT, SefAction.SUBMIT): SefState.AWAITING_SIGN_OFF,
        # An edit while signatures are being gathered makes a new version: back to drafting.
        (SefState.AWAITING_SIGN_OFF, SefAction.EDIT): SefState.DRAFT,
        (SefState.AWAITING_SIGN_OFF, SefAction.SIGN): SefState.AWAITING_SIGN_OFF,
        (SefState.AWAITING_SIGN_OFF, SefAction.RETURN): SefState.DRAFT,
        (SefState.AWAITING_SIGN_OFF, SefAction.COMPLETE_SIGN_OFF): SefState.SIGNED,
        # Signed means shared with its scrutineers, who comment until the coordinator closes it.
        (SefState.SIGNED, SefAction.COMMENT): SefState.SIGNED,
        (SefState.SIGNED, SefAction.RESPOND): SefState.SIGNED,
        (SefState.SIGNED, SefAction.CLOSE_SCRUTINY): SefState.SCRUTINY_CLOSED,
    },
    refusals={
        (SefState.DRAFT, SefAction.SIGN): (
            "This self-evaluation has not been submitted for sign-off yet, so it cannot be signed."
        ),
        (
            SefState.DRAFT,
            SefAction.RETURN,
        ): "This self-evaluation is being drafted: there is nothing to return.",
        (SefState.AWAITING_SIGN_OFF, SefAction.SUBMIT): (
            "This self-evaluation has already been submitted for sign-off."
        ),
        (SefState.SIGNED, SefAction.EDIT): (
            "This self-evaluation has been signed by all three signatories and shared with its "
            "scrutineers, so its text can no longer change. Respond to comments instead."
        ),
        (SefState.SCRUTINY_CLOSED, SefAction.EDIT): (
            "This self-evaluation has been signed and its scrutiny is closed, so its text can no "
            "longer change."
        ),
        (
            SefState.SIGNED,
            SefAction.SIGN,
        ): "All three signatories have already signed this self-evaluation.",
        (SefState.SCRUTINY_CLOSED, SefAction.SIGN): (
            "All three signatories have already signed this self-evaluation."
        ),
        (SefState.SIGNED, SefAction.SUBMIT): "This self-evaluation has already been signed.",
        (
            SefState.SCRUTINY_CLOSED,
            SefAction.SUBMIT,
        ): "This self-evaluation has already been signed.",
        (SefState.SIGNED, SefAction.RETURN): (
            "This self-evaluation has been signed by all three signatories, so it cannot be "
            "returned."
        ),
        (SefState.SCRUTINY_CLOSED, SefAction.RETURN): (
            "This self-evaluation has been signed by all three signatories, so it cannot be "
            "returned."
        ),
        (SefState.DRAFT, SefAction.COMMENT): (
            "Scrutiny starts once the self-evaluation is signed by all three signatories."
        ),
        (SefState.AWAITING_SIGN_OFF, SefAction.COMMENT): (
            "Scrutiny starts once the self-evaluation is signed by all three signatories."
        ),
        (
            SefState.SCRUTINY_CLOSED,
            SefAction.COMMENT,
        ): "Scrutiny of this self-evaluation has been closed.",
        (
            SefState.SCRUTINY_CLOSED,
            SefAction.RESPOND,
        ): "Scrutiny of this self-evaluation has been closed.",
        (SefState.SCRUTINY_CLOSED, SefAction.CLOSE_SCRUTINY): (
            "Scrutiny of this self-evaluation is already closed."
        ),
        (SefState.DRAFT, SefAction.CLOSE_SCRUTINY): "This self-evaluation has not been signed yet.",
        (
            SefState.AWAITING_SIGN_OFF,
            SefAction.CLOSE_SCRUTINY,
        ): "This self-evaluation has not been signed yet.",
    },
)
