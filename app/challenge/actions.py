"""The challenge stage's own actions, for its rows of the permission table (app/challenge/stage.py)."""

from enum import StrEnum


class ChallengeAction(StrEnum):
    # See the key lines of enquiry page: who has set theirs (the coordinator) or their triad's.
    VIEW_KLOES = "view_kloes"
    # Read an LA's questions: a DCS or triad reviewer of an LA in its triad.
    READ_KLOES = "read_kloes"
    # Set an LA's questions: its DCS (or, where it runs the LA's services, the Trust's).
    SET_KLOES = "set_kloes"
