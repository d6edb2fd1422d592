"""A triad ready to record its conversation: triads formed, each member's questions set."""

from datetime import date

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import kloes
from app.challenge.record_schemas import RecordPartInput
from app.challenge.schemas import KloesInput
from app.models import Cycle, Triad, TriadReviewer
from app.self_evaluation.schemas import TriadsInput
from app.triads import service as triads
from tests import factories as f

DERBY = "E06000015"
LEICESTER = "E06000016"
WEST_NORTHANTS = "E06000062"
DERBYSHIRE = "E10000007"
TRIAD_ONE = (DERBY, LEICESTER, WEST_NORTHANTS)
GROUPS = [
    list(TRIAD_ONE),
    [DERBYSHIRE, "E10000018", "E06000018"],
    ["E06000061", "E10000019", "E10000024", "E06000017"],
]
QUESTIONS = {
    DERBY: [
        "What makes our front door work?",
        "Are our plans for care leavers right?",
        "How do we know?",
    ],
    LEICESTER: [
        "Is our workforce stable?",
        "Do children in care see us as corporate parents?",
        "How do we know?",
    ],
    WEST_NORTHANTS: [
        "Is our new front door safe?",
        "Do our partners share the risk?",
        "How do we know?",
    ],
}


def person(session: Session, role: Role, org: str | None = None) -> Principal:
    region = None if org else "east-midlands"
    return f.principal(session, f.make_user(session, role, organisation=org, region=region))


def ready(session: Session, cycle: Cycle) -> dict[str, Principal]:
    """Triads formed, triad one's questions set; its DCSs by LA code."""
    groups = {code: n for n, group in enumerate(GROUPS, start=1) for code in group}
    triads.form_triads(session, f.coordinator(session), cycle, TriadsInput(groups=groups))
    dcss = {}
    for code, texts in QUESTIONS.items():
        dcss[code] = person(session, Role.DCS, code)
        kloes.save(
            session,
            dcss[code],
            cycle,
            code,
            KloesInput(version="", questions=[{"text": t} for t in texts]),
        )
    return dcss


def name_reviewer(session: Session, cycle: Cycle, triad_number: int) -> Principal:
    reviewer = person(session, Role.TRIAD_REVIEWER)
    triad = session.query(Triad).filter_by(cycle_id=cycle.id, number=triad_number).one()
    session.add(
        TriadReviewer(
            cycle_id=cycle.id,
            triad_id=triad.id,
            user_id=reviewer.user_id,
            named_by_id=f.coordinator(session).user_id,
        )
    )
    session.flush()
    return reviewer


def part(
    version: str = "", *, points: str = "Thresholds vary by team.", offer_to: str = LEICESTER
) -> RecordPartInput:
    """Derby's part: two notes, one action, support asked and offered."""
    return RecordPartInput.model_validate(
        {
            "version": version,
            "kloes": [
                {
                    "position": 1,
                    "challenge_points": points,
                    "evidence": "Audit of 40 contacts, October.",
                    "response": "A single threshold document from January.",
                    "strengths": "Strong partnership triage.",
                    "actions": [
                        {
                            "what": "Publish one threshold document",
                            "owner": "Head of Early Help",
                            "due_on": date(2027, 1, 31).isoformat(),
                            "area": "front-door-early-help",
                        }
                    ],
                },
                {"position": 2, "strengths": "Care leavers' local offer is clear."},
            ],
            "support_asked": [{"area": "workforce", "days": 10, "detail": "Recruitment"}],
            "support_offered": [{"to_la": offer_to, "area": "care-leavers", "days": 5}],
        }
    )


# --- the route walk's set-ups (tests/integration/test_routes.py): the world's user is a
# coordinator who is also Derby's DCS, in triad 2 of tests.sef_factories.SEF_TRIADS.
RECORD = "/regions/{region_id}/cycles/{year}/conversations/{number}/record"
SEF_TRIAD_TWO = ("E06000015", "E10000007", "E06000062")  # Derby, Derbyshire, West Northants


def _drafted(session: Session, boss: Principal, cycle: Cycle) -> str:
    """Triad 2's questions set and Derby's part saved: the current version's hash."""
    from app.challenge import record_acts
    from tests.sef_factories import form_proposed_triads

    form_proposed_triads(session, cycle)
    for code in SEF_TRIAD_TWO:
        who = boss if code == DERBY else f.signatory(session, code, Role.DCS)
        kloes.save(
            session,
            who,
            cycle,
            code,
            KloesInput(version="", questions=[{"text": t} for t in ("A?", "B?", "C?")]),
        )
    drafted = part(offer_to=DERBYSHIRE)
    return record_acts.save_part(session, boss, cycle, 2, DERBY, drafted).content_hash


def _agreed(session: Session, boss: Principal, cycle: Cycle) -> None:
    from app.challenge import record_acts
    from app.challenge.record_schemas import AgreeRecordInput

    content_hash = _drafted(session, boss, cycle)
    for code in SEF_TRIAD_TWO:
        who = boss if code == DERBY else f.signatory(session, code, Role.DCS)
        record_acts.agree(
            session,
            who,
            cycle,
            2,
            AgreeRecordInput(content_hash=content_hash, la_code=code, confirm=True),
        )


def _first_part(session: Session, boss: Principal, cycle: Cycle) -> None:
    from tests.sef_factories import form_proposed_triads

    form_proposed_triads(session, cycle)
    kloes.save(
        session,
        boss,
        cycle,
        DERBY,
        KloesInput(version="", questions=[{"text": t} for t in ("A?", "B?", "C?")]),
    )


def route_forms() -> dict[str, object]:
    """Each record form: (LA in the URL, form data, other URL parts), as SEF_FORMS takes them."""
    two = {"number": 2}
    return {
        RECORD + "/parts/{la_code}": lambda s, u, b, c: (
            _first_part(s, b, c) or DERBY,
            {"version": "", "kloe-1-strengths": "Candid and kind."},
            two,
        ),
        RECORD + "/comments": lambda s, u, b, c: (
            DERBY,
            {"content_hash": _drafted(s, b, c), "la_code": DERBY, "text": "The audit was of 45."},
            two,
        ),
        RECORD + "/agree": lambda s, u, b, c: (
            DERBY,
            {"content_hash": _drafted(s, b, c), "la_code": DERBY, "confirm": "yes"},
            two,
        ),
        RECORD + "/return": lambda s, u, b, c: (
            DERBY,
            {"content_hash": _drafted(s, b, c), "la_code": DERBY, "reason": "Not accurate."},
            two,
        ),
        RECORD + "/share": lambda s, u, b, c: (
            _agreed(s, b, c) or DERBY,
            {"la_code": DERBY, "shared": "yes"},
            two,
        ),
    }


def every_triad_agreed(session: Session, cycle: Cycle, *, leave_open: int | None = None) -> None:
    """Every LA's questions set; each triad's first member's part written; all agree (but
    triad `leave_open`, whose record stays a draft)."""
    from app.challenge import record as records
    from app.challenge import record_acts
    from app.challenge.record_schemas import AgreeRecordInput

    groups = {code: n for n, group in enumerate(GROUPS, start=1) for code in group}
    triads.form_triads(session, f.coordinator(session), cycle, TriadsInput(groups=groups))
    dcss = {}
    for code in groups:
        dcss[code] = person(session, Role.DCS, code)
        kloes.save(
            session,
            dcss[code],
            cycle,
            code,
            KloesInput(version="", questions=[{"text": t} for t in ("A?", "B?", "C?")]),
        )
    for number, group in enumerate(GROUPS, start=1):
        first = group[0]
        version = record_acts.save_part(
            session, dcss[first], cycle, number, first, part(offer_to=group[1])
        )
        if number == leave_open:
            continue
        for code in group:
            record_acts.agree(
                session,
                dcss[code],
                cycle,
                number,
                AgreeRecordInput(content_hash=version.content_hash, la_code=code, confirm=True),
            )
    assert records.view(session, dcss[GROUPS[0][0]], cycle, 1).agreed is (leave_open != 1)
