"""States and transition tables as data. Pure: imports nothing from the database or the web.

Every status change in the service goes through `fire`, so an illegal change is refused in one
place, with words a Director of Children's Services understands, before anything is written.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.errors import Conflict


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


MOU_VERSION = TransitionTable(
    name="Memorandum",
    transitions={
        ("draft", "publish"): "published",
        ("published", "supersede"): "superseded",
    },
    refusals={
        ("published", "publish"): "This version of the Memorandum is already published.",
        (
            "superseded",
            "publish",
        ): "This version of the Memorandum has been replaced by a newer one.",
    },
)

# The leads' yearly review of the alliance's MoU: "no change" is a valid outcome
# (002_d98c8bcad6f8fe4d.txt:2318); a revision is a newly published version.
MOU_REVIEW = TransitionTable(
    name="review of the Memorandum",
    transitions={
        ("due", "no_change"): "reviewed_no_change",
        ("due", "revise"): "revised",
        # A region that decided "no change" may still revise later in the year.
        ("reviewed_no_change", "revise"): "revised",
    },
    refusals={
        ("reviewed_no_change", "no_change"): (
            "The Memorandum has already been reviewed this cycle, with no change."
        ),
        ("revised", "no_change"): (
            "The Memorandum was revised this cycle, so its review is done: the revised version "
            "is the outcome."
        ),
    },
)

MOU_SIGNATORY = TransitionTable(
    name="signature",
    transitions={
        ("outstanding", "sign"): "signed",
        ("outstanding", "decline"): "declined",
        # A signatory who declined may still sign the same version after talking it through.
        ("declined", "sign"): "signed",
        # A new office holder adds their own signature; the organisation had already signed.
        ("signed", "add_signature"): "signed",
    },
    refusals={
        ("signed", "sign"): "This has already been signed for this version of the Memorandum.",
        ("signed", "decline"): (
            "This has already been signed for this version of the Memorandum, so it cannot be "
            "declined."
        ),
        ("declined", "decline"): "This version of the Memorandum has already been declined.",
    },
)

SELF_EVALUATION = TransitionTable(
    name="self-evaluation",
    transitions={
        ("draft", "edit"): "draft",
        ("draft", "submit"): "awaiting_sign_off",
        # An edit while signatures are being gathered makes a new version: back to drafting.
        ("awaiting_sign_off", "edit"): "draft",
        ("awaiting_sign_off", "sign"): "awaiting_sign_off",
        ("awaiting_sign_off", "return"): "draft",
        ("awaiting_sign_off", "complete_sign_off"): "signed",
        # Signed means shared with its scrutineers, who comment until the coordinator closes it.
        ("signed", "comment"): "signed",
        ("signed", "respond"): "signed",
        ("signed", "close_scrutiny"): "scrutiny_closed",
    },
    refusals={
        ("draft", "sign"): (
            "This self-evaluation has not been submitted for sign-off yet, so it cannot be signed."
        ),
        ("draft", "return"): "This self-evaluation is being drafted: there is nothing to return.",
        ("awaiting_sign_off", "submit"): (
            "This self-evaluation has already been submitted for sign-off."
        ),
        ("signed", "edit"): (
            "This self-evaluation has been signed by all three signatories and shared with its "
            "scrutineers, so its text can no longer change. Respond to comments instead."
        ),
        ("scrutiny_closed", "edit"): (
            "This self-evaluation has been signed and its scrutiny is closed, so its text can no "
            "longer change."
        ),
        ("signed", "sign"): "All three signatories have already signed this self-evaluation.",
        ("scrutiny_closed", "sign"): (
            "All three signatories have already signed this self-evaluation."
        ),
        ("signed", "submit"): "This self-evaluation has already been signed.",
        ("scrutiny_closed", "submit"): "This self-evaluation has already been signed.",
        ("signed", "return"): (
            "This self-evaluation has been signed by all three signatories, so it cannot be "
            "returned."
        ),
        ("scrutiny_closed", "return"): (
            "This self-evaluation has been signed by all three signatories, so it cannot be "
            "returned."
        ),
        ("draft", "comment"): (
            "Scrutiny starts once the self-evaluation is signed by all three signatories."
        ),
        ("awaiting_sign_off", "comment"): (
            "Scrutiny starts once the self-evaluation is signed by all three signatories."
        ),
        ("scrutiny_closed", "comment"): "Scrutiny of this self-evaluation has been closed.",
        ("scrutiny_closed", "respond"): "Scrutiny of this self-evaluation has been closed.",
        ("scrutiny_closed", "close_scrutiny"): (
            "Scrutiny of this self-evaluation is already closed."
        ),
        ("draft", "close_scrutiny"): "This self-evaluation has not been signed yet.",
        ("awaiting_sign_off", "close_scrutiny"): "This self-evaluation has not been signed yet.",
    },
)
