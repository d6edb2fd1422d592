"""The states and actions of every workflow, named once. They are `StrEnum`s, so the database
keeps the same strings and a page compares against a name, not a restated literal."""

from enum import StrEnum


class MouVersionState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class MouVersionAction(StrEnum):
    PUBLISH = "publish"
    SUPERSEDE = "supersede"


class MouReviewState(StrEnum):
    DUE = "due"
    REVIEWED_NO_CHANGE = "reviewed_no_change"
    REVISED = "revised"


class MouReviewAction(StrEnum):
    NO_CHANGE = "no_change"
    REVISE = "revise"


class SignatoryState(StrEnum):
    OUTSTANDING = "outstanding"
    SIGNED = "signed"
    DECLINED = "declined"


class SignatoryAction(StrEnum):
    SIGN = "sign"
    DECLINE = "decline"
    ADD_SIGNATURE = "add_signature"


class SefState(StrEnum):
    DRAFT = "draft"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    SIGNED = "signed"
    SCRUTINY_CLOSED = "scrutiny_closed"


class SefAction(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    SIGN = "sign"
    RETURN = "return"
    COMPLETE_SIGN_OFF = "complete_sign_off"
    COMMENT = "comment"
    RESPOND = "respond"
    CLOSE_SCRUTINY = "close_scrutiny"
