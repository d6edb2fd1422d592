"""Drafting a self-evaluation in the service: versions, conflicts, contributors and submission."""

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import AlreadyDone, Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from app.models import AuditEvent, Cycle, SefContributor, SefVersion, SelfEvaluation
from app.reference.sef import OfstedGrade
from app.self_evaluation import contributors
from app.self_evaluation.drafting import content, service
from app.self_evaluation.drafting import versions as sef_versions
from app.self_evaluation.schemas import AssignInput, ChapterInput, SubmitInput
from tests import factories as f
from tests.sef_factories import DERBY, chapter_input, submit_latest, write_all

LEICESTER = "E06000016"
HELP = "help-and-protection"
HELP_TITLE = "The experiences and progress of children who need help and protection"
CARE = "children-in-care"
CARE_TITLE = "The experiences and progress of children in care"
WORKFORCE = "workforce"
NOT_YOURS = (
    "the DCS writes every chapter, and other people only the chapters the DCS has assigned to them."
)
NOT_DCS = (
    "You cannot assign chapters of this authority's self-evaluation: you are not recorded as its "
    "Director of Children's Services. Ask your regional coordinator to check your role."
)


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


def _person(session: Session, role: Role, name: str, org: str = DERBY) -> Principal:
    return f.principal(session, f.make_user(session, role, organisation=org, name=name))


def _sef(session: Session, cycle: Cycle) -> SelfEvaluation:
    return session.execute(
        select(SelfEvaluation).where(
            SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code == DERBY
        )
    ).scalar_one()


def _head(session: Session) -> int:
    return session.scalar(select(func.max(AuditEvent.sequence))) or 0


def _since(session: Session, head: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.sequence > head).order_by(AuditEvent.sequence)
        )
    )


def _versions(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SefVersion)) or 0


def _save(
    session: Session, who: Principal, cycle: Cycle, chapter_id: str, data: ChapterInput
) -> SefVersion:
    return service.save_chapter(session, who, cycle, DERBY, chapter_id, data)


def test_the_first_save_is_version_1_by_its_writer(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    sef = _sef(session, cycle)
    assert service.latest_version(session, sef) is None
    assert service.content_of(sef, None) == content.empty(service.template_of(sef))
    head = _head(session)

    saved = _save(session, dcs, cycle, HELP, chapter_input(None, " first"))

    assert (saved.number, saved.created_by_name, saved.created_by_id) == (
        1,
        "Dee Derby",
        dcs.user_id,
    )
    assert (saved.chapter_id, saved.based_on_number) == (HELP, None)
    text = content.loads(saved.content)
    assert text[HELP] == content.chapter_from(chapter_input(None, " first"))
    assert text[HELP]["grade"] == "good"
    assert all(text[c] == dict.fromkeys(content.SECTION_NAMES, "") for c in text if c != HELP)
    assert saved.content_hash == content.content_hash("sef-east-midlands", text)
    assert sef.state == "draft" and service.version_count(session, sef) == 1
    [event] = _since(session, head)
    assert (event.action, event.summary) == (
        "sef.chapter_saved",
        f"Dee Derby saved '{HELP_TITLE}' as version 1",
    )
    assert (event.subject_type, event.subject_id, event.organisation_code, event.cycle_id) == (
        "self_evaluation",
        str(sef.id),
        DERBY,
        cycle.id,
    )
    assert (event.actor_id, event.actor_name) == (dcs.user_id, "Dee Derby")
    assert json.loads(event.payload) == {
        "number": 1,
        "chapter_id": HELP,
        "content_hash": saved.content_hash,
    }
    assert verify(session).ok


def test_a_save_that_changes_nothing_makes_no_new_version(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    first = _save(session, dcs, cycle, HELP, chapter_input(None))
    head = _head(session)
    again = _save(session, dcs, cycle, HELP, chapter_input(1))
    assert again.id == first.id and again.number == 1
    # Whitespace the form trims is no change either.
    padded = chapter_input(1).model_dump()
    padded["strengths"] = "  " + padded["strengths"] + "\n"
    assert _save(session, dcs, cycle, HELP, ChapterInput(**padded)).id == first.id
    assert _versions(session) == 1 and _since(session, head) == []


def test_every_version_is_kept_newest_first_and_any_two_compare(
    session: Session, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    _save(session, dcs, cycle, HELP, chapter_input(None, " one"))
    _save(session, dcs, cycle, CARE, chapter_input(1, " two"))
    _save(session, dcs, cycle, HELP, chapter_input(2, " three", OfstedGrade.OUTSTANDING))
    sef = _sef(session, cycle)
    assert [
        (v.number, v.chapter_id, v.based_on_number) for v in service.versions(session, sef)
    ] == [
        (3, HELP, 2),
        (2, CARE, 1),
        (1, HELP, None),
    ]
    comparison = sef_versions.compare(session, sef, 3, 1)  # either order: older on the left
    assert (comparison.older.number, comparison.newer.number) == (1, 3)
    assert [c.chapter_id for c in comparison.chapters if c.changed] == [HELP, CARE]
    grade = comparison.chapters[0].sections[0]
    assert [(r.kind, r.old, r.new) for r in grade.rows] == [("changed", "Good", "Outstanding")]
    with pytest.raises(NotFound) as missing:
        sef_versions.compare(session, sef, 1, 4)
    assert missing.value.message == "There is no version 4 of this self-evaluation."


def test_a_save_over_a_newer_save_of_the_same_chapter_is_refused(
    session: Session, cycle: Cycle
) -> None:
    ann = _person(session, Role.DCS, "Ann Director")
    bob = _person(session, Role.CONTRIBUTOR, "Bob Writer")
    contributors.assign(
        session, ann, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=bob.user_id)
    )
    contributors.assign(
        session, ann, cycle, DERBY, AssignInput(chapter_id=CARE, user_id=bob.user_id)
    )
    _save(session, ann, cycle, HELP, chapter_input(None, " base"))
    base = _save(session, ann, cycle, CARE, chapter_input(1, " base"))
    n = base.number  # both writers open version n

    ann_saved = _save(session, ann, cycle, HELP, chapter_input(n, " by Ann"))
    assert ann_saved.number == n + 1
    head = _head(session)
    with pytest.raises(StaleVersion) as refused:
        _save(session, bob, cycle, HELP, chapter_input(n, " by Bob"))
    assert refused.value.message == (
        f"Ann Director saved a newer version of '{HELP_TITLE}' (version {n + 1}) after you "
        f"opened version {n}. Nothing was saved: your text is kept beside theirs so you can "
        "combine them, then save again."
    )
    assert refused.value.field == "narrative" and refused.value.status_code == 409
    assert _versions(session) == n + 1 and _since(session, head) == []

    # Bob's other chapter, from the same base, lands on top of Ann's change: both are kept.
    bob_saved = _save(session, bob, cycle, CARE, chapter_input(n, " by Bob"))
    assert (bob_saved.number, bob_saved.based_on_number, bob_saved.created_by_name) == (
        n + 2,
        n,
        "Bob Writer",
    )
    text = content.loads(bob_saved.content)
    assert text[HELP]["strengths"] == "Stable workforce by Ann."
    assert text[CARE]["strengths"] == "Stable workforce by Bob."
    assert [e.action for e in _since(session, head)] == ["sef.chapter_saved"]

    # Having read Ann's text, Bob saves the chapter again from the newest version.
    merged = _save(session, bob, cycle, HELP, chapter_input(n + 2, " by Ann and Bob"))
    assert merged.number == n + 3
    assert content.loads(merged.content)[CARE]["strengths"] == "Stable workforce by Bob."


def test_the_refusal_names_whoever_changed_that_chapter(session: Session, cycle: Cycle) -> None:
    ann = _person(session, Role.DCS, "Ann Director")
    bob = _person(session, Role.CONTRIBUTOR, "Bob Writer")
    cal = _person(session, Role.DATA_LEAD, "Cal Data")
    contributors.assign(
        session, ann, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=bob.user_id)
    )
    contributors.assign(
        session, ann, cycle, DERBY, AssignInput(chapter_id=CARE, user_id=cal.user_id)
    )
    _save(session, ann, cycle, HELP, chapter_input(None))  # version 1, both open it
    _save(session, ann, cycle, HELP, chapter_input(1, " by Ann"))  # version 2
    _save(session, cal, cycle, CARE, chapter_input(2, " by Cal"))  # version 3, another chapter
    with pytest.raises(StaleVersion) as refused:
        _save(session, bob, cycle, HELP, chapter_input(1, " by Bob"))
    assert refused.value.message.startswith(
        f"Ann Director saved a newer version of '{HELP_TITLE}' (version 2) after you opened "
        "version 1."
    )
    assert _versions(session) == 3


def test_two_writers_starting_from_nothing(session: Session, cycle: Cycle) -> None:
    ann = _person(session, Role.DCS, "Ann Director")
    bob = _person(session, Role.CONTRIBUTOR, "Bob Writer")
    contributors.assign(
        session, ann, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=bob.user_id)
    )
    contributors.assign(
        session, ann, cycle, DERBY, AssignInput(chapter_id=CARE, user_id=bob.user_id)
    )
    _save(session, ann, cycle, HELP, chapter_input(None, " by Ann"))
    with pytest.raises(StaleVersion) as refused:
        _save(session, bob, cycle, HELP, chapter_input(None, " by Bob"))
    assert refused.value.message == (
        f"Ann Director saved a newer version of '{HELP_TITLE}' (version 1) after you opened "
        "the blank self-evaluation. Nothing was saved: your text is kept beside theirs so you "
        "can combine them, then save again."
    )
    # A chapter nobody has written yet goes through on top of Ann's.
    saved = _save(session, bob, cycle, CARE, chapter_input(None, " by Bob"))
    assert saved.number == 2 and content.loads(saved.content)[HELP]["strengths"] == (
        "Stable workforce by Ann."
    )


def test_a_base_version_that_does_not_exist_is_not_found(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    with pytest.raises(NotFound) as missing:
        _save(session, dcs, cycle, HELP, chapter_input(4))
    assert missing.value.message == "There is no version 4 of this self-evaluation."
    with pytest.raises(NotFound) as chapter:
        _save(session, dcs, cycle, "no-such-chapter", chapter_input(None))
    assert chapter.value.message == "This self-evaluation has no such chapter."
    assert _versions(session) == 0


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.DATA_LEAD])
def test_a_contributor_writes_only_the_chapters_assigned_to_them(
    session: Session, cycle: Cycle, role: Role
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    writer = _person(session, role, "Cal Contributor")
    head = _head(session)
    with pytest.raises(NotPermitted) as before:
        _save(session, writer, cycle, HELP, chapter_input(None))
    assert before.value.message == f"You cannot write '{HELP_TITLE}': {NOT_YOURS}"

    assigned = contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=writer.user_id)
    )
    saved = _save(session, writer, cycle, HELP, chapter_input(None))
    assert (saved.number, saved.created_by_name) == (1, "Cal Contributor")
    with pytest.raises(NotPermitted) as other:
        _save(session, writer, cycle, CARE, chapter_input(1))
    assert other.value.message == f"You cannot write '{CARE_TITLE}': {NOT_YOURS}"

    contributors.unassign(session, dcs, cycle, DERBY, assigned.id)
    with pytest.raises(NotPermitted) as after:
        _save(session, writer, cycle, HELP, chapter_input(1, " more"))
    assert after.value.message == f"You cannot write '{HELP_TITLE}': {NOT_YOURS}"
    assert _versions(session) == 1
    assert [e.action for e in _since(session, head)] == [
        "sef.contributor_assigned",
        "sef.chapter_saved",
        "sef.contributor_unassigned",
    ]
    # What they wrote stays in the versions, by their name.
    assert service.versions(session, _sef(session, cycle))[0].created_by_name == "Cal Contributor"


@pytest.mark.parametrize("role", [Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE])
def test_signatories_read_the_draft_but_do_not_write_it(
    session: Session, cycle: Cycle, role: Role
) -> None:
    who = _person(session, role, "Sam Signatory")
    assert service.get_sef(session, who, cycle, DERBY).la_code == DERBY
    with pytest.raises(NotPermitted) as refused:
        _save(session, who, cycle, HELP, chapter_input(None))
    assert refused.value.message == f"You cannot write '{HELP_TITLE}': {NOT_YOURS}"


def test_assigning_chapters(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    cal = _person(session, Role.CONTRIBUTOR, "Cal Contributor")
    dana = _person(session, Role.DATA_LEAD, "Dana Data")
    lee = _person(session, Role.LEAD_MEMBER, "Lee Member")
    _person(session, Role.CONTRIBUTOR, "Lou Leicester", org=LEICESTER)
    sef = _sef(session, cycle)
    # Those who may draft: people of Derby whose role lets them write, not the signatories.
    assert [u.display_name for u in contributors.eligible(session, DERBY)] == [
        "Cal Contributor",
        "Dana Data",
        "Dee Derby",
    ]
    head = _head(session)
    made = contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=cal.user_id)
    )
    assert (made.chapter_id, made.user_id, made.name, made.email) == (
        HELP,
        cal.user_id,
        "Cal Contributor",
        cal.email,
    )
    [event] = _since(session, head)
    assert (event.action, event.summary, json.loads(event.payload)) == (
        "sef.contributor_assigned",
        f"Cal Contributor assigned to draft '{HELP_TITLE}'",
        {"chapter_id": HELP, "user_id": cal.user_id},
    )
    contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=dana.user_id)
    )
    assert [(c.chapter_id, c.name) for c in contributors.current(session, sef)] == [
        (HELP, "Cal Contributor"),
        (HELP, "Dana Data"),
    ]

    head = _head(session)
    with pytest.raises(AlreadyDone) as twice:
        contributors.assign(
            session, dcs, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=cal.user_id)
        )
    assert twice.value.message == f"Cal Contributor is already drafting '{HELP_TITLE}'."
    outsider_id = contributors.eligible(session, LEICESTER)[0].id
    for person_id in (outsider_id, lee.user_id, 999_999):
        with pytest.raises(InvalidInput) as wrong:
            contributors.assign(
                session, dcs, cycle, DERBY, AssignInput(chapter_id=CARE, user_id=person_id)
            )
        assert wrong.value.field == "user_id"
        assert wrong.value.message == (
            "Choose someone in your authority who may draft chapters; ask your regional "
            "coordinator to add them if they are missing."
        )
    with pytest.raises(NotFound) as chapter:
        contributors.assign(
            session, dcs, cycle, DERBY, AssignInput(chapter_id="no-such", user_id=cal.user_id)
        )
    assert chapter.value.message == "This self-evaluation has no such chapter."
    assert _since(session, head) == []
    assert session.scalar(select(func.count()).select_from(SefContributor)) == 2


@pytest.mark.parametrize(
    ("role", "org"),
    [
        (Role.CONTRIBUTOR, DERBY),
        (Role.DATA_LEAD, DERBY),
        (Role.LEAD_MEMBER, DERBY),
        (Role.CHIEF_EXECUTIVE, DERBY),
        (Role.DCS, LEICESTER),
    ],
)
def test_only_the_las_dcs_assigns_chapters(
    session: Session, cycle: Cycle, role: Role, org: str
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    cal = _person(session, Role.CONTRIBUTOR, "Cal Contributor")
    made = contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=cal.user_id)
    )
    who = _person(session, role, "Someone Else", org=org)
    coordinator = f.coordinator(session)
    head = _head(session)
    with pytest.raises(NotPermitted) as refused:
        contributors.assign(
            session, who, cycle, DERBY, AssignInput(chapter_id=CARE, user_id=cal.user_id)
        )
    assert refused.value.message == NOT_DCS
    with pytest.raises(NotPermitted) as removing:
        contributors.unassign(session, who, cycle, DERBY, made.id)
    assert removing.value.message == NOT_DCS
    with pytest.raises(NotPermitted) as boss:
        contributors.assign(
            session, coordinator, cycle, DERBY, AssignInput(chapter_id=CARE, user_id=cal.user_id)
        )
    assert boss.value.message == NOT_DCS
    assert _since(session, head) == []
    assert session.scalar(select(func.count()).select_from(SefContributor)) == 1


def test_unassigning_ends_the_assignment_once(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    cal = _person(session, Role.CONTRIBUTOR, "Cal Contributor")
    made = contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=cal.user_id)
    )
    head = _head(session)
    contributors.unassign(session, dcs, cycle, DERBY, made.id)
    assert contributors.current(session, _sef(session, cycle)) == []
    row = session.get(SefContributor, made.id)
    assert row is not None and row.ended_at is not None
    [event] = _since(session, head)
    assert (event.action, event.summary) == (
        "sef.contributor_unassigned",
        f"Cal Contributor no longer drafts '{HELP_TITLE}'",
    )
    for contributor_id in (made.id, 999_999):
        with pytest.raises(NotFound) as gone:
            contributors.unassign(session, dcs, cycle, DERBY, contributor_id)
        assert gone.value.message == (
            "That person is not assigned to a chapter of this self-evaluation."
        )
    # Assigned again after removal: a fresh assignment, the old one kept ended.
    again = contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id=HELP, user_id=cal.user_id)
    )
    assert again.id != made.id
    assert session.scalar(select(func.count()).select_from(SefContributor)) == 2


def test_submit_needs_something_written(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    with pytest.raises(Conflict) as refused:
        service.submit(session, dcs, cycle, DERBY, SubmitInput(content_hash="a" * 64))
    assert refused.value.message == "Nothing has been written yet. Draft the chapters, then submit."
    assert _sef(session, cycle).state == "draft"


def test_submit_needs_every_chapter_graded_and_written(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    _save(session, dcs, cycle, HELP, chapter_input(None))
    first = _save(session, dcs, cycle, CARE, chapter_input(1))
    head = _head(session)
    with pytest.raises(InvalidInput) as partly:
        service.submit(session, dcs, cycle, DERBY, SubmitInput(content_hash=first.content_hash))
    assert partly.value.field == "content_hash"
    assert partly.value.message == (
        "Before sign-off every chapter needs a grade, strengths and areas for development: "
        "The experiences and progress of care leavers needs a self-assessed grade, strengths and "
        "areas for development; The impact of leaders on social work practice with children and "
        "families needs a self-assessed grade, strengths and areas for development; Workforce "
        "needs a self-assessed grade, strengths and areas for development; Partnerships and "
        "early help needs a self-assessed grade, strengths and areas for development."
    )
    latest = write_all(session, cycle, DERBY, dcs)
    ungraded = chapter_input(latest.number).model_copy(update={"grade": None, "strengths": ""})
    latest = _save(session, dcs, cycle, WORKFORCE, ungraded)
    head = _head(session)
    with pytest.raises(InvalidInput) as one:
        service.submit(session, dcs, cycle, DERBY, SubmitInput(content_hash=latest.content_hash))
    assert one.value.message == (
        "Before sign-off every chapter needs a grade, strengths and areas for development: "
        "Workforce needs a self-assessed grade and strengths."
    )
    sef = _sef(session, cycle)
    assert (sef.state, sef.submitted_number) == ("draft", None)
    assert _since(session, head) == []


def test_submit_binds_the_reviewed_version(session: Session, cycle: Cycle) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    reviewed = write_all(session, cycle, DERBY, dcs)
    newer = _save(session, dcs, cycle, WORKFORCE, chapter_input(reviewed.number, " later"))
    head = _head(session)
    with pytest.raises(StaleVersion) as stale:
        service.submit(session, dcs, cycle, DERBY, SubmitInput(content_hash=reviewed.content_hash))
    assert stale.value.message == (
        f"The self-evaluation changed after you reviewed it (it is now version {newer.number}). "
        "Review the latest version, then submit."
    )
    assert _sef(session, cycle).state == "draft" and _since(session, head) == []

    submitted = service.submit(
        session, dcs, cycle, DERBY, SubmitInput(content_hash=newer.content_hash)
    )
    sef = _sef(session, cycle)
    assert submitted.id == newer.id
    assert (sef.state, sef.submitted_number) == ("awaiting_sign_off", newer.number)
    assert sef.submitted_at is not None
    assert service.submitted_version(session, sef) is newer
    [event] = _since(session, head)
    assert (event.action, event.summary, json.loads(event.payload)) == (
        "sef.submitted",
        f"Version {newer.number} submitted for sign-off",
        {"number": newer.number, "content_hash": newer.content_hash},
    )
    head = _head(session)
    with pytest.raises(Conflict) as twice:
        service.submit(session, dcs, cycle, DERBY, SubmitInput(content_hash=newer.content_hash))
    assert twice.value.message == "This self-evaluation has already been submitted for sign-off."
    assert _since(session, head) == []


@pytest.mark.parametrize(("role", "org"), [(Role.CONTRIBUTOR, DERBY), (Role.DCS, LEICESTER)])
def test_only_the_las_dcs_submits(session: Session, cycle: Cycle, role: Role, org: str) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    latest = write_all(session, cycle, DERBY, dcs)
    who = _person(session, role, "Someone Else", org=org)
    with pytest.raises(NotPermitted) as refused:
        service.submit(session, who, cycle, DERBY, SubmitInput(content_hash=latest.content_hash))
    assert refused.value.message == (
        "You cannot submit this authority's self-evaluation for sign-off: you are not recorded as "
        "its Director of Children's Services. Ask your regional coordinator to check your role."
    )
    assert _sef(session, cycle).state == "draft"


def test_an_edit_while_awaiting_sign_off_returns_it_to_drafting(
    session: Session, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    write_all(session, cycle, DERBY, dcs)
    submitted = submit_latest(session, cycle, DERBY, dcs)
    head = _head(session)
    # Saving the chapter unchanged is no edit: it stays with the signatories.
    same = _save(session, dcs, cycle, WORKFORCE, chapter_input(submitted.number))
    assert same.id == submitted.id and _sef(session, cycle).state == "awaiting_sign_off"
    edited = _save(session, dcs, cycle, WORKFORCE, chapter_input(submitted.number, " revised"))
    sef = _sef(session, cycle)
    assert edited.number == submitted.number + 1
    assert (sef.state, sef.submitted_number, sef.submitted_at) == ("draft", None, None)
    # Nobody had signed, so nothing is voided: the submission lapses, then the save.
    assert [e.action for e in _since(session, head)] == [
        "sef.submission_withdrawn",
        "sef.chapter_saved",
    ]
    resubmitted = submit_latest(session, cycle, DERBY, dcs)
    assert resubmitted.number == edited.number and sef.state == "awaiting_sign_off"


def test_two_saves_at_the_same_moment_make_one_version(
    session: Session, cycle: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    first = _save(session, dcs, cycle, HELP, chapter_input(None))
    second = _save(session, dcs, cycle, CARE, chapter_input(1))
    # The other save lands between this one reading the newest version and writing its own.
    monkeypatch.setattr(service, "latest_version", lambda *_: first)
    head = _head(session)
    with pytest.raises(StaleVersion) as raced:
        _save(session, dcs, cycle, WORKFORCE, chapter_input(1, " raced"))
    assert raced.value.message == (
        "Someone else saved this self-evaluation at the same moment. Nothing was saved: your "
        "text is kept; reload to see theirs, then save again."
    )
    monkeypatch.undo()
    # Nothing written, and the session carries on.
    assert (_versions(session), _since(session, head)) == (2, [])
    assert service.latest_version(session, _sef(session, cycle)) is second
    assert _save(session, dcs, cycle, WORKFORCE, chapter_input(2)).number == 3


def test_assignments_cannot_change_once_signed(session: Session) -> None:
    from tests.sef_factories import signed_sef

    cycle = f.open_cycle(session)
    helper = f.make_user(session, Role.CONTRIBUTOR, organisation=DERBY)
    dcs = f.signatory(session, DERBY, Role.DCS)
    made = contributors.assign(
        session, dcs, cycle, DERBY, AssignInput(chapter_id="workforce", user_id=helper.id)
    )
    signed_sef(session, cycle, DERBY)
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    message = (
        "This self-evaluation has been signed, so nobody drafts its chapters any more: "
        "assignments can no longer change."
    )
    with pytest.raises(Conflict) as refused:
        contributors.assign(
            session,
            dcs,
            cycle,
            DERBY,
            AssignInput(chapter_id="children-in-care", user_id=helper.id),
        )
    assert refused.value.message == message
    with pytest.raises(Conflict) as refused:
        contributors.unassign(session, dcs, cycle, DERBY, made.id)
    assert refused.value.message == message
    assert session.get(SefContributor, made.id).ended_at is None  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
