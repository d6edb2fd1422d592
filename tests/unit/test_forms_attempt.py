"""forms.attempt: the middle of every form post (parse, call the service, show a refusal)."""

import pytest
from pydantic import BaseModel

from app import forms
from app.errors import AlreadyDone, Conflict, InvalidInput, NotPermitted


class Input(BaseModel):
    name: str


def test_an_unparsed_form_is_not_sent_to_the_service() -> None:
    errors = forms.FormErrors()
    errors.add("name", "Enter a name")
    outcome = forms.attempt(None, errors, lambda d: pytest.fail("called"), field="name")
    assert not outcome.done and outcome.errors is errors and outcome.status_code == 422


def test_done_carries_the_result() -> None:
    outcome = forms.attempt(Input(name="x"), forms.FormErrors(), lambda d: d.name * 2, field="n")
    assert outcome.done and outcome.result == "xx" and outcome.refusal is None


def test_a_refusal_is_shown_against_its_field_with_its_status() -> None:
    def refuse(_: Input) -> None:
        raise Conflict("It changed", field="body")

    outcome = forms.attempt(Input(name="x"), forms.FormErrors(), refuse, field="name")
    assert not outcome.done
    assert outcome.errors.by_field == {"body": "It changed"}
    assert outcome.status_code == Conflict("x").status_code
    assert isinstance(outcome.refusal, Conflict)


def test_only_the_kinds_asked_for_are_caught_and_passes_propagate() -> None:
    def refuse(_: Input) -> None:
        raise NotPermitted("No")

    with pytest.raises(NotPermitted):
        forms.attempt(Input(name="x"), forms.FormErrors(), refuse, field="n", refused=InvalidInput)
    with pytest.raises(NotPermitted):
        forms.attempt(
            Input(name="x"), forms.FormErrors(), refuse, field="n", passes=(NotPermitted,)
        )

    def twice(_: Input) -> None:
        raise AlreadyDone("Already")

    assert isinstance(
        forms.attempt(Input(name="x"), forms.FormErrors(), twice, field="n").refusal, AlreadyDone
    )
