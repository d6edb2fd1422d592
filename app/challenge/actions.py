"""The challenge stage's own actions, for its rows of the permission table (app/challenge/stage.py).

Each row says which roles may ever take the action; which triad or LA is further limited in
app.challenge.access (a reader is a member of the triad, or named to it).
"""

from enum import StrEnum


class ChallengeAction(StrEnum):
    # See the key lines of enquiry page: who has set theirs (the coordinator) or their triad's.
    VIEW_KLOES = "view_kloes"
    # Read an LA's questions: a DCS or triad reviewer of an LA in its triad.
    READ_KLOES = "read_kloes"
    # Set an LA's questions: its DCS (or, where it runs the LA's services, the Trust's).
    SET_KLOES = "set_kloes"
    # Name triad reviewers to a triad: the coordinator.
    NAME_REVIEWERS = "name_triad_reviewers"
    # See the conversations page: each triad's meeting, and its record as the MoU allows.
    VIEW_CONVERSATIONS = "view_conversations"
    # Set or change a triad's meeting (date, mode, facilitator): the coordinator or a member DCS.
    ARRANGE_MEETING = "arrange_meeting"
    # Name who an organisation brings (its DCS, delegates, Lead Member): its DCS.
    NAME_ATTENDEES = "name_attendees"
    # Record that an LA withdraws from its triad's meeting, with a reason: its DCS.
    WITHDRAW = "withdraw_from_meeting"
    # Write the private draft of a triad's record: a reviewer named to it or a member DCS.
    WRITE_RECORD = "write_challenge_record"
    # Comment on the draft's factual accuracy, agree it or return it: a member LA's DCS.
    AGREE_RECORD = "agree_challenge_record"
    # Share (or stop sharing) the LA's own part of an agreed record with the RISL: its DCS.
    SHARE_RECORD = "share_challenge_record"
