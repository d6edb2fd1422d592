"""Transition tables: legal moves, refusals in plain words, and nothing else."""

import pytest

from app.errors import Conflict
from app.workflow import MOU_SIGNATORY, MOU_VERSION, available, fire


def test_mou_version_moves() -> None:
    assert fire(MOU_VERSION, "draft", "publish") == "published"
    assert fire(MOU_VERSION, "published", "supersede") == "superseded"
    assert available(MOU_VERSION, "draft") == ("publish",)
    assert available(MOU_VERSION, "superseded") == ()
    assert MOU_VERSION.states == {"draft", "published", "superseded"}


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        ("published", "publish", "This version of the Memorandum is already published."),
        (
            "superseded",
            "publish",
            "This version of the Memorandum has been replaced by a newer one.",
        ),
        ("draft", "supersede", "That cannot be done while the Memorandum is draft."),
    ],
)
def test_illegal_version_moves_are_refused(state: str, action: str, message: str) -> None:
    with pytest.raises(Conflict) as refused:
        fire(MOU_VERSION, state, action)
    assert refused.value.message == message
    assert refused.value.status_code == 409


def test_signatory_moves() -> None:
    assert fire(MOU_SIGNATORY, "outstanding", "sign") == "signed"
    assert fire(MOU_SIGNATORY, "outstanding", "decline") == "declined"
    assert fire(MOU_SIGNATORY, "declined", "sign") == "signed"
    with pytest.raises(Conflict, match="already been signed"):
        fire(MOU_SIGNATORY, "signed", "sign")
    with pytest.raises(Conflict, match="cannot be declined"):
        fire(MOU_SIGNATORY, "signed", "decline")
