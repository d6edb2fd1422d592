"""The number the next version of a self-evaluation will carry, for what is written before it
(a supporting document's row names the version that first carries it).

Every version itself is made by app.self_evaluation.drafting.service.add_version.
"""

from sqlalchemy.orm import Session

from app.models import SelfEvaluation
from app.self_evaluation.drafting import service


def next_number(session: Session, sef: SelfEvaluation) -> int:
    latest = service.latest_version(session, sef)
    return (latest.number if latest else 0) + 1
