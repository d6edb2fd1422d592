"""What a new version does to signatures on earlier ones: the two version policies.

VOID (the self-evaluation, the plans): a new version voids every earlier signature. They stay in
the history, marked void, and never count again; only the current version can be in force.

CHANGEOVER (the MoU, issue 7): each organisation stays bound by the version it signed until it
signs the new one, or until the new version's changeover date passes, after which it lapses.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar


class VersionPolicy(StrEnum):
    VOID = "void"
    CHANGEOVER = "changeover"


# Where an organisation stands with a signed document on one day.
IN_FORCE, CHANGEOVER, LAPSED, NOT_SIGNED = "in_force", "changeover", "lapsed", "not_signed"


class Version(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def changeover_on(self) -> date | None: ...


V = TypeVar("V", bound=Version)


@dataclass(frozen=True)
class Bound(Generic[V]):
    state: str  # in_force, changeover, lapsed or not_signed
    # The version that binds (in force or changeover), or the one last signed (lapsed).
    version: V | None
    # When that version came into force for the organisation: its last required role's signature.
    since: datetime | None
    # The newest version published.
    current: V | None


def completed_since(
    version: Version,
    organisation_code: str,
    roles: Sequence[str],
    first_signed: Mapping[tuple[int, str, str], datetime],
    counts: Callable[[datetime | None], bool],
) -> datetime | None:
    """The moment every required role of the organisation had signed the version, or None."""
    moments = [first_signed.get((version.id, organisation_code, role)) for role in roles]
    if not all(counts(m) for m in moments):
        return None
    return max(m for m in moments if m is not None)


def bound_by(
    policy: VersionPolicy,
    published: Sequence[V],
    organisation_code: str,
    roles: Sequence[str],
    first_signed: Mapping[tuple[int, str, str], datetime],
    *,
    today: date,
    counts: Callable[[datetime | None], bool] = lambda moment: moment is not None,
) -> Bound[V]:
    """Which of the `published` versions (oldest first) binds the organisation `today`.

    `first_signed` is events.first_signatures; `counts` says whether a signature moment counts
    (a past day's view leaves out what happened after it)."""
    if not published:
        return Bound(NOT_SIGNED, None, None, None)
    current = published[-1]
    since = completed_since(current, organisation_code, roles, first_signed, counts)
    if since is not None:
        return Bound(IN_FORCE, current, since, current)
    if policy is VersionPolicy.CHANGEOVER:
        for older in reversed(published[:-1]):
            since = completed_since(older, organisation_code, roles, first_signed, counts)
            if since is not None:
                # Bound by the old version up to and including the changeover day; lapsed after.
                waiting = current.changeover_on is not None and today <= current.changeover_on
                return Bound(CHANGEOVER if waiting else LAPSED, older, since, current)
    return Bound(NOT_SIGNED, None, None, current)
