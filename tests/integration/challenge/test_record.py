"""The record of a triad's challenge conversation: the private draft, accuracy comments, each
member DCS's agreement of the exact version, voiding by an edit, returns, and sharing."""

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth.roles import Role
from app.challenge import kloes
from app.challenge import record as records
from app.challenge import record_acts as acts
from app.challenge.record_access import Level
from app.challenge.record_schemas import (
    AccuracyCommentInput,
    AgreeRecordInput,
    ReturnRecordInput,
    ShareInput,
)
from app.challenge.schemas import KloesInput
from app.errors import AlreadyDone, Conflict, InvalidInput, NotPermitted, StaleVersion
from app.models import AuditEvent, ChallengeRecordVersion, Cycle
from tests import factories as f
from tests.integration.challenge.record_setup import (
    DERBY,
    DERBYSHIRE,
    LEICESTER,
    TRIAD_ONE,
    WEST_NORTHANTS,
    name_reviewer,
    part,
    person,
    ready,
)


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


def _actions(session: Session) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.subject_type == "challenge_record")
    return list(session.scalars(query.order_by(AuditEvent.sequence)))


def _agree(session: Session, dcss: dict, cycle: Cycle, code: str, content_hash: str) -> None:  # type: ignore[type-arg]
    acts.agree(
        session,
        dcss[code],
        cycle,
        1,
        AgreeRecordInput(content_hash=content_hash, la_code=code, confirm=True),
    )


def test_a_reviewer_named_to_the_triad_writes_the_draft_and_each_save_is_a_version(
    session: Session, cycle: Cycle
) -> None:
    ready(session, cycle)
    reviewer = name_reviewer(session, cycle, 1)
    first = acts.save_part(session, reviewer, cycle, 1, DERBY, part())
    assert (first.number, len(first.content_hash)) == (1, 64)
    stored = json.loads(first.content)["authorities"][DERBY]
    assert stored["kloes"][0]["question"] == "What makes our front door work?"
    assert stored["kloes"][0]["actions"][0]["owner"] == "Head of Early Help"
    # The same part again is a double submit: no new version.
    again = acts.save_part(session, reviewer, cycle, 1, DERBY, part(first.content_hash))
    assert again.id == first.id
    second = acts.save_part(
        session, reviewer, cycle, 1, DERBY, part(first.content_hash, points="Thresholds differ.")
    )
    assert second.number == 2
    with pytest.raises(StaleVersion) as stale:
        acts.save_part(session, reviewer, cycle, 1, DERBY, part(first.content_hash, points="X"))
    assert stale.value.message == (
        "Someone else saved the record since you opened it. Reload to see their changes before "
        "you save yours."
    )
    assert _actions(session) == ["challenge.record_saved", "challenge.record_saved"]
    assert verify(session).ok


def test_only_the_triads_members_write_it(session: Session, cycle: Cycle) -> None:
    ready(session, cycle)
    other_reviewer = name_reviewer(session, cycle, 2)
    outsiders = [
        person(session, Role.DCS, DERBYSHIRE),
        other_reviewer,
        person(session, Role.TRIAD_REVIEWER),  # named to no triad
        person(session, Role.RISL),
        person(session, Role.LEAD_MEMBER, DERBY),
        f.coordinator(session),
    ]
    for outsider in outsiders:
        with pytest.raises(NotPermitted):
            acts.save_part(session, outsider, cycle, 1, DERBY, part())
    assert session.scalars(select(ChallengeRecordVersion)).all() == []


def test_a_part_must_follow_the_las_questions_and_the_regions_areas(
    session: Session, cycle: Cycle
) -> None:
    dcss = ready(session, cycle)
    bad_area = part()
    bad_area.support_asked[0].area = "astrology"
    with pytest.raises(InvalidInput) as refused:
        acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, bad_area)
    assert refused.value.message == (
        "Choose an improvement area from the region's list (not astrology)."
    )
    offer_outside = part()
    offer_outside.support_offered[0].to_la = DERBYSHIRE
    with pytest.raises(InvalidInput) as outside:
        acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, offer_outside)
    assert (
        outside.value.message == "Derby can offer support only to the other members of its triad."
    )
    with pytest.raises(InvalidInput) as not_member:
        acts.save_part(session, dcss[DERBY], cycle, 1, DERBYSHIRE, part())
    assert not_member.value.message == "That authority is not a member of this triad."


def test_every_member_agrees_the_exact_version_and_an_edit_voids_agreements(
    session: Session, cycle: Cycle
) -> None:
    dcss = ready(session, cycle)
    v1 = acts.save_part(session, dcss[LEICESTER], cycle, 1, DERBY, part())
    _agree(session, dcss, cycle, DERBY, v1.content_hash)
    _agree(session, dcss, cycle, LEICESTER, v1.content_hash)
    with pytest.raises(AlreadyDone) as twice:
        _agree(session, dcss, cycle, DERBY, v1.content_hash)
    assert twice.value.message == "Derby has already agreed version 1."
    # West Northamptonshire's reviewer edits: Derby's and Leicester's agreements no longer count.
    v2 = acts.save_part(
        session, dcss[WEST_NORTHANTS], cycle, 1, DERBY, part(v1.content_hash, points="Y")
    )
    with pytest.raises(StaleVersion):
        _agree(session, dcss, cycle, WEST_NORTHANTS, v1.content_hash)
    seen = records.view(session, dcss[DERBY], cycle, 1)
    assert [p.state for p in seen.agreements] == ["outstanding"] * 3
    assert sorted(e.organisation_code for e in seen.void) == [DERBY, LEICESTER]
    for code in TRIAD_ONE:
        _agree(session, dcss, cycle, code, v2.content_hash)
    done = records.view(session, dcss[DERBY], cycle, 1)
    assert done.agreed and done.record is not None and done.record.agreed_at is not None
    assert _actions(session)[-2:] == ["challenge.agreed", "challenge.record_agreed"]
    with pytest.raises(Conflict) as closed:
        acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part(v2.content_hash, points="Z"))
    assert closed.value.message == (
        "Every member of the triad has agreed this record, so it can no longer change."
    )


def test_a_return_needs_a_reason_and_blocks_agreement_until_the_text_changes(
    session: Session, cycle: Cycle
) -> None:
    dcss = ready(session, cycle)
    v1 = acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part())
    _agree(session, dcss, cycle, LEICESTER, v1.content_hash)
    acts.comment(
        session,
        dcss[DERBY],
        cycle,
        1,
        AccuracyCommentInput(
            content_hash=v1.content_hash, la_code=DERBY, text="The audit was of 45."
        ),
    )
    acts.return_record(
        session,
        dcss[DERBY],
        cycle,
        1,
        ReturnRecordInput(
            content_hash=v1.content_hash, la_code=DERBY, reason="The audit was of 45."
        ),
    )
    seen = records.view(session, dcss[LEICESTER], cycle, 1)
    assert seen.returned is not None and seen.returned.reason == "The audit was of 45."
    assert [e.organisation_code for e in seen.void] == [LEICESTER]
    assert [c.text for c in seen.comments] == ["The audit was of 45."]
    with pytest.raises(Conflict) as blocked:
        _agree(session, dcss, cycle, WEST_NORTHANTS, v1.content_hash)
    assert blocked.value.message.startswith("Version 1 was returned by ")
    v2 = acts.save_part(
        session, dcss[DERBY], cycle, 1, DERBY, part(v1.content_hash, points="45 contacts")
    )
    _agree(session, dcss, cycle, WEST_NORTHANTS, v2.content_hash)
    assert [p.state for p in records.view(session, dcss[DERBY], cycle, 1).agreements] == [
        "outstanding",
        "outstanding",
        "signed",
    ]


def test_a_dcs_acts_only_for_its_own_authority(session: Session, cycle: Cycle) -> None:
    dcss = ready(session, cycle)
    v1 = acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part())
    with pytest.raises(NotPermitted):
        acts.agree(
            session,
            dcss[DERBY],
            cycle,
            1,
            AgreeRecordInput(content_hash=v1.content_hash, la_code=LEICESTER, confirm=True),
        )
    reviewer = name_reviewer(session, cycle, 1)
    with pytest.raises(NotPermitted):
        acts.agree(
            session,
            reviewer,
            cycle,
            1,
            AgreeRecordInput(content_hash=v1.content_hash, la_code=DERBY, confirm=True),
        )


def test_questions_are_fixed_once_the_conversation_is_recorded(
    session: Session, cycle: Cycle
) -> None:
    dcss = ready(session, cycle)
    acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part())
    current = kloes.read(session, dcss[LEICESTER], cycle, LEICESTER)
    with pytest.raises(Conflict) as fixed:
        kloes.save(
            session,
            dcss[LEICESTER],
            cycle,
            LEICESTER,
            KloesInput(
                version=current.version, questions=[{"text": t} for t in ["A?", "B?", "C?"]]
            ),
        )
    assert fixed.value.message == (
        "Leicester's triad has started recording its challenge conversation, which follows these "
        "questions, so they can no longer change."
    )


def _agreed(session: Session, cycle: Cycle) -> dict:  # type: ignore[type-arg]
    dcss = ready(session, cycle)
    v1 = acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part())
    for code in TRIAD_ONE:
        _agree(session, dcss, cycle, code, v1.content_hash)
    return dcss


def test_who_sees_what_in_every_state(session: Session, cycle: Cycle) -> None:
    dcss = ready(session, cycle)
    reviewer = name_reviewer(session, cycle, 1)
    readers = {
        "member dcs": dcss[DERBY],
        "named reviewer": reviewer,
        "coordinator": f.coordinator(session),
        "dcs outside": person(session, Role.DCS, DERBYSHIRE),
        "lead member": person(session, Role.LEAD_MEMBER, DERBY),
        "risl": person(session, Role.RISL),
        "reviewer of another triad": name_reviewer(session, cycle, 2),
    }

    def levels() -> dict[str, str]:
        found = {}
        for name, who in readers.items():
            try:
                found[name] = records.view(session, who, cycle, 1).level.value
            except NotPermitted:
                found[name] = "refused"
        return found

    # Before anything is written the same rule holds: the coordinator sees only the state.
    v1 = acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part())
    assert levels() == {
        "member dcs": "full",
        "named reviewer": "full",
        "coordinator": "status",
        "dcs outside": "refused",
        "lead member": "refused",
        "risl": "refused",
        "reviewer of another triad": "refused",
    }
    coordinator_view = records.view(session, readers["coordinator"], cycle, 1)
    assert (coordinator_view.version, coordinator_view.parts, coordinator_view.asked) == (
        None,
        {},
        (),
    )
    for code in TRIAD_ONE:
        _agree(session, dcss, cycle, code, v1.content_hash)
    assert levels() == {
        "member dcs": "full",
        "named reviewer": "full",
        "coordinator": "summary",
        "dcs outside": "summary",
        "lead member": "summary",
        "risl": "refused",
        "reviewer of another triad": "summary",
    }
    summary = records.view(session, readers["dcs outside"], cycle, 1)
    assert [(a.area, a.actions) for a in summary.actions_by_area] == [
        ("Front door and early help", 1)
    ]
    assert [(code, a.area, a.days) for code, a in summary.asked] == [(DERBY, "workforce", 10)]
    assert [(code, o.to_la, o.days) for code, o in summary.offered] == [(DERBY, LEICESTER, 5)]
    assert (summary.parts, summary.kloes, summary.version) == ({}, {}, None)
    # Derby shares its own part with the RISL: the RISL reads Derby's part, nothing else.
    share = ShareInput(la_code=DERBY, shared=True)
    assert acts.share(session, dcss[DERBY], cycle, 1, share) is True
    assert acts.share(session, dcss[DERBY], cycle, 1, share) is False  # the same choice twice
    risl = records.view(session, readers["risl"], cycle, 1)
    assert (risl.level, list(risl.parts), list(risl.kloes)) == (Level.NONE, [DERBY], [DERBY])
    assert (risl.asked, risl.comments, risl.agreements) == ((), (), ())
    acts.share(session, dcss[DERBY], cycle, 1, ShareInput(la_code=DERBY, shared=False))
    with pytest.raises(NotPermitted):
        records.view(session, readers["risl"], cycle, 1)
    assert _actions(session)[-2:] == ["challenge.part_shared", "challenge.part_unshared"]


def test_sharing_waits_for_agreement_and_is_the_las_own_act(session: Session, cycle: Cycle) -> None:
    dcss = ready(session, cycle)
    acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part())
    with pytest.raises(Conflict) as early:
        acts.share(session, dcss[DERBY], cycle, 1, ShareInput(la_code=DERBY, shared=True))
    assert early.value.message.startswith("The record is still a private draft")
    with pytest.raises(NotPermitted):
        acts.share(session, dcss[LEICESTER], cycle, 1, ShareInput(la_code=DERBY, shared=True))


def test_the_history_shows_record_entries_by_the_same_rule(session: Session, cycle: Cycle) -> None:
    from app.cycles.schemas import HistoryQuery
    from app.history.service import read_history

    dcss = _agreed(session, cycle)
    acts.share(session, dcss[DERBY], cycle, 1, ShareInput(la_code=DERBY, shared=True))

    def seen(who: object) -> list[str]:
        page = read_history(session, who, "east-midlands", "2026-27", HistoryQuery())  # type: ignore[arg-type]
        return [e.event.action for e in page.entries if e.event.subject_type == "challenge_record"]

    everything = [
        "challenge.part_shared",
        "challenge.record_agreed",
        "challenge.agreed",
        "challenge.agreed",
        "challenge.agreed",
        "challenge.record_saved",
    ]
    assert seen(dcss[LEICESTER]) == everything
    assert seen(f.coordinator(session)) == ["challenge.record_agreed"]
    assert seen(person(session, Role.DCS, DERBYSHIRE)) == ["challenge.record_agreed"]
    assert seen(person(session, Role.RISL)) == []
