"""The record's one transition table: a private draft until every member LA's DCS agrees it.

Issue 12 ("A private draft first"): the record is drafted by the triad's reviewers and DCSs, each
LA comments on its factual accuracy, then every member DCS agrees the exact version. An edit makes
a new version (earlier agreements are void); any member DCS may return it with a reason. Once
agreed its text no longer changes; each LA may then share, or stop sharing, its own part.
"""

from enum import StrEnum

from app.workflow import TransitionTable


class RecordState(StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"


class RecordAction(StrEnum):
    EDIT = "edit"
    COMMENT = "comment"
    AGREE = "agree"
    RETURN = "return"
    COMPLETE = "complete"
    SHARE = "share"


_AGREED = "Every member of the triad has agreed this record, so it can no longer change."

CHALLENGE_RECORD = TransitionTable(
    name="challenge record",
    transitions={
        (RecordState.DRAFT, RecordAction.EDIT): RecordState.DRAFT,
        (RecordState.DRAFT, RecordAction.COMMENT): RecordState.DRAFT,
        (RecordState.DRAFT, RecordAction.AGREE): RecordState.DRAFT,
        (RecordState.DRAFT, RecordAction.RETURN): RecordState.DRAFT,
        (RecordState.DRAFT, RecordAction.COMPLETE): RecordState.AGREED,
        (RecordState.AGREED, RecordAction.SHARE): RecordState.AGREED,
    },
    refusals={
        (RecordState.AGREED, RecordAction.EDIT): _AGREED,
        (RecordState.AGREED, RecordAction.COMMENT): (
            "Every member of the triad has agreed this record, so comments on its accuracy "
            "are closed."
        ),
        (RecordState.AGREED, RecordAction.AGREE): "Every member of the triad has agreed this "
        "record already.",
        (RecordState.AGREED, RecordAction.RETURN): _AGREED,
        (RecordState.DRAFT, RecordAction.SHARE): (
            "The record is still a private draft: an authority can share its part only once "
            "every member of the triad has agreed it."
        ),
    },
)
