"""The sign-off kernel on plain data: status for required pairs, the two version policies,
lateness, and the checks every act makes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from app.auth.roles import Role
from app.errors import InvalidInput, StaleVersion
from app.signoff import acts
from app.signoff.events import first_signatures
from app.signoff.policies import (
    CHANGEOVER,
    IN_FORCE,
    LAPSED,
    NOT_SIGNED,
    VersionPolicy,
    bound_by,
)
from app.signoff.status import derive, is_late

A, B = "E06000015", "E10000007"
ROLES = (Role.DCS, Role.LEAD_MEMBER)


@dataclass
class Event:
    """The shared columns, on a version: what every stage's event row carries."""

    id: int
    version_id: int
    organisation_code: str
    role: str
    decision: str
    user_id: int = 1
    signatory_name: str = "Someone"
    statement: str = ""
    reason: str | None = None
    content_hash: str = "0" * 64
    occurred_at: datetime = datetime(2026, 6, 1, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Version:
    id: int
    changeover_on: date | None = None


def _version_of(event: Event) -> int:
    return event.version_id


def _at(day: int) -> datetime:
    return datetime(2026, 6, day, 9, tzinfo=UTC)


REQUIRED = [(A, Role.DCS), (A, Role.LEAD_MEMBER), (B, Role.DCS)]


def test_status_is_each_required_pair_on_the_current_version() -> None:
    events = [
        Event(1, 7, A, "dcs", "signed", user_id=11),
        Event(2, 7, A, "lead_member", "declined", user_id=12, reason="Not yet"),
        Event(3, 6, B, "dcs", "signed", user_id=13),  # an earlier version
    ]
    found = derive(REQUIRED, events, 7, _version_of)  # type: ignore[type-var]
    assert [(p.organisation_code, p.role, p.state) for p in found.pairs] == [
        (A, Role.DCS, "signed"),
        (A, Role.LEAD_MEMBER, "declined"),
        (B, Role.DCS, "outstanding"),
    ]
    assert found.pair(A, Role.DCS).event is events[0]
    assert found.pair(B, Role.DCS).event is None
    assert found.signed_count == 1
    assert not found.complete
    assert [p.role for p in found.outstanding] == [Role.LEAD_MEMBER, Role.DCS]
    assert found.signers == frozenset({(A, "dcs", 11)})
    with pytest.raises(KeyError):
        found.pair(B, Role.LEAD_MEMBER)


def test_a_signature_is_final_for_its_version_and_a_decline_can_turn_into_one() -> None:
    events = [
        Event(1, 7, A, "dcs", "declined", reason="Wait"),
        Event(2, 7, A, "dcs", "signed", user_id=21),
        Event(3, 7, A, "dcs", "signed", user_id=22),  # a new office holder adds theirs
        Event(4, 7, A, "lead_member", "signed", user_id=23),
        Event(5, 7, B, "dcs", "signed", user_id=24),
    ]
    found = derive(REQUIRED, events, 7, _version_of)  # type: ignore[type-var]
    assert found.pair(A, Role.DCS).event is events[1]
    assert found.complete
    assert found.signed_count == 3
    assert found.signers == frozenset(
        {(A, "dcs", 21), (A, "dcs", 22), (A, "lead_member", 23), (B, "dcs", 24)}
    )


def test_a_return_is_the_documents_act_not_a_signatory_state() -> None:
    events = [Event(1, 7, A, "dcs", "returned", reason="Chapter 3 is thin")]
    found = derive(REQUIRED, events, 7, _version_of)  # type: ignore[type-var]
    assert found.pair(A, Role.DCS).state == "outstanding"
    assert found.void == ()


def test_void_policy_keeps_earlier_signatures_in_the_history_as_void() -> None:
    old = Event(1, 6, A, "dcs", "signed")
    old_decline = Event(2, 6, A, "lead_member", "declined", reason="No")
    now = Event(3, 7, A, "lead_member", "signed")
    events = [old, old_decline, now]
    found = derive(REQUIRED, events, 7, _version_of, VersionPolicy.VOID)  # type: ignore[type-var]
    assert found.void == (old,)
    assert found.pair(A, Role.DCS).state == "outstanding"
    assert found.pair(A, Role.LEAD_MEMBER).state == "signed"
    # Nothing submitted (a return cleared it): every signature is void, every pair outstanding.
    cleared = derive(REQUIRED, events, None, _version_of)  # type: ignore[type-var]
    assert cleared.void == (old, now)
    assert {p.state for p in cleared.pairs} == {"outstanding"}


def test_changeover_policy_does_not_void_earlier_signatures() -> None:
    events = [Event(1, 6, A, "dcs", "signed"), Event(2, 7, A, "lead_member", "signed")]
    found = derive(REQUIRED, events, 7, _version_of, VersionPolicy.CHANGEOVER)  # type: ignore[type-var]
    assert found.void == ()
    assert found.pair(A, Role.DCS).state == "outstanding"


def _first(*signed: tuple[int, str, str, int]) -> dict[tuple[int, str, str], datetime]:
    events = [
        Event(i, version, code, role, "signed", occurred_at=_at(day))
        for i, (version, code, role, day) in enumerate(signed)
    ]
    return first_signatures(events, _version_of)  # type: ignore[type-var]


def test_first_signatures_keep_the_first_of_each_version_organisation_and_role() -> None:
    events = [
        Event(1, 6, A, "dcs", "signed", occurred_at=_at(2)),
        Event(2, 6, A, "dcs", "signed", occurred_at=_at(5)),
        Event(3, 6, A, "lead_member", "declined", occurred_at=_at(1)),
    ]
    assert first_signatures(events, _version_of) == {(6, A, "dcs"): _at(2)}  # type: ignore[type-var]


OLD, NEW = Version(6), Version(7, changeover_on=date(2026, 8, 31))
BOTH_OLD = _first((6, A, "dcs", 2), (6, A, "lead_member", 4))


def _bound(policy: VersionPolicy, signed: dict, today: date) -> tuple:  # type: ignore[type-arg]
    found = bound_by(policy, [OLD, NEW], A, [r.value for r in ROLES], signed, today=today)
    return found.state, found.version, found.since, found.current


def test_changeover_keeps_an_organisation_bound_by_the_version_it_signed_until_the_date() -> None:
    assert _bound(VersionPolicy.CHANGEOVER, BOTH_OLD, date(2026, 8, 31)) == (
        CHANGEOVER,
        OLD,
        _at(4),
        NEW,
    )
    assert _bound(VersionPolicy.CHANGEOVER, BOTH_OLD, date(2026, 9, 1)) == (
        LAPSED,
        OLD,
        _at(4),
        NEW,
    )


def test_changeover_ends_when_the_organisation_signs_the_new_version() -> None:
    signed = {**BOTH_OLD, **_first((7, A, "dcs", 20), (7, A, "lead_member", 21))}
    assert _bound(VersionPolicy.CHANGEOVER, signed, date(2026, 12, 1)) == (
        IN_FORCE,
        NEW,
        _at(21),
        NEW,
    )


def test_void_policy_binds_only_by_the_current_version() -> None:
    assert _bound(VersionPolicy.VOID, BOTH_OLD, date(2026, 8, 1)) == (NOT_SIGNED, None, None, NEW)
    half = {**BOTH_OLD, **_first((7, A, "dcs", 20))}
    assert _bound(VersionPolicy.VOID, half, date(2026, 8, 1)) == (NOT_SIGNED, None, None, NEW)


def test_nothing_published_binds_nobody() -> None:
    found = bound_by(VersionPolicy.CHANGEOVER, [], A, ["dcs"], {}, today=date(2026, 8, 1))
    assert (found.state, found.version, found.since, found.current) == (
        NOT_SIGNED,
        None,
        None,
        None,
    )


def test_a_past_day_counts_only_signatures_made_by_then() -> None:
    signed = _first((7, A, "dcs", 20), (7, A, "lead_member", 21))
    found = bound_by(
        VersionPolicy.CHANGEOVER,
        [NEW],
        A,
        [r.value for r in ROLES],
        signed,
        today=date(2026, 6, 20),
        counts=lambda m: m is not None and m.day <= 20,
    )
    assert found.state == NOT_SIGNED


DUE = date(2026, 12, 19)


def test_lateness() -> None:
    assert not is_late(None, date(2027, 1, 1), still_open=True, completed_at=None)
    assert not is_late(DUE, DUE, still_open=True, completed_at=None)
    assert is_late(DUE, date(2026, 12, 20), still_open=True, completed_at=None)
    # Signed on time stays on time; signed after the due day stays late.
    on_time = datetime(2026, 12, 19, 12, tzinfo=UTC)
    late = datetime(2026, 12, 20, 12, tzinfo=UTC)
    assert not is_late(DUE, date(2027, 1, 5), still_open=False, completed_at=on_time)
    assert is_late(DUE, date(2027, 1, 5), still_open=False, completed_at=late)


def test_the_checks_every_act_makes() -> None:
    with pytest.raises(InvalidInput) as unconfirmed:
        acts.require_confirmed(False, "Confirm the statement")
    assert (unconfirmed.value.message, unconfirmed.value.field) == (
        "Confirm the statement",
        "confirm",
    )
    acts.require_confirmed(True, "unused")
    for blank in (None, "", "   "):
        with pytest.raises(InvalidInput) as no_reason:
            acts.require_reason(blank, "Say why")
        assert (no_reason.value.message, no_reason.value.field) == ("Say why", "reason")
    acts.require_reason("Because", "unused")
    with pytest.raises(StaleVersion, match="^Changed$"):
        acts.require_version("a" * 64, "b" * 64, "Changed")
    with pytest.raises(StaleVersion, match="^Changed$"):
        acts.require_version(None, "b" * 64, "Changed")
    acts.require_version("a" * 64, "a" * 64, "unused")
