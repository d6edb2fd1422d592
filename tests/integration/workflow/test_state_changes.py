"""Every state change the services make goes through workflow.transition: from the right state
it writes exactly its own history entries, under their unchanged names and in order; from a
wrong state it is refused (Conflict) and nothing at all is written."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.errors import Conflict
from app.models import AuditEvent, Cycle, MouVersion, SefDocument, SefVersion, SelfEvaluation
from app.mou import service as mou
from app.mou.events import MouEvent
from app.mou.schemas import DraftInput, PublishInput
from app.self_evaluation.documents import files, importing
from app.self_evaluation.documents import service as documents
from app.self_evaluation.documents.docx_import import Section
from app.self_evaluation.documents.import_schemas import ImportInput
from app.self_evaluation.drafting import carry, service
from app.self_evaluation.events import SefEvent
from app.self_evaluation.schemas import CarryForwardInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.settings import get_settings
from tests import factories as f
from tests.sef_document_files import PDF_BYTES
from tests.sef_factories import (
    DERBY,
    chapter_input,
    signatories,
    signed_sef,
    submit_latest,
    write_all,
)

CARE = "children-in-care"
LAST = "2025-26"

Act = Callable[[], object]


@dataclass(frozen=True)
class Change:
    """A state change: how to reach a state it starts from, and one it is refused in."""

    events: tuple[str, ...]
    ready: Callable[[Session], Act]
    wrong: Callable[[Session], Act]


def _history(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence)))


def _everything(session: Session) -> tuple[object, ...]:
    """What a refused change must leave exactly as it was."""
    session.expire_all()
    return (
        _history(session),
        session.execute(select(SelfEvaluation.id, SelfEvaluation.state, SelfEvaluation.submitted_number)).all(),
        session.execute(select(MouVersion.id, MouVersion.state, MouVersion.published_at)).all(),
        session.execute(select(SefVersion.id)).all(),
        session.execute(select(SefDocument.id, SefDocument.removed_in_version)).all(),
    )  # fmt: skip


# The MoU: publishing a first version, and publishing a revision (which supersedes the old one).


def _draft(session: Session, cycle: Cycle, extra: str = "") -> Act:
    boss = f.coordinator(session)
    title, body, revision = mou.editor_source(session, cycle)
    draft = mou.save_draft(
        session, boss, cycle, DraftInput(title=title, body=body + extra, revision=revision)
    )
    data = PublishInput(content_hash=draft.content_hash)
    return lambda: mou.publish(session, boss, cycle, data)


def _first_publish(session: Session) -> Act:
    return _draft(session, f.open_cycle(session))


def _revision(session: Session) -> Act:
    cycle = f.open_cycle(session)
    f.publish_from_template(session, cycle, f.coordinator(session))
    return _draft(session, cycle, "\n\nA revised paragraph.")


def _nothing_to_publish(session: Session) -> Act:
    cycle = f.open_cycle(session)
    boss = f.coordinator(session)
    published = f.publish_from_template(session, cycle, boss)
    data = PublishInput(content_hash=published.content_hash)
    return lambda: mou.publish(session, boss, cycle, data)


# The self-evaluation: each way a version is made, submitting, and closing scrutiny.


def _save(session: Session, cycle: Cycle) -> Act:
    dcs = signatories(session, DERBY)[Role.DCS]
    sef = service.get_sef(session, dcs, cycle, DERBY)
    latest = service.latest_version(session, sef)
    data = chapter_input(latest.number if latest else None, " changed")
    return lambda: service.save_chapter(session, dcs, cycle, DERBY, CARE, data)


def _signed(session: Session) -> Cycle:
    cycle = f.open_cycle(session)
    signed_sef(session, cycle)
    return cycle


def _add(session: Session, cycle: Cycle) -> Act:
    dcs = signatories(session, DERBY)[Role.DCS]
    checked = files.check("Audit.pdf", PDF_BYTES)
    return lambda: documents.add(session, dcs, cycle, DERBY, CARE, checked)


def _remove(session: Session, cycle: Cycle, *, then_sign: bool) -> Act:
    dcs = signatories(session, DERBY)[Role.DCS]
    added = documents.add(session, dcs, cycle, DERBY, CARE, files.check("Audit.pdf", PDF_BYTES))
    if then_sign:
        signed_sef(session, cycle)
    return lambda: documents.remove(session, dcs, cycle, DERBY, added.id)


def _import(session: Session, cycle: Cycle) -> Act:
    dcs = signatories(session, DERBY)[Role.DCS]
    latest = service.latest_version(session, service.get_sef(session, dcs, cycle, DERBY))
    sections = [Section("Children in care", {"narrative": ["Imported text."]})]
    data = ImportInput(
        file_sha256="a" * 64, base_version=latest.number if latest else None, chapters=[CARE]
    )
    return lambda: importing.apply(session, dcs, cycle, DERBY, "SEF.docx", sections, data)


def _carry(session: Session, *, sign_this_year: bool) -> Act:
    boss = f.coordinator(session)
    last = cycles.open_cycle(session, boss, f.REGION, OpenCycleInput(year=LAST))
    signed_sef(session, last)
    this = f.open_cycle(session, boss)
    if sign_this_year:
        signed_sef(session, this)
    dcs = signatories(session, DERBY)[Role.DCS]
    data = CarryForwardInput(from_year=LAST)
    return lambda: carry.carry_forward(session, dcs, this, DERBY, data)


def _submit(session: Session, *, twice: bool) -> Act:
    cycle = f.open_cycle(session)
    dcs = signatories(session, DERBY)[Role.DCS]
    write_all(session, cycle, DERBY, dcs)
    if twice:
        submit_latest(session, cycle, DERBY, dcs)
    return lambda: submit_latest(session, cycle, DERBY, dcs)


def _close(session: Session, cycle: Cycle) -> Act:
    boss = f.coordinator(session)
    return lambda: scrutiny.close(session, boss, cycle, DERBY)


def _drafted(session: Session) -> Cycle:
    cycle = f.open_cycle(session)
    write_all(session, cycle, DERBY, signatories(session, DERBY)[Role.DCS])
    return cycle


CHANGES = [
    Change((MouEvent.PUBLISHED,), _first_publish, _nothing_to_publish),
    Change((MouEvent.SUPERSEDED, MouEvent.PUBLISHED), _revision, _nothing_to_publish),
    Change(
        (SefEvent.CHAPTER_SAVED,),
        lambda s: _save(s, f.open_cycle(s)),
        lambda s: _save(s, _signed(s)),
    ),
    Change(
        (SefEvent.DOCUMENT_ADDED,),
        lambda s: _add(s, f.open_cycle(s)),
        lambda s: _add(s, _signed(s)),
    ),
    Change(
        (SefEvent.DOCUMENT_REMOVED,),
        lambda s: _remove(s, f.open_cycle(s), then_sign=False),
        lambda s: _remove(s, f.open_cycle(s), then_sign=True),
    ),
    Change(
        (SefEvent.DOCX_IMPORTED,),
        lambda s: _import(s, f.open_cycle(s)),
        lambda s: _import(s, _signed(s)),
    ),
    Change(
        (SefEvent.CARRIED_FORWARD,),
        lambda s: _carry(s, sign_this_year=False),
        lambda s: _carry(s, sign_this_year=True),
    ),
    Change(
        (SefEvent.SUBMITTED,),
        lambda s: _submit(s, twice=False),
        lambda s: _submit(s, twice=True),
    ),
    Change(
        (SefEvent.SCRUTINY_CLOSED,),
        lambda s: _close(s, _signed(s)),
        lambda s: _close(s, _drafted(s)),
    ),
]
IDS = [change.events[-1].value for change in CHANGES]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path / "data")


@pytest.mark.parametrize("change", CHANGES, ids=IDS)
def test_a_change_from_its_state_writes_exactly_its_history_entries(
    session: Session, change: Change
) -> None:
    act = change.ready(session)
    session.commit()
    before = _history(session)
    act()
    session.commit()
    after = _history(session)
    assert after[: len(before)] == before
    assert after[len(before) :] == [str(event) for event in change.events]


@pytest.mark.parametrize("change", CHANGES, ids=IDS)
def test_a_change_from_a_wrong_state_is_refused_and_writes_nothing(
    session: Session, change: Change
) -> None:
    act = change.wrong(session)
    session.commit()
    before = _everything(session)
    with pytest.raises(Conflict):
        act()
    session.commit()  # anything the refused change had left pending would land now
    assert _everything(session) == before


def test_the_event_names_are_the_strings_the_history_has_always_had() -> None:
    assert [e.value for e in (MouEvent.PUBLISHED, MouEvent.SUPERSEDED, MouEvent.REVIEWED)] == [
        "mou.published",
        "mou.superseded",
        "mou.reviewed",
    ]
    assert SefEvent.SCRUTINY_CLOSED == "sef.scrutiny_closed"
    assert all(e.value == f"mou.{e.name.lower()}" for e in MouEvent)
    assert all(e.value == f"sef.{e.name.lower()}" for e in SefEvent)
