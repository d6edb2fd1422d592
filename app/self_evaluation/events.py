"""The self-evaluation's history event names, named once. They are `StrEnum`s, so the log keeps
the same strings it always has and a call site names the event instead of retyping it."""

from enum import StrEnum


class SefEvent(StrEnum):
    CHAPTER_SAVED = "sef.chapter_saved"
    DOCUMENT_ADDED = "sef.document_added"
    DOCUMENT_REMOVED = "sef.document_removed"
    DOCX_IMPORTED = "sef.docx_imported"
    CARRIED_FORWARD = "sef.carried_forward"
    SIGNATURES_VOIDED = "sef.signatures_voided"
    SUBMISSION_WITHDRAWN = "sef.submission_withdrawn"
    SUBMITTED = "sef.submitted"
    SIGNED = "sef.signed"
    SIGNED_OFF = "sef.signed_off"
    RETURNED = "sef.returned"
    COMMENTED = "sef.commented"
    RESPONDED = "sef.responded"
    SCRUTINY_CLOSED = "sef.scrutiny_closed"
    CONTRIBUTOR_ASSIGNED = "sef.contributor_assigned"
    CONTRIBUTOR_UNASSIGNED = "sef.contributor_unassigned"
    DUE_DATE_SET = "sef.due_date_set"
