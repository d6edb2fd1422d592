"""The self-evaluation's transition table: every legal move, and every refusal in plain words."""

import itertools

import pytest

from app.errors import Conflict
from app.workflow import SELF_EVALUATION, available, fire

STATES = ("draft", "awaiting_sign_off", "signed", "scrutiny_closed")
ACTIONS = (
    "edit",
    "submit",
    "sign",
    "return",
    "complete_sign_off",
    "comment",
    "respond",
    "close_scrutiny",
)

LEGAL = {
    ("draft", "edit"): "draft",
    ("draft", "submit"): "awaiting_sign_off",
    ("awaiting_sign_off", "edit"): "draft",
    ("awaiting_sign_off", "sign"): "awaiting_sign_off",
    ("awaiting_sign_off", "return"): "draft",
    ("awaiting_sign_off", "complete_sign_off"): "signed",
    ("signed", "comment"): "signed",
    ("signed", "respond"): "signed",
    ("signed", "close_scrutiny"): "scrutiny_closed",
}

NOT_SIGNED_YET = "This self-evaluation has not been signed yet."
NOT_STARTED = "Scrutiny starts once the self-evaluation is signed by all three signatories."
CLOSED = "Scrutiny of this self-evaluation has been closed."
ALL_SIGNED = "All three signatories have already signed this self-evaluation."
ALREADY_SIGNED = "This self-evaluation has already been signed."

REFUSED = {
    ("draft", "sign"): (
        "This self-evaluation has not been submitted for sign-off yet, so it cannot be signed."
    ),
    ("draft", "return"): "This self-evaluation is being drafted: there is nothing to return.",
    ("draft", "complete_sign_off"): "That cannot be done while the self-evaluation is draft.",
    ("draft", "comment"): NOT_STARTED,
    ("draft", "respond"): "That cannot be done while the self-evaluation is draft.",
    ("draft", "close_scrutiny"): NOT_SIGNED_YET,
    (
        "awaiting_sign_off",
        "submit",
    ): "This self-evaluation has already been submitted for sign-off.",
    ("awaiting_sign_off", "comment"): NOT_STARTED,
    ("awaiting_sign_off", "respond"): (
        "That cannot be done while the self-evaluation is awaiting sign off."
    ),
    ("awaiting_sign_off", "close_scrutiny"): NOT_SIGNED_YET,
    ("signed", "edit"): (
        "This self-evaluation has been signed by all three signatories and shared with its "
        "scrutineers, so its text can no longer change. Respond to comments instead."
    ),
    ("signed", "submit"): ALREADY_SIGNED,
    ("signed", "sign"): ALL_SIGNED,
    ("signed", "return"): (
        "This self-evaluation has been signed by all three signatories, so it cannot be returned."
    ),
    ("signed", "complete_sign_off"): "That cannot be done while the self-evaluation is signed.",
    ("scrutiny_closed", "edit"): (
        "This self-evaluation has been signed and its scrutiny is closed, so its text can no "
        "longer change."
    ),
    ("scrutiny_closed", "submit"): ALREADY_SIGNED,
    ("scrutiny_closed", "sign"): ALL_SIGNED,
    ("scrutiny_closed", "return"): (
        "This self-evaluation has been signed by all three signatories, so it cannot be returned."
    ),
    ("scrutiny_closed", "complete_sign_off"): (
        "That cannot be done while the self-evaluation is scrutiny closed."
    ),
    ("scrutiny_closed", "comment"): CLOSED,
    ("scrutiny_closed", "respond"): CLOSED,
    ("scrutiny_closed", "close_scrutiny"): "Scrutiny of this self-evaluation is already closed.",
}


def test_the_table_has_exactly_these_states_and_moves() -> None:
    assert SELF_EVALUATION.states == set(STATES)
    assert dict(SELF_EVALUATION.transitions) == LEGAL
    # Every pair of state and action is either a move or a refusal, never both, never neither.
    pairs = set(itertools.product(STATES, ACTIONS))
    assert set(LEGAL) | set(REFUSED) == pairs
    assert not set(LEGAL) & set(REFUSED)
    assert len(LEGAL) == 9 and len(REFUSED) == 23


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL))
def test_legal_moves(state: str, action: str) -> None:
    assert fire(SELF_EVALUATION, state, action) == LEGAL[(state, action)]


@pytest.mark.parametrize(("state", "action"), sorted(REFUSED))
def test_illegal_moves_are_refused_in_plain_words(state: str, action: str) -> None:
    with pytest.raises(Conflict) as refused:
        fire(SELF_EVALUATION, state, action)
    assert refused.value.message == REFUSED[(state, action)]
    assert refused.value.status_code == 409
    assert refused.value.field is None


def test_available_actions_from_each_state() -> None:
    assert available(SELF_EVALUATION, "draft") == ("edit", "submit")
    assert available(SELF_EVALUATION, "awaiting_sign_off") == (
        "edit",
        "sign",
        "return",
        "complete_sign_off",
    )
    assert available(SELF_EVALUATION, "signed") == ("comment", "respond", "close_scrutiny")
    assert available(SELF_EVALUATION, "scrutiny_closed") == ()


def test_an_unknown_action_is_refused_with_the_default_words() -> None:
    with pytest.raises(Conflict) as refused:
        fire(SELF_EVALUATION, "draft", "publish")
    assert refused.value.message == "That cannot be done while the self-evaluation is draft."
