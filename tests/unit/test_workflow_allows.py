"""workflow.allows: what a page asks before offering an action, agreeing with fire and available."""

import pytest

from app.errors import Conflict
from app.self_evaluation.access import SHARED_STATES
from app.workflow import (
    MOU_REVIEW,
    MOU_SIGNATORY,
    MOU_VERSION,
    SELF_EVALUATION,
    TransitionTable,
    allows,
    available,
    fire,
)
from app.workflow.states import SefAction, SefState

TABLES = [MOU_VERSION, MOU_REVIEW, MOU_SIGNATORY, SELF_EVALUATION]


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_allows_is_exactly_what_fire_accepts(table: TransitionTable) -> None:
    actions = {action for _, action in table.transitions}
    for state in table.states:
        for action in actions:
            assert allows(table, state, action) == (action in available(table, state))
            if not allows(table, state, action):
                with pytest.raises(Conflict):
                    fire(table, state, action)


@pytest.mark.parametrize(
    ("restated", "asked"),
    [
        # What the pages used to restate, and the question they ask now.
        ({"draft", "awaiting_sign_off"}, SefAction.EDIT),
        ({"draft"}, SefAction.SUBMIT),
        ({"awaiting_sign_off"}, SefAction.SIGN),
        ({"signed"}, SefAction.COMMENT),
    ],
)
def test_the_pages_questions_pick_the_states_they_used_to_name(
    restated: set[str], asked: SefAction
) -> None:
    assert {s for s in SefState if allows(SELF_EVALUATION, s, asked)} == restated


def test_shared_states_are_the_signed_ones() -> None:
    assert {"signed", "scrutiny_closed"} == SHARED_STATES
