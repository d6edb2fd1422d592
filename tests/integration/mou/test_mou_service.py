"""The MoU's rules, enforced in the service: order, version binding, who may act."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth.roles import Role
from app.errors import Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from app.models import AuditEvent, MouSignatureEvent, MouVersion
from app.mou import reminders
from app.mou import service as mou
from app.mou.schemas import DeclineInput, DraftInput, PublishInput, SignInput
from tests import factories as f

DERBY = "E06000015"
RUTLAND = "E06000017"
TRUST = "northamptonshire-childrens-trust"


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        session.scalar(select(func.count()).select_from(MouSignatureEvent)) or 0,
        session.scalar(select(func.count()).select_from(MouVersion)) or 0,
    )


def test_draft_starts_from_the_region_template(session: Session) -> None:
    cycle = f.open_cycle(session)
    title, body, revision = mou.editor_source(session, cycle)
    assert title == "East Midlands RIIA: Memorandum of Understanding"
    assert "the East Midlands region" in body
    assert "{region_name}" not in body and revision is None


def test_publish_then_sign_binds_to_the_hash(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    version = f.publish_from_template(session, cycle, boss)
    assert version.state == "published" and version.number == 1
    dcs = f.signatory(session, DERBY, Role.DCS)
    f.sign(session, cycle, dcs, DERBY, Role.DCS)
    event = session.execute(select(MouSignatureEvent)).scalar_one()
    assert event.content_hash == version.content_hash
    assert event.statement == (
        "I sign this Memorandum of Understanding on behalf of Derby as its Director of Children's Services."
    )
    status = mou.status(session, boss, cycle)
    assert status.signatory(DERBY, Role.DCS).state == "signed"
    assert status.signatory(DERBY, Role.LEAD_MEMBER).state == "outstanding"
    assert not status.in_force
    assert status.required_count == 31  # 10 LAs x 3 + the Trust's chief executive
    actions = [
        e.action
        for e in session.execute(select(AuditEvent).order_by(AuditEvent.sequence)).scalars()
    ]
    assert actions[-1] == "mou.signed"
    assert verify(session).ok


def test_in_force_only_when_every_signatory_of_every_organisation_signed(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    f.sign_everyone(session, cycle, skip={(TRUST, Role.CHIEF_EXECUTIVE)})
    status = mou.status(session, boss, cycle)
    assert not status.in_force
    assert [(s.organisation_code, s.role) for s in status.outstanding] == [
        (TRUST, Role.CHIEF_EXECUTIVE)
    ]
    ceo = f.signatory(session, TRUST, Role.CHIEF_EXECUTIVE)
    f.sign(session, cycle, ceo, TRUST, Role.CHIEF_EXECUTIVE)
    status = mou.status(session, boss, cycle)
    assert status.in_force and status.signed_count == 31
    assert status.in_force_since is not None
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "mou.came_into_force")
        )
        == 1
    )


def test_new_version_supersedes_old_and_its_signatures_no_longer_count(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    first = f.publish_from_template(session, cycle, boss)
    dcs = f.signatory(session, DERBY, Role.DCS)
    f.sign(session, cycle, dcs, DERBY, Role.DCS)
    second = f.publish_from_template(session, cycle, boss, extra="\n\nA new closing paragraph.\n")
    assert (first.state, second.state, second.number) == ("superseded", "published", 2)
    assert first.content_hash != second.content_hash
    status = mou.status(session, boss, cycle)
    assert status.signatory(DERBY, Role.DCS).state == "outstanding"
    # The old signature stays in the history.
    assert [e.mou_version_id for e in mou.signature_events(session, first)] == [first.id]
    # Signing with the old hash is refused and changes nothing.
    before = _counts(session)
    with pytest.raises(StaleVersion, match="changed after you opened it"):
        mou.sign(
            session,
            dcs,
            cycle,
            SignInput(
                organisation_code=DERBY,
                role=Role.DCS,
                content_hash=first.content_hash,
                confirm=True,
            ),
        )
    assert _counts(session) == before


def test_double_sign_signs_once(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    dcs = f.signatory(session, DERBY, Role.DCS)
    f.sign(session, cycle, dcs, DERBY, Role.DCS)
    before = _counts(session)
    with pytest.raises(Conflict, match="already been signed"):
        f.sign(session, cycle, dcs, DERBY, Role.DCS)
    assert _counts(session) == before


def test_database_refuses_a_second_signature_even_if_the_service_were_bypassed(
    session: Session,
) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    version = f.publish_from_template(session, cycle, boss)
    dcs = f.signatory(session, DERBY, Role.DCS)
    f.sign(session, cycle, dcs, DERBY, Role.DCS)
    duplicate = MouSignatureEvent(
        mou_version_id=version.id,
        organisation_code=DERBY,
        role="dcs",
        decision="signed",
        user_id=dcs.user_id,
        signatory_name="x",
        statement="x",
        content_hash=version.content_hash,
    )
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(duplicate)
        session.flush()


def test_decline_with_reason_then_sign(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    version = f.publish_from_template(session, cycle, boss)
    lm = f.signatory(session, RUTLAND, Role.LEAD_MEMBER)
    with pytest.raises(Exception) as missing:
        DeclineInput(
            organisation_code=RUTLAND,
            role=Role.LEAD_MEMBER,
            content_hash=version.content_hash,
            reason="",
        )
    assert "reason" in str(missing.value)
    mou.decline(
        session,
        lm,
        cycle,
        DeclineInput(
            organisation_code=RUTLAND,
            role=Role.LEAD_MEMBER,
            content_hash=version.content_hash,
            reason="Cabinet first",
        ),
    )
    state = mou.status(session, boss, cycle).signatory(RUTLAND, Role.LEAD_MEMBER)
    assert (
        state.state == "declined"
        and state.event is not None
        and state.event.reason == "Cabinet first"
    )
    with pytest.raises(Conflict, match="already been declined"):
        mou.decline(
            session,
            lm,
            cycle,
            DeclineInput(
                organisation_code=RUTLAND,
                role=Role.LEAD_MEMBER,
                content_hash=version.content_hash,
                reason="again",
            ),
        )
    f.sign(session, cycle, lm, RUTLAND, Role.LEAD_MEMBER)
    assert mou.status(session, boss, cycle).signatory(RUTLAND, Role.LEAD_MEMBER).state == "signed"


@pytest.mark.parametrize(
    ("holder_org", "holder_role", "sign_org", "sign_role", "error", "words"),
    [
        (DERBY, Role.DCS, RUTLAND, Role.DCS, NotPermitted, "not recorded as its Director"),
        (DERBY, Role.LEAD_MEMBER, DERBY, Role.DCS, NotPermitted, "not recorded as its Director"),
        (DERBY, Role.DATA_LEAD, DERBY, Role.DCS, NotPermitted, "not recorded"),
        (
            TRUST,
            Role.DCS,
            TRUST,
            Role.DCS,
            Conflict,
            "does not sign the Memorandum for Northamptonshire",
        ),
        (DERBY, Role.DCS, "E09000001", Role.DCS, NotFound, "not part of this region"),
    ],
)
def test_wrong_person_or_organisation_is_refused_and_nothing_changes(
    session: Session,
    holder_org: str,
    holder_role: Role,
    sign_org: str,
    sign_role: Role,
    error: type[Exception],
    words: str,
) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    version = f.publish_from_template(session, cycle, boss)
    who = f.signatory(session, holder_org, holder_role)
    before = _counts(session)
    with pytest.raises(error, match=words):
        mou.sign(
            session,
            who,
            cycle,
            SignInput(
                organisation_code=sign_org,
                role=sign_role,
                content_hash=version.content_hash,
                confirm=True,
            ),
        )
    assert _counts(session) == before


def test_signing_needs_the_statement_confirmed_and_a_published_version(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    dcs = f.signatory(session, DERBY, Role.DCS)
    with pytest.raises(Conflict, match="not been published"):
        mou.sign(
            session,
            dcs,
            cycle,
            SignInput(organisation_code=DERBY, role=Role.DCS, content_hash="a" * 64, confirm=True),
        )
    version = f.publish_from_template(session, cycle, boss)
    with pytest.raises(InvalidInput, match="Confirm the statement") as refused:
        mou.sign(
            session,
            dcs,
            cycle,
            SignInput(
                organisation_code=DERBY,
                role=Role.DCS,
                content_hash=version.content_hash,
                confirm=False,
            ),
        )
    assert refused.value.field == "confirm"


def test_stale_draft_save_is_refused_and_keeps_the_newer_text(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    saved = mou.save_draft(
        session, boss, cycle, DraftInput(title="MoU", body="# One\n\nFirst text", revision=None)
    )
    assert saved.revision == 1
    mou.save_draft(
        session, boss, cycle, DraftInput(title="MoU", body="# One\n\nSecond text", revision=1)
    )
    before = _counts(session)
    with pytest.raises(StaleVersion, match="now revision 2"):
        mou.save_draft(
            session, boss, cycle, DraftInput(title="MoU", body="# One\n\nLate text", revision=1)
        )
    assert _counts(session) == before
    draft = mou.draft_of(session, cycle)
    assert draft is not None and mou.blocks_of(draft)[1].text == "Second text"


def test_publish_refuses_a_draft_changed_since_review(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    first = mou.save_draft(
        session, boss, cycle, DraftInput(title="MoU", body="# A\n\ntext", revision=None)
    )
    reviewed = first.content_hash
    mou.save_draft(session, boss, cycle, DraftInput(title="MoU", body="# A\n\nchanged", revision=1))
    with pytest.raises(StaleVersion, match="changed after you reviewed it"):
        mou.publish(session, boss, cycle, PublishInput(content_hash=reviewed))
    assert mou.published_of(session, cycle) is None
    draft = mou.draft_of(session, cycle)
    assert draft is not None
    mou.publish(session, boss, cycle, PublishInput(content_hash=draft.content_hash))
    with pytest.raises(Conflict, match="no draft to publish"):
        mou.publish(session, boss, cycle, PublishInput(content_hash="b" * 64))


def test_only_the_regions_coordinator_edits_publishes_and_reminds(session: Session) -> None:
    cycle = f.open_cycle(session)
    other = f.coordinator(session, region="london")
    with pytest.raises(NotPermitted, match="edit this region's Memorandum"):
        mou.save_draft(session, other, cycle, DraftInput(title="x", body="# x", revision=None))
    with pytest.raises(NotPermitted):
        reminders.send_reminders(session, other, cycle)


def test_reminders_go_to_every_outstanding_holder_through_the_outbox(session: Session) -> None:
    from app.models import OutboxMessage

    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    derby_dcs = f.signatory(session, DERBY, Role.DCS)
    f.signatory(session, DERBY, Role.LEAD_MEMBER)
    f.signatory(session, RUTLAND, Role.DATA_LEAD)  # not a signatory: no reminder
    f.sign(session, cycle, derby_dcs, DERBY, Role.DCS)
    assert reminders.send_reminders(session, boss, cycle) == 1
    message = session.execute(select(OutboxMessage)).scalar_one()
    assert "waiting for your signature as Lead Member of Derby" in message.body
    assert (
        "Sign it at: http://127.0.0.1:8000/regions/east-midlands/cycles/2026-27/mou/sign"
        in message.body
    )
    assert message.sent_at is None


def test_a_draft_is_readable_only_by_its_editors(session: Session) -> None:
    from app.errors import NotFound

    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    mou.save_draft(
        session, boss, cycle, DraftInput(title="MoU v2", body="# New\n\ntext", revision=None)
    )
    dcs = f.signatory(session, DERBY, Role.DCS)
    assert mou.readable_version(session, boss, cycle, 2).state == "draft"
    assert mou.readable_version(session, dcs, cycle, 1).state == "published"
    with pytest.raises(NotFound, match="no published version 2"):
        mou.readable_version(session, dcs, cycle, 2)
    assert [v.number for v in mou.published_versions(session, dcs, cycle)] == [1]
