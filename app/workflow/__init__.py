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

MOU_SIGNATORY = TransitionTable(
    name="signature",
    transitions={
        ("outstanding", "sign"): "signed",
        ("outstanding", "decline"): "declined",
        # A signatory who declined may still sign the same version after talking it through.
        ("declined", "sign"): "signed",
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
