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


def part(version: str = "", *, points: str = "Thresholds vary by team.") -> RecordPartInput:
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
            "support_offered": [{"to_la": LEICESTER, "area": "care-leavers", "days": 5}],
        }
    )
