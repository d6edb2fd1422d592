"""workflow.transition: the one choke point guards, writes, flushes and records in one call."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.chain import Actor, Entry
from app.errors import Conflict
from app.models import AuditEvent, MouVersion
from app.mou import service
from app.mou.schemas import DraftInput
from app.workflow import MOU_VERSION
from app.workflow.states import MouVersionAction, MouVersionState
from app.workflow.transition import transition
from tests.factories import coordinator, open_cycle


def _draft(session: Session) -> MouVersion:
    who = coordinator(session)
    cycle = open_cycle(session, who)
    title, body, revision = service.editor_source(session, cycle)
    return service.save_draft(
        session, who, cycle, DraftInput(title=title, body=body, revision=revision)
    )


def _entry(version: MouVersion) -> Entry:
    return Entry(
        Actor(None, "Test"), "mou.test_moved", "Moved", "mou_version", version.id, "east-midlands"
    )


def test_a_legal_move_writes_the_state_its_fields_and_its_history_entry(session: Session) -> None:
    version = _draft(session)
    before = len(session.scalars(select(AuditEvent)).all())
    new = transition(
        session,
        MOU_VERSION,
        version,
        MouVersionAction.PUBLISH,
        audit=_entry(version),
        title="Renamed on publishing",
    )
    session.commit()
    session.refresh(version)
    assert new == MouVersionState.PUBLISHED == "published"
    assert (version.state, version.title) == ("published", "Renamed on publishing")
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)).all()
    assert len(events) == before + 1
    assert (events[-1].action, events[-1].summary) == ("mou.test_moved", "Moved")


def test_a_refused_move_changes_nothing_and_records_nothing(session: Session) -> None:
    version = _draft(session)
    session.commit()
    title = version.title
    before = len(session.scalars(select(AuditEvent)).all())
    with pytest.raises(Conflict, match="while the Memorandum is draft"):
        transition(
            session, MOU_VERSION, version, "supersede", audit=_entry(version), title="Changed"
        )
    session.commit()
    session.refresh(version)
    assert (version.state, version.title) == ("draft", title)
    assert len(session.scalars(select(AuditEvent)).all()) == before


def test_an_unknown_field_is_a_programming_error_not_a_silent_write(session: Session) -> None:
    version = _draft(session)
    with pytest.raises(AttributeError, match="no field 'nonsense'"):
        transition(session, MOU_VERSION, version, "publish", nonsense=1)
    assert version.state == "draft"
