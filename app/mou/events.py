"""The MoU's history event names, named once. They are `StrEnum`s, so the log keeps the same
strings it always has and a call site names the event instead of retyping it."""

from enum import StrEnum


class MouEvent(StrEnum):
    DRAFT_SAVED = "mou.draft_saved"
    PUBLISHED = "mou.published"
    SUPERSEDED = "mou.superseded"
    REVIEWED = "mou.reviewed"
    SIGNED = "mou.signed"
    SIGNATURE_ADDED = "mou.signature_added"
    DECLINED = "mou.declined"
    CAME_INTO_FORCE = "mou.came_into_force"
    REMINDERS_SENT = "mou.reminders_sent"
