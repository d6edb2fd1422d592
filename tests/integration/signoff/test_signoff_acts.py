"""The sign-off kernel's acts on the real tables: a double submit signs once at the database,
the "on complete" hook runs once, and a decline or return without a reason writes nothing."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import Entry
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import AlreadyDone, InvalidInput
from app.models import Cycle, MouSignatureEvent, MouVersion, SefSignOffEvent
from app.self_evaluation.drafting import service
from app.signoff import acts
from app.signoff.events import Decision
from tests import factories as f
from tests.sef_factories import DERBY, signatories, submit_latest, write_all

TWICE = "Signed already"


def _count(session: Session, model: type[MouSignatureEvent] | type[SefSignOffEvent]) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def _mou(session: Session) -> tuple[Cycle, MouVersion, Principal]:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    return (
        cycle,
        f.publish_from_template(session, cycle, boss),
        f.signatory(session, DERBY, Role.DCS),
    )


def _on(cycle: Cycle, version: MouVersion) -> acts.OnVersion[MouSignatureEvent]:
    keys = {"mou_version_id": version.id}
    subject = ("mou_version", version.id)
    return acts.OnVersion(MouSignatureEvent, keys, version.content_hash, cycle, subject)


def _mou_event(
    cycle: Cycle, version: MouVersion, who: Principal, decision: Decision, **words: str
) -> MouSignatureEvent:
    return _on(cycle, version).event(who, decision, DERBY, Role.DCS, **words)


def _entry(who: Principal, cycle: Cycle, version: MouVersion, action: str) -> Entry:
    return _on(cycle, version).entry(who, action, "test", {}, DERBY)


def test_a_double_submit_signs_once_at_the_database(session: Session) -> None:
    cycle, version, dcs = _mou(session)
    completed: list[str] = []
    first = acts.sign(
        session,
        _mou_event(cycle, version, dcs, Decision.SIGNED, statement="I sign"),
        refusal=AlreadyDone(TWICE),
        audit=_entry(dcs, cycle, version, "test.signed"),
        complete=lambda: True,
        on_complete=lambda: completed.append("done"),
    )
    before = _count(session, MouSignatureEvent)
    with pytest.raises(AlreadyDone, match=f"^{TWICE}$"):
        acts.sign(
            session,
            _mou_event(cycle, version, dcs, Decision.SIGNED, statement="I sign"),
            refusal=AlreadyDone(TWICE),
            audit=_entry(dcs, cycle, version, "test.signed"),
            complete=lambda: True,
            on_complete=lambda: completed.append("done"),
        )
    assert _count(session, MouSignatureEvent) == before
    assert completed == ["done"]
    assert (first.decision, first.role, first.organisation_code, first.statement) == (
        "signed",
        "dcs",
        DERBY,
        "I sign",
    )
    assert (first.user_id, first.signatory_name) == (dcs.user_id, dcs.display_name)
    assert first.content_hash == version.content_hash


def test_the_self_evaluation_signs_once_per_version_and_role(session: Session) -> None:
    cycle = f.open_cycle(session)
    people = signatories(session, DERBY)
    write_all(session, cycle, DERBY, people[Role.DCS])
    submitted = submit_latest(session, cycle, DERBY, people[Role.DCS])
    sef = service.get_sef(session, people[Role.DCS], cycle, DERBY)

    keys = {"self_evaluation_id": sef.id, "sef_version_id": submitted.id}
    on = acts.OnVersion(
        SefSignOffEvent, keys, submitted.content_hash, cycle, ("self_evaluation", sef.id)
    )

    def event(who: Principal) -> SefSignOffEvent:
        return on.event(who, Decision.SIGNED, DERBY, Role.LEAD_MEMBER, statement="I sign")

    audit = on.entry(people[Role.DCS], "test", "t", {})
    acts.sign(session, event(people[Role.LEAD_MEMBER]), refusal=AlreadyDone(TWICE), audit=audit)
    # Another person in the same role on the same version: still refused (per version and role).
    other = f.signatory(session, DERBY, Role.LEAD_MEMBER)
    with pytest.raises(AlreadyDone, match=f"^{TWICE}$"):
        acts.sign(session, event(other), refusal=AlreadyDone(TWICE), audit=audit)
    assert _count(session, SefSignOffEvent) == 1


def test_the_hook_does_not_run_until_complete(session: Session) -> None:
    cycle, version, dcs = _mou(session)
    completed: list[str] = []
    acts.sign(
        session,
        _mou_event(cycle, version, dcs, Decision.SIGNED, statement="I sign"),
        refusal=AlreadyDone(TWICE),
        audit=_entry(dcs, cycle, version, "test.signed"),
        complete=lambda: False,
        on_complete=lambda: completed.append("done"),
    )
    assert completed == []


def test_a_decline_or_return_without_a_reason_writes_nothing(session: Session) -> None:
    cycle, version, dcs = _mou(session)
    before = _count(session, MouSignatureEvent)
    for decision in (Decision.DECLINED, Decision.RETURNED):
        with pytest.raises(InvalidInput) as refused:
            acts.decide(
                session,
                _mou_event(cycle, version, dcs, decision, reason="  "),
                audit=_entry(dcs, cycle, version, "test.declined"),
                reason_required="Say why",
            )
        assert (refused.value.message, refused.value.field) == ("Say why", "reason")
    assert _count(session, MouSignatureEvent) == before
    declined = acts.decide(
        session,
        _mou_event(cycle, version, dcs, Decision.DECLINED, reason="Not yet agreed"),
        audit=_entry(dcs, cycle, version, "test.declined"),
        reason_required="Say why",
    )
    assert (declined.decision, declined.reason, declined.statement) == (
        "declined",
        "Not yet agreed",
        "",
    )
    assert _count(session, MouSignatureEvent) == before + 1


def test_a_signature_is_a_signed_event_with_a_statement(session: Session) -> None:
    cycle, version, dcs = _mou(session)
    with pytest.raises(ValueError):
        acts.sign(
            session,
            _mou_event(cycle, version, dcs, Decision.SIGNED),
            refusal=AlreadyDone(TWICE),
            audit=_entry(dcs, cycle, version, "test.signed"),
        )
    with pytest.raises(ValueError):
        acts.decide(
            session,
            _mou_event(cycle, version, dcs, Decision.SIGNED, statement="x", reason="x"),
            audit=_entry(dcs, cycle, version, "test.signed"),
            reason_required="Say why",
        )
